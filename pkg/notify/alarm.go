package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Alarm states as CloudWatch writes them in NewStateValue/OldStateValue.
const (
	alarmStateAlarm        = "ALARM"
	alarmStateOK           = "OK"
	alarmStateInsufficient = "INSUFFICIENT_DATA"
)

// AlarmNotification is the JSON message CloudWatch publishes to SNS when a
// metric alarm changes state. The action lists are kept raw because their
// encoding has varied (arrays, and strings such as "[arn:...]").
type AlarmNotification struct {
	AlarmName                          string          `json:"AlarmName"`
	AlarmDescription                   *string         `json:"AlarmDescription"`
	AWSAccountID                       string          `json:"AWSAccountId"`
	AlarmConfigurationUpdatedTimestamp string          `json:"AlarmConfigurationUpdatedTimestamp,omitempty"`
	NewStateValue                      string          `json:"NewStateValue"`
	NewStateReason                     string          `json:"NewStateReason"`
	StateChangeTime                    string          `json:"StateChangeTime"`
	Region                             string          `json:"Region"`
	AlarmARN                           string          `json:"AlarmArn"`
	OldStateValue                      string          `json:"OldStateValue"`
	OKActions                          json.RawMessage `json:"OKActions,omitempty"`
	AlarmActions                       json.RawMessage `json:"AlarmActions,omitempty"`
	InsufficientDataActions            json.RawMessage `json:"InsufficientDataActions,omitempty"`
	Trigger                            AlarmTrigger    `json:"Trigger"`
}

// AlarmTrigger describes the metric and threshold of a single-metric alarm.
// Metric-math alarms carry Metrics instead of MetricName.
type AlarmTrigger struct {
	MetricName                       string            `json:"MetricName,omitempty"`
	Namespace                        string            `json:"Namespace,omitempty"`
	StatisticType                    string            `json:"StatisticType,omitempty"`
	Statistic                        string            `json:"Statistic,omitempty"`
	Unit                             *string           `json:"Unit"`
	Dimensions                       []AlarmDimension  `json:"Dimensions"`
	Metrics                          []json.RawMessage `json:"Metrics,omitempty"`
	Period                           int64             `json:"Period"`
	EvaluationPeriods                int64             `json:"EvaluationPeriods"`
	DatapointsToAlarm                int64             `json:"DatapointsToAlarm,omitempty"`
	ComparisonOperator               string            `json:"ComparisonOperator"`
	Threshold                        float64           `json:"Threshold"`
	TreatMissingData                 string            `json:"TreatMissingData"`
	EvaluateLowSampleCountPercentile string            `json:"EvaluateLowSampleCountPercentile"`
}

// AlarmDimension is one metric dimension; CloudWatch writes the keys in
// lower case here.
type AlarmDimension struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

// isAlarm reports whether a decoded object looks like an alarm notification.
func isAlarm(obj map[string]json.RawMessage) bool {
	return str(obj, "AlarmName") != "" && str(obj, "NewStateValue") != ""
}

func formatAlarm(a AlarmNotification, ctx Context) Message {
	region := arnRegion(a.AlarmARN)
	if region == "" {
		region = regionCode(a.Region)
	}
	c := ctx.console(region)
	account := accountLabel(a.AWSAccountID, ctx.accountName(a.AWSAccountID))
	sev := alarmSeverity(a.NewStateValue)

	links := []Link{{Label: "Alarm", URL: c.alarm(a.AlarmName)}}
	links = append(links, eventNameLinks(ctx, region, ctx.Records)...)

	var w body
	w.para(fmt.Sprintf("CloudWatch alarm %q is now %s (was %s) in %s.",
		oneLine(a.AlarmName), orUnknown(a.NewStateValue), orUnknown(a.OldStateValue), account))
	if a.AlarmDescription != nil && strings.TrimSpace(*a.AlarmDescription) != "" {
		w.para("What it watches: " + oneLine(*a.AlarmDescription))
	}
	w.field("Account", account)
	w.field("Region", regionLabel(region, a.Region))
	w.field("Time", displayTime(a.StateChangeTime))
	w.field("Severity", sev)
	w.field("Metric", a.Trigger.describe())
	w.field("Reason", a.NewStateReason)
	w.end()
	w.section(whoHeading(len(ctx.Records)), recordLines(ctx.Records))
	w.section("What to do next:", alarmAdvice(a.NewStateValue, len(ctx.Records) > 0))
	w.links(links)

	return Message{
		Kind:      KindAlarm,
		Severity:  sev,
		Subject:   subject(sev, fmt.Sprintf("%s in %s: %s", a.NewStateValue, account, a.AlarmName)),
		Text:      w.String(),
		AccountID: a.AWSAccountID,
		Region:    region,
		Links:     links,
	}
}

// alarmSeverity maps a state to a severity. landfall's alarms are security
// signals (root use, IAM changes, ...), so ALARM is high; recovery is info.
func alarmSeverity(state string) string {
	switch state {
	case alarmStateAlarm:
		return SeverityHigh
	case alarmStateInsufficient:
		return SeverityLow
	}
	return SeverityInfo
}

func alarmAdvice(state string, haveRecords bool) []string {
	switch state {
	case alarmStateAlarm:
		who := "Find who acted: open the CloudTrail event history link below."
		if haveRecords {
			who = "Check the CloudTrail records above: is the principal, source IP and time expected?"
		}
		return []string{
			who,
			"If it was expected (a planned change), note it and no action is needed.",
			"If not, treat it as a security incident: disable the credentials involved and review recent activity in the account.",
		}
	case alarmStateInsufficient:
		return []string{"The metric has no data. Check that CloudTrail still delivers to CloudWatch Logs and that the metric filter exists."}
	}
	return []string{"No action needed: the alarm has returned to OK."}
}

// describe renders the trigger as "Namespace/Metric Sum >= 1 for 1 x 300s".
func (t AlarmTrigger) describe() string {
	metric := t.MetricName
	if metric == "" {
		if len(t.Metrics) == 0 {
			return ""
		}
		metric = "metric math expression"
	} else if t.Namespace != "" {
		metric = t.Namespace + "/" + metric
	}
	parts := []string{metric}
	if t.Statistic != "" {
		parts = append(parts, strings.ToLower(t.Statistic))
	}
	op := comparisonSymbol(t.ComparisonOperator)
	parts = append(parts, op, strconv.FormatFloat(t.Threshold, 'f', -1, 64))
	if t.Period > 0 && t.EvaluationPeriods > 0 {
		parts = append(parts, fmt.Sprintf("for %d x %ds", t.EvaluationPeriods, t.Period))
	}
	return strings.Join(parts, " ")
}

func comparisonSymbol(op string) string {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return ">="
	case "GreaterThanThreshold":
		return ">"
	case "LessThanThreshold":
		return "<"
	case "LessThanOrEqualToThreshold":
		return "<="
	}
	return op
}

// regionLabel renders "us-east-1 (US East (N. Virginia))" when both are
// known and differ.
func regionLabel(code, name string) string {
	name = strings.TrimSpace(name)
	switch {
	case code == "":
		return name
	case name == "" || strings.EqualFold(name, code):
		return code
	}
	return code + " (" + name + ")"
}
