package alarms

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/filterpattern"
)

const samplesDir = "../../events/cloudtrail"

// sampleNames are the names the samples give landfall's resources: those
// of an organization with prefix acme (events/cloudtrail/SOURCES.md).
var sampleNames = Names{ExecutionRole: "acme-execution", AlarmPrefix: "acme-", TrailLogGroup: "acme-cloudtrail",
	AlertsTopic: "acme-alerts", FindingsRule: "acme-guardduty-findings", AlertsKeyAlias: "alias/acme-alerts", TrailKeyAlias: "alias/acme-cloudtrail"}

// expectedAlarms reads events/cloudtrail/expected/alarms.json: for every sample
// record, exactly which catalogue entries (by Key) must fire on it. File
// names say which alarm a sample was written for; the file is the contract,
// including the records that legitimately trigger more than one alarm
// (SOURCES.md says why). The end-to-end alert test reads the same file.
func expectedAlarms(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(samplesDir, "expected", "alarms.json"))
	if err != nil {
		t.Fatalf("reading the sample expectations: %v", err)
	}
	var m map[string][]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decoding the sample expectations: %v", err)
	}
	return m
}

func TestSamples(t *testing.T) {
	sampleExpectations := expectedAlarms(t)
	catalogue := All()
	patterns := make(map[string]*filterpattern.Pattern, len(catalogue))
	for _, a := range catalogue {
		p, err := filterpattern.Parse(a.Named(sampleNames).FilterPattern)
		if err != nil {
			t.Fatalf("parsing filter pattern of %s: %v", a.ID, err)
		}
		patterns[a.Key] = p
	}

	entries, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatalf("reading samples directory (%s): %v", samplesDir, err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := sampleExpectations[name]
			if !ok {
				t.Fatal("sample has no entry in expectedAlarms")
			}
			checkFileName(t, name, want)
			message := loadRecord(t, filepath.Join(samplesDir, name))
			var got []string
			for _, a := range catalogue {
				if patterns[a.Key].Match(message) {
					got = append(got, a.Key)
					if v, ok := patterns[a.Key].MetricValue(message, a.MetricValue); !ok || v != 1 {
						t.Errorf("%s publishes (%v, %v), want 1", a.Key, v, ok)
					}
				}
			}
			if !sameSet(got, want) {
				t.Errorf("alarms that fire = %v, want %v", got, want)
			}
		})
	}
	for name := range sampleExpectations {
		if !seen[name] {
			t.Errorf("expected sample %s is missing from %s", name, samplesDir)
		}
	}

	// Every catalogue entry needs a sample that fires it and a near miss.
	for _, a := range catalogue {
		var match, nomatch bool
		for name := range sampleExpectations {
			match = match || strings.HasPrefix(name, a.Key+".match.")
			nomatch = nomatch || strings.HasPrefix(name, a.Key+".nomatch.")
		}
		if !match || !nomatch {
			t.Errorf("%s (%s) lacks a match or nomatch sample", a.ID, a.Key)
		}
	}
}

// checkFileName keeps names and expectations consistent: a
// "<key>.match.<what>.json" sample must fire its alarm and a
// "<key>.nomatch.<what>.json" one must not.
func checkFileName(t *testing.T, name string, want []string) {
	t.Helper()
	parts := strings.SplitN(name, ".", 3)
	if len(parts) != 3 || (parts[1] != "match" && parts[1] != "nomatch") {
		t.Fatalf("name is not <alarm-key>.<match|nomatch>.<what>.json")
	}
	if _, ok := ByID(parts[0]); !ok {
		t.Fatalf("name starts with unknown alarm key %q", parts[0])
	}
	if fires := slices.Contains(want, parts[0]); fires != (parts[1] == "match") {
		t.Fatalf("name says %s for %s but expectedAlarms disagrees", parts[1], parts[0])
	}
}

// loadRecord reads a sample and compacts it to one line, the way CloudTrail
// delivers each record as one CloudWatch Logs event.
func loadRecord(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading sample (%s): %v", path, err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatalf("compacting sample (%s): %v", path, err)
	}
	return buf.String()
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
