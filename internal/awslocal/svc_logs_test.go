package awslocal

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func logsClient(t *testing.T, s *Server, u, account string) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(sdkConfig(t, s, u, account, "us-east-1"))
}

func TestLogsGroupsPagingTagsAndIsolation(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	logs := logsClient(t, s, u, mgmt)
	for i := range 7 {
		_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(fmt.Sprintf("/landfall/g%d", i))})
		mustNoErr(t, err)
	}
	_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("other")})
	mustNoErr(t, err)
	_, err = logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("other")})
	wantCode(t, err, "ResourceAlreadyExistsException")
	_, err = logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
	wantCode(t, err, "InvalidParameterException")

	var names []string
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/landfall/")})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		pages++
		for _, g := range out.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	if len(names) != 7 || pages != 2 || names[0] != "/landfall/g0" {
		t.Fatalf("groups = %v over %d pages", names, pages)
	}

	for _, tc := range []struct {
		days int32
		code string
	}{{30, ""}, {3653, ""}, {2, "InvalidParameterException"}, {366, "InvalidParameterException"}} {
		_, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("other"), RetentionInDays: aws.Int32(tc.days)})
		if tc.code == "" {
			mustNoErr(t, err)
		} else {
			wantCode(t, err, tc.code)
		}
	}
	_, err = logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("missing"), RetentionInDays: aws.Int32(30)})
	wantCode(t, err, "ResourceNotFoundException")

	arn := "arn:aws:logs:us-east-1:" + mgmt + ":log-group:other"
	_, err = logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"owner": "landfall"}})
	mustNoErr(t, err)
	_, err = logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"tier": "security"}})
	mustNoErr(t, err)
	tags, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	mustNoErr(t, err)
	if tags.Tags["owner"] != "landfall" || tags.Tags["tier"] != "security" || len(tags.Tags) != 2 {
		t.Fatalf("tags = %v", tags.Tags)
	}
	_, err = logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn + "-missing")})
	wantCode(t, err, "ResourceNotFoundException")

	member := newMember(t, s, u, clk, "workload")
	out, err := logsClient(t, s, u, member).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	mustNoErr(t, err)
	if len(out.LogGroups) != 0 {
		t.Fatalf("member sees %d groups of the management account", len(out.LogGroups))
	}

	_, err = logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("other")})
	mustNoErr(t, err)
	_, err = logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("other")})
	wantCode(t, err, "ResourceNotFoundException")
}

// setupStream creates a group and a stream for event tests.
func setupStream(t *testing.T, logs *cloudwatchlogs.Client, group, stream string) {
	t.Helper()
	ctx := context.Background()
	_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	mustNoErr(t, err)
	_, err = logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
	mustNoErr(t, err)
}

func TestLogsMetricFiltersEmitMetrics(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	logs := logsClient(t, s, u, mgmt)
	setupStream(t, logs, "trail", "s1")
	_, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("trail"), LogStreamName: aws.String("s1")})
	wantCode(t, err, "ResourceAlreadyExistsException")

	var got []metricDatum
	s.mu.Lock()
	s.hooks.putMetric = func(_, _ string, m metricDatum) { got = append(got, m) }
	s.mu.Unlock()

	put := func(name, pattern, value string, def *float64) error {
		_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
			LogGroupName: aws.String("trail"), FilterName: aws.String(name), FilterPattern: aws.String(pattern),
			MetricTransformations: []types.MetricTransformation{{MetricName: aws.String(name), MetricNamespace: aws.String("CIS"), MetricValue: aws.String(value), DefaultValue: def}},
		})
		return err
	}
	mustNoErr(t, put("root", `{ $.userIdentity.type = "Root" }`, "1", aws.Float64(0)))
	mustNoErr(t, put("bytes", `{ $.eventName = "GetObject" }`, "$.bytes", nil))
	wantCode(t, put("broken", `{ $.userIdentity.type = `, "1", nil), "InvalidParameterException")
	wantCode(t, put("badvalue", `ERROR`, "one", nil), "InvalidParameterException")

	now := clk.t.UnixMilli()
	events := []types.InputLogEvent{
		{Timestamp: aws.Int64(now), Message: aws.String(`{"userIdentity":{"type":"Root"},"eventName":"ConsoleLogin"}`)},
		{Timestamp: aws.Int64(now + 1), Message: aws.String(`{"userIdentity":{"type":"IAMUser"},"eventName":"GetObject","bytes":512}`)},
	}
	_, err = logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("trail"), LogStreamName: aws.String("s1"), LogEvents: events})
	mustNoErr(t, err)
	if len(got) != 2 || got[0].Name != "bytes" || got[0].Value != 512 || got[1].Name != "root" || got[1].Value != 1 {
		t.Fatalf("metrics = %+v", got)
	}
	// No match: the root filter emits its default value, the other nothing.
	got = nil
	_, err = logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("trail"), LogStreamName: aws.String("s1"), LogEvents: events[1:]})
	mustNoErr(t, err)
	if len(got) != 2 || got[1].Name != "root" || got[1].Value != 0 {
		t.Fatalf("metrics = %+v", got)
	}

	for _, tc := range []struct {
		name   string
		stream string
		events []types.InputLogEvent
		code   string
	}{
		{"out of order", "s1", []types.InputLogEvent{events[1], events[0]}, "InvalidParameterException"},
		{"missing stream", "nope", events, "ResourceNotFoundException"},
		{"spans more than a day", "s1", []types.InputLogEvent{
			{Timestamp: aws.Int64(now - 25*60*60*1000), Message: aws.String("a")}, events[0],
		}, "InvalidParameterException"},
	} {
		_, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("trail"), LogStreamName: aws.String(tc.stream), LogEvents: tc.events})
		if err == nil {
			t.Fatalf("%s: accepted", tc.name)
		}
		wantCode(t, err, tc.code)
	}

	for i := range 6 {
		mustNoErr(t, put(fmt.Sprintf("extra-%d", i), "ERROR", "1", nil))
	}
	var filters []string
	fp := cloudwatchlogs.NewDescribeMetricFiltersPaginator(logs, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("trail"), FilterNamePrefix: aws.String("extra-")})
	for fp.HasMorePages() {
		out, err := fp.NextPage(ctx)
		mustNoErr(t, err)
		for _, f := range out.MetricFilters {
			filters = append(filters, aws.ToString(f.FilterName))
		}
	}
	if len(filters) != 6 {
		t.Fatalf("filters = %v", filters)
	}
	_, err = logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("trail"), FilterName: aws.String("extra-0")})
	mustNoErr(t, err)
	_, err = logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("trail"), FilterName: aws.String("extra-0")})
	wantCode(t, err, "ResourceNotFoundException")
	for i := 8; i <= 100; i++ { // 7 filters exist: 100 in all
		mustNoErr(t, put(fmt.Sprintf("fill-%03d", i), "ERROR", "1", nil))
	}
	wantCode(t, put("one-too-many", "ERROR", "1", nil), "LimitExceededException")
}

func TestLogsFilterLogEventsPages(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	logs := logsClient(t, s, u, mgmt)
	setupStream(t, logs, "app", "a")
	var events []types.InputLogEvent
	for i := range 12 {
		msg := fmt.Sprintf(`{"eventName":"ConsoleLogin","n":%d}`, i)
		if i%2 == 1 {
			msg = "noise"
		}
		events = append(events, types.InputLogEvent{Timestamp: aws.Int64(clk.t.UnixMilli() + int64(i)), Message: aws.String(msg)})
	}
	_, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("a"), LogEvents: events})
	mustNoErr(t, err)

	var msgs []string
	p := cloudwatchlogs.NewFilterLogEventsPaginator(logs, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String("app"), FilterPattern: aws.String(`{ $.eventName = "ConsoleLogin" }`),
		StartTime: aws.Int64(clk.t.UnixMilli() + 2), EndTime: aws.Int64(clk.t.UnixMilli() + 10),
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, e := range out.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
	}
	if len(msgs) != 5 || !strings.Contains(msgs[0], `"n":2`) || !strings.Contains(msgs[4], `"n":10`) {
		t.Fatalf("events = %v", msgs)
	}
	// Events older than 14 days or more than 2 hours ahead are rejected
	// without failing the call.
	day := int64(24 * 60 * 60 * 1000)
	for _, tc := range []struct {
		events         []int64 // offsets from now, ms
		tooOld, tooNew int32   // -1: not reported
	}{
		{[]int64{-14*day - 3600000, -14*day - 1, -14*day + 1000}, 1, -1},
		{[]int64{20, day / 8}, -1, 1},
	} {
		var in []types.InputLogEvent
		for _, off := range tc.events {
			msg := "fresh"
			if off < -14*day || off > day/12 {
				msg = "stale"
			}
			in = append(in, types.InputLogEvent{Timestamp: aws.Int64(clk.t.UnixMilli() + off), Message: aws.String(msg)})
		}
		res, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("a"), LogEvents: in})
		mustNoErr(t, err)
		r := res.RejectedLogEventsInfo
		if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != max(tc.tooOld, 0) || aws.ToInt32(r.TooNewLogEventStartIndex) != max(tc.tooNew, 0) ||
			(tc.tooOld < 0) != (r.TooOldLogEventEndIndex == nil) || (tc.tooNew < 0) != (r.TooNewLogEventStartIndex == nil) {
			t.Fatalf("events %v: rejected = %+v", tc.events, r)
		}
	}
	all, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("app"), FilterPattern: aws.String("fresh")})
	mustNoErr(t, err)
	stale, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("app"), FilterPattern: aws.String("stale")})
	mustNoErr(t, err)
	if len(all.Events) != 2 {
		t.Fatalf("stored %d fresh events, want 2", len(all.Events))
	}
	if len(stale.Events) != 0 {
		t.Fatalf("stored %d rejected events", len(stale.Events))
	}
	_, err = logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("app"), FilterPattern: aws.String(`{ $.x = `)})
	wantCode(t, err, "InvalidParameterException")
	_, err = logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("missing")})
	wantCode(t, err, "ResourceNotFoundException")
}
