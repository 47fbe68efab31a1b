package formatter

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/pkg/awsx"
)

// confirmSubscription handles the SubscriptionConfirmation SNS sends when a
// member account's alerts topic subscribes the central queue: a
// cross-account subscription stays pending until the queue's owner confirms
// it with the token. It reports whether the message was a confirmation.
//
// The queue admits every account's topic of the alerts topic's name (SNS
// is documented to send only aws:SourceArn and aws:SourceAccount to the
// queue, so the organization cannot be checked there), so this is where an
// account outside the organization is kept out: only an active member
// account's alerts topic is confirmed. Any other confirmation is refused
// and dropped, not retried: retrying cannot make it acceptable.
func (f *Formatter) confirmSubscription(ctx context.Context, body string) (bool, error) {
	var m struct {
		Type     string `json:"Type"`
		TopicArn string `json:"TopicArn"`
		Token    string `json:"Token"`
	}
	if json.Unmarshal([]byte(body), &m) != nil || m.Type != "SubscriptionConfirmation" {
		return false, nil
	}
	topic, err := arn.Parse(m.TopicArn)
	if err != nil || topic.Service != "sns" || m.Token == "" {
		return true, fmt.Errorf("confirming a subscription: the confirmation message has no topic or token")
	}
	if topic.Resource != f.Config.AlertsTopicName() {
		f.Log.Warn("refused a subscription: the topic is not an alerts topic", "topic", m.TopicArn, "want", f.Config.AlertsTopicName())
		return true, nil
	}
	switch a, err := f.account(ctx, topic.AccountID); {
	case awsx.NotFound(err):
		f.Log.Warn("refused a subscription: the topic's account is not in the organization", "topic", m.TopicArn)
		return true, nil
	case err != nil:
		return true, fmt.Errorf("confirming the subscription to (%s): describing its account: %w", m.TopicArn, err)
	case a.Status != string(orgtypes.AccountStatusActive):
		f.Log.Warn("refused a subscription: the topic's account is not active", "topic", m.TopicArn, "status", a.Status)
		return true, nil
	}
	// ConfirmSubscription is answered by the topic's region.
	_, err = sns.NewFromConfig(awsx.InRegion(f.own(), topic.Region)).ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{
		TopicArn: aws.String(m.TopicArn), Token: aws.String(m.Token), AuthenticateOnUnsubscribe: aws.String("true"),
	})
	if err != nil {
		return true, fmt.Errorf("confirming the subscription to (%s): %w", m.TopicArn, err)
	}
	f.Log.Info("confirmed a member alerts topic's subscription", "topic", m.TopicArn)
	return true, nil
}
