package awslocal

// CloudWatch metrics and alarms (Smithy RPC v2 CBOR, signing name
// "monitoring", query-compatible error codes), regional. Operations and the
// CloudWatch API Reference pages followed
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/):
//
//	PutMetricAlarm       API_PutMetricAlarm.html
//	DescribeAlarms       API_DescribeAlarms.html
//	DeleteAlarms         API_DeleteAlarms.html
//	SetAlarmState        API_SetAlarmState.html
//	EnableAlarmActions   API_EnableAlarmActions.html
//	DisableAlarmActions  API_DisableAlarmActions.html
//	PutMetricData        API_PutMetricData.html
//	TagResource          API_TagResource.html
//	ListTagsForResource  API_ListTagsForResource.html
//
// Alarm evaluation follows "Using Amazon CloudWatch alarms" and "Configuring
// how CloudWatch alarms treat missing data" in the CloudWatch User Guide;
// the SNS message follows the alarm notification format AWS publishes.
//
// Known differences from AWS: no metric-math (Metrics) or anomaly-detection
// alarms, no composite alarms; Unit is stored but data points are not
// filtered by unit; evaluation includes the current, still open period (so
// a data point moves the alarm at once) and runs at period boundaries when
// a request or Tick arrives, so a jump of the clock over several periods
// yields one transition rather than one per period; with missing data
// treated as "missing" or "ignore", present data points decide the state on
// their own (AWS may look back beyond the evaluation range); only SNS alarm
// actions are delivered; there is no alarm history.

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

type cwState struct {
	alarms map[string]*metricAlarm // by name
	series map[string]*metricSeries
}

// metricSeries is every data point of one metric (namespace, name and
// dimensions), in arrival order.
type metricSeries struct {
	Points []metricPoint
}

// metricPoint is one data point or statistic set.
type metricPoint struct {
	Time                 time.Time
	Count, Sum, Min, Max float64
	Values               []float64 // individual values, for percentiles
}

type metricAlarm struct {
	Name, Namespace, MetricName        string
	Description                        *string
	ActionsEnabled                     bool
	OKActions, AlarmActions, InsufActs []string
	Statistic, ExtendedStatistic, Unit string
	Dimensions                         []metricDimension
	Period, EvaluationPeriods, M       int
	Threshold                          float64
	Comparison, TreatMissing, LowCount string
	Tags                               map[string]string

	State, StateReason, StateReasonData string
	StateUpdated, ConfigUpdated         time.Time
	evalScheduled                       bool
}

type metricDimension struct{ Name, Value string }

func cwOf(c *call) *cwState { return cwIn(c.account, c.region) }

func cwIn(a *account, region string) *cwState {
	return state(a, "monitoring/"+region, func() *cwState {
		return &cwState{alarms: map[string]*metricAlarm{}, series: map[string]*metricSeries{}}
	})
}

func registerCloudWatch(s *Server) {
	s.register(&service{
		name: "monitoring", protocol: cborProtocol{},
		alternates: []protocol{jsonProtocol{version: "1.0", queryCompatible: true}, queryProtocol{}},
		xmlns:      "http://monitoring.amazonaws.com/doc/2010-08-01/",
		throttle:   *statusErrorf(http.StatusBadRequest, "Throttling", "Rate exceeded"),
		unknownOp:  "UnknownOperationException",
		ops: map[string]handler{
			"PutMetricAlarm": cwPutMetricAlarm, "DescribeAlarms": cwDescribeAlarms, "DeleteAlarms": cwDeleteAlarms,
			"SetAlarmState": cwSetAlarmState, "EnableAlarmActions": cwEnableAlarmActions,
			"DisableAlarmActions": cwDisableAlarmActions, "PutMetricData": cwPutMetricData,
			"TagResource": cwTagResource, "ListTagsForResource": cwListTagsForResource,
		},
	})
	s.hooks.putMetric = func(accountID, region string, m metricDatum) {
		a := s.accounts[accountID]
		if a == nil {
			return
		}
		s.storeDatum(a, region, m.Namespace, m.Name, m.Dimensions, valuePoint(m.Time, m.Value))
	}
}

// cwError builds a CloudWatch error: shape is the __type the SDK maps to a
// typed error, code the query-compatible code it surfaces.
func cwError(status int, shape, code, format string, args ...any) *APIError {
	e := statusErrorf(status, shape, format, args...)
	e.QueryCode = code
	return e
}

func cwValidation(format string, args ...any) error {
	return cwError(http.StatusBadRequest, "ValidationException", "ValidationError", format, args...)
}

func cwInvalidValue(format string, args ...any) error {
	return cwError(http.StatusBadRequest, "InvalidParameterValueException", "InvalidParameterValue", format, args...)
}

func cwCombination(format string, args ...any) error {
	return cwError(http.StatusBadRequest, "InvalidParameterCombinationException", "InvalidParameterCombination", format, args...)
}

func cwAlarmNotFound(format string, args ...any) error {
	return cwError(http.StatusNotFound, "ResourceNotFound", "ResourceNotFound", format, args...)
}

func alarmARN(account, region, name string) string {
	return "arn:aws:cloudwatch:" + region + ":" + account + ":alarm:" + name
}

var (
	cwStatistics  = []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum"}
	cwPercentile  = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,2})?|100)$`)
	cwComparisons = []string{"GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
	cwMissing     = []string{"breaching", "notBreaching", "ignore", "missing"}
	cwStates      = []string{"OK", "ALARM", "INSUFFICIENT_DATA"}
	cwActionARN   = regexp.MustCompile(`^arn:aws[a-z-]*:(sns|automate|lambda|ssm|ssm-incidents|swf|autoscaling|ec2):[a-z0-9-]*:\d*:.+$`)
)

const (
	maxAlarmActions  = 5
	maxAlarmsPerCall = 100
	maxDimensions    = 30
	maxAlarmWindow   = 7 * 24 * 3600 // seconds: Period x EvaluationPeriods
)

func cwDimensions(in doc, key string) ([]metricDimension, error) {
	var dims []metricDimension
	for _, d := range list(in, key) {
		name, value := str(d, "Name"), str(d, "Value")
		if name == "" || len(name) > 255 || value == "" || len(value) > 1024 {
			return nil, cwInvalidValue("A dimension name must have 1 to 255 characters and its value 1 to 1024.")
		}
		dims = append(dims, metricDimension{name, value})
	}
	if len(dims) > maxDimensions {
		return nil, cwInvalidValue("The collection Dimensions must not have a size greater than %d.", maxDimensions)
	}
	return dims, nil
}

func cwActions(in doc, key string) ([]string, error) {
	acts := strs(in, key)
	if len(acts) > maxAlarmActions {
		return nil, cwValidation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", lowerFirst(key), maxAlarmActions)
	}
	for _, a := range acts {
		if !cwActionARN.MatchString(a) {
			return nil, cwValidation("Invalid arn syntax: %s", a)
		}
	}
	return acts, nil
}

func cwPutMetricAlarm(c *call) (doc, error) {
	al, err := parseAlarm(c.in)
	if err != nil {
		return nil, err
	}
	st := cwOf(c)
	now := c.srv.now()
	al.ConfigUpdated = now
	if old, ok := st.alarms[al.Name]; ok {
		// An update keeps the state and tags; tags sent on update are ignored.
		al.State, al.StateReason, al.StateReasonData, al.StateUpdated = old.State, old.StateReason, old.StateReasonData, old.StateUpdated
		al.Tags = old.Tags
	} else {
		tags := tagList(c.in, "Tags")
		if err := checkCWTags(tags); err != nil {
			return nil, err
		}
		al.Tags = tags
		al.State, al.StateReason, al.StateUpdated = "INSUFFICIENT_DATA", "Unchecked: Initial alarm creation", now
	}
	st.alarms[al.Name] = al
	c.srv.evaluateAlarm(c.account.ID, c.region, al)
	return doc{}, nil
}

// parseAlarm validates a PutMetricAlarm request the way CloudWatch does.
func parseAlarm(in doc) (*metricAlarm, error) {
	name := str(in, "AlarmName")
	if name == "" || len(name) > 255 {
		return nil, cwValidation("1 validation error detected: Value at 'alarmName' failed to satisfy constraint: Member must have length between 1 and 255")
	}
	if has(in, "Metrics") || has(in, "ThresholdMetricId") {
		return nil, cwValidation("Metric math and anomaly detection alarms are not supported by the local endpoint.")
	}
	al := &metricAlarm{
		Name: name, Namespace: str(in, "Namespace"), MetricName: str(in, "MetricName"),
		ActionsEnabled: boolOr(in, "ActionsEnabled", true),
		Statistic:      str(in, "Statistic"), ExtendedStatistic: str(in, "ExtendedStatistic"), Unit: str(in, "Unit"),
		Period: intOr(in, "Period", 0), EvaluationPeriods: intOr(in, "EvaluationPeriods", 0),
		Comparison: str(in, "ComparisonOperator"), TreatMissing: str(in, "TreatMissingData"),
		LowCount: str(in, "EvaluateLowSampleCountPercentile"),
	}
	if has(in, "AlarmDescription") {
		d := str(in, "AlarmDescription")
		al.Description = &d
	}
	var err error
	if al.Dimensions, err = cwDimensions(in, "Dimensions"); err != nil {
		return nil, err
	}
	for key, dst := range map[string]*[]string{"OKActions": &al.OKActions, "AlarmActions": &al.AlarmActions, "InsufficientDataActions": &al.InsufActs} {
		if *dst, err = cwActions(in, key); err != nil {
			return nil, err
		}
	}
	switch {
	case al.Namespace == "" || al.MetricName == "":
		return nil, cwValidation("Namespace and MetricName must be specified for an alarm on a single metric.")
	case al.Statistic != "" && al.ExtendedStatistic != "":
		return nil, cwCombination("Statistic and ExtendedStatistic are mutually exclusive.")
	case al.Statistic == "" && al.ExtendedStatistic == "":
		return nil, cwCombination("One of Statistic or ExtendedStatistic must be specified.")
	case al.Statistic != "" && !slices.Contains(cwStatistics, al.Statistic):
		return nil, cwValidation("1 validation error detected: Value '%s' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set: %v", al.Statistic, cwStatistics)
	case al.ExtendedStatistic != "" && !cwPercentile.MatchString(al.ExtendedStatistic):
		return nil, cwInvalidValue("The value %s for parameter ExtendedStatistic is not supported.", al.ExtendedStatistic)
	case al.Period != 10 && al.Period != 30 && (al.Period <= 0 || al.Period%60 != 0):
		return nil, cwValidation("Period must be 10, 30 or a multiple of 60")
	case al.EvaluationPeriods < 1:
		return nil, cwValidation("1 validation error detected: Value '%d' at 'evaluationPeriods' failed to satisfy constraint: Member must have value greater than or equal to 1", al.EvaluationPeriods)
	case al.Period*al.EvaluationPeriods > maxAlarmWindow:
		return nil, cwValidation("The evaluation period (Period x EvaluationPeriods) must not exceed 604800 seconds (7 days).")
	case !has(in, "Threshold"):
		return nil, cwValidation("Threshold must be specified for a static threshold alarm.")
	case !slices.Contains(cwComparisons, al.Comparison):
		return nil, cwValidation("1 validation error detected: Value '%s' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: %v", al.Comparison, cwComparisons)
	case al.TreatMissing != "" && !slices.Contains(cwMissing, al.TreatMissing):
		return nil, cwValidation("The value %s is not valid for TreatMissingData. Valid values are %s.", al.TreatMissing, strings.Join(cwMissing, ", "))
	case al.LowCount != "" && (al.ExtendedStatistic == "" || al.LowCount != "evaluate" && al.LowCount != "ignore"):
		return nil, cwValidation("EvaluateLowSampleCountPercentile must be evaluate or ignore, and only applies to percentile alarms.")
	}
	al.Threshold, _ = num(in, "Threshold")
	al.M = intOr(in, "DatapointsToAlarm", al.EvaluationPeriods)
	if al.M < 1 || al.M > al.EvaluationPeriods {
		return nil, cwValidation("DatapointsToAlarm must be between 1 and EvaluationPeriods (%d).", al.EvaluationPeriods)
	}
	return al, nil
}

func cwDescribeAlarms(c *call) (doc, error) {
	names, prefix := strs(c.in, "AlarmNames"), str(c.in, "AlarmNamePrefix")
	if len(names) > 0 && prefix != "" {
		return nil, cwCombination("AlarmNames and AlarmNamePrefix cannot be specified together.")
	}
	stateValue := str(c.in, "StateValue")
	if stateValue != "" && !slices.Contains(cwStates, stateValue) {
		return nil, cwValidation("1 validation error detected: Value '%s' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: %v", stateValue, cwStates)
	}
	limit := intOr(c.in, "MaxRecords", 0)
	if has(c.in, "MaxRecords") && (limit < 1 || limit > 100) {
		return nil, cwValidation("1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value between 1 and 100", limit)
	}
	types := strs(c.in, "AlarmTypes")
	metricAlarms := len(types) == 0 || slices.Contains(types, "MetricAlarm")
	actionPrefix := str(c.in, "ActionPrefix")

	st := cwOf(c)
	var matched []*metricAlarm
	for _, n := range sortedKeys(st.alarms) {
		al := st.alarms[n]
		switch {
		case !metricAlarms, len(names) > 0 && !slices.Contains(names, n), !strings.HasPrefix(n, prefix),
			stateValue != "" && al.State != stateValue, actionPrefix != "" && !hasActionPrefix(al, actionPrefix):
			continue
		}
		matched = append(matched, al)
	}
	items, next, err := page(c.srv, matched, str(c.in, "NextToken"), limit, func() error {
		return cwError(http.StatusBadRequest, "InvalidNextToken", "InvalidNextToken", "The service returned an error with Error Code InvalidNextToken.")
	})
	if err != nil {
		return nil, err
	}
	out := doc{"MetricAlarms": anyList(items, func(al *metricAlarm) any { return alarmOut(c, al) }), "CompositeAlarms": []any{}}
	return withToken(out, "NextToken", next), nil
}

func hasActionPrefix(al *metricAlarm, prefix string) bool {
	for _, acts := range [][]string{al.OKActions, al.AlarmActions, al.InsufActs} {
		for _, a := range acts {
			if strings.HasPrefix(a, prefix) {
				return true
			}
		}
	}
	return false
}

func alarmOut(c *call, al *metricAlarm) doc {
	out := doc{
		"AlarmName": al.Name, "AlarmArn": alarmARN(c.account.ID, c.region, al.Name),
		"AlarmConfigurationUpdatedTimestamp": al.ConfigUpdated, "ActionsEnabled": al.ActionsEnabled,
		"OKActions": stringList(al.OKActions), "AlarmActions": stringList(al.AlarmActions),
		"InsufficientDataActions": stringList(al.InsufActs),
		"StateValue":              al.State, "StateReason": al.StateReason, "StateUpdatedTimestamp": al.StateUpdated,
		"StateTransitionedTimestamp": al.StateUpdated,
		"MetricName":                 al.MetricName, "Namespace": al.Namespace, "Period": al.Period,
		"Dimensions":        anyList(al.Dimensions, func(d metricDimension) any { return doc{"Name": d.Name, "Value": d.Value} }),
		"EvaluationPeriods": al.EvaluationPeriods, "DatapointsToAlarm": al.M, "Threshold": al.Threshold,
		"ComparisonOperator": al.Comparison,
	}
	for key, v := range map[string]string{
		"Statistic": al.Statistic, "ExtendedStatistic": al.ExtendedStatistic, "Unit": al.Unit,
		"TreatMissingData": al.TreatMissing, "EvaluateLowSampleCountPercentile": al.LowCount, "StateReasonData": al.StateReasonData,
	} {
		if v != "" {
			out[key] = v
		}
	}
	if al.Description != nil {
		out["AlarmDescription"] = *al.Description
	}
	return out
}

// alarmsByName resolves every name or fails with ResourceNotFound, so a
// call that names a missing alarm changes nothing (as DeleteAlarms does).
func alarmsByName(st *cwState, names []string) ([]*metricAlarm, error) {
	if len(names) == 0 || len(names) > maxAlarmsPerCall {
		return nil, cwValidation("1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length between 1 and %d", maxAlarmsPerCall)
	}
	out := make([]*metricAlarm, 0, len(names))
	for _, n := range names {
		al, ok := st.alarms[n]
		if !ok {
			return nil, cwAlarmNotFound("1 of the alarms in the request does not exist: %s", n)
		}
		out = append(out, al)
	}
	return out, nil
}

func cwDeleteAlarms(c *call) (doc, error) {
	st := cwOf(c)
	alarms, err := alarmsByName(st, strs(c.in, "AlarmNames"))
	if err != nil {
		return nil, err
	}
	for _, al := range alarms {
		delete(st.alarms, al.Name)
	}
	return doc{}, nil
}

func setActionsEnabled(c *call, enabled bool) (doc, error) {
	st := cwOf(c)
	names := strs(c.in, "AlarmNames")
	if len(names) > maxAlarmsPerCall {
		return nil, cwValidation("1 validation error detected: Value at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to %d", maxAlarmsPerCall)
	}
	// Names of alarms that do not exist are ignored, as CloudWatch does.
	for _, n := range names {
		if al, ok := st.alarms[n]; ok {
			al.ActionsEnabled = enabled
		}
	}
	return doc{}, nil
}

func cwEnableAlarmActions(c *call) (doc, error)  { return setActionsEnabled(c, true) }
func cwDisableAlarmActions(c *call) (doc, error) { return setActionsEnabled(c, false) }
