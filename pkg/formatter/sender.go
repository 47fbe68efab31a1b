package formatter

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/notify"
)

// The account an alert is about is the account of the alerts topic it came
// through, never what the message says. SNS writes the notification's
// envelope, TopicArn included; the publisher writes only the Message inside
// ("HTTP/HTTPS notification JSON format", SNS Developer Guide), and anyone
// who may publish to an account's alerts topic (its administrators, the
// services the topic's policy admits) can write any Message. So a message
// is delivered as an alert only when it came in an SNS notification from an
// alerts topic of landfall's name, in an account of the organization, and
// every account it claims is that account. Anything else is refused: it is
// published as a refusal naming its sender, with its content, and it gets
// no account name, no trail search, no chat post and no ledger receipt, so
// a forged alarm cannot pass for another account's or satisfy `landfall
// alerts test` there.

// sender is who sent a fan-in message: the alerts topic of its envelope.
type sender struct {
	// topic is the envelope's TopicArn, "" without an envelope.
	topic string
	// account is the topic's account.
	account string
}

// senderOf reads a fan-in message's envelope. It returns the message the
// publisher wrote, and why the message is refused when it did not come as
// an SNS notification from one of the organization's alerts topics.
func (f *Formatter) senderOf(ctx context.Context, body []byte) (sender, []byte, string) {
	var env notify.SNSNotification
	if json.Unmarshal(body, &env) != nil || env.Type != "Notification" {
		return sender{}, nil, "it is not an SNS notification, and only alerts topics' notifications reach the fan-in"
	}
	s := sender{topic: env.TopicARN}
	topic, err := arn.Parse(env.TopicARN)
	if err != nil || topic.Service != "sns" {
		return s, nil, "its envelope names no SNS topic"
	}
	s.account = topic.AccountID
	if topic.Resource != f.Config.AlertsTopicName() {
		return s, nil, fmt.Sprintf("it came from topic %s, not from an alerts topic (%s)", topic.Resource, f.Config.AlertsTopicName())
	}
	// The subscription was confirmed when the account was a member
	// (confirmSubscription); one that has left since is refused. When the
	// organization cannot be read, the confirmation stands.
	switch _, err := f.account(ctx, s.account); {
	case awsx.NotFound(err):
		return s, nil, fmt.Sprintf("account %s is not in the organization", s.account)
	case err != nil:
		f.Log.Warn("checking an alert's account is in the organization", "account", s.account, "error", fmt.Sprint(err))
	}
	return s, []byte(env.Message), ""
}

// refuseClaims returns why a formatted message is refused when it claims
// an account other than its sender's, "" when it claims none other.
// GuardDuty's delegated administrator (organization.securityAccountId)
// receives its members' findings too: its topic may carry a finding about
// any account, but only as the event of its own bus.
func (f *Formatter) refuseClaims(s sender, payload []byte, m notify.Message) string {
	claims := []string{m.AccountID}
	switch m.Kind {
	case notify.KindAlarm:
		a, _ := alarmOf(payload)
		alarm, err := arn.Parse(a.AlarmARN)
		if err != nil {
			return "the alarm has no alarm ARN"
		}
		claims = append(claims, a.AWSAccountID, alarm.AccountID)
	case notify.KindGuardDuty:
		var e notify.GuardDutyEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return "the finding does not decode"
		}
		if e.Account != s.account {
			return fmt.Sprintf("the finding's event comes from account %q but came through account %s's alerts topic", e.Account, s.account)
		}
		claims = nil
		if org := f.Config.Organization; !org.DelegatesAdministration() || org.SecurityAccountID != s.account {
			claims = append(claims, e.Detail.AccountID)
		}
	case notify.KindPipeline:
		return "it claims to be landfall's own, which never comes through an alerts topic"
	}
	for _, c := range claims {
		if c != "" && c != s.account {
			return fmt.Sprintf("it claims account %s but came through account %s's alerts topic", c, s.account)
		}
	}
	return ""
}
