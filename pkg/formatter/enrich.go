package formatter

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/notify"
)

// maxWhoRecords bounds how many CloudTrail records an alert shows: enough to
// see who did it, few enough to read in ten seconds.
const maxWhoRecords = 5

// whoDidIt finds the CloudTrail records behind an alarm of a metric filter:
// through the alarm's account's alerts reader role, it looks the filter up
// on the trail's log group by the alarm's metric, and searches the group
// with the same pattern over the alarm's evaluation window. An alarm
// notification itself only says that a metric crossed a threshold. Any
// failure only costs the "who" section, so it is logged and nil is
// returned.
func (f *Formatter) whoDidIt(ctx context.Context, a notify.AlarmNotification) []notify.TrailRecord {
	t := a.Trigger
	changed, err := time.Parse("2006-01-02T15:04:05.000-0700", a.StateChangeTime)
	if err != nil || a.NewStateValue != "ALARM" || t.MetricName == "" || t.Namespace == "" {
		return nil
	}
	region := regionOfARN(a.AlarmARN)
	if region == "" {
		return nil
	}
	logs := cloudwatchlogs.NewFromConfig(awsx.InRegion(f.readerIn(a.AWSAccountID), region))
	filters, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String(f.Config.TrailLogGroupName()), MetricName: aws.String(t.MetricName), MetricNamespace: aws.String(t.Namespace),
	})
	if err != nil || len(filters.MetricFilters) == 0 {
		f.Log.Warn("finding the alarm's metric filter", "alarm", a.AlarmName, "error", err)
		return nil
	}
	filter := filters.MetricFilters[0]
	window := time.Duration(t.Period*t.EvaluationPeriods)*time.Second + 5*time.Minute
	out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: filter.LogGroupName, FilterPattern: filter.FilterPattern,
		StartTime: aws.Int64(changed.Add(-window).UnixMilli()), EndTime: aws.Int64(changed.Add(time.Minute).UnixMilli()),
	})
	if err != nil {
		f.Log.Warn("searching the trail for the alarm's events", "alarm", a.AlarmName, "error", err)
		return nil
	}
	var records []notify.TrailRecord
	for _, e := range out.Events {
		var r notify.TrailRecord
		if json.Unmarshal([]byte(aws.ToString(e.Message)), &r) == nil {
			records = append(records, r)
		}
	}
	sort.SliceStable(records, func(i, j int) bool { return records[i].EventTime > records[j].EventTime })
	return records[:min(len(records), maxWhoRecords)]
}

func regionOfARN(arn string) string {
	f := strings.Split(arn, ":")
	if len(f) < 4 {
		return ""
	}
	return f[3]
}
