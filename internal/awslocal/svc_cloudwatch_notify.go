package awslocal

// CloudWatch alarm state changes: the state reason texts and the SNS
// notification message CloudWatch publishes to an alarm's topic actions.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// regionLongNames are the names CloudWatch writes in notification subjects
// and in the message's Region field.
var regionLongNames = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
	"us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
	"ca-central-1": "Canada (Central)", "sa-east-1": "South America (Sao Paulo)",
	"eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)",
	"eu-central-1": "EU (Frankfurt)", "eu-central-2": "EU (Zurich)", "eu-north-1": "EU (Stockholm)",
	"eu-south-1": "EU (Milan)", "eu-south-2": "EU (Spain)",
	"ap-northeast-1": "Asia Pacific (Tokyo)", "ap-northeast-2": "Asia Pacific (Seoul)",
	"ap-northeast-3": "Asia Pacific (Osaka)", "ap-southeast-1": "Asia Pacific (Singapore)",
	"ap-southeast-2": "Asia Pacific (Sydney)", "ap-south-1": "Asia Pacific (Mumbai)",
	"ap-east-1": "Asia Pacific (Hong Kong)", "me-south-1": "Middle East (Bahrain)",
	"af-south-1": "Africa (Cape Town)",
}

func regionLongName(region string) string {
	if n, ok := regionLongNames[region]; ok {
		return n
	}
	return region
}

// javaDouble writes a number the way CloudWatch's reasons do ("1.0", "0.5").
func javaDouble(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

var comparisonWords = map[string]string{
	"GreaterThanOrEqualToThreshold": "greater than or equal to", "GreaterThanThreshold": "greater than",
	"LessThanThreshold": "less than", "LessThanOrEqualToThreshold": "less than or equal to",
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// stateReason writes CloudWatch's reason for a transition computed by
// evaluation, e.g. "Threshold Crossed: 1 out of the last 1 datapoints [1.0
// (23/11/26 12:00:00)] was greater than or equal to the threshold (1.0)
// (minimum 1 datapoint for OK -> ALARM transition)."
func stateReason(al *metricAlarm, next string, evaluated []evaluatedPoint, treat string) string {
	var shown []string
	matching := 0
	for _, p := range evaluated {
		if p.present {
			shown = append(shown, javaDouble(p.value)+" ("+p.start.Format("02/01/06 15:04:05")+")")
			if al.breaches(p.value) == (next == "ALARM") {
				matching++
			}
		}
	}
	missing := len(evaluated) - len(shown)
	if next == "INSUFFICIENT_DATA" {
		return fmt.Sprintf("Insufficient Data: %d %s %s unknown.", missing, plural(missing, "datapoint", "datapoints"), plural(missing, "was", "were"))
	}
	if len(shown) == 0 {
		treated := map[string]string{"breaching": "Breaching", "notBreaching": "NonBreaching"}[treat]
		return fmt.Sprintf("Threshold Crossed: no datapoints were received for %d %s and %d missing %s %s treated as [%s].",
			missing, plural(missing, "period", "periods"), missing, plural(missing, "datapoint", "datapoints"), plural(missing, "was", "were"), treated)
	}
	not := ""
	from := "OK"
	if next == "OK" {
		not, from = "not ", "ALARM"
	}
	return fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints [%s] %s %s%s the threshold (%s) (minimum %d %s for %s -> %s transition).",
		matching, len(evaluated), strings.Join(shown, ", "), plural(matching, "was", "were"), not, comparisonWords[al.Comparison],
		javaDouble(al.Threshold), al.M, plural(al.M, "datapoint", "datapoints"), from, next)
}

// cwTime is the timestamp format of CloudWatch's JSON messages.
func cwTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

func stateReasonData(al *metricAlarm, now time.Time, evaluated []evaluatedPoint) string {
	type point struct {
		Timestamp string  `json:"timestamp"`
		Value     float64 `json:"value"`
	}
	var recent []float64
	var points []point
	for _, p := range evaluated {
		if p.present {
			recent = append(recent, p.value)
			points = append(points, point{cwTime(p.start), p.value})
		}
	}
	oldest := evaluated[len(evaluated)-1].start
	return cwJSON(struct {
		Version             string    `json:"version"`
		QueryDate           string    `json:"queryDate"`
		StartDate           string    `json:"startDate"`
		Statistic           string    `json:"statistic,omitempty"`
		Period              int       `json:"period"`
		RecentDatapoints    []float64 `json:"recentDatapoints"`
		Threshold           float64   `json:"threshold"`
		EvaluatedDatapoints []point   `json:"evaluatedDatapoints,omitempty"`
	}{"1.0", cwTime(now), cwTime(oldest), al.Statistic, al.Period, append([]float64{}, recent...), al.Threshold, points})
}

// cwJSON encodes without HTML escaping: CloudWatch writes "->" in reasons
// literally. Only values built here reach it, so an error is a bug.
func cwJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("awslocal: encoding CloudWatch message: " + err.Error())
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// transition moves the alarm and, when its actions are enabled, runs the
// actions of the new state. Only SNS topic actions are delivered.
func (s *Server) transition(accountID, region string, al *metricAlarm, next, reason, data string) {
	old := al.State
	if old == next {
		return
	}
	now := s.now()
	al.State, al.StateReason, al.StateReasonData, al.StateUpdated = next, reason, data, now
	if !al.ActionsEnabled {
		return
	}
	actions := map[string][]string{"OK": al.OKActions, "ALARM": al.AlarmActions, "INSUFFICIENT_DATA": al.InsufActs}[next]
	if len(actions) == 0 || s.hooks.publish == nil {
		return
	}
	subject := fmt.Sprintf("%s: %q in %s", next, al.Name, regionLongName(region))
	message := alarmMessage(accountID, region, al, old, now)
	for _, arn := range actions {
		if !strings.HasPrefix(arn, "arn:aws:sns:") {
			continue
		}
		if err := s.hooks.publish("cloudwatch.amazonaws.com", accountID, alarmARN(accountID, region, al.Name), arn, subject, message); err != nil {
			// CloudWatch records a failed action in the alarm history and
			// carries on; the endpoint logs it.
			s.log.Warn("publishing alarm notification", "alarm", al.Name, "topic", arn, "err", err)
		}
	}
}

// alarmNotification is the JSON CloudWatch publishes, in its field order.
type alarmNotification struct {
	AlarmName                          string       `json:"AlarmName"`
	AlarmDescription                   *string      `json:"AlarmDescription"`
	AWSAccountID                       string       `json:"AWSAccountId"`
	AlarmConfigurationUpdatedTimestamp string       `json:"AlarmConfigurationUpdatedTimestamp"`
	NewStateValue                      string       `json:"NewStateValue"`
	NewStateReason                     string       `json:"NewStateReason"`
	StateChangeTime                    string       `json:"StateChangeTime"`
	Region                             string       `json:"Region"`
	AlarmARN                           string       `json:"AlarmArn"`
	OldStateValue                      string       `json:"OldStateValue"`
	OKActions                          []string     `json:"OKActions"`
	AlarmActions                       []string     `json:"AlarmActions"`
	InsufficientDataActions            []string     `json:"InsufficientDataActions"`
	Trigger                            alarmTrigger `json:"Trigger"`
}

type alarmTrigger struct {
	MetricName                       string             `json:"MetricName"`
	Namespace                        string             `json:"Namespace"`
	StatisticType                    string             `json:"StatisticType"`
	Statistic                        string             `json:"Statistic,omitempty"`
	ExtendedStatistic                string             `json:"ExtendedStatistic,omitempty"`
	Unit                             *string            `json:"Unit"`
	Dimensions                       []triggerDimension `json:"Dimensions"`
	Period                           int                `json:"Period"`
	EvaluationPeriods                int                `json:"EvaluationPeriods"`
	DatapointsToAlarm                int                `json:"DatapointsToAlarm"`
	ComparisonOperator               string             `json:"ComparisonOperator"`
	Threshold                        json.Number        `json:"Threshold"`
	TreatMissingData                 string             `json:"TreatMissingData"`
	EvaluateLowSampleCountPercentile string             `json:"EvaluateLowSampleCountPercentile"`
}

// triggerDimension is written in lower case in notifications.
type triggerDimension struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

// triggerStatistics are the upper-case statistic names notifications use.
var triggerStatistics = map[string]string{
	"Sum": "SUM", "Average": "AVERAGE", "Minimum": "MINIMUM", "Maximum": "MAXIMUM", "SampleCount": "SAMPLE_COUNT",
}

func alarmMessage(accountID, region string, al *metricAlarm, old string, now time.Time) string {
	trigger := alarmTrigger{
		MetricName: al.MetricName, Namespace: al.Namespace, StatisticType: "Statistic",
		Statistic: triggerStatistics[al.Statistic], Dimensions: []triggerDimension{},
		Period: al.Period, EvaluationPeriods: al.EvaluationPeriods, DatapointsToAlarm: al.M,
		ComparisonOperator: al.Comparison, Threshold: json.Number(javaDouble(al.Threshold)),
		TreatMissingData: al.TreatMissing, EvaluateLowSampleCountPercentile: al.LowCount,
	}
	if al.ExtendedStatistic != "" {
		trigger.StatisticType, trigger.ExtendedStatistic = "ExtendedStatistic", al.ExtendedStatistic
	}
	if al.Unit != "" {
		unit := al.Unit
		trigger.Unit = &unit
	}
	for _, d := range al.Dimensions {
		trigger.Dimensions = append(trigger.Dimensions, triggerDimension{Value: d.Value, Name: d.Name})
	}
	return cwJSON(alarmNotification{
		AlarmName: al.Name, AlarmDescription: al.Description, AWSAccountID: accountID,
		AlarmConfigurationUpdatedTimestamp: cwTime(al.ConfigUpdated), NewStateValue: al.State,
		NewStateReason: al.StateReason, StateChangeTime: cwTime(now), Region: regionLongName(region),
		AlarmARN: alarmARN(accountID, region, al.Name), OldStateValue: old,
		OKActions: nonNil(al.OKActions), AlarmActions: nonNil(al.AlarmActions),
		InsufficientDataActions: nonNil(al.InsufActs), Trigger: trigger,
	})
}

// nonNil makes an empty action list encode as [], as CloudWatch writes it.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
