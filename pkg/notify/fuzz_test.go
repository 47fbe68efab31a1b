package notify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzFormat checks Format's contract on arbitrary input: no panic, a known
// kind and severity, a valid subject, a non-empty body, and encodable
// output. The seed corpus is every sample and test input.
func FuzzFormat(f *testing.F) {
	for _, c := range goldenCases() {
		f.Add(readFile(f, inputPath(c.input)))
	}
	trail, err := os.ReadFile(filepath.Join("testdata", "trail", "root-activity.json"))
	if err != nil {
		f.Fatalf("reading trail records: %v", err)
	}
	var records []TrailRecord
	if err := json.Unmarshal(trail, &records); err != nil {
		f.Fatalf("decoding trail records: %v", err)
	}
	ctx := Context{AccountNames: sampleAccountNames(), Records: records}
	kinds := []string{KindAlarm, KindGuardDuty, KindBudget, KindPipeline, KindUnknown}
	severities := []string{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo}

	f.Fuzz(func(t *testing.T, raw []byte) {
		m := Format(raw, ctx)
		if !slices.Contains(kinds, m.Kind) {
			t.Errorf("kind %q", m.Kind)
		}
		if !slices.Contains(severities, m.Severity) {
			t.Errorf("severity %q", m.Severity)
		}
		checkSubject(t, m.Subject, m.Severity)
		if m.Text == "" {
			t.Error("empty text")
		}
		if _, err := m.JSON(); err != nil {
			t.Errorf("JSON(): %v", err)
		}
		if _, err := m.Slack(); err != nil {
			t.Errorf("Slack(): %v", err)
		}
		if _, err := m.Teams(); err != nil {
			t.Errorf("Teams(): %v", err)
		}
	})
}
