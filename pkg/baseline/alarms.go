package baseline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/landfall/landfall/pkg/alarms"
	"github.com/landfall/landfall/pkg/awsx"
)

var alarmsItem = Item{
	Name: "alarms",
	Needs: []Need{
		{&cloudTrailItem, "the metric filters sit on the trail's log group"},
		{&alertsTopicItem, "every alarm acts on the alerts topic"},
	},
	Enabled: func(*Spec) bool { return true },
	Plan:    planAlarms,
	Permissions: func(s *Spec) []iamStatement {
		return []iamStatement{
			allow("Logs", []string{"arn:aws:logs:*:*:log-group:" + s.Prefix + "-*"},
				"logs:PutMetricFilter", "logs:DeleteMetricFilter",
				// The formatter reads the records behind an alarm (who
				// did it) as this role where no alerts-reader role is.
				"logs:FilterLogEvents"),
			allow("LogsRead", anyResource, "logs:DescribeMetricFilters"),
			allow("CloudWatch", []string{"arn:aws:cloudwatch:*:*:alarm:" + s.Prefix + "-*"},
				"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:ListTagsForResource"),
			allow("CloudWatchRead", anyResource, "cloudwatch:DescribeAlarms"),
		}
	},
}

// The CIS metric filters on the trail's log group and the alarm on each
// filter's metric, acting on the alerts topic. Filters cannot be tagged;
// they sit on landfall's log group under landfall's names, so they are
// landfall's. Alarms are tagged, and only tagged ones are ever removed.

// desiredAlarms returns the profile's alarms, named for this organization,
// with the account's threshold overrides (tags name an alarm by ID or key).
func desiredAlarms(s *Spec) ([]alarms.Alarm, error) {
	selected, err := alarms.Select(s.Profile.Items.Alarms.Disable)
	if err != nil {
		return nil, fmt.Errorf("selecting alarms of profile %s: %w", s.Profile.Name, err)
	}
	names := s.Config.AlarmNames()
	for i := range selected {
		a := selected[i].Named(names)
		selected[i] = a
		t, ok := s.AlarmThresholds[a.ID]
		if !ok {
			t, ok = s.AlarmThresholds[a.Key]
		}
		if !ok {
			continue
		}
		if selected[i], err = a.WithOverrides(alarms.Overrides{Threshold: &t}); err != nil {
			return nil, err
		}
	}
	return selected, nil
}

func alarmDescription(a alarms.Alarm) string { return a.Explanation + " Runbook: " + a.Runbook }

func planAlarms(ctx context.Context, env *Env) ([]Change, error) {
	spec := env.Spec
	want, err := desiredAlarms(spec)
	if err != nil {
		return nil, err
	}
	logs := cloudwatchlogs.NewFromConfig(env.AWS)
	cw := cloudwatch.NewFromConfig(env.AWS)
	group := spec.Config.TrailLogGroupName()
	filters, err := findMetricFiltersByPrefix(ctx, logs, group, spec.Prefix+"-")
	if err != nil {
		return nil, err
	}
	existing, err := findAlarmsByPrefix(ctx, cw, spec.Prefix+"-")
	if err != nil {
		return nil, err
	}
	topic := alertsTopicARN(spec, spec.HomeRegion())
	var changes []Change
	for _, a := range want {
		name := spec.Config.AlarmName(a.Key)
		changes = append(changes, planMetricFilter(logs, group, name, a, filters[name]))
		c, err := planAlarm(ctx, cw, spec, name, a, topic, existing[name])
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	// Alarms the profile now disables: remove landfall's own, with their filters.
	for _, a := range alarms.All() {
		if slices.ContainsFunc(want, func(w alarms.Alarm) bool { return w.ID == a.ID }) {
			continue
		}
		name := spec.Config.AlarmName(a.Key)
		r := alarmResource(cw, name, existing[name])
		r.Delete = func(ctx context.Context, _ *cwtypes.MetricAlarm) error {
			if _, err := cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{name}}); err != nil {
				return fmt.Errorf("deleting CloudWatch alarm (%s): %w", name, err)
			}
			if _, ok := filters[name]; !ok {
				return nil
			}
			if _, err := logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name)}); err != nil {
				return fmt.Errorf("deleting metric filter (%s): %w", name, err)
			}
			return nil
		}
		c, ok, err := planRetired(ctx, r, fmt.Sprintf("the alarm and its metric filter are landfall's, and profile %s turns alarm %s off", spec.Profile.Name, a.ID))
		if err != nil {
			return nil, err
		}
		if ok {
			changes = append(changes, c)
		}
	}
	return changes, nil
}

// planMetricFilter compares the pattern and metric exactly: the patterns
// are the published ones, verbatim. PutMetricFilter creates or replaces.
func planMetricFilter(client *cloudwatchlogs.Client, group, name string, a alarms.Alarm, have *logstypes.MetricFilter) Change {
	resource := "metric-filter/" + name
	apply := func(ctx context.Context) error {
		_, err := client.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name),
			FilterPattern: aws.String(a.FilterPattern), MetricTransformations: []logstypes.MetricTransformation{
				{MetricNamespace: aws.String(a.MetricNamespace), MetricName: aws.String(a.MetricName), MetricValue: aws.String(a.MetricValue)}}})
		if err != nil {
			return fmt.Errorf("putting metric filter (%s): %w", name, err)
		}
		return nil
	}
	if have == nil {
		return Change{Resource: resource, Action: Create, Apply: apply}
	}
	var d []Diff
	diffField(&d, "FilterPattern", aws.ToString(have.FilterPattern), a.FilterPattern)
	var metric logstypes.MetricTransformation
	if len(have.MetricTransformations) == 1 {
		metric = have.MetricTransformations[0]
	}
	diffField(&d, "MetricNamespace", aws.ToString(metric.MetricNamespace), a.MetricNamespace)
	diffField(&d, "MetricName", aws.ToString(metric.MetricName), a.MetricName)
	diffField(&d, "MetricValue", aws.ToString(metric.MetricValue), a.MetricValue)
	if len(d) == 0 {
		return Change{Resource: resource, Action: Unchanged}
	}
	return Change{Resource: resource, Action: Update, Diffs: d, Apply: apply}
}

// planAlarm plans one alarm, have as listed (nil when there is none).
// PutMetricAlarm replaces an alarm's whole configuration, so one call
// repairs every field; it ignores Tags on an existing alarm, so adoption
// tags separately.
func planAlarm(ctx context.Context, client *cloudwatch.Client, spec *Spec, name string, a alarms.Alarm, topic string, have *cwtypes.MetricAlarm) (Change, error) {
	in := expandAlarm(name, a, topic, spec.Tags)
	put := func(ctx context.Context) error {
		if _, err := client.PutMetricAlarm(ctx, in); err != nil {
			return fmt.Errorf("putting CloudWatch alarm (%s): %w", name, err)
		}
		return nil
	}
	r := alarmResource(client, name, have)
	r.Create = put
	r.Edits = func(_ context.Context, have *cwtypes.MetricAlarm) ([]edit, error) {
		if diffs := diffAlarm(have, in); len(diffs) > 0 {
			return []edit{{diffs, put}}, nil
		}
		return nil, nil
	}
	c, _, err := planOwned(ctx, spec, r)
	if c.Action == Update && !aws.ToBool(have.ActionsEnabled) {
		c.Detail = "the alarm's actions were disabled, so it alerted nobody: re-enabled"
	}
	return c, err
}

// alarmResource is the alarm named name as the ownership reconciler sees
// it; the caller found it already (have, nil when there is none), because
// one listing finds them all.
func alarmResource(client *cloudwatch.Client, name string, have *cwtypes.MetricAlarm) owned[*cwtypes.MetricAlarm] {
	return owned[*cwtypes.MetricAlarm]{
		Kind: "CloudWatch alarm", Name: name, Resource: "alarm/" + name,
		Find: func(context.Context) (*cwtypes.MetricAlarm, error) {
			if have == nil {
				return nil, &awsx.NotFoundError{What: "CloudWatch alarm (" + name + ")"}
			}
			return have, nil
		},
		Tags: func(ctx context.Context, have *cwtypes.MetricAlarm) (map[string]string, error) {
			return findAlarmTags(ctx, client, aws.ToString(have.AlarmArn))
		},
		Tag: func(ctx context.Context, have *cwtypes.MetricAlarm, missing, _ map[string]string) error {
			_, err := client.TagResource(ctx, &cloudwatch.TagResourceInput{ResourceARN: have.AlarmArn, Tags: tagList(missing, newCloudWatchTag)})
			return err
		},
	}
}

func diffAlarm(have *cwtypes.MetricAlarm, want *cloudwatch.PutMetricAlarmInput) []Diff {
	var d []Diff
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	diffField(&d, "Namespace", aws.ToString(have.Namespace), aws.ToString(want.Namespace))
	diffField(&d, "MetricName", aws.ToString(have.MetricName), aws.ToString(want.MetricName))
	diffField(&d, "Dimensions", dimensionsText(have.Dimensions), dimensionsText(want.Dimensions))
	diffField(&d, "Statistic", string(have.Statistic), string(want.Statistic))
	diffField(&d, "Period", strconv.Itoa(int(aws.ToInt32(have.Period))), strconv.Itoa(int(aws.ToInt32(want.Period))))
	diffField(&d, "EvaluationPeriods", strconv.Itoa(int(aws.ToInt32(have.EvaluationPeriods))), strconv.Itoa(int(aws.ToInt32(want.EvaluationPeriods))))
	diffField(&d, "Threshold", num(aws.ToFloat64(have.Threshold)), num(aws.ToFloat64(want.Threshold)))
	diffField(&d, "ComparisonOperator", string(have.ComparisonOperator), string(want.ComparisonOperator))
	diffField(&d, "TreatMissingData", aws.ToString(have.TreatMissingData), aws.ToString(want.TreatMissingData))
	diffField(&d, "AlarmActions", strings.Join(have.AlarmActions, ","), strings.Join(want.AlarmActions, ","))
	diffField(&d, "ActionsEnabled", strconv.FormatBool(aws.ToBool(have.ActionsEnabled)), "true")
	diffField(&d, "AlarmDescription", aws.ToString(have.AlarmDescription), aws.ToString(want.AlarmDescription))
	return d
}

func findMetricFiltersByPrefix(ctx context.Context, client *cloudwatchlogs.Client, group, prefix string) (map[string]*logstypes.MetricFilter, error) {
	out := map[string]*logstypes.MetricFilter{}
	pages := cloudwatchlogs.NewDescribeMetricFiltersPaginator(client, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group), FilterNamePrefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if awsx.IsCode(err, "ResourceNotFoundException") {
			return out, nil // the trail's group is not created yet: no filters
		}
		if err != nil {
			return nil, fmt.Errorf("listing metric filters of CloudWatch Logs group (%s): %w", group, err)
		}
		for _, f := range page.MetricFilters {
			out[aws.ToString(f.FilterName)] = &f
		}
	}
	return out, nil
}

func findAlarmsByPrefix(ctx context.Context, client *cloudwatch.Client, prefix string) (map[string]*cwtypes.MetricAlarm, error) {
	out := map[string]*cwtypes.MetricAlarm{}
	pages := cloudwatch.NewDescribeAlarmsPaginator(client, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing CloudWatch alarms (%s*): %w", prefix, err)
		}
		for _, a := range page.MetricAlarms {
			out[aws.ToString(a.AlarmName)] = &a
		}
	}
	return out, nil
}

func findAlarmTags(ctx context.Context, client *cloudwatch.Client, arn string) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("listing tags of CloudWatch alarm (%s): %w", arn, err)
	}
	return tagMap(out.Tags, func(t cwtypes.Tag) (k, v *string) { return t.Key, t.Value }), nil
}

func expandAlarm(name string, a alarms.Alarm, topic string, tags map[string]string) *cloudwatch.PutMetricAlarmInput {
	return &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(name), AlarmDescription: aws.String(alarmDescription(a)),
		Namespace: aws.String(a.MetricNamespace), MetricName: aws.String(a.MetricName), Statistic: cwtypes.Statistic(a.Statistic),
		Period: aws.Int32(a.Period), EvaluationPeriods: aws.Int32(a.EvaluationPeriods), Threshold: aws.Float64(a.Threshold),
		ComparisonOperator: cwtypes.ComparisonOperator(a.ComparisonOperator), TreatMissingData: aws.String(a.TreatMissingData),
		ActionsEnabled: aws.Bool(true), AlarmActions: []string{topic}, Tags: tagList(tags, newCloudWatchTag),
		Dimensions: expandDimensions(a.Dimensions),
	}
}

func expandDimensions(dims map[string]string) []cwtypes.Dimension {
	var out []cwtypes.Dimension
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		out = append(out, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(dims[k])})
	}
	return out
}

// dimensionsText shows dimensions in one order, for diffs.
func dimensionsText(dims []cwtypes.Dimension) string {
	parts := make([]string, 0, len(dims))
	for _, d := range dims {
		parts = append(parts, aws.ToString(d.Name)+"="+aws.ToString(d.Value))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func newCloudWatchTag(k, v *string) cwtypes.Tag { return cwtypes.Tag{Key: k, Value: v} }
