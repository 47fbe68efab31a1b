package notify

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestTrailRecordWho(t *testing.T) {
	tests := []struct {
		name          string
		record        string
		wantPrincipal string
		wantMFA       string
	}{
		{
			name:          "root console login without MFA",
			record:        `{"eventName":"ConsoleLogin","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root"},"additionalEventData":{"MFAUsed":"No"}}`,
			wantPrincipal: "root user, arn:aws:iam::111122223333:root, type Root",
			wantMFA:       "no",
		},
		{
			name:          "IAM user console login with MFA",
			record:        `{"userIdentity":{"type":"IAMUser","userName":"alice","arn":"arn:aws:iam::111122223333:user/alice"},"additionalEventData":{"MFAUsed":"Yes"}}`,
			wantPrincipal: "alice, arn:aws:iam::111122223333:user/alice, type IAMUser",
			wantMFA:       "yes",
		},
		{
			name: "assumed role with MFA session",
			record: `{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/admin/bob",` +
				`"sessionContext":{"sessionIssuer":{"type":"Role","userName":"admin"},"attributes":{"mfaAuthenticated":"true"}}}}`,
			wantPrincipal: "role admin, session bob, arn:aws:sts::111122223333:assumed-role/admin/bob, type AssumedRole",
			wantMFA:       "yes",
		},
		{
			name:          "AWS service, no MFA information",
			record:        `{"userIdentity":{"type":"AWSService","invokedBy":"cloudformation.amazonaws.com"}}`,
			wantPrincipal: "cloudformation.amazonaws.com, type AWSService",
			wantMFA:       "unknown",
		},
		{
			name:          "MFAUsed wins over session attributes",
			record:        `{"userIdentity":{"type":"IAMUser","userName":"carol","sessionContext":{"attributes":{"mfaAuthenticated":"true"}}},"additionalEventData":{"MFAUsed":"No"}}`,
			wantPrincipal: "carol, type IAMUser",
			wantMFA:       "no",
		},
		{
			name:          "newline in user name cannot forge a line",
			record:        `{"userIdentity":{"type":"IAMUser","userName":"eve\nAccount: fake"}}`,
			wantPrincipal: "eve Account: fake, type IAMUser",
			wantMFA:       "unknown",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r TrailRecord
			if err := json.Unmarshal([]byte(tt.record), &r); err != nil {
				t.Fatalf("decoding record: %v", err)
			}
			if got := r.principal(); got != tt.wantPrincipal {
				t.Errorf("principal() = %q, want %q", got, tt.wantPrincipal)
			}
			if got := r.mfa(); got != tt.wantMFA {
				t.Errorf("mfa() = %q, want %q", got, tt.wantMFA)
			}
		})
	}
}

// TestTrailRecordReadsProjectSamples decodes the CloudTrail records the
// alarm samples use (events/cloudtrail, owned by pkg/alarms), proving a
// caller can pass those records straight through as enrichment.
func TestTrailRecordReadsProjectSamples(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(eventsDir, "cloudtrail", "*.json"))
	if err != nil {
		t.Fatalf("listing CloudTrail samples: %v", err)
	}
	if len(paths) == 0 {
		t.Fatalf("no CloudTrail samples under %s/cloudtrail", eventsDir)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			var r TrailRecord
			if err := json.Unmarshal(readFile(t, p), &r); err != nil {
				t.Fatalf("decoding: %v", err)
			}
			if r.EventName == "" || r.EventTime == "" || r.UserIdentity.Type == "" {
				t.Errorf("record lacks eventName, eventTime or userIdentity.type: %+v", r)
			}
			if strings.Contains(r.line(), "\n") {
				t.Errorf("rendered line has a line break: %q", r.line())
			}
		})
	}
}
