package baseline

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/landfall/landfall/pkg/alarms"
)

// alarmsAsDeployed returns what a plan reads back for the whole CIS alarm
// catalogue (the alarm as applied) next to what it wants, the pairs
// diffAlarm compares on every re-apply in every region.
func alarmsAsDeployed(b *testing.B, drift func(*cwtypes.MetricAlarm)) ([]*cwtypes.MetricAlarm, []*cloudwatch.PutMetricAlarmInput) {
	b.Helper()
	tags := map[string]string{TagManaged: "true", TagVersion: Version, "project": "landing-zone"}
	topic := "arn:aws:sns:us-east-1:222222222222:acme-alerts"
	var haves []*cwtypes.MetricAlarm
	var wants []*cloudwatch.PutMetricAlarmInput
	for _, a := range alarms.All() {
		in := expandAlarm("acme-"+a.ID, a, topic, tags)
		have := &cwtypes.MetricAlarm{
			AlarmName: in.AlarmName, AlarmDescription: in.AlarmDescription, Namespace: in.Namespace,
			MetricName: in.MetricName, Statistic: in.Statistic, Period: in.Period,
			EvaluationPeriods: in.EvaluationPeriods, Threshold: in.Threshold,
			ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData,
			ActionsEnabled: aws.Bool(true), AlarmActions: in.AlarmActions,
		}
		if drift != nil {
			drift(have)
		}
		haves = append(haves, have)
		wants = append(wants, in)
	}
	if len(haves) == 0 {
		b.Fatal("the alarm catalogue is empty")
	}
	return haves, wants
}

// BenchmarkDiffAlarms measures the plan's diff of the CIS alarm catalogue
// against what is deployed: unchanged (the re-apply path) and with every
// alarm's threshold and actions drifted.
func BenchmarkDiffAlarms(b *testing.B) {
	cases := []struct {
		name      string
		drift     func(*cwtypes.MetricAlarm)
		wantDiffs int // per alarm
	}{
		{"unchanged", nil, 0},
		{"drifted", func(a *cwtypes.MetricAlarm) {
			a.Threshold = aws.Float64(aws.ToFloat64(a.Threshold) + 1)
			a.AlarmActions = nil
		}, 2},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			haves, wants := alarmsAsDeployed(b, c.drift)
			for i := range haves {
				if got := len(diffAlarm(haves[i], wants[i])); got != c.wantDiffs {
					b.Fatalf("%s: %d diffs, want %d", aws.ToString(haves[i].AlarmName), got, c.wantDiffs)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				for i := range haves {
					diffAlarm(haves[i], wants[i])
				}
			}
		})
	}
}

// BenchmarkMissingTags measures the tag diff every owned resource goes
// through on a re-apply.
func BenchmarkMissingTags(b *testing.B) {
	want := map[string]string{TagManaged: "true", TagVersion: Version, "project": "landing-zone", "cost-centre": "platform"}
	cases := []struct {
		name      string
		have      map[string]string
		wantDiffs int
	}{
		{"unchanged", map[string]string{TagManaged: "true", TagVersion: Version, "project": "landing-zone", "cost-centre": "platform", "owner": "team-a"}, 0},
		{"missing", map[string]string{TagManaged: "true"}, 3},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if _, d := missingTags(c.have, want); len(d) != c.wantDiffs {
				b.Fatalf("%d diffs, want %d", len(d), c.wantDiffs)
			}
			b.ReportAllocs()
			for b.Loop() {
				missingTags(c.have, want)
			}
		})
	}
}
