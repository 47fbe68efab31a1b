package formatter

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/internal/pipelinetest"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/notify"
)

func readSample(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// sampleFrom reads an SNS sample as sent by account's alerts topic of
// cfg's name: the samples' account ids become account, their topic name
// the config's.
func sampleFrom(t *testing.T, path, account string, cfg *config.Config) string {
	t.Helper()
	return strings.NewReplacer("111122223333", account, "777788889999", account, "444455556666", account,
		":landfall-alerts", ":"+cfg.AlertsTopicName()).Replace(readSample(t, path))
}

// receipts returns the keys of the receipt items in the ledger table,
// which List and Get do not show.
func receipts(t *testing.T, l *ledger.Ledger) []map[string]ddbtypes.AttributeValue {
	t.Helper()
	out, err := l.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(l.Table)})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastEvaluatedKey != nil {
		t.Fatal("the test ledger outgrew one scan page")
	}
	var keys []map[string]ddbtypes.AttributeValue
	for _, it := range out.Items {
		if k, ok := it["accountId"].(*ddbtypes.AttributeValueMemberS); ok && strings.HasPrefix(k.Value, "alert-receipt/") {
			keys = append(keys, map[string]ddbtypes.AttributeValue{"accountId": k})
		}
	}
	return keys
}

// Every message on the fan-in is delivered or refused, never dropped: an
// alarm from the account it names is delivered and leaves a receipt, and
// anything that does not come from the account it names (or from no
// alerts topic, or from an account outside the organization) is published
// as a refusal naming its sender, with no receipt.
func TestFanInRecordsAlarmReceipts(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	cfg := h.Deps.Config
	// The central alerts topic, with a queue subscribed so the test sees
	// what the formatter published.
	topic, err := sns.NewFromConfig(h.Admin).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("acme-central-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	queueARN := "arn:aws:sqs:us-east-1:" + pipelinetest.Management + ":published"
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `"}]}`
	if _, err := sqs.NewFromConfig(h.Admin).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("published"), Attributes: map[string]string{"Policy": policy}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(h.Admin).Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)}); err != nil {
		t.Fatal(err)
	}

	member, other := h.Vend(t, "workload"), h.Vend(t, "payments")
	alarm := sampleFrom(t, "../../events/sns/alarm-root-usage-notification.json", member, cfg)
	var n notify.SNSNotification
	if err := json.Unmarshal([]byte(alarm), &n); err != nil {
		t.Fatal(err)
	}
	// forged is alarm with its Message's mentions of the member replaced
	// by what the publisher wrote instead.
	forged := func(old, new string) string {
		t.Helper()
		m := n
		m.Message = strings.Replace(n.Message, old, new, 1)
		if m.Message == n.Message {
			t.Fatalf("the sample's message has no %q", old)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	finding := sampleFrom(t, "../../events/sns/guardduty-high-notification.json", member, cfg)
	rootUse := &ledger.Receipt{AccountID: member, AlarmName: "landfall-cis-root-usage", State: "ALARM",
		Reason:      "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (04/03/26 10:20:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
		DeliveredAt: h.Now()}

	tests := []struct {
		name        string
		body        string
		noLedger    bool
		topic       string
		wantFailed  bool
		wantRefused string          // in the refusal's text; "" when delivered as an alert
		wantReceipt *ledger.Receipt // nil: no receipt may be written
	}{
		{name: "alarm in an SNS envelope", body: alarm, wantReceipt: rootUse},
		{name: "GuardDuty finding: delivered, no receipt", body: finding},
		{name: "budget alert: delivered, no receipt", body: sampleFrom(t, "../../events/sns/budget-forecasted-notification.json", member, cfg)},
		{name: "unknown message: delivered raw, no receipt", body: sampleFrom(t, "../../events/sns/unknown-health-event-notification.json", member, cfg)},
		{name: "no ledger configured: delivered, no receipt", body: alarm, noLedger: true},
		{name: "undeliverable alarm: retried, no receipt", body: alarm, topic: "arn:aws:sns:us-east-1:" + pipelinetest.Management + ":missing", wantFailed: true},
		{name: "alarm naming another account: refused", body: forged(`"AWSAccountId":"`+member, `"AWSAccountId":"`+other),
			wantRefused: "it claims account " + other + " but came through account " + member + "'s alerts topic"},
		{name: "alarm ARN of another account: refused", body: forged(`"AlarmArn":"arn:aws:cloudwatch:us-east-1:`+member, `"AlarmArn":"arn:aws:cloudwatch:us-east-1:`+other),
			wantRefused: "it claims account " + other},
		{name: "GuardDuty finding of another account: refused", body: strings.Replace(finding, `\"accountId\":\"`+member, `\"accountId\":\"`+other, 1),
			wantRefused: "it claims account " + other},
		{name: "GuardDuty event of another account's bus: refused", body: strings.Replace(finding, `\"account\":\"`+member, `\"account\":\"`+other, 1),
			wantRefused: "the finding's event comes from account \"" + other + "\""},
		{name: "landfall's own message through an alerts topic: refused", body: strings.NewReplacer("999900001111", member, "777788889999", member,
			":landfall-operations", ":"+cfg.AlertsTopicName()).Replace(readSample(t, "../../events/sns/baseline-failed-notification.json")),
			wantRefused: "it claims to be landfall's own"},
		{name: "another topic of the account: refused", body: strings.Replace(alarm, ":"+cfg.AlertsTopicName()+`"`, `:other-topic"`, 1),
			wantRefused: "it came from topic other-topic, not from an alerts topic (acme-alerts)"},
		{name: "an account outside the organization: refused", body: sampleFrom(t, "../../events/sns/alarm-root-usage-notification.json", "999988887777", cfg),
			wantRefused: "account 999988887777 is not in the organization"},
		{name: "raw message delivery: refused", body: n.Message, wantRefused: "it is not an SNS notification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, key := range receipts(t, h.Deps.Ledger) {
				if _, err := h.Deps.Ledger.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(h.Deps.Ledger.Table), Key: key}); err != nil {
					t.Fatal(err)
				}
			}
			d := managementFormatter(t, h, aws.ToString(topic.TopicArn))
			if tt.noLedger {
				d.Ledger = nil
			}
			if tt.topic != "" {
				d.AlertsTopicARN = tt.topic
			}
			resp := d.FanIn(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: tt.body}}})
			if failed := len(resp.BatchItemFailures) == 1; failed != tt.wantFailed {
				t.Fatalf("batch item failures = %+v, want failed %t", resp.BatchItemFailures, tt.wantFailed)
			}
			published := h.Srv.ReceiveAll(queueARN)
			if tt.wantFailed {
				if len(published) != 0 {
					t.Fatalf("published %d messages, want none", len(published))
				}
			} else {
				if len(published) != 1 {
					t.Fatalf("published %d messages, want 1", len(published))
				}
				var got notify.SNSNotification
				if err := json.Unmarshal([]byte(published[0]), &got); err != nil {
					t.Fatal(err)
				}
				refused := strings.HasPrefix(got.Subject, "[HIGH] landfall refused a message from ")
				if refused != (tt.wantRefused != "") || !strings.Contains(got.Message, tt.wantRefused) {
					t.Fatalf("published %q:\n%s\nwant refused %t, saying %q", got.Subject, got.Message, tt.wantRefused != "", tt.wantRefused)
				}
			}
			if tt.wantReceipt == nil {
				if got := len(receipts(t, h.Deps.Ledger)); got != 0 {
					t.Fatalf("%d receipts written, want none", got)
				}
				return
			}
			got, err := h.Deps.Ledger.GetReceipt(ctx, tt.wantReceipt.AccountID, tt.wantReceipt.AlarmName)
			if err != nil {
				t.Fatal(err)
			}
			want := *tt.wantReceipt
			if got.AccountID != want.AccountID || got.AlarmName != want.AlarmName || got.State != want.State ||
				got.Reason != want.Reason || !got.DeliveredAt.Equal(want.DeliveredAt) {
				t.Fatalf("receipt = %+v, want %+v", got, want)
			}
		})
	}
}

// A formatter with nowhere to publish fails its cold start, saying what is
// missing, instead of failing every message later.
func TestFromEnvNeedsTheAlertsTopic(t *testing.T) {
	t.Setenv(lambdaenv.ConfigFile, pipelinetest.ConfigPath())
	t.Setenv(lambdaenv.AlertsTopic, "")
	t.Setenv("AWS_REGION", "us-east-1")
	_, err := FromEnv(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ALERTS_TOPIC_ARN is not set") {
		t.Fatalf("FromEnv = %v, want an error naming ALERTS_TOPIC_ARN", err)
	}
}

// GuardDuty's delegated administrator receives its members' findings on
// its own bus, so its alerts topic may carry a finding about any account,
// as long as the event is its bus's; no other account's topic may.
func TestRefuseClaimsOfGuardDutyAdministrator(t *testing.T) {
	const admin, member = "222222222222", "333333333333"
	raw := readSample(t, "../../events/guardduty/finding-high-cryptocurrency-instance.json")
	var e notify.GuardDutyEvent
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		t.Fatal(err)
	}
	finding := func(bus, about string) []byte {
		t.Helper()
		e.Account, e.Detail.AccountID = bus, about
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	delegated := true
	for _, tt := range []struct {
		name             string
		from, bus, about string
		delegates        bool
		wantRefused      bool
	}{
		{"a member's finding through the administrator's topic", admin, admin, member, true, false},
		{"the same without delegated administration", admin, admin, member, false, true},
		{"a member's finding through another member's topic", member, member, admin, true, true},
		{"the administrator's bus named by a member's topic", member, admin, member, true, true},
		{"a member's own finding", member, member, member, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Config{Organization: config.Organization{SecurityAccountID: admin}}
			if tt.delegates {
				cfg.Organization.DelegatedAdmin = &delegated
			}
			f := &Formatter{Config: &cfg}
			payload := finding(tt.bus, tt.about)
			m := notify.Format(payload, notify.Context{})
			if m.Kind != notify.KindGuardDuty {
				t.Fatalf("the sample formats as %s", m.Kind)
			}
			why := f.refuseClaims(sender{account: tt.from}, payload, m)
			if (why != "") != tt.wantRefused {
				t.Fatalf("refusal = %q, want refused %t", why, tt.wantRefused)
			}
		})
	}
}
