package orgevents

import (
	"errors"
	"testing"
)

// FuzzDecode checks Decode's promises on arbitrary input: it never panics, every error is a *DecodeError
// of a known class, and no Request it returns asks to act on something that is not an account ID.
func FuzzDecode(f *testing.F) {
	for _, path := range samplePaths(f) {
		f.Add(readSample(f, path))
	}
	for _, seed := range []string{``, `null`, `{}`, `[]`, `{"source":5}`, `{"accountId":"123456789012"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Decode(raw)
		if err != nil {
			var decodeErr *DecodeError
			if !errors.As(err, &decodeErr) {
				t.Fatalf("error %v (%T) is not a *DecodeError", err, err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupportedEvent) {
				t.Fatalf("error %v wraps neither ErrMalformed nor ErrUnsupportedEvent", err)
			}
			if r != (Request{}) {
				t.Fatalf("Decode returned %+v alongside error %v", r, err)
			}
			return
		}
		switch r.Action {
		case ActionBaseline, ActionForget:
			if !IsAccountID(r.AccountID) {
				t.Fatalf("%s request for account %q, which is not 12 digits", r.Action, r.AccountID)
			}
		case ActionAwaitInvitation:
			if !IsAccountID(r.AccountID) || !handshakeID.MatchString(r.HandshakeID) {
				t.Fatalf("await-invitation for account %q, handshake %q", r.AccountID, r.HandshakeID)
			}
		case ActionReportFailure:
			if r.AccountID != "" && !IsAccountID(r.AccountID) {
				t.Fatalf("report-failure names account %q, which is not 12 digits", r.AccountID)
			}
			if r.FailureReason == "" {
				t.Fatal("report-failure without a reason")
			}
		case ActionSweep:
			if r.AccountID != "" {
				t.Fatalf("sweep names account %q", r.AccountID)
			}
		default:
			t.Fatalf("unknown action %q", r.Action)
		}
		if r.Reason == "" || r.Source == "" {
			t.Fatalf("request %+v lacks a reason or source", r)
		}
	})
}
