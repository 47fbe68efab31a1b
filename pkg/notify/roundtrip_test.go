package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// roundTripDiff decodes raw into a fresh T, encodes it again and returns an
// error unless the result is the same JSON document (member order and
// spacing aside).
func roundTripDiff[T any](raw []byte) error {
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("decoding into %T: %w", v, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %T: %w", v, err)
	}
	var want, got any
	if err := json.Unmarshal(raw, &want); err != nil {
		return fmt.Errorf("decoding input generically: %w", err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		return fmt.Errorf("decoding output generically: %w", err)
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Errorf("round trip through %T changed the document\n got: %s\nwant: %s", v, out, raw)
	}
	return nil
}

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		input string
		check func([]byte) error
	}{
		{"events/cloudwatch/alarm-root-usage.json", roundTripDiff[AlarmNotification]},
		{"events/cloudwatch/alarm-iam-changes-ok.json", roundTripDiff[AlarmNotification]},
		{"events/cloudwatch/alarm-long-name.json", roundTripDiff[AlarmNotification]},
		{"events/guardduty/finding-low-root-credential-usage.json", roundTripDiff[GuardDutyEvent]},
		{"events/guardduty/finding-medium-malicious-ip-caller.json", roundTripDiff[GuardDutyEvent]},
		{"events/guardduty/finding-high-instance-credential-exfiltration.json", roundTripDiff[GuardDutyEvent]},
		{"events/guardduty/finding-high-cryptocurrency-instance.json", roundTripDiff[GuardDutyEvent]},
		{"events/sns/alarm-root-usage-notification.json", roundTripDiff[SNSNotification]},
		{"events/sns/budget-forecasted-notification.json", roundTripDiff[SNSNotification]},
		{"events/sns/guardduty-high-notification.json", roundTripDiff[SNSNotification]},
		{"events/sns/baseline-failed-notification.json", roundTripDiff[SNSNotification]},
		{"events/sns/unknown-health-event-notification.json", roundTripDiff[SNSNotification]},
		{"inputs/baseline-succeeded.json", roundTripDiff[BaselineResult]},
		{"inputs/baseline-succeeded-with-findings.json", roundTripDiff[BaselineResult]},
		{"inputs/baseline-skipped.json", roundTripDiff[BaselineResult]},
		{"inputs/baseline-failed.json", roundTripDiff[BaselineResult]},
		{"inputs/baseline-failed-terminal.json", roundTripDiff[BaselineResult]},
		{"inputs/account-creation-failed.json", roundTripDiff[AccountCreationFailed]},
		{"trail/root-activity.json", roundTripDiff[[]TrailRecord]},
		{"trail/console-login-no-mfa.json", roundTripDiff[[]TrailRecord]},
		{"trail/assumed-role-calls.json", roundTripDiff[[]TrailRecord]},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.input), func(t *testing.T) {
			if err := tt.check(readFile(t, inputPath(tt.input))); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRoundTripDetectsLoss proves the check can fail: a member the type does
// not model must be reported.
func TestRoundTripDetectsLoss(t *testing.T) {
	if err := roundTripDiff[BaselineFinding]([]byte(`{"item":"x","detail":"y","extra":1}`)); err == nil {
		t.Error("round trip of a document with an unmodelled member passed")
	}
}

func TestMalformedJSON(t *testing.T) {
	raw := []byte(`{"AlarmName": "x", "Trigger": {`)
	targets := []any{&AlarmNotification{}, &GuardDutyEvent{}, &SNSNotification{}, &BaselineResult{}, &AccountCreationFailed{}, &TrailRecord{}}
	for _, target := range targets {
		var syntaxErr *json.SyntaxError
		if err := json.Unmarshal(raw, target); !errors.As(err, &syntaxErr) {
			t.Errorf("decoding truncated JSON into %T: got %v, want *json.SyntaxError", target, err)
		}
	}
}
