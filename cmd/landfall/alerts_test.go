package main

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/internal/pipelinetest"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/formatter"
	"github.com/landfall/landfall/pkg/ledger"
)

// alertPath is what the baseline and the stack deploy for alerts: in the
// member account the baseline's alerts topic, subscribed by the central
// fan-in queue of the management account, and alarms publishing to it; in
// the management account the central alerts topic and the formatter with
// its role, which a goroutine runs the way the SQS event source does, and
// which confirms the subscription.
type alertPath struct {
	member string
	cw     *cloudwatch.Client
	topic  string
}

func newAlertPath(t *testing.T, f *orgFixture) alertPath {
	t.Helper()
	ctx := context.Background()
	p := alertPath{member: f.createAccount(t, "workload")}
	in, _, err := accounts.Enter(ctx, f.admin, f.cfg, p.member, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	p.cw = cloudwatch.NewFromConfig(in)

	queues := sqs.NewFromConfig(f.admin)
	queueARN := "arn:aws:sqs:us-east-1:" + mgmtID + ":" + f.cfg.AlertFanInQueueName()
	policy := pipelinetest.FanInQueuePolicy(queueARN, f.cfg.AlertsTopicName())
	queue, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(f.cfg.AlertFanInQueueName()), Attributes: map[string]string{"Policy": policy}})
	if err != nil {
		t.Fatal(err)
	}
	central, err := sns.NewFromConfig(f.admin).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(f.cfg.Naming.Prefix + "-central-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	formatterRole := pipelinetest.CreateFormatterRole(t, f.admin, f.cfg, append(pipelinetest.FormatterGrants(f.cfg, aws.ToString(central.TopicArn), f.orgID),
		pipelinetest.ManagementGrants(f.cfg, f.ledger.Table, f.orgID)...)...)
	asFormatter := awsx.AssumeRole(f.admin, formatterRole, "formatter")
	fanIn := &formatter.Formatter{Config: f.cfg, AWS: asFormatter, Ledger: ledger.New(asFormatter, f.ledger.Table),
		AlertsTopicARN: aws.ToString(central.TopicArn), Now: time.Now, Log: slog.New(slog.DiscardHandler)}
	runFormatter(t, queues, aws.ToString(queue.QueueUrl), fanIn.FanIn)

	// The baseline's alerts topic subscribes the fan-in queue; the
	// cross-account subscription stays pending until the formatter confirms
	// it with the token SNS sends to the queue.
	acct := config.Account{ID: p.member, Name: "workload", Email: "workload@acme.example", OUPath: "/Root"}
	sel, err := f.cfg.SelectProfile(acct)
	if err != nil || sel.Profile == nil {
		t.Fatalf("selecting the member's profile: %v %+v", err, sel)
	}
	spec, err := baseline.NewSpec(f.cfg, sel.Profile, acct, f.orgID)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.Only("alerts-topic").Apply(ctx, spec, in, baseline.ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	p.topic = "arn:aws:sns:us-east-1:" + p.member + ":" + f.cfg.AlertsTopicName()
	memberSNS := sns.NewFromConfig(in)
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = pollUntil(wait, time.Millisecond, func() (bool, error) {
		subs, err := memberSNS.ListSubscriptionsByTopic(wait, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(p.topic)})
		return err == nil && len(subs.Subscriptions) == 1 && aws.ToString(subs.Subscriptions[0].SubscriptionArn) != "PendingConfirmation", err
	})
	if err != nil {
		t.Fatalf("waiting for the formatter to confirm the fan-in subscription: %v", err)
	}
	return p
}

// runFormatter drains the queue with the SQS API until the test ends,
// handing batches to handle and deleting what it did not report failed,
// as Lambda's SQS event source does.
func runFormatter(t *testing.T, queues *sqs.Client, queueURL string, handle func(context.Context, events.SQSEvent) events.SQSEventResponse) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		_ = pollUntil(ctx, time.Millisecond, func() (bool, error) {
			out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10})
			if err != nil {
				return ctx.Err() != nil, nil
			}
			ev := events.SQSEvent{}
			for _, m := range out.Messages {
				ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle), Body: aws.ToString(m.Body)})
			}
			if len(ev.Records) == 0 {
				return false, nil
			}
			failed := map[string]bool{}
			for _, f := range handle(ctx, ev).BatchItemFailures {
				failed[f.ItemIdentifier] = true
			}
			for _, r := range ev.Records {
				if !failed[r.MessageId] {
					_, _ = queues.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(r.ReceiptHandle)})
				}
			}
			return false, nil
		})
	}()
}

// putAlarm creates a baseline-shaped alarm; actions false leaves it with
// no action, so its notifications go nowhere.
func (p alertPath) putAlarm(t *testing.T, name string, actions bool) {
	t.Helper()
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), Namespace: aws.String("CloudTrailMetrics"), MetricName: aws.String(name + "-count"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching"),
	}
	if actions {
		in.AlarmActions = []string{p.topic}
	}
	if _, err := p.cw.PutMetricAlarm(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func (p alertPath) states(t *testing.T) map[string]cwtypes.StateValue {
	t.Helper()
	states := map[string]cwtypes.StateValue{}
	pages := cloudwatch.NewDescribeAlarmsPaginator(p.cw, &cloudwatch.DescribeAlarmsInput{})
	for pages.HasMorePages() {
		out, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.MetricAlarms {
			states[aws.ToString(a.AlarmName)] = a.StateValue
		}
	}
	return states
}

var deliveredLine = regexp.MustCompile(`(?m)^(acme-[a-z-]+) +delivered in \d+\.\ds$`)

func TestAlertsTest(t *testing.T) {
	// More landfall alarms than the endpoint's page size (5), one already
	// in ALARM, and another team's alarm on the same topic. The first is the
	// one the alerts topic's item makes on its dead letters.
	delivering := []string{"acme-alerts-dead-letters", "acme-cloudtrail-changes", "acme-console-no-mfa", "acme-iam-changes", "acme-kms-deletion", "acme-org-changes", "acme-root-use"}
	tests := []struct {
		name       string
		noAlarms   bool
		broken     bool // add acme-broken, whose notifications go nowhere
		account    string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{name: "every alarm reaches the fan-in", args: []string{"--timeout", "30s"}, wantCode: cli.ExitOK,
			wantStdout: []string{"testing 7 alarms of ", "all 7 alarms delivered to the central fan-in\n"}},
		{name: "an alarm without actions fails", broken: true, args: []string{"--timeout", "1s"}, wantCode: cli.ExitFail,
			wantStdout: []string{"testing 8 alarms of ", "acme-broken  ", "FAIL: no receipt after 1s\n", "1 of 8 alarms failed"}},
		{name: "no landfall alarms", noAlarms: true, wantCode: cli.ExitFail, wantStderr: "has no landfall alarms (acme-*): has the baseline run?"},
		{name: "account cannot be entered", account: "123456789012", wantCode: cli.ExitFail, wantStderr: "landfall alerts test: entering account 123456789012 through "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOrg(t, 0)
			p := newAlertPath(t, f)
			if tt.noAlarms {
				if _, err := p.cw.DeleteAlarms(context.Background(), &cloudwatch.DeleteAlarmsInput{AlarmNames: delivering[:1]}); err != nil {
					t.Fatal(err)
				}
			} else {
				for _, name := range delivering[1:] {
					p.putAlarm(t, name, true)
				}
				p.putAlarm(t, "other-team-alarm", true)
				if tt.broken {
					p.putAlarm(t, "acme-broken", false)
				}
				if _, err := p.cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("acme-root-use"),
					StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("a real root login")}); err != nil {
					t.Fatal(err)
				}
			}
			before := p.states(t)
			account := p.member
			if tt.account != "" {
				account = tt.account
			}
			args := append([]string{"test", "--account", account}, tt.args...)
			code, stdout, stderr := f.run(func(ctx context.Context, e cli.Env, args []string) int { return alerts(ctx, e, args, time.Millisecond) }, args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if tt.noAlarms || tt.account != "" {
				return
			}
			var delivered []string
			for _, m := range deliveredLine.FindAllStringSubmatch(stdout, -1) {
				delivered = append(delivered, m[1])
			}
			if strings.Join(delivered, " ") != strings.Join(delivering, " ") {
				t.Errorf("delivered %v, want %v:\n%s", delivered, delivering, stdout)
			}
			if strings.Contains(stdout, "other-team-alarm") {
				t.Errorf("another team's alarm was tested:\n%s", stdout)
			}
			// Every alarm is back where it was, the one in ALARM included.
			after := p.states(t)
			for name, was := range before {
				if after[name] != was {
					t.Errorf("%s is %s after the test, was %s", name, after[name], was)
				}
			}
			if before["acme-root-use"] != cwtypes.StateValueAlarm {
				t.Errorf("acme-root-use was %s before the test, want ALARM", before["acme-root-use"])
			}
		})
	}
}

func TestAlertsUsage(t *testing.T) {
	tests := []struct {
		args       []string
		wantCode   int
		wantStderr string
	}{
		{nil, cli.ExitUsage, "Usage: landfall alerts test --account ID"},
		{[]string{"send"}, cli.ExitUsage, "Usage: landfall alerts test --account ID"},
		{[]string{"-h"}, cli.ExitOK, ""},
		{[]string{"test", "--account", "12345"}, cli.ExitUsage, "--account must be a 12-digit account id"},
		{[]string{"test", "--account", "123456789012", "--timeout", "0s"}, cli.ExitUsage, "--timeout must be positive"},
	}
	for _, tt := range tests {
		var f orgFixture
		code, _, stderr := f.run(runAlerts, tt.args...)
		if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
			t.Errorf("alerts %v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, tt.wantCode, tt.wantStderr)
		}
	}
}
