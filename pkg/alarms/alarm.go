package alarms

import (
	"errors"
	"fmt"
	"strings"
)

// Alarm is one metric filter on the CloudTrail log group and the alarm on the
// metric it publishes.
type Alarm struct {
	ID            string // Security Hub control ID ("CloudWatch.1"), or "CIS.4.15"
	Key           string // stable slug used in resource names ("root-usage")
	Title         string
	FilterPattern string // verbatim as Security Hub publishes it

	MetricNamespace string
	MetricName      string
	MetricValue     string // the metric transformation's value: "1" per match
	// Dimensions select the metric's series; the catalogue's filters publish
	// none, an alarm on a service's own metric (a queue's depth) needs them.
	Dimensions map[string]string

	Statistic          Statistic
	Period             int32 // seconds
	EvaluationPeriods  int32
	Threshold          float64
	ComparisonOperator string
	TreatMissingData   string

	Severity Severity
	// AlwaysOn alarms guard the account itself (root, IAM, console access);
	// configuration may tune them but never disable them.
	AlwaysOn    bool
	Explanation string // what happened, in one line a person understands
	Runbook     string // what to do next, in one line
}

// Statistic is the CloudWatch statistic an alarm evaluates; the values are
// the CloudWatch API's.
type Statistic string

const (
	StatisticSum     Statistic = "Sum"
	StatisticAverage Statistic = "Average"
	StatisticMaximum Statistic = "Maximum"
)

// Severity orders alarms for notification routing and formatting.
type Severity string

const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// DefaultNamespace is the metric namespace of every catalogue entry.
//
// CIS examples use "CISBenchmark" and the Security Hub remediation text uses
// "LogMetrics", but Security Hub checks only the filter pattern, the alarm and
// its SNS subscription, never the namespace. A landfall-owned namespace keeps
// landfall's metrics apart from those an existing CIS deployment (Control
// Tower customisations, LZA, terraform baselines) already publishes under the
// conventional names, so two tools never feed or alarm on each other's data
// and ownership is obvious in the console.
const DefaultNamespace = "LandfallCIS"

const (
	// Security Hub remediation: alarm on at least one event in five minutes.
	defaultPeriod            = 300
	defaultEvaluationPeriods = 1
	defaultThreshold         = 1
	greaterOrEqual           = "GreaterThanOrEqualToThreshold"
	// Most five-minute windows have no matching event; that is healthy.
	notBreaching = "notBreaching"
)

// ErrUnknownAlarm and ErrAlwaysOn are wrapped by the errors of Select and
// WithOverrides, so configuration validation can tell the cases apart.
var (
	ErrUnknownAlarm = errors.New("no such alarm in the catalogue")
	ErrAlwaysOn     = errors.New("alarm is always on")
)

// All returns the catalogue in its fixed order. The slice is a fresh copy the
// caller may modify.
func All() []Alarm {
	entries := catalogue()
	for i := range entries {
		entries[i].MetricNamespace = DefaultNamespace
		entries[i].MetricValue = "1"
		entries[i].Period = defaultPeriod
		entries[i].EvaluationPeriods = defaultEvaluationPeriods
		entries[i].Threshold = defaultThreshold
		entries[i].ComparisonOperator = greaterOrEqual
		entries[i].TreatMissingData = notBreaching
	}
	return entries
}

// Names are the names an organization gives landfall's own resources,
// which the alarm on the alert path (Landfall.1) watches by name.
type Names struct {
	ExecutionRole  string // the role landfall changes accounts through
	AlarmPrefix    string // what every catalogue alarm's name begins with
	TrailLogGroup  string
	AlertsTopic    string
	FindingsRule   string
	AlertsKeyAlias string // "alias/..."
	TrailKeyAlias  string
}

// Named returns the alarm with the names of landfall's resources filled
// into its filter pattern; the CIS entries have none and come back as
// they are.
func (a Alarm) Named(n Names) Alarm {
	a.FilterPattern = strings.NewReplacer(
		"${executionRole}", n.ExecutionRole, "${alarmPrefix}", n.AlarmPrefix, "${trailLogGroup}", n.TrailLogGroup,
		"${alertsTopic}", n.AlertsTopic, "${findingsRule}", n.FindingsRule,
		"${alertsKeyAlias}", n.AlertsKeyAlias, "${trailKeyAlias}", n.TrailKeyAlias,
	).Replace(a.FilterPattern)
	return a
}

// ByID returns the alarm whose ID or Key is id.
func ByID(id string) (Alarm, bool) {
	for _, a := range All() {
		if a.ID == id || a.Key == id {
			return a, true
		}
	}
	return Alarm{}, false
}

// Select returns the catalogue without the disabled alarms, named by ID or
// Key, in catalogue order. Naming an unknown alarm or an always-on one is an
// error; every offending name is reported, joined.
func Select(disabled []string) ([]Alarm, error) {
	off := make(map[string]bool, len(disabled))
	var errs []error
	for _, id := range disabled {
		a, ok := ByID(id)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("disabling alarm (%s): %w", id, ErrUnknownAlarm))
		case a.AlwaysOn:
			errs = append(errs, fmt.Errorf("disabling alarm (%s): %w", id, ErrAlwaysOn))
		default:
			off[a.ID] = true
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var selected []Alarm
	for _, a := range All() {
		if !off[a.ID] {
			selected = append(selected, a)
		}
	}
	return selected, nil
}
