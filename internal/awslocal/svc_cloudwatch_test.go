package awslocal

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

const alertTopic = "arn:aws:sns:us-east-1:" + mgmt + ":landfall-alerts"

// published is one notification a fake SNS publish hook received.
type published struct{ topic, subject, message string }

// capturePublish replaces the SNS publish hook (which the SNS service sets
// in the real endpoint) with one that records notifications.
func capturePublish(s *Server) *[]published {
	var got []published
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks.publish = func(_, _, _, topic, subject, message string) error {
		got = append(got, published{topic, subject, message})
		return nil
	}
	return &got
}

func rootAlarm(name string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), AlarmDescription: aws.String("root used"),
		MetricName: aws.String("RootUserEventCount"), Namespace: aws.String("CloudTrailMetrics"),
		Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData: aws.String("notBreaching"), AlarmActions: []string{alertTopic}, OKActions: []string{alertTopic},
	}
}

func cwClient(t *testing.T, s *Server, u, account string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(sdkConfig(t, s, u, account, "us-east-1"))
}

func TestCloudWatchPutMetricAlarmValidation(t *testing.T) {
	s, u, _ := newTestServer(t)
	cw := cwClient(t, s, u, mgmt)
	for _, tc := range []struct {
		name   string
		mutate func(*cloudwatch.PutMetricAlarmInput)
		code   string
	}{
		{"valid", func(*cloudwatch.PutMetricAlarmInput) {}, ""},
		{"period 10", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(10) }, ""},
		{"period 45", func(in *cloudwatch.PutMetricAlarmInput) { in.Period = aws.Int32(45) }, "ValidationError"},
		{"no evaluation periods", func(in *cloudwatch.PutMetricAlarmInput) { in.EvaluationPeriods = aws.Int32(0) }, "ValidationError"},
		{"M above N", func(in *cloudwatch.PutMetricAlarmInput) { in.DatapointsToAlarm = aws.Int32(2) }, "ValidationError"},
		{"two statistics", func(in *cloudwatch.PutMetricAlarmInput) { in.ExtendedStatistic = aws.String("p99") }, "InvalidParameterCombination"},
		{"no statistic", func(in *cloudwatch.PutMetricAlarmInput) { in.Statistic = "" }, "InvalidParameterCombination"},
		{"bad comparison", func(in *cloudwatch.PutMetricAlarmInput) { in.ComparisonOperator = "Above" }, "ValidationError"},
		{"bad missing data", func(in *cloudwatch.PutMetricAlarmInput) { in.TreatMissingData = aws.String("zero") }, "ValidationError"},
		{"bad action", func(in *cloudwatch.PutMetricAlarmInput) { in.AlarmActions = []string{"landfall-alerts"} }, "ValidationError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := rootAlarm("a-" + strings.ReplaceAll(tc.name, " ", "-"))
			tc.mutate(in)
			_, err := cw.PutMetricAlarm(context.Background(), in)
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
}

func TestCloudWatchDescribeDeleteTagAndActions(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	cw := cwClient(t, s, u, mgmt)
	for i := range 7 {
		in := rootAlarm(fmt.Sprintf("landfall-%d", i))
		in.Tags = []types.Tag{{Key: aws.String("owner"), Value: aws.String("landfall")}}
		_, err := cw.PutMetricAlarm(ctx, in)
		mustNoErr(t, err)
	}
	_, err := cw.PutMetricAlarm(ctx, rootAlarm("other"))
	mustNoErr(t, err)

	var names []string
	p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("landfall-")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, a := range out.MetricAlarms {
			names = append(names, aws.ToString(a.AlarmName))
		}
	}
	if len(names) != 7 {
		t.Fatalf("alarms = %v", names)
	}
	_, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"other"}, AlarmNamePrefix: aws.String("l")})
	wantCode(t, err, "InvalidParameterCombination")
	_, err = cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{NextToken: aws.String("garbage")})
	wantCode(t, err, "InvalidNextToken")

	// OK (notBreaching, no data) right after creation; SetAlarmState moves it
	// and runs the actions until the next evaluation moves it back.
	got := capturePublish(s)
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"other"}})
	mustNoErr(t, err)
	if out.MetricAlarms[0].StateValue != types.StateValueOk {
		t.Fatalf("state = %s", out.MetricAlarms[0].StateValue)
	}
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("other"), StateValue: types.StateValueAlarm, StateReason: aws.String("testing")})
	mustNoErr(t, err)
	if len(*got) != 1 || (*got)[0].subject != `ALARM: "other" in US East (N. Virginia)` {
		t.Fatalf("published = %+v", *got)
	}
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{StateValue: types.StateValueAlarm})
	mustNoErr(t, err)
	if len(alarms.MetricAlarms) != 1 || aws.ToString(alarms.MetricAlarms[0].StateReason) != "testing" {
		t.Fatalf("alarms in ALARM = %+v", alarms.MetricAlarms)
	}
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("missing"), StateValue: types.StateValueAlarm, StateReason: aws.String("x")})
	wantCode(t, err, "ResourceNotFound")
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("other"), StateValue: types.StateValueOk, StateReason: aws.String("x"), StateReasonData: aws.String("{not json")})
	wantCode(t, err, "InvalidFormat")
	clk.advance(time.Minute)
	s.Tick()
	if len(*got) != 2 || !strings.HasPrefix((*got)[1].subject, "OK:") {
		t.Fatalf("after the next evaluation, published = %+v", *got)
	}

	// Disabled actions: state moves, nothing is published.
	_, err = cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{"other"}})
	mustNoErr(t, err)
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("other"), StateValue: types.StateValueAlarm, StateReason: aws.String("quiet")})
	mustNoErr(t, err)
	if len(*got) != 2 {
		t.Fatalf("published with actions disabled: %+v", *got)
	}
	_, err = cw.EnableAlarmActions(ctx, &cloudwatch.EnableAlarmActionsInput{AlarmNames: []string{"other"}})
	mustNoErr(t, err)
	enabled, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"other"}})
	mustNoErr(t, err)
	if !aws.ToBool(enabled.MetricAlarms[0].ActionsEnabled) {
		t.Fatal("actions still disabled")
	}

	arn := "arn:aws:cloudwatch:us-east-1:" + mgmt + ":alarm:landfall-0"
	_, err = cw.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: aws.String(arn), Tags: []types.Tag{{Key: aws.String("tier"), Value: aws.String("cis")}}})
	mustNoErr(t, err)
	tags, err := cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	mustNoErr(t, err)
	if len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].Key) != "owner" {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	_, err = cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn + "x")})
	wantCode(t, err, "ResourceNotFoundException")

	_, err = cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"landfall-0", "missing"}})
	wantCode(t, err, "ResourceNotFound")
	_, err = cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"landfall-0"}})
	mustNoErr(t, err)
	left, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"landfall-0", "landfall-1"}})
	mustNoErr(t, err)
	if len(left.MetricAlarms) != 1 {
		t.Fatalf("after delete: %d alarms", len(left.MetricAlarms))
	}
}

func TestCloudWatchPutMetricDataEvaluatesMOfN(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	cw := cwClient(t, s, u, mgmt)
	in := rootAlarm("errors")
	in.Namespace, in.MetricName, in.Statistic = aws.String("App"), aws.String("Errors"), types.StatisticMaximum
	in.EvaluationPeriods, in.DatapointsToAlarm, in.Threshold = aws.Int32(3), aws.Int32(2), aws.Float64(5)
	in.TreatMissingData = aws.String("missing")
	in.Dimensions = []types.Dimension{{Name: aws.String("Service"), Value: aws.String("api")}}
	_, err := cw.PutMetricAlarm(ctx, in)
	mustNoErr(t, err)
	put := func(v float64, dims ...types.Dimension) {
		t.Helper()
		_, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("Errors"), Value: aws.Float64(v), Dimensions: dims}}})
		mustNoErr(t, err)
	}
	state := func() types.StateValue {
		t.Helper()
		out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"errors"}})
		mustNoErr(t, err)
		return out.MetricAlarms[0].StateValue
	}
	api := types.Dimension{Name: aws.String("Service"), Value: aws.String("api")}
	if st := state(); st != types.StateValueInsufficientData {
		t.Fatalf("initial state = %s", st)
	}
	put(9) // no dimensions: another metric
	put(9, api)
	if st := state(); st != types.StateValueOk {
		t.Fatalf("after 1 of 2 breaching points, state = %s", st)
	}
	clk.advance(time.Minute)
	put(7, api)
	if st := state(); st != types.StateValueAlarm {
		t.Fatalf("after 2 of 3 breaching points, state = %s", st)
	}
	clk.advance(3 * time.Minute)
	s.Tick()
	if st := state(); st != types.StateValueInsufficientData {
		t.Fatalf("after the points aged out, state = %s", st)
	}
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/EC2"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1)}}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: []types.MetricDatum{{MetricName: aws.String("x"), Value: aws.Float64(1), Values: []float64{1}}}})
	wantCode(t, err, "InvalidParameterCombination")
}

// TestCloudWatchAlarmFromLogsEndToEnd runs the alert path: a log event
// matches a metric filter, the metric breaches an alarm, the alarm publishes
// CloudWatch's notification, and returns to OK once the period passes.
func TestCloudWatchAlarmFromLogsEndToEnd(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	got := capturePublish(s)
	logs := logsClient(t, s, u, mgmt)
	cw := cwClient(t, s, u, mgmt)
	setupStream(t, logs, "trail", "s")
	_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("trail"), FilterName: aws.String("root"),
		FilterPattern:         aws.String(`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String("RootUserEventCount"), MetricNamespace: aws.String("CloudTrailMetrics"), MetricValue: aws.String("1")}},
	})
	mustNoErr(t, err)
	_, err = cw.PutMetricAlarm(ctx, rootAlarm("landfall-cis-root-usage"))
	mustNoErr(t, err)

	// Created with no data and missing data not breaching, the alarm goes
	// from INSUFFICIENT_DATA to OK at once and runs its OK actions.
	if len(*got) != 1 || !strings.Contains((*got)[0].message, `"OldStateValue":"INSUFFICIENT_DATA"`) {
		t.Fatalf("after creation, published = %+v", *got)
	}
	*got = nil

	clk.advance(30 * time.Second)
	_, err = logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("trail"), LogStreamName: aws.String("s"), LogEvents: []logstypes.InputLogEvent{{
		Timestamp: aws.Int64(clk.t.UnixMilli()), Message: aws.String(`{"userIdentity":{"type":"Root"},"eventType":"AwsConsoleSignIn","eventName":"ConsoleLogin"}`),
	}}})
	mustNoErr(t, err)
	if len(*got) != 1 {
		t.Fatalf("published = %+v", *got)
	}
	n := (*got)[0]
	var msg map[string]any
	mustNoErr(t, json.Unmarshal([]byte(n.message), &msg))
	trigger, _ := msg["Trigger"].(map[string]any)
	want := "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (23/11/26 12:00:00)] was greater than or equal to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition)."
	if n.topic != alertTopic || n.subject != `ALARM: "landfall-cis-root-usage" in US East (N. Virginia)` ||
		msg["NewStateValue"] != "ALARM" || msg["OldStateValue"] != "OK" || msg["NewStateReason"] != want ||
		msg["AWSAccountId"] != mgmt || msg["Region"] != "US East (N. Virginia)" || msg["StateChangeTime"] != "2026-11-23T12:00:30.000+0000" ||
		msg["AlarmArn"] != "arn:aws:cloudwatch:us-east-1:"+mgmt+":alarm:landfall-cis-root-usage" ||
		trigger["Statistic"] != "SUM" || trigger["TreatMissingData"] != "notBreaching" || trigger["Period"] != 60.0 {
		t.Fatalf("notification = %s %s\n%s", n.topic, n.subject, n.message)
	}
	if !strings.Contains(n.message, `"Threshold":1.0`) || !strings.Contains(n.message, `"Unit":null`) || !strings.Contains(n.message, `"OKActions":["`) {
		t.Fatalf("message encoding = %s", n.message)
	}

	clk.advance(time.Minute)
	s.Tick()
	if len(*got) != 2 || !strings.HasPrefix((*got)[1].subject, "OK:") ||
		!strings.Contains((*got)[1].message, "no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]") {
		t.Fatalf("after a quiet period, published = %+v", *got)
	}
}
