package formatter

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
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
// A message that does not come from the account it names is published as
// a refusal instead (sender.go).
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
		body := []byte(rec.Body)
		from, payload, refused := f.senderOf(ctx, body)
		m := notify.Format(body, notify.Context{})
		if refused == "" {
			refused = f.refuseClaims(from, payload, m)
		}
		if refused != "" {
			f.Log.Warn("refused a fan-in message", "messageId", rec.MessageId, "from", from.topic, "reason", refused)
			m = notify.Refused(body, from.topic, refused)
			if !f.publish(ctx, client, rec.MessageId, m) {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
			continue
		}
		// A message that names no account is about its sender's.
		account := cmp.Or(m.AccountID, from.account)
		var enrich notify.Context
		if name := f.accountName(ctx, account); name != "" {
			enrich.AccountNames = map[string]string{account: name}
		}
		a, isAlarm := alarmOf(payload)
		isAlarm = isAlarm && m.Kind == notify.KindAlarm
		if isAlarm {
			enrich.Records = f.whoDidIt(ctx, a)
		}
		if enrich.AccountNames != nil || enrich.Records != nil {
			m = notify.Format(body, enrich)
		}
		m.AccountID = account
		if !f.publish(ctx, client, rec.MessageId, m) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		f.postToChat(ctx, m)
		if isAlarm {
			f.recordReceipt(ctx, rec.MessageId, a)
		}
	}
	return resp
}

// publish sends a formatted message to the central alerts topic and says
// whether it went; a failure is logged, and the caller has SQS redeliver.
func (f *Formatter) publish(ctx context.Context, client *sns.Client, messageID string, m notify.Message) bool {
	_, err := client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(f.AlertsTopicARN), Subject: aws.String(m.Subject), Message: aws.String(m.Text)})
	if err != nil {
		f.Log.Error("publishing a formatted alert", "messageId", messageID, "kind", m.Kind, "error", err)
		return false
	}
	f.Log.Info("alert delivered", "messageId", messageID, "kind", m.Kind, "severity", m.Severity, "account", m.AccountID)
	return true
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

// alarmOf reads the CloudWatch alarm notification a publisher wrote (the
// Message of an SNS envelope).
func alarmOf(payload []byte) (notify.AlarmNotification, bool) {
	var a notify.AlarmNotification
	if err := json.Unmarshal(payload, &a); err != nil || a.AlarmName == "" || a.AWSAccountID == "" {
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

// accountTTL is how long a warm Lambda trusts what it read of an account:
// an account that leaves the organization, or moves to another OU, is
// noticed within it.
const accountTTL = 10 * time.Minute

// cachedAccount is an account as read at a time.
type cachedAccount struct {
	account config.Account
	read    time.Time
}

// account describes an account of the organization, once per accountTTL:
// its name for the message, its OU and tags to find its profile's chat
// webhooks, its status to confirm its alerts topic's subscription. An
// account outside the organization is an awsx.NotFoundError. Only
// accounts of the organization are kept, so the cache is no larger than
// the organization whatever the fan-in is sent.
func (f *Formatter) account(ctx context.Context, id string) (config.Account, error) {
	if id == "" {
		return config.Account{}, errors.New("the alert names no account")
	}
	if v, ok := f.accounts.Load(id); ok && f.Now().Sub(v.(cachedAccount).read) < accountTTL {
		return v.(cachedAccount).account, nil
	}
	a, err := accounts.Describe(ctx, organizations.NewFromConfig(f.AWS), id)
	if awsx.NotFound(err) {
		f.accounts.Delete(id)
	}
	if err != nil {
		return config.Account{}, err
	}
	f.accounts.Store(id, cachedAccount{account: a, read: f.Now()})
	return a, nil
}
