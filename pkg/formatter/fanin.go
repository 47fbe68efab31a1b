package formatter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/notify"
)

// FanIn formats every alert on the central queue (SNS notifications from
// member accounts' alerts topics) and publishes it to the central alerts
// topic. A message it cannot format is published raw; a message it cannot
// publish is reported as a batch item failure, so SQS redelivers it and,
// after the queue's retries, moves it to the dead-letter queue: never lost.
// For each alarm notification it delivers it writes a receipt to the ledger
// (when it has one), the end of the path `landfall alerts test` checks.
func (f *Formatter) FanIn(ctx context.Context, ev events.SQSEvent) events.SQSEventResponse {
	var resp events.SQSEventResponse
	client := sns.NewFromConfig(f.own())
	for _, rec := range ev.Records {
		if handled, err := f.confirmSubscription(ctx, rec.Body); handled {
			if err != nil {
				f.Log.Error("confirming a subscription", "messageId", rec.MessageId, "error", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
			continue
		}
		m := notify.Format([]byte(rec.Body), notify.Context{})
		var enrich notify.Context
		if name := f.accountName(ctx, m.AccountID); name != "" {
			enrich.AccountNames = map[string]string{m.AccountID: name}
		}
		a, isAlarm := alarmOf([]byte(rec.Body))
		isAlarm = isAlarm && m.Kind == notify.KindAlarm
		if isAlarm {
			enrich.Records = f.whoDidIt(ctx, a)
		}
		if enrich.AccountNames != nil || enrich.Records != nil {
			m = notify.Format([]byte(rec.Body), enrich)
		}
		_, err := client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(f.AlertsTopicARN), Subject: aws.String(m.Subject), Message: aws.String(m.Text)})
		if err != nil {
			f.Log.Error("publishing a formatted alert", "messageId", rec.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		f.Log.Info("alert delivered", "messageId", rec.MessageId, "kind", m.Kind, "severity", m.Severity, "account", m.AccountID)
		f.postToChat(ctx, m)
		if isAlarm {
			f.recordReceipt(ctx, rec.MessageId, a)
		}
	}
	return resp
}

// recordReceipt writes the ledger receipt that proves an alarm's
// notification came through; `landfall alerts test` waits for it. The alert
// is already delivered, so a failure to record is logged and the message is
// not retried: redelivering it would send people a duplicate alert.
func (f *Formatter) recordReceipt(ctx context.Context, messageID string, a notify.AlarmNotification) {
	if f.Ledger == nil {
		return
	}
	err := f.Ledger.PutReceipt(ctx, ledger.Receipt{
		AccountID: a.AWSAccountID, AlarmName: a.AlarmName, State: a.NewStateValue, Reason: a.NewStateReason, DeliveredAt: f.Now().UTC(),
	})
	if err != nil {
		f.Log.Warn("recording an alert receipt", "messageId", messageID, "alarm", a.AlarmName, "error", err)
	}
}

// alarmOf reads the CloudWatch alarm notification in a fan-in message: the
// Message of an SNS envelope, or the body itself when the subscription
// uses raw message delivery.
func alarmOf(body []byte) (notify.AlarmNotification, bool) {
	var env notify.SNSNotification
	if err := json.Unmarshal(body, &env); err == nil && env.Message != "" {
		body = []byte(env.Message)
	}
	var a notify.AlarmNotification
	if err := json.Unmarshal(body, &a); err != nil || a.AlarmName == "" || a.AWSAccountID == "" {
		return notify.AlarmNotification{}, false
	}
	return a, true
}

// accountName looks an account's name up once; a failure only costs the
// name in the message.
func (f *Formatter) accountName(ctx context.Context, id string) string {
	a, err := f.account(ctx, id)
	if err != nil {
		f.Log.Warn("looking up an alert's account", "account", id, "error", fmt.Sprint(err))
	}
	return a.Name
}

// account describes an account of the organization once per warm Lambda:
// its name for the message, its OU and tags to find its profile's chat
// webhooks, its status to confirm its alerts topic's subscription. An
// account outside the organization is an awsx.NotFoundError.
func (f *Formatter) account(ctx context.Context, id string) (config.Account, error) {
	if id == "" {
		return config.Account{}, errors.New("the alert names no account")
	}
	if v, ok := f.accounts.Load(id); ok {
		return v.(config.Account), nil
	}
	a, err := accounts.Describe(ctx, organizations.NewFromConfig(f.AWS), id)
	if err != nil {
		return config.Account{}, err
	}
	f.accounts.Store(id, a)
	return a, nil
}
