package baseline

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/landfall/landfall/pkg/alarms"
)

// alarmsEngine is the alert path: the trail's log group, the topic, the alarms.
func alarmsEngine() *Engine { return itemEngine("cloudtrail", "alerts-topic", "alarms") }

func TestAlarms(t *testing.T) {
	f := newFixture(t)
	e := alarmsEngine()
	mustApplyGlobal(t, f, e, f.cfg)

	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(f.cfg)
	logs := cloudwatchlogs.NewFromConfig(f.cfg)
	topic := alertsTopicARN(f.spec, "us-east-1")
	existing, err := findAlarmsByPrefix(ctx, cw, "acme-")
	// The catalogue's, and the alerts topic's on its dead letters.
	if err != nil || len(existing) != len(alarms.All())+1 {
		t.Fatalf("alarms after apply: %v, %d of %d", err, len(existing), len(alarms.All())+1)
	}
	for _, a := range alarms.All() {
		have := existing["acme-"+a.Key]
		if have == nil || !aws.ToBool(have.ActionsEnabled) || len(have.AlarmActions) != 1 || have.AlarmActions[0] != topic ||
			aws.ToString(have.MetricName) != a.MetricName || aws.ToFloat64(have.Threshold) != a.Threshold {
			t.Fatalf("alarm %s after apply: %+v", a.Key, have)
		}
	}

	// Drift: an alarm deleted, a filter pattern changed, an alarm's actions disabled.
	if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"acme-root-usage"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("acme-cloudtrail"), FilterName: aws.String("acme-iam-policy-changes"),
		FilterPattern: aws.String(`{ $.eventName = "Nothing" }`), MetricTransformations: []logstypes.MetricTransformation{
			{MetricNamespace: aws.String(alarms.DefaultNamespace), MetricName: aws.String("IAMPolicyChanges"), MetricValue: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{"acme-console-auth-failures"}}); err != nil {
		t.Fatal(err)
	}
	plan := mustPlan(t, f, e)
	byResource := map[string]Change{}
	for _, c := range plan.Changes {
		byResource[c.Resource] = c
	}
	if n := plan.Count(); n[Create]+n[Update] != 3 || byResource["alarm/acme-root-usage"].Action != Create {
		t.Fatalf("after drift:\n%s", plan)
	}
	if c := byResource["metric-filter/acme-iam-policy-changes"]; c.Action != Update || len(c.Diffs) != 1 || c.Diffs[0].Field != "FilterPattern" || c.Diffs[0].Have != `{ $.eventName = "Nothing" }` {
		t.Fatalf("filter change = %+v", c)
	}
	if c := byResource["alarm/acme-console-auth-failures"]; c.Action != Update || len(c.Diffs) != 1 || c.Diffs[0] != (Diff{"ActionsEnabled", "false", "true"}) || c.Detail == "" {
		t.Fatalf("disabled actions change = %+v", c)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if again := mustPlan(t, f, e); again.HasChanges() {
		t.Fatalf("after repair:\n%s", again)
	}

	// The profile disables an alarm: landfall removes its own.
	p := *f.spec.Profile
	p.Items.Alarms.Disable = []string{"CloudWatch.2"}
	f.spec.Profile = &p
	plan = mustPlan(t, f, e)
	if c := actions(plan); c["alarms alarm/acme-unauthorized-api-calls"] != Delete || plan.Count()[Delete] != 1 || plan.Count()[Update] != 0 {
		t.Fatalf("after disabling CloudWatch.2:\n%s", plan)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if left, err := findAlarmsByPrefix(ctx, cw, "acme-unauthorized"); err != nil || len(left) != 0 {
		t.Fatalf("disabled alarm still there: %v %v", err, left)
	}
	if filters, err := findMetricFiltersByPrefix(ctx, logs, "acme-cloudtrail", "acme-unauthorized"); err != nil || len(filters) != 0 {
		t.Fatalf("disabled alarm's filter still there: %v %v", err, filters)
	}
}

// TestAlertPath replays a root sign-in through the trail and expects an
// email: trail -> log group -> metric filter -> alarm -> topic -> subscriber.
func TestAlertPath(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := alarmsEngine().Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	confirmEmail(t, f, alertsTopicARN(f.spec, "us-east-1"), "secops@acme.example")

	raw, err := os.ReadFile("../../events/cloudtrail/root-usage.match.console-login.json")
	if err != nil {
		t.Fatal(err)
	}
	var record map[string]any
	if err := json.Unmarshal(raw, &record); err != nil {
		t.Fatal(err)
	}
	record["eventTime"] = f.clock.now().Format(time.RFC3339)
	record["recipientAccountId"] = f.member
	raw, err = json.Marshal(record)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.srv.RecordCloudTrailEvent(f.member, raw); err != nil {
		t.Fatal(err)
	}
	f.srv.Tick()

	out, err := cloudwatch.NewFromConfig(f.cfg).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"acme-root-usage"}})
	if err != nil || len(out.MetricAlarms) != 1 || out.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("root-usage alarm: %v %+v", err, out)
	}
	for _, m := range f.srv.Outbox() {
		if m.Kind == "notification" && m.To == "secops@acme.example" && strings.Contains(m.Body+m.Subject, "acme-root-usage") {
			return
		}
	}
	t.Fatalf("no alarm email in the outbox: %+v", f.srv.Outbox())
}
