package orgevents

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestIsAccountID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"123456789012", true},
		{"000000000000", true},
		{"12345678901", false},
		{"1234567890123", false},
		{"12345678901a", false},
		{"XXXXXXXXXXXX", false},
		{" 23456789012", false},
		{"１23456789012", false}, // a full-width digit is not ASCII
		{"", false},
	}
	for _, tt := range tests {
		if got := IsAccountID(tt.in); got != tt.want {
			t.Errorf("IsAccountID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRequestLogValue(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want map[string]any
	}{
		{
			name: "baseline",
			req:  Request{Action: ActionBaseline, Reason: ReasonAccountMoved, AccountID: "123456789012", EventID: "e-1", Source: SourceOrganizations, ToParentID: "ou-x"},
			want: map[string]any{"action": "baseline", "reason": "account-moved", "source": "aws.organizations", "accountId": "123456789012", "eventId": "e-1"},
		},
		{
			name: "sweep leaves empty fields out",
			req:  Request{Action: ActionSweep, Reason: ReasonScheduledSweep, Source: SourceScheduledRule},
			want: map[string]any{"action": "sweep", "reason": "scheduled-sweep", "source": "aws.events"},
		},
		{
			name: "failure",
			req:  Request{Action: ActionReportFailure, Reason: ReasonAccountCreated, Source: SourceOrganizations, FailureReason: "EMAIL_ALREADY_EXISTS"},
			want: map[string]any{"action": "report-failure", "reason": "account-created", "source": "aws.organizations", "failureReason": "EMAIL_ALREADY_EXISTS"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("decoded", "request", tt.req)
			var line struct {
				Request map[string]any `json:"request"`
			}
			if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
				t.Fatalf("parsing log line %s: %v", buf.Bytes(), err)
			}
			assertJSONEq(t, mustJSON(t, tt.want), mustJSON(t, line.Request))
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %T: %v", v, err)
	}
	return raw
}
