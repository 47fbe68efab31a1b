package alarms

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/filterpattern"
)

func TestCatalogueEntries(t *testing.T) {
	slug := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	ids, keys, metrics := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, a := range All() {
		t.Run(a.ID, func(t *testing.T) {
			if _, err := filterpattern.Parse(a.Named(sampleNames).FilterPattern); err != nil {
				t.Errorf("FilterPattern does not parse: %v", err)
			}
			if ids[a.ID] || keys[a.Key] || metrics[a.MetricName] {
				t.Errorf("ID %q, Key %q or MetricName %q is not unique", a.ID, a.Key, a.MetricName)
			}
			ids[a.ID], keys[a.Key], metrics[a.MetricName] = true, true, true
			if !slug.MatchString(a.Key) {
				t.Errorf("Key %q is not a lower-case slug", a.Key)
			}
			if a.MetricNamespace != DefaultNamespace || a.MetricValue != "1" {
				t.Errorf("namespace %q value %q, want %q and 1", a.MetricNamespace, a.MetricValue, DefaultNamespace)
			}
			if a.Period != 300 || a.EvaluationPeriods != 1 || a.Threshold != 1 ||
				a.ComparisonOperator != "GreaterThanOrEqualToThreshold" || a.TreatMissingData != "notBreaching" {
				t.Errorf("alarm settings %d/%d/%v/%s/%s differ from the CIS remediation", a.Period, a.EvaluationPeriods, a.Threshold, a.ComparisonOperator, a.TreatMissingData)
			}
			if a.Title == "" || a.Explanation == "" || a.Runbook == "" || a.Severity == "" {
				t.Error("Title, Explanation, Runbook and Severity must be set")
			}
		})
	}
	if len(ids) != 16 {
		t.Errorf("catalogue has %d entries, want CloudWatch.1-14, CIS.4.15 and Landfall.1", len(ids))
	}
}

func TestCatalogueStatisticsAndAlwaysOn(t *testing.T) {
	// The Security Hub remediation asks for Average on these controls.
	wantAverage := []string{"CloudWatch.2", "CloudWatch.4", "CloudWatch.8", "CloudWatch.13", "CloudWatch.14"}
	wantAlwaysOn := []string{"CloudWatch.1", "CloudWatch.3", "CloudWatch.4", "CloudWatch.6", "Landfall.1"}
	var average, alwaysOn []string
	for _, a := range All() {
		if a.Statistic == StatisticAverage {
			average = append(average, a.ID)
		} else if a.Statistic != StatisticSum {
			t.Errorf("%s: statistic %q is neither Sum nor Average", a.ID, a.Statistic)
		}
		if a.AlwaysOn {
			alwaysOn = append(alwaysOn, a.ID)
		}
	}
	if !slices.Equal(average, wantAverage) {
		t.Errorf("Average alarms = %v, want %v", average, wantAverage)
	}
	if !slices.Equal(alwaysOn, wantAlwaysOn) {
		t.Errorf("always-on alarms = %v, want %v", alwaysOn, wantAlwaysOn)
	}
}

// Named fills in every name of landfall's own entry and leaves the CIS
// patterns, which Security Hub checks verbatim, as they are; with the
// longest names a config allows (a 24-character prefix, a 64-character
// execution role) the pattern stays within the 1,024 characters
// PutMetricFilter accepts (CloudWatch Logs API Reference).
func TestNamed(t *testing.T) {
	long := func(c byte, n int) string { return strings.Repeat(string(c), n) }
	p := long('p', 24)
	longest := Names{ExecutionRole: long('e', 64), AlarmPrefix: p + "-", TrailLogGroup: p + "-cloudtrail", AlertsTopic: p + "-alerts",
		FindingsRule: p + "-guardduty-findings", AlertsKeyAlias: "alias/" + p + "-alerts", TrailKeyAlias: "alias/" + p + "-cloudtrail"}
	for _, a := range All() {
		named := a.Named(longest)
		if a.ID != "Landfall.1" {
			if named.FilterPattern != a.FilterPattern {
				t.Errorf("%s: Named changed a CIS pattern: %s", a.ID, named.FilterPattern)
			}
			continue
		}
		if strings.Contains(named.FilterPattern, "${") {
			t.Errorf("%s: a name is left unfilled: %s", a.ID, named.FilterPattern)
		}
		for _, name := range []string{longest.ExecutionRole, longest.TrailLogGroup, longest.AlertsTopic, longest.FindingsRule, longest.AlertsKeyAlias, longest.TrailKeyAlias} {
			if !strings.Contains(named.FilterPattern, `"`+name+`"`) && !strings.Contains(named.FilterPattern, name+`/`) && !strings.Contains(named.FilterPattern, `:`+name) {
				t.Errorf("%s: the pattern does not name %s", a.ID, name)
			}
		}
		if n := len(named.FilterPattern); n > 1024 {
			t.Errorf("%s: the pattern with the longest names is %d characters, over the 1,024 CloudWatch Logs accepts", a.ID, n)
		}
		if _, err := filterpattern.Parse(named.FilterPattern); err != nil {
			t.Errorf("%s: %v", a.ID, err)
		}
	}
}

func TestAllReturnsACopy(t *testing.T) {
	first := All()
	first[0].FilterPattern = "changed"
	if All()[0].FilterPattern == "changed" {
		t.Fatal("modifying the result of All changed the catalogue")
	}
}

func TestByID(t *testing.T) {
	tests := []struct {
		id      string
		wantKey string
		wantOK  bool
	}{
		{"CloudWatch.1", "root-usage", true},
		{"root-usage", "root-usage", true},
		{"CIS.4.15", "organizations-changes", true},
		{"CloudWatch.99", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a, ok := ByID(tt.id)
			if ok != tt.wantOK || a.Key != tt.wantKey {
				t.Errorf("ByID(%q) = (%q, %v), want (%q, %v)", tt.id, a.Key, ok, tt.wantKey, tt.wantOK)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name      string
		disabled  []string
		wantCount int
		wantErrs  []error
	}{
		{"nothing disabled", nil, 16, nil},
		{"by id", []string{"CloudWatch.2"}, 15, nil},
		{"by key and id, repeated", []string{"vpc-changes", "CloudWatch.14", "CloudWatch.13"}, 14, nil},
		{"landfall's own", []string{"Landfall.1"}, 0, []error{ErrAlwaysOn}},
		{"unknown", []string{"CloudWatch.99"}, 0, []error{ErrUnknownAlarm}},
		{"always on", []string{"root-usage"}, 0, []error{ErrAlwaysOn}},
		{"every problem reported", []string{"CloudWatch.4", "nope", "CloudWatch.2"}, 0, []error{ErrAlwaysOn, ErrUnknownAlarm}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Select(tt.disabled)
			if len(tt.wantErrs) == 0 && err != nil {
				t.Fatalf("Select(%q): %v", tt.disabled, err)
			}
			for _, want := range tt.wantErrs {
				if !errors.Is(err, want) {
					t.Errorf("Select(%q) error %v, want it to wrap %v", tt.disabled, err, want)
				}
			}
			if len(got) != tt.wantCount {
				t.Fatalf("Select(%q) returned %d alarms, want %d", tt.disabled, len(got), tt.wantCount)
			}
			for _, a := range got {
				for _, d := range tt.disabled {
					if a.ID == d || a.Key == d {
						t.Errorf("Select(%q) kept disabled alarm %s", tt.disabled, a.ID)
					}
				}
			}
			if !slices.IsSortedFunc(got, func(x, y Alarm) int { return catalogueIndex(t, x.ID) - catalogueIndex(t, y.ID) }) {
				t.Errorf("Select(%q) is not in catalogue order", tt.disabled)
			}
		})
	}
}

func catalogueIndex(t *testing.T, id string) int {
	t.Helper()
	i := slices.IndexFunc(All(), func(a Alarm) bool { return a.ID == id })
	if i < 0 {
		t.Fatalf("alarm %s is not in the catalogue", id)
	}
	return i
}
