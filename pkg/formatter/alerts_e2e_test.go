package formatter

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/pipelinetest"
	"github.com/landfall/landfall/pkg/alarms"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/ledger"
)

// TestEveryAlarmReachesTheOutbox replays every CloudTrail sample into a
// baselined account's trail through the local endpoint: metric filter,
// metric, alarm, the account's alerts topic, the central fan-in queue, the
// formatter and the central alerts topic. Each positive sample must move
// exactly its alarms to ALARM and put their formatted emails in the outbox;
// each near miss must move nothing and send nothing.
func TestEveryAlarmReachesTheOutbox(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	cfg := h.Deps.Config
	queueARN, central := deployFanIn(t, h, h.Admin, pipelinetest.Management)
	formatter := func() {
		drainFanIn(t, h, managementFormatter(t, h, central), queueARN)
	}

	member := h.Vend(t, "workload")
	h.Baseline(t, member)
	formatter() // confirms the account topic's subscription to the central queue
	owner, err := awslocal.SDKConfig(ctx, h.URL, h.Srv.AdminCredentials(member), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(owner)

	raw, err := os.ReadFile("../../events/cloudtrail/expected/alarms.json")
	if err != nil {
		t.Fatal(err)
	}
	var expected map[string][]string
	if err := json.Unmarshal(raw, &expected); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(expected))
	for n := range expected {
		names = append(names, n)
	}
	sort.Strings(names)
	fired := map[string]bool{}
	for _, name := range names {
		// A quiet period between samples: earlier data points leave the
		// alarms' windows, and every alarm is back to OK.
		*h.Clock = h.Clock.Add(10 * time.Minute)
		resetAlarms(t, cw, cfg.Naming.Prefix)
		sent := len(h.Srv.Outbox())

		record := sampleFor(t, name, member, h.Now())
		if err := h.Srv.RecordCloudTrailEvent(member, record); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		formatter()

		var inAlarm []string
		for _, a := range describeAll(t, cw, cfg.Naming.Prefix) {
			if a.StateValue == cwtypes.StateValueAlarm {
				inAlarm = append(inAlarm, strings.TrimPrefix(aws.ToString(a.AlarmName), cfg.Naming.Prefix+"-"))
			}
		}
		sort.Strings(inAlarm)
		want := append([]string(nil), expected[name]...)
		sort.Strings(want)
		if strings.Join(inAlarm, ",") != strings.Join(want, ",") {
			t.Errorf("%s: alarms in ALARM = %v, want %v", name, inAlarm, want)
			continue
		}
		var got []string
		for _, e := range h.Srv.Outbox()[sent:] {
			if e.To == "secops@acme.example" && e.Kind == "notification" {
				got = append(got, e.Subject)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d alert emails %q, want %d", name, len(got), got, len(want))
		}
		for _, key := range want {
			fired[key] = true
			if !strings.Contains(strings.Join(got, "\n"), cfg.Naming.Prefix+"-"+key) {
				t.Errorf("%s: no email names alarm %s-%s: %q", name, cfg.Naming.Prefix, key, got)
			}
		}
	}
	for _, a := range alarms.All() {
		if !fired[a.Key] {
			t.Errorf("%s (%s) never fired through the endpoint", a.ID, a.Key)
		}
	}
}

// deployFanIn creates, in the account cfg acts in, the central side the CDK
// stack deploys: the fan-in queue (open to every account's alerts topic) and
// the central alerts topic with a confirmed email subscription. It returns
// the queue's and the topic's ARNs.
func deployFanIn(t *testing.T, h *pipelinetest.Harness, cfg aws.Config, account string) (queueARN, topicARN string) {
	t.Helper()
	ctx := context.Background()
	queue := h.Deps.Config.AlertFanInQueueName()
	queueARN = "arn:aws:sqs:us-east-1:" + account + ":" + queue
	policy := pipelinetest.FanInQueuePolicy(queueARN, h.Deps.Config.AlertsTopicName())
	if _, err := sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(queue), Attributes: map[string]string{"Policy": policy}}); err != nil {
		t.Fatal(err)
	}
	central, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("central-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: central.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("secops@acme.example")}); err != nil {
		t.Fatal(err)
	}
	confirmEmail(t, h.Srv, "secops@acme.example")
	return queueARN, aws.ToString(central.TopicArn)
}

// drainFanIn hands everything on the fan-in queue to the formatter, the way
// the SQS event source does, and fails the test on any failed item.
func drainFanIn(t *testing.T, h *pipelinetest.Harness, f *Formatter, queueARN string) {
	t.Helper()
	var ev events.SQSEvent
	for i, body := range h.Srv.ReceiveAll(queueARN) {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: string(rune('a' + i)), Body: body})
	}
	if resp := f.FanIn(context.Background(), ev); len(resp.BatchItemFailures) > 0 {
		t.Fatalf("formatter failed items: %+v", resp.BatchItemFailures)
	}
}

// managementFormatter is the formatter as the management stack deploys it:
// in the management account, as its role with that role's grants (and
// grants, the first time the role is made), reading members through their
// alerts reader roles, publishing to topicARN.
func managementFormatter(t *testing.T, h *pipelinetest.Harness, topicARN string, grants ...string) *Formatter {
	t.Helper()
	cfg := h.Deps.Config
	role := awsx.RoleARN(pipelinetest.Management, strings.TrimPrefix(cfg.AlertFormatterRolePath(), "/")+cfg.AlertFormatterRoleName())
	if _, err := iam.NewFromConfig(h.Admin).GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String(cfg.AlertFormatterRoleName())}); err != nil {
		role = pipelinetest.CreateFormatterRole(t, h.Admin, cfg,
			slices.Concat(pipelinetest.FormatterGrants(cfg, topicARN, h.OrgID), managementGrants(h), grants)...)
		h.Srv.SettleIAM() // the deploy made it long before any alert
	}
	as := awsx.AssumeRole(h.Admin, role, "formatter")
	return &Formatter{
		Config: cfg, AWS: as, Ledger: ledger.New(as, h.Deps.Ledger.Table),
		AlertsTopicARN: topicARN, Now: h.Now, Log: h.Deps.Log,
	}
}

// managementGrants are pipelinetest.ManagementGrants for h's ledger.
func managementGrants(h *pipelinetest.Harness) []string {
	return pipelinetest.ManagementGrants(h.Deps.Config, h.Deps.Ledger.Table, h.OrgID)
}

// sampleFor reads a CloudTrail sample as the member account's record, at
// the endpoint's current time.
func sampleFor(t *testing.T, name, account string, now time.Time) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../events/cloudtrail", name))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.NewReplacer("444455556666", account, "111122223333", account).Replace(string(raw))
	s = regexp.MustCompile(`"eventTime":\s*"[^"]*"`).ReplaceAllString(s, `"eventTime": "`+now.UTC().Format(time.RFC3339)+`"`)
	return []byte(s)
}

func describeAll(t *testing.T, cw *cloudwatch.Client, prefix string) []cwtypes.MetricAlarm {
	t.Helper()
	var out []cwtypes.MetricAlarm
	p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix + "-")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.MetricAlarms...)
	}
	return out
}

func resetAlarms(t *testing.T, cw *cloudwatch.Client, prefix string) {
	t.Helper()
	for _, a := range describeAll(t, cw, prefix) {
		if a.StateValue == cwtypes.StateValueOk {
			continue
		}
		if _, err := cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: a.AlarmName,
			StateValue: cwtypes.StateValueOk, StateReason: aws.String("test reset")}); err != nil {
			t.Fatal(err)
		}
	}
}

// confirmEmail follows the confirmation link SNS sent to an address.
func confirmEmail(t *testing.T, srv *awslocal.Server, to string) {
	t.Helper()
	link := regexp.MustCompile(`https?://\S+/_landfall/confirm\?\S+`)
	for _, e := range srv.Outbox() {
		if e.To != to || e.Kind != "confirmation" {
			continue
		}
		u := strings.Replace(link.FindString(e.Body), "https://", "http://", 1)
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("confirming %s: %s", to, resp.Status)
		}
		return
	}
	t.Fatalf("no confirmation email to %s", to)
}

// The fan-in queue admits every account's alerts topic by name, so the
// formatter is what keeps the organization's alerts apart from anyone
// else's: it confirms the subscription of a member account's alerts topic,
// and refuses, without failing the batch, one from an account outside the
// organization.
func TestFanInConfirmsOnlyTheOrganizationsAlertsTopics(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	queueARN, central := deployFanIn(t, h, h.Admin, pipelinetest.Management)
	type subscribed struct {
		c     *sns.Client
		topic *string
	}
	subscribe := func(account string) subscribed {
		t.Helper()
		cfg, err := awslocal.SDKConfig(ctx, h.URL, h.Srv.AdminCredentials(account), "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		c := sns.NewFromConfig(cfg)
		topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(h.Deps.Config.AlertsTopicName())})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)}); err != nil {
			t.Fatal(err)
		}
		return subscribed{c, topic.TopicArn}
	}
	// The member's alerts topic is the baseline's, whose policy lets the
	// formatter's role confirm; the outsider's admits anyone.
	workload := h.Vend(t, "workload")
	h.Baseline(t, workload)
	member := subscribed{sns.NewFromConfig(awsx.AssumeRole(h.Admin, awsx.RoleARN(workload, h.Deps.Config.Organization.EntryRoleName), "test")),
		aws.String("arn:aws:sns:us-east-1:" + workload + ":" + h.Deps.Config.AlertsTopicName())}
	outsider := subscribe("999999999999")
	drainFanIn(t, h, managementFormatter(t, h, central), queueARN)

	confirmed := func(s subscribed) bool {
		t.Helper()
		out, err := s.c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: s.topic})
		if err != nil {
			t.Fatal(err)
		}
		for _, sub := range out.Subscriptions {
			if aws.ToString(sub.Endpoint) == queueARN {
				return strings.HasPrefix(aws.ToString(sub.SubscriptionArn), "arn:")
			}
		}
		t.Fatalf("subscriptions of %s = %+v; want the queue's", aws.ToString(s.topic), out.Subscriptions)
		return false
	}
	if !confirmed(member) {
		t.Error("the member account's alerts topic was not confirmed")
	}
	if confirmed(outsider) {
		t.Error("an alerts topic outside the organization was confirmed")
	}
}
