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

// receiptCount counts receipt items in the ledger table, which List and
// Get do not show.
func receiptCount(t *testing.T, l *ledger.Ledger) int {
	t.Helper()
	out, err := l.Client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(l.Table)})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastEvaluatedKey != nil {
		t.Fatal("the test ledger outgrew one scan page")
	}
	n := 0
	for _, it := range out.Items {
		if k, err := json.Marshal(it["accountId"]); err == nil && strings.Contains(string(k), "alert-receipt/") {
			n++
		}
	}
	return n
}

func TestFanInRecordsAlarmReceipts(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
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

	envelope := readSample(t, "../../events/sns/alarm-root-usage-notification.json")
	var n notify.SNSNotification
	if err := json.Unmarshal([]byte(envelope), &n); err != nil {
		t.Fatal(err)
	}
	rootUse := &ledger.Receipt{AccountID: "111122223333", AlarmName: "landfall-cis-root-usage", State: "ALARM",
		Reason:      "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (04/03/26 10:20:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).",
		DeliveredAt: h.Now()}

	tests := []struct {
		name        string
		body        string
		noLedger    bool
		topic       string
		wantFailed  bool
		wantReceipt *ledger.Receipt // nil: no receipt may be written
	}{
		{name: "alarm in an SNS envelope", body: envelope, wantReceipt: rootUse},
		{name: "alarm with raw message delivery", body: n.Message, wantReceipt: rootUse},
		{name: "GuardDuty finding: delivered, no receipt", body: readSample(t, "../../events/sns/guardduty-high-notification.json")},
		{name: "unknown message: delivered raw, no receipt", body: readSample(t, "../../events/sns/unknown-health-event-notification.json")},
		{name: "no ledger configured: delivered, no receipt", body: envelope, noLedger: true},
		{name: "undeliverable alarm: retried, no receipt", body: envelope, topic: "arn:aws:sns:us-east-1:" + pipelinetest.Management + ":missing", wantFailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := h.Deps.Ledger.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(h.Deps.Ledger.Table),
				Key: map[string]ddbtypes.AttributeValue{"accountId": &ddbtypes.AttributeValueMemberS{Value: ledger.ReceiptKey(rootUse.AccountID, rootUse.AlarmName)}}}); err != nil {
				t.Fatal(err)
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
			wantPublished := 1
			if tt.wantFailed {
				wantPublished = 0
			}
			if published := len(h.Srv.ReceiveAll(queueARN)); published != wantPublished {
				t.Fatalf("published %d messages, want %d", published, wantPublished)
			}
			if tt.wantReceipt == nil {
				if got := receiptCount(t, h.Deps.Ledger); got != 0 {
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
