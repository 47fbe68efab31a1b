package pipeline

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/pkg/notify"
)

// FanIn formats every alert on the central queue (SNS notifications from
// member accounts' alerts topics) and publishes it to the central alerts
// topic. A message it cannot format is published raw; a message it cannot
// publish is reported as a batch item failure, so SQS redelivers it and,
// after the queue's retries, moves it to the dead-letter queue: never lost.
func (d *Deps) FanIn(ctx context.Context, alertsTopicARN string, ev events.SQSEvent) events.SQSEventResponse {
	var resp events.SQSEventResponse
	client := sns.NewFromConfig(d.AWS)
	for _, rec := range ev.Records {
		m := notify.Format([]byte(rec.Body), notify.Context{})
		if name := d.accountName(ctx, m.AccountID); name != "" {
			m = notify.Format([]byte(rec.Body), notify.Context{AccountNames: map[string]string{m.AccountID: name}})
		}
		_, err := client.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(alertsTopicARN), Subject: aws.String(m.Subject), Message: aws.String(m.Text)})
		if err != nil {
			d.Log.Error("publishing a formatted alert", "messageId", rec.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		d.Log.Info("alert delivered", "messageId", rec.MessageId, "kind", m.Kind, "severity", m.Severity, "account", m.AccountID)
	}
	return resp
}

// accountName looks an account's name up once; a failure only costs the
// name in the message.
func (d *Deps) accountName(ctx context.Context, id string) string {
	if id == "" {
		return ""
	}
	if v, ok := d.accountNames.Load(id); ok {
		return v.(string)
	}
	out, err := organizations.NewFromConfig(d.AWS).DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
	if err != nil {
		d.Log.Warn("looking up an account name", "account", id, "error", fmt.Sprint(err))
		return ""
	}
	name := aws.ToString(out.Account.Name)
	d.accountNames.Store(id, name)
	return name
}
