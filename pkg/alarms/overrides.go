package alarms

import (
	"fmt"
	"math"
)

// Overrides tunes one alarm for one account (for example from account tags).
// A nil field keeps the catalogue value.
type Overrides struct {
	Threshold         *float64
	Period            *int32 // seconds
	EvaluationPeriods *int32
}

// maxEvaluationWindow bounds Period × EvaluationPeriods. CloudWatch allows
// longer windows only for periods of an hour or more; one day is the limit
// that holds for every period, and longer windows defeat the point of a
// security alarm anyway.
const maxEvaluationWindow = 24 * 60 * 60

// WithOverrides returns a copy of the alarm with the overrides applied, or an
// error naming the alarm and the first value that cannot be used.
//
// Threshold cannot be overridden on always-on alarms (a high threshold would
// silence them, which is disabling by another name) nor on Average alarms:
// every matching event publishes 1, so the average of any period with data is
// exactly 1 and a threshold above 1 could never fire.
func (a Alarm) WithOverrides(o Overrides) (Alarm, error) {
	if o.Threshold != nil {
		t := *o.Threshold
		switch {
		case a.AlwaysOn:
			return Alarm{}, fmt.Errorf("overriding threshold of alarm (%s): %w", a.ID, ErrAlwaysOn)
		case a.Statistic == StatisticAverage:
			return Alarm{}, fmt.Errorf("overriding threshold of alarm (%s): the Average of a count metric is always 1", a.ID)
		case math.IsNaN(t) || math.IsInf(t, 0) || t < 1:
			return Alarm{}, fmt.Errorf("overriding threshold of alarm (%s): %v is not a number of events of at least 1", a.ID, t)
		}
		a.Threshold = t
	}
	if o.Period != nil {
		// Metric filters publish standard-resolution metrics, so sub-minute
		// periods would leave the alarm in INSUFFICIENT_DATA.
		if p := *o.Period; p <= 0 || p%60 != 0 {
			return Alarm{}, fmt.Errorf("overriding period of alarm (%s): %d is not a positive multiple of 60 seconds", a.ID, p)
		}
		a.Period = *o.Period
	}
	if o.EvaluationPeriods != nil {
		if n := *o.EvaluationPeriods; n < 1 {
			return Alarm{}, fmt.Errorf("overriding evaluation periods of alarm (%s): %d is less than 1", a.ID, n)
		}
		a.EvaluationPeriods = *o.EvaluationPeriods
	}
	if window := int64(a.Period) * int64(a.EvaluationPeriods); window > maxEvaluationWindow {
		return Alarm{}, fmt.Errorf("overriding alarm (%s): period × evaluation periods is %d seconds, more than one day", a.ID, window)
	}
	return a, nil
}
