package notify

import (
	"strings"
	"testing"
)

// checkSubject reports every way s breaks the SNS subject rules or the
// severity-tag convention.
func checkSubject(t *testing.T, s, severity string) {
	t.Helper()
	if len(s) > maxSubjectLen {
		t.Errorf("subject has %d characters, limit %d: %q", len(s), maxSubjectLen, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			t.Errorf("subject has byte %#x at %d, want printable ASCII: %q", s[i], i, s)
			break
		}
	}
	if tag := "[" + strings.ToUpper(severity) + "] "; !strings.HasPrefix(s, tag) {
		t.Errorf("subject %q does not start with %q", s, tag)
	}
}

func TestSubjectsOfAllSamples(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			m := Format(readFile(t, inputPath(c.input)), c.context(t))
			checkSubject(t, m.Subject, m.Severity)
		})
	}
}

func TestSubject(t *testing.T) {
	tests := []struct {
		name     string
		severity string
		summary  string
		want     string
	}{
		{"short", SeverityHigh, "ALARM in prod: root-usage", "[HIGH] ALARM in prod: root-usage"},
		{"newlines and tabs collapse", SeverityInfo, "line one\r\n\tline two  ", "[INFO] line one line two"},
		{"accents fold, other runes become ?", SeverityLow, "São Paulo ☃ joão", "[LOW] Sao Paulo ? joao"},
		{"control characters become ?", SeverityMedium, "a\x00b\x1bc", "[MEDIUM] a?b?c"},
		{"exactly at the limit", SeverityInfo, strings.Repeat("x", 93), "[INFO] " + strings.Repeat("x", 93)},
		{"one over the limit", SeverityInfo, strings.Repeat("x", 94), "[INFO] " + strings.Repeat("x", 90) + "..."},
		{"cut does not leave a trailing space", SeverityInfo, strings.Repeat("x", 89) + " yyyyyyyyyy", "[INFO] " + strings.Repeat("x", 89) + "..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := subject(tt.severity, tt.summary)
			if got != tt.want {
				t.Errorf("subject() = %q, want %q", got, tt.want)
			}
			checkSubject(t, got, tt.severity)
		})
	}
}

func TestLongAlarmNameKeepsAccountInSubject(t *testing.T) {
	m := Format(readFile(t, inputPath("events/cloudwatch/alarm-long-name.json")), Context{AccountNames: sampleAccountNames()})
	if !strings.Contains(m.Subject, "sandbox-alice (777788889999)") {
		t.Errorf("subject %q lost the account when the alarm name was cut", m.Subject)
	}
	if !strings.HasSuffix(m.Subject, "...") || len(m.Subject) != maxSubjectLen {
		t.Errorf("subject %q (%d chars) should be cut to exactly %d with an ellipsis", m.Subject, len(m.Subject), maxSubjectLen)
	}
}
