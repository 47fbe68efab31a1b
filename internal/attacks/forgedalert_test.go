package attacks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/formatter"
	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/notify"
)

// TestAttackMemberForgesAnotherAccountsAlert plays a member account's
// administrator, who may publish anything to the account's alerts topic.
// It sends the fan-in a root-usage alarm and a GuardDuty finding that name
// the management account, hoping that people believe them, that the
// formatter searches the management account's trail for them, and that
// the ledger records the management account's alarm as delivered, which
// `landfall alerts test` takes as proof that its alert path works.
func TestAttackMemberForgesAnotherAccountsAlert(t *testing.T) {
	o := newOrganization(t)
	ctx := context.Background()
	fanIn := o.alertFanIn(t)
	o.baseline(t, o.member)
	fanIn.deliver(t) // the formatter confirms the member's alerts topic's subscription

	mgmt := o.cfg.Organization.ManagementAccountID
	topic := "arn:aws:sns:" + o.cfg.Organization.HomeRegion + ":" + o.member + ":" + o.cfg.AlertsTopicName()
	publish := func(sample, sampleAccount, account string) {
		t.Helper()
		message := strings.ReplaceAll(readEvent(t, sample), sampleAccount, account)
		if _, err := sns.NewFromConfig(o.adminOf(t, o.member)).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(message)}); err != nil {
			t.Fatalf("the member's administrator publishing to its alerts topic: %v", err)
		}
	}
	const alarm = "landfall-cis-root-usage" // the sample's
	// The formatter may only write receipts; the management account's
	// administrator reads them.
	receipts := ledger.New(o.admin, fanIn.formatter.Ledger.Table)
	for _, forged := range []struct{ name, sample, sampleAccount string }{
		{"a root-usage alarm", "cloudwatch/alarm-root-usage.json", "111122223333"},
		{"a GuardDuty finding", "guardduty/finding-high-cryptocurrency-instance.json", "777788889999"},
	} {
		t.Run(forged.name, func(t *testing.T) {
			publish(forged.sample, forged.sampleAccount, mgmt)
			got := fanIn.deliver(t)
			if len(got) != 1 {
				t.Fatalf("%d messages published, want 1", len(got))
			}
			want := "[HIGH] landfall refused a message from " + topic
			if got[0].Subject != want || !strings.Contains(got[0].Message, "account "+o.member+"'s alerts topic") {
				t.Errorf("the forgery reached people as:\n%s\n%s\nwant the subject %q", got[0].Subject, got[0].Message, want)
			}
			if r, err := receipts.GetReceipt(ctx, mgmt, alarm); !awsx.NotFound(err) {
				t.Errorf("the ledger holds the management account's alarm as delivered: %+v (%v)", r, err)
			}
		})
	}

	// The same alarm about the member itself is delivered: the member can
	// speak for itself only.
	publish("cloudwatch/alarm-root-usage.json", "111122223333", o.member)
	if got := fanIn.deliver(t); len(got) != 1 || !strings.HasPrefix(got[0].Subject, "[HIGH] ALARM") {
		t.Errorf("the member's own alarm was published as %+v", got)
	}
	if _, err := receipts.GetReceipt(ctx, o.member, alarm); err != nil {
		t.Errorf("the member's own alarm left no receipt: %v", err)
	}
}

// fanIn is the alert fan-in of notifications.centralAlerts: security as
// the central alerts stack deploys it, and its formatter as Lambda runs it.
type fanIn struct {
	o         *organization
	queue     string // the fan-in queue's ARN
	formatter *formatter.Formatter
	// published is a queue subscribed to the central alerts topic: what
	// the formatter sent people.
	published string
}

func (o *organization) alertFanIn(t *testing.T) *fanIn {
	t.Helper()
	ctx := context.Background()
	if o.alerts == nil {
		t.Fatal("the example config no longer puts the alert fan-in in the security account")
	}
	fn := templateFunction(t, o.alerts, "/formatter")
	own := o.asFunction(t, fn.RoleARN)
	mgmt := awsx.AssumeRole(own, fn.Env[lambdaenv.ManagementRole], "landfall-alert-formatter")
	f := &fanIn{o: o, formatter: &formatter.Formatter{
		Config: o.cfg, AWS: mgmt, Own: own, Ledger: ledger.New(mgmt, fn.Env[lambdaenv.LedgerTable]),
		AlertsTopicARN: fn.Env[lambdaenv.AlertsTopic], Now: time.Now,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	}}
	security := o.cfg.AlertFanInAccountID()
	f.queue = "arn:aws:sqs:" + o.cfg.Organization.HomeRegion + ":" + security + ":" + o.cfg.AlertFanInQueueName()
	f.published = "arn:aws:sqs:" + o.cfg.Organization.HomeRegion + ":" + security + ":published"
	admin := o.adminOf(t, security)
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":%q,"Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`,
		f.published, f.formatter.AlertsTopicARN)
	if _, err := sqs.NewFromConfig(admin).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("published"), Attributes: map[string]string{"Policy": policy}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(admin).Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(f.formatter.AlertsTopicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(f.published)}); err != nil {
		t.Fatal(err)
	}
	return f
}

// deliver hands everything on the fan-in queue to the formatter, as the
// SQS event source does, and returns what it published.
func (f *fanIn) deliver(t *testing.T) []notify.SNSNotification {
	t.Helper()
	var ev events.SQSEvent
	for i, body := range f.o.srv.ReceiveAll(f.queue) {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: fmt.Sprint("m", i), Body: body})
	}
	if resp := f.formatter.FanIn(context.Background(), ev); len(resp.BatchItemFailures) > 0 {
		t.Fatalf("the formatter failed %+v", resp.BatchItemFailures)
	}
	var out []notify.SNSNotification
	for _, body := range f.o.srv.ReceiveAll(f.published) {
		var n notify.SNSNotification
		if err := json.Unmarshal([]byte(body), &n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

// readEvent reads a sample event of the repository's events/ directory.
func readEvent(t *testing.T, name string) string {
	t.Helper()
	root, err := localrun.FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(root, "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
