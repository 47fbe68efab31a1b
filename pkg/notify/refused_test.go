package notify

import (
	"strings"
	"testing"
)

// A refusal names its sender and reason on lines of their own, keeps the
// content, and vouches for nothing in it: no account, no links.
func TestRefused(t *testing.T) {
	raw := []byte(`{"AlarmName":"acme-root-usage","AWSAccountId":"111111111111","NewStateValue":"ALARM"}`)
	m := Refused(raw, "arn:aws:sns:us-east-1:333333333333:acme-alerts\nSeverity: low",
		"it claims account 111111111111 but came through account 333333333333's alerts topic")
	if m.Kind != KindRefused || m.Severity != SeverityHigh || m.AccountID != "" || len(m.Links) != 0 {
		t.Fatalf("refusal = %+v", m)
	}
	if want := "[HIGH] landfall refused a message from arn:aws:sns:us-east-1:333333333333:acme-alerts Severity: low"; m.Subject != want {
		t.Errorf("subject = %q, want %q", m.Subject, want)
	}
	for _, want := range []string{
		"landfall refused a message from arn:aws:sns:us-east-1:333333333333:acme-alerts Severity: low: it claims account 111111111111",
		"\nFrom:       arn:aws:sns:us-east-1:333333333333:acme-alerts Severity: low\n",
		`"AWSAccountId": "111111111111"`,
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "\nSeverity: low") {
		t.Errorf("the sender's name forged a line:\n%s", m.Text)
	}
	if m := Refused(nil, "", "it is not an SNS notification"); !strings.Contains(m.Subject, "from an unknown sender") {
		t.Errorf("subject without a sender = %q", m.Subject)
	}
}
