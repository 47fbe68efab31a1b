package alarms

import (
	"errors"
	"strings"
	"testing"
)

func TestWithOverrides(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	i := func(v int32) *int32 { return &v }
	tests := []struct {
		name    string
		id      string
		o       Overrides
		want    func(Alarm) bool // checked only when wantErr is empty
		wantErr string
		wantIs  error
	}{
		{"no overrides keeps the entry", "CloudWatch.5", Overrides{}, func(a Alarm) bool { return a.Threshold == 1 && a.Period == 300 && a.EvaluationPeriods == 1 }, "", nil},
		{"threshold on a Sum alarm", "CloudWatch.10", Overrides{Threshold: f(5)}, func(a Alarm) bool { return a.Threshold == 5 }, "", nil},
		{"period and evaluation periods", "CloudWatch.5", Overrides{Period: i(3600), EvaluationPeriods: i(3)}, func(a Alarm) bool { return a.Period == 3600 && a.EvaluationPeriods == 3 }, "", nil},
		{"period on an always-on alarm", "CloudWatch.1", Overrides{Period: i(60)}, func(a Alarm) bool { return a.Period == 60 && a.Threshold == 1 }, "", nil},
		{"threshold on an always-on alarm", "CloudWatch.1", Overrides{Threshold: f(3)}, nil, "always on", ErrAlwaysOn},
		{"threshold on an Average alarm", "CloudWatch.2", Overrides{Threshold: f(2)}, nil, "Average", nil},
		{"threshold below one", "CloudWatch.10", Overrides{Threshold: f(0)}, nil, "at least 1", nil},
		{"sub-minute period", "CloudWatch.10", Overrides{Period: i(30)}, nil, "multiple of 60", nil},
		{"negative period", "CloudWatch.10", Overrides{Period: i(-60)}, nil, "multiple of 60", nil},
		{"zero evaluation periods", "CloudWatch.10", Overrides{EvaluationPeriods: i(0)}, nil, "less than 1", nil},
		{"window over one day", "CloudWatch.10", Overrides{Period: i(3600), EvaluationPeriods: i(25)}, nil, "more than one day", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, ok := ByID(tt.id)
			if !ok {
				t.Fatalf("ByID(%q) not found", tt.id)
			}
			got, err := base.WithOverrides(tt.o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.id) {
					t.Fatalf("WithOverrides error = %v, want one naming %s and containing %q", err, tt.id, tt.wantErr)
				}
				if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
					t.Errorf("WithOverrides error = %v, want it to wrap %v", err, tt.wantIs)
				}
				return
			}
			if err != nil {
				t.Fatalf("WithOverrides: %v", err)
			}
			if !tt.want(got) {
				t.Errorf("WithOverrides(%+v) = %+v", tt.o, got)
			}
			if got.FilterPattern != base.FilterPattern || got.ID != base.ID {
				t.Error("WithOverrides changed the filter or identity")
			}
		})
	}
}
