package orgevents

import (
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sampleCase is the expected outcome of decoding one sample file, and the one event rule (by Rule.Name)
// its EventBridge shape matches, "" for none.
type sampleCase struct {
	want      Request
	wantErr   error // ErrMalformed or ErrUnsupportedEvent; nil when want applies
	wantField string
	wantRule  string
}

// sampleCases is keyed by the sample's path below events/.
func sampleCases() map[string]sampleCase {
	return map[string]sampleCase{
		"organizations/created-succeeded.json": {
			want: Request{
				Action: ActionBaseline, Reason: ReasonAccountCreated,
				AccountID: "444455556666", AccountName: "workload-prod",
				EventID: "5f1b8a2e-6c0d-4e1f-9a3b-2c7d8e9f0a1b", EventTime: utc("2022-05-17T10:47:40Z"),
				Source: SourceOrganizations, CompletedAt: utc("2022-05-17T10:47:40Z"),
			},
			wantRule: "CreateAccountResult",
		},
		"organizations/created-failed.json": {
			want: Request{
				Action: ActionReportFailure, Reason: ReasonAccountCreated, AccountName: "workload-dev",
				EventID: "0b6f3c1d-2e4a-4b5c-8d7e-9f0a1b2c3d4e", EventTime: utc("2018-06-21T22:07:15Z"),
				Source: SourceOrganizations, CompletedAt: utc("2018-06-21T22:07:15Z"),
				FailureReason: "EMAIL_ALREADY_EXISTS",
			},
			wantRule: "CreateAccountResult",
		},
		"organizations/created-in-progress.json": {
			wantErr: ErrUnsupportedEvent, wantField: "detail.serviceEventDetails.createAccountStatus.state",
		},
		"organizations/invite-account.json": {
			want: Request{
				Action: ActionAwaitInvitation, Reason: ReasonAccountInvited, AccountID: "222233334444",
				HandshakeID: "h-examplehandshakeid111",
				EventID:     "8d9e0f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a", EventTime: utc("2024-03-01T16:20:12Z"),
				Source: SourceOrganizations,
			},
			wantRule: "InviteAccount",
		},
		"organizations/unsupported-accept-handshake.json": {
			wantErr: ErrUnsupportedEvent, wantField: "detail.eventName",
		},
		"organizations/move-account.json": {
			want: Request{
				Action: ActionBaseline, Reason: ReasonAccountMoved, AccountID: "444455556666",
				EventID: "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f", EventTime: utc("2024-04-10T14:03:55Z"),
				Source: SourceOrganizations, FromParentID: "r-a1b2", ToParentID: "ou-a1b2-f6g7h8i9",
			},
			wantRule: "MoveAccount",
		},
		"organizations/close-account.json": {
			want: Request{
				Action: ActionForget, Reason: ReasonAccountClosed, AccountID: "555555555555",
				EventID: "f7a8b9c0-d1e2-4f3a-b4c5-d6e7f8a9b0c1", EventTime: utc("2022-03-18T18:17:06Z"),
				Source: SourceOrganizations,
			},
			wantRule: "AccountLeft",
		},
		"organizations/remove-account.json": {
			want: Request{
				Action: ActionForget, Reason: ReasonAccountRemoved, AccountID: "666677778888",
				EventID: "a9b0c1d2-e3f4-4a5b-9c6d-7e8f9a0b1c2d", EventTime: utc("2024-05-02T08:30:12Z"),
				Source: SourceOrganizations,
			},
			wantRule: "AccountLeft",
		},
		"organizations/invalid-created-wrong-type.json": {
			wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.createAccountStatus.accountId",
			wantRule: "CreateAccountResult",
		},
		"organizations/invalid-created-missing-account-id.json": {
			wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.createAccountStatus.accountId",
			wantRule: "CreateAccountResult",
		},
		"organizations/invalid-move-account-short-account-id.json": {
			wantErr: ErrMalformed, wantField: "detail.requestParameters.accountId", wantRule: "MoveAccount",
		},
		"organizations/unsupported-move-account-access-denied.json": {
			wantErr: ErrUnsupportedEvent, wantField: "detail.errorCode",
		},
		"organizations/unsupported-unknown-event-name.json": {
			wantErr: ErrUnsupportedEvent, wantField: "detail.eventName",
		},
		"controltower/ct-create-managed-account.json": {
			want: Request{
				Action: ActionBaseline, Reason: ReasonManagedAccountCreated,
				AccountID: "777788889999", AccountName: "LifeCycle1",
				EventID: "999cccaa-eaaa-0000-1111-123456789012", EventTime: utc("2019-11-16T12:09:32Z"),
				Source: SourceControlTower, CompletedAt: utc("2019-11-16T12:09:32Z"),
			},
			wantRule: "ManagedAccount",
		},
		"controltower/ct-update-managed-account.json": {
			want: Request{
				Action: ActionBaseline, Reason: ReasonManagedAccountUpdated,
				AccountID: "624281831893", AccountName: "LifeCycle1",
				EventID: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", EventTime: utc("2019-11-16T12:09:32Z"),
				Source: SourceControlTower, CompletedAt: utc("2019-11-16T12:09:32Z"),
			},
			wantRule: "ManagedAccount",
		},
		"controltower/ct-create-managed-account-failed.json": {
			want: Request{
				Action: ActionReportFailure, Reason: ReasonManagedAccountCreated,
				AccountID: "888899990000", AccountName: "LifeCycle2",
				EventID: "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", EventTime: utc("2019-11-16T12:09:32Z"),
				Source: SourceControlTower, CompletedAt: utc("2019-11-16T12:09:32Z"),
				FailureReason: "AWS Control Tower failed to create a managed account.",
			},
			wantRule: "ManagedAccount",
		},
		"controltower/invalid-ct-redacted-account-id.json": {
			wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.createManagedAccountStatus.account.accountId",
			wantRule: "ManagedAccount",
		},
		"controltower/unsupported-ct-enable-guardrail.json": {
			wantErr: ErrUnsupportedEvent, wantField: "detail.eventName",
		},
		"controltower/unsupported-ct-wrong-source.json": {
			wantErr: ErrUnsupportedEvent, wantField: "detail.eventSource",
		},
		"scheduler/scheduled-event.json": {
			want: Request{
				Action: ActionSweep, Reason: ReasonScheduledSweep,
				EventID: "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", EventTime: utc("2025-01-06T06:00:00Z"),
				Source: SourceScheduledRule,
			},
		},
		"scheduler/invalid-scheduled-event-missing-time.json": {
			wantErr: ErrMalformed, wantField: "time",
		},
		"scheduler/unsupported-scheduled-wrong-detail-type.json": {
			wantErr: ErrUnsupportedEvent, wantField: "detail-type",
		},
		"manual/manual.json": {
			want: Request{
				Action: ActionBaseline, Reason: ReasonManual, AccountID: "123456789012", Source: SourceManual,
				RequestedBy: "arn:aws:sts::111122223333:assumed-role/PlatformOperator/alice",
			},
		},
		"manual/sweep.json": {
			want: Request{
				Action: ActionBaseline, Reason: ReasonScheduledSweep, AccountID: "123456789012", Source: SourceManual,
				RequestedBy: "arn:aws:states:us-east-1:111122223333:execution:landfall-Sweep:6f1c2a8e-0d4b-4b7e-9a51-2f3c8d9e7a10",
			},
		},
		"manual/invalid-manual-bad-account-id.json":       {wantErr: ErrMalformed, wantField: "accountId"},
		"manual/invalid-manual-account-id-number.json":    {wantErr: ErrMalformed, wantField: "accountId"},
		"manual/invalid-manual-missing-requested-by.json": {wantErr: ErrMalformed, wantField: "requestedBy"},
	}
}

// sampleKey turns a sample path into its key in sampleCases.
func sampleKey(path string) string {
	return filepath.ToSlash(filepath.Join(filepath.Base(filepath.Dir(path)), filepath.Base(path)))
}

func TestDecodeSamples(t *testing.T) {
	cases := sampleCases()
	seen := map[string]bool{}
	for _, path := range samplePaths(t) {
		key := sampleKey(path)
		tc, ok := cases[key]
		if !ok {
			t.Errorf("sample %s has no expected outcome in sampleCases", key)
			continue
		}
		seen[key] = true
		t.Run(key, func(t *testing.T) {
			got, err := Decode(readSample(t, path))
			checkDecode(t, got, err, tc.want, tc.wantErr, tc.wantField)
		})
	}
	for key := range cases {
		if !seen[key] {
			t.Errorf("sampleCases names %s, but there is no such sample file", key)
		}
	}
}

// checkDecode compares a Decode result with the expected Request, or with the expected error class and
// JSON path.
func checkDecode(t *testing.T, got Request, err error, want Request, wantErr error, wantField string) {
	t.Helper()
	if wantErr == nil {
		if err != nil {
			t.Fatalf("Decode: unexpected error: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Decode:\n got %+v\nwant %+v", got, want)
		}
		return
	}
	if err == nil {
		t.Fatalf("Decode = %+v, want an error wrapping %v at %q", got, wantErr, wantField)
	}
	if !errors.Is(err, wantErr) {
		t.Errorf("Decode error %v does not wrap %v", err, wantErr)
	}
	var decodeErr *DecodeError
	if !errors.As(err, &decodeErr) {
		t.Fatalf("Decode error %v (%T) is not a *DecodeError", err, err)
	}
	if decodeErr.Field != wantField {
		t.Errorf("DecodeError.Field = %q, want %q (error: %v)", decodeErr.Field, wantField, err)
	}
	if got != (Request{}) {
		t.Errorf("Decode returned %+v alongside an error, want the zero Request", got)
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{
			name: "bad account id",
			raw:  `{"accountId":"12345678901a","requestedBy":"arn:aws:iam::111122223333:user/alice"}`,
			want: `decoding trigger event (accountId): malformed event: "12345678901a" is not a 12-digit account ID`,
		},
		{
			name: "whole input",
			raw:  `null`,
			want: `decoding trigger event (input): malformed event: expected a JSON object, got null`,
		},
		{
			name: "long value is truncated",
			raw:  `{"version":"0","id":"x","detail-type":"d","source":"` + strings.Repeat("a", 100) + `","time":"2024-01-01T00:00:00Z","detail":{}}`,
			want: `decoding trigger event (source): unsupported event: "` + strings.Repeat("a", maxQuoted) + `"... is not a source landfall acts on`,
		},
		{
			name: "syntax error",
			raw:  `{"accountId": }`,
			want: `decoding trigger event (input): malformed event: invalid JSON at byte 15: invalid character '}' looking for beginning of value`,
		},
		{
			name: "unknown source",
			raw:  `{"version":"0","id":"x","detail-type":"d","source":"aws.s3","time":"2024-01-01T00:00:00Z","detail":{}}`,
			want: `decoding trigger event (source): unsupported event: "aws.s3" is not a source landfall acts on`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.raw))
			if err == nil {
				t.Fatal("Decode: want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error message\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestQuoteTruncates(t *testing.T) {
	long := strings.Repeat("0123456789", 7)
	got := quote(long)
	want := `"` + long[:maxQuoted] + `"...`
	if got != want {
		t.Errorf("quote = %s, want %s", got, want)
	}
	if got := quote("short"); got != `"short"` {
		t.Errorf("quote(short) = %s", got)
	}
}
