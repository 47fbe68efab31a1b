package awslocal

// CloudWatch data points and alarm evaluation: PutMetricData, SetAlarmState,
// the evaluation of metric alarms and their state-change actions. See the
// header of svc_cloudwatch.go for the documentation followed.

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	maxMetricData   = 1000
	maxDatumAge     = 14 * 24 * time.Hour
	maxDatumFuture  = 2 * time.Hour
	maxReasonLength = 1023
)

func seriesKey(namespace, name string, dims map[string]string) string {
	parts := []string{namespace, name}
	for _, k := range sortedKeys(dims) {
		parts = append(parts, k+"="+dims[k])
	}
	return strings.Join(parts, "\x00")
}

func (al *metricAlarm) seriesKey() string {
	dims := map[string]string{}
	for _, d := range al.Dimensions {
		dims[d.Name] = d.Value
	}
	return seriesKey(al.Namespace, al.MetricName, dims)
}

// storeDatum records a data point and re-evaluates the alarms on its metric.
func (s *Server) storeDatum(a *account, region, namespace, name string, dims map[string]string, p metricPoint) {
	st := cwIn(a, region)
	key := seriesKey(namespace, name, dims)
	ser, ok := st.series[key]
	if !ok {
		ser = &metricSeries{}
		st.series[key] = ser
	}
	ser.Points = append(ser.Points, p)
	for _, n := range sortedKeys(st.alarms) {
		if al := st.alarms[n]; al.seriesKey() == key {
			s.evaluateAlarm(a.ID, region, al)
		}
	}
}

// datumTime reads a datum's Timestamp as each protocol sends it; a datum
// without one is timed when it arrives.
func datumTime(d doc, now time.Time, member int) (time.Time, error) {
	switch v := d["Timestamp"].(type) {
	case nil:
		return now, nil
	case time.Time: // RPC v2 CBOR
		return v.UTC(), nil
	case float64: // AWS JSON: epoch seconds
		return time.UnixMilli(int64(v * 1000)).UTC(), nil
	case string: // query: ISO 8601
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, cwInvalidValue("The parameter MetricData.member.%d.Timestamp is not a timestamp.", member)
}

func cwPutMetricData(c *call) (doc, error) {
	ns := str(c.in, "Namespace")
	if ns == "" || len(ns) > 255 || strings.HasPrefix(ns, "AWS/") || strings.HasPrefix(ns, ":") {
		return nil, cwInvalidValue("The value %s for parameter Namespace is invalid.", ns)
	}
	data := list(c.in, "MetricData")
	if len(data) == 0 || len(data) > maxMetricData {
		return nil, cwError(400, "MissingRequiredParameterException", "MissingParameter", "The parameter MetricData must contain between 1 and %d items.", maxMetricData)
	}
	now := c.srv.now()
	type pending struct {
		name string
		dims map[string]string
		p    metricPoint
	}
	var points []pending
	for i, d := range data {
		name := str(d, "MetricName")
		if name == "" || len(name) > 255 {
			return nil, cwError(400, "MissingRequiredParameterException", "MissingParameter", "The parameter MetricData.member.%d.MetricName is required.", i+1)
		}
		dl, err := cwDimensions(d, "Dimensions")
		if err != nil {
			return nil, err
		}
		dims := map[string]string{}
		for _, x := range dl {
			dims[x.Name] = x.Value
		}
		t, err := datumTime(d, now, i+1)
		if err != nil {
			return nil, err
		}
		if t.Before(now.Add(-maxDatumAge)) || t.After(now.Add(maxDatumFuture)) {
			return nil, cwInvalidValue("The parameter MetricData.member.%d.Timestamp must specify a time no more than two weeks in the past or two hours in the future.", i+1)
		}
		p, err := datumPoint(d, i+1)
		if err != nil {
			return nil, err
		}
		p.Time = t
		points = append(points, pending{name, dims, p})
	}
	// Validate the whole request before storing any of it, as AWS does.
	for _, p := range points {
		c.srv.storeDatum(c.account, c.region, ns, p.name, p.dims, p.p)
	}
	return doc{}, nil
}

// datumPoint reads Value, StatisticValues, or Values/Counts (exactly one).
// valuePoint is one data point: the value v, observed at.
func valuePoint(at time.Time, v float64) metricPoint {
	return metricPoint{Time: at, Count: 1, Sum: v, Min: v, Max: v, Values: []float64{v}}
}

func datumPoint(d doc, member int) (metricPoint, error) {
	v, hasValue := num(d, "Value")
	set := obj(d, "StatisticValues")
	values := d["Values"]
	given := 0
	for _, b := range []bool{hasValue, set != nil, values != nil} {
		if b {
			given++
		}
	}
	if given != 1 {
		return metricPoint{}, cwCombination("The parameters MetricData.member.%d.Value, MetricData.member.%d.StatisticValues and MetricData.member.%d.Values are mutually exclusive and you must specify exactly one of them.", member, member, member)
	}
	switch {
	case hasValue:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return metricPoint{}, cwInvalidValue("The value for parameter MetricData.member.%d.Value is invalid.", member)
		}
		return metricPoint{Count: 1, Sum: v, Min: v, Max: v, Values: []float64{v}}, nil
	case set != nil:
		n, ok1 := num(set, "SampleCount")
		sum, ok2 := num(set, "Sum")
		lo, ok3 := num(set, "Minimum")
		hi, ok4 := num(set, "Maximum")
		if !ok1 || !ok2 || !ok3 || !ok4 || n <= 0 || lo > hi {
			return metricPoint{}, cwInvalidValue("The parameter MetricData.member.%d.StatisticValues is invalid.", member)
		}
		return metricPoint{Count: n, Sum: sum, Min: lo, Max: hi}, nil
	}
	vals, _ := values.([]any)
	counts, _ := d["Counts"].([]any)
	if len(vals) == 0 || counts != nil && len(counts) != len(vals) {
		return metricPoint{}, cwCombination("The parameters MetricData.member.%d.Values and MetricData.member.%d.Counts must be of the same size.", member, member)
	}
	p := metricPoint{Min: math.Inf(1), Max: math.Inf(-1)}
	for i, x := range vals {
		f, _ := x.(float64)
		n := 1.0
		if counts != nil {
			n, _ = counts[i].(float64)
		}
		p.Count += n
		p.Sum += f * n
		p.Min, p.Max = math.Min(p.Min, f), math.Max(p.Max, f)
		for range int(n) {
			p.Values = append(p.Values, f)
		}
	}
	return p, nil
}

func cwSetAlarmState(c *call) (doc, error) {
	st := cwOf(c)
	al, ok := st.alarms[str(c.in, "AlarmName")]
	if !ok {
		return nil, cwAlarmNotFound("Alarm %s not found", str(c.in, "AlarmName"))
	}
	value, reason, data := str(c.in, "StateValue"), str(c.in, "StateReason"), str(c.in, "StateReasonData")
	switch {
	case value != "OK" && value != "ALARM" && value != "INSUFFICIENT_DATA":
		return nil, cwValidation("1 validation error detected: Value '%s' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]", value)
	case reason == "" || len(reason) > maxReasonLength:
		return nil, cwValidation("1 validation error detected: Value at 'stateReason' failed to satisfy constraint: Member must have length between 1 and %d", maxReasonLength)
	case data != "" && !json.Valid([]byte(data)):
		return nil, cwError(400, "InvalidFormatFault", "InvalidFormat", "StateReasonData is not valid JSON.")
	}
	c.srv.transition(c.account.ID, c.region, al, value, reason, data)
	c.srv.scheduleEvaluation(c.account.ID, c.region, al)
	return doc{}, nil
}

// periodValue aggregates the points in [from, from+period) by statistic;
// ok is false when the period has no data.
func (al *metricAlarm) periodValue(points []metricPoint, from time.Time) (float64, bool) {
	to := from.Add(time.Duration(al.Period) * time.Second)
	var agg metricPoint
	agg.Min, agg.Max = math.Inf(1), math.Inf(-1)
	for _, p := range points {
		if p.Time.Before(from) || !p.Time.Before(to) {
			continue
		}
		agg.Count += p.Count
		agg.Sum += p.Sum
		agg.Min, agg.Max = math.Min(agg.Min, p.Min), math.Max(agg.Max, p.Max)
		agg.Values = append(agg.Values, p.Values...)
	}
	if agg.Count == 0 {
		return 0, false
	}
	switch al.Statistic {
	case "Sum":
		return agg.Sum, true
	case "SampleCount":
		return agg.Count, true
	case "Average":
		return agg.Sum / agg.Count, true
	case "Minimum":
		return agg.Min, true
	case "Maximum":
		return agg.Max, true
	}
	return percentile(agg.Values, al.ExtendedStatistic)
}

// percentile is the nearest-rank percentile of raw values ("p99").
func percentile(values []float64, stat string) (float64, bool) {
	p, err := strconv.ParseFloat(strings.TrimPrefix(stat, "p"), 64)
	if err != nil || len(values) == 0 {
		return 0, false
	}
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1], true
}

func (al *metricAlarm) breaches(v float64) bool {
	switch al.Comparison {
	case "GreaterThanOrEqualToThreshold":
		return v >= al.Threshold
	case "GreaterThanThreshold":
		return v > al.Threshold
	case "LessThanThreshold":
		return v < al.Threshold
	}
	return v <= al.Threshold
}

// evaluatedPoint is one period of an evaluation, newest first.
type evaluatedPoint struct {
	start   time.Time
	value   float64
	present bool
}

// evaluateAlarm computes the alarm's state from the last EvaluationPeriods
// periods (the newest being the one now falls in), moves it if it changed,
// and schedules the next evaluation at the next period boundary.
func (s *Server) evaluateAlarm(accountID, region string, al *metricAlarm) {
	defer s.scheduleEvaluation(accountID, region, al)
	period := time.Duration(al.Period) * time.Second
	newest := s.now().Truncate(period)
	var points []metricPoint
	if ser := cwIn(s.accounts[accountID], region).series[al.seriesKey()]; ser != nil {
		points = ser.Points
	}
	evaluated := make([]evaluatedPoint, al.EvaluationPeriods)
	present, breaching := 0, 0
	for i := range evaluated {
		start := newest.Add(-time.Duration(i) * period)
		v, ok := al.periodValue(points, start)
		evaluated[i] = evaluatedPoint{start: start, value: v, present: ok}
		if ok {
			present++
			if al.breaches(v) {
				breaching++
			}
		}
	}
	missing := al.EvaluationPeriods - present
	treat := al.TreatMissing
	if treat == "" {
		treat = "missing"
	}
	var next string
	switch {
	case present == 0 && treat == "ignore":
		return
	case present == 0 && treat == "missing":
		next = "INSUFFICIENT_DATA"
	case treat == "breaching" && breaching+missing >= al.M, breaching >= al.M:
		next = "ALARM"
	default:
		next = "OK"
	}
	if next == al.State {
		return
	}
	s.transition(accountID, region, al, next, stateReason(al, next, evaluated, treat), stateReasonData(al, s.now(), evaluated))
}

// scheduleEvaluation makes sure a job evaluates the alarm at the next
// period boundary, so missing data moves it even when no data arrives.
func (s *Server) scheduleEvaluation(accountID, region string, al *metricAlarm) {
	if al.evalScheduled {
		return
	}
	al.evalScheduled = true
	period := time.Duration(al.Period) * time.Second
	now := s.now()
	s.afterLocked(now.Truncate(period).Add(period).Sub(now), func() {
		al.evalScheduled = false
		a := s.accounts[accountID]
		if a == nil || cwIn(a, region).alarms[al.Name] != al {
			return // deleted or replaced
		}
		s.evaluateAlarm(accountID, region, al)
	})
}
