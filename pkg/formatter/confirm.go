package formatter

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/pkg/awsx"
)

// confirmSubscription handles the SubscriptionConfirmation SNS sends when a
// member account's alerts topic subscribes the central queue: a
// cross-account subscription stays pending until the queue's owner confirms
// it with the token. It reports whether the message was a confirmation.
func (f *Formatter) confirmSubscription(ctx context.Context, body string) (bool, error) {
	var m struct {
		Type     string `json:"Type"`
		TopicArn string `json:"TopicArn"`
		Token    string `json:"Token"`
	}
	if json.Unmarshal([]byte(body), &m) != nil || m.Type != "SubscriptionConfirmation" {
		return false, nil
	}
	if !strings.HasPrefix(m.TopicArn, "arn:") || m.Token == "" {
		return true, fmt.Errorf("confirming a subscription: the confirmation message has no topic or token")
	}
	// ConfirmSubscription is answered by the topic's region.
	region := strings.Split(m.TopicArn, ":")[3]
	_, err := sns.NewFromConfig(awsx.InRegion(f.own(), region)).ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{
		TopicArn: aws.String(m.TopicArn), Token: aws.String(m.Token), AuthenticateOnUnsubscribe: aws.String("true"),
	})
	if err != nil {
		return true, fmt.Errorf("confirming the subscription to (%s): %w", m.TopicArn, err)
	}
	f.Log.Info("confirmed a member alerts topic's subscription", "topic", m.TopicArn)
	return true, nil
}
