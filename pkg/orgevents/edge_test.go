package orgevents

import (
	"encoding/json"
	"testing"
	"time"
)

// mutated returns the sample at events/<key> after edit has changed its generic JSON form.
func mutated(t *testing.T, key string, edit func(event map[string]any)) []byte {
	t.Helper()
	event := sampleObject(t, "../../events/"+key)
	edit(event)
	raw, err := json.Marshal(event)
	if err != nil {
		t.Fatalf("encoding mutated sample (%s): %v", key, err)
	}
	return raw
}

// obj walks a path of object keys in a generic JSON value.
func obj(v map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		v = v[k].(map[string]any)
	}
	return v
}

// TestDecodeEdgeCases covers inputs that are not worth a sample file each: broken JSON, and one-field
// changes to real samples.
func TestDecodeEdgeCases(t *testing.T) {
	const (
		created   = "organizations/created-succeeded.json"
		failed    = "organizations/created-failed.json"
		invite    = "organizations/invite-account.json"
		move      = "organizations/move-account.json"
		ctCreate  = "controltower/ct-create-managed-account.json"
		ctUpdate  = "controltower/ct-update-managed-account.json"
		scheduled = "scheduler/scheduled-event.json"
	)
	parties := func(e map[string]any) []any {
		return obj(e, "detail", "responseElements", "handshake")["parties"].([]any)
	}
	tests := []struct {
		name      string
		raw       func(t *testing.T) []byte
		wantErr   error
		wantField string
		want      func(t *testing.T) Request // only when wantErr is nil
	}{
		{name: "empty input", raw: literal(``), wantErr: ErrMalformed},
		{name: "truncated object", raw: literal(`{"source":`), wantErr: ErrMalformed},
		{name: "json null", raw: literal(`null`), wantErr: ErrMalformed},
		{name: "json array", raw: literal(`[]`), wantErr: ErrMalformed},
		{name: "json string", raw: literal(`"123456789012"`), wantErr: ErrMalformed},
		{name: "trailing data", raw: literal(`{"accountId":"123456789012","requestedBy":"arn:x"} {}`), wantErr: ErrMalformed},
		{name: "bare CloudTrail record without envelope", raw: literal(`{"eventName":"MoveAccount","requestParameters":{"accountId":"123456789012"}}`), wantErr: ErrMalformed},
		{name: "manual with unknown field", raw: literal(`{"accountId":"123456789012","requestedBy":"arn:aws:iam::111122223333:user/a","force":true}`), wantErr: ErrMalformed},
		{name: "manual with another reason", raw: literal(`{"accountId":"123456789012","reason":"drift","requestedBy":"arn:aws:iam::111122223333:user/a"}`), wantErr: ErrMalformed, wantField: "reason"},
		{name: "manual without reason", raw: literal(`{"accountId":"123456789012","requestedBy":"arn:aws:iam::111122223333:user/a"}`),
			want: func(*testing.T) Request {
				return Request{Action: ActionBaseline, Reason: ReasonManual, AccountID: "123456789012", Source: SourceManual, RequestedBy: "arn:aws:iam::111122223333:user/a"}
			}},
		{name: "source of wrong type", raw: literal(`{"source":5,"detail-type":"x"}`), wantErr: ErrMalformed, wantField: "source"},
		{name: "time not RFC 3339", raw: edit(scheduled, func(e map[string]any) { e["time"] = "May 17, 2022 10:47:37 AM" }), wantErr: ErrMalformed, wantField: "time"},
		{name: "time of wrong type", raw: edit(scheduled, func(e map[string]any) { e["time"] = 1700000000 }), wantErr: ErrMalformed, wantField: "time"},
		{name: "missing id", raw: edit(created, func(e map[string]any) { delete(e, "id") }), wantErr: ErrMalformed, wantField: "id"},
		{name: "missing source", raw: edit(created, func(e map[string]any) { delete(e, "source") }), wantErr: ErrMalformed, wantField: "source"},
		{name: "missing detail-type", raw: edit(created, func(e map[string]any) { delete(e, "detail-type") }), wantErr: ErrMalformed, wantField: "detail-type"},
		{name: "detail null", raw: edit(created, func(e map[string]any) { e["detail"] = nil }), wantErr: ErrMalformed, wantField: "detail"},
		{name: "detail of wrong type", raw: edit(created, func(e map[string]any) { e["detail"] = "x" }), wantErr: ErrMalformed, wantField: "detail"},
		{name: "missing eventName", raw: edit(created, func(e map[string]any) { delete(obj(e, "detail"), "eventName") }), wantErr: ErrMalformed, wantField: "detail.eventName"},
		{name: "missing eventSource", raw: edit(created, func(e map[string]any) { delete(obj(e, "detail"), "eventSource") }), wantErr: ErrMalformed, wantField: "detail.eventSource"},
		{name: "CreateAccountResult as an API call", raw: edit(created, func(e map[string]any) { e["detail-type"] = DetailTypeAPICall }), wantErr: ErrUnsupportedEvent, wantField: "detail-type"},
		{name: "MoveAccount as a service event", raw: edit(move, func(e map[string]any) { e["detail-type"] = DetailTypeServiceEvent }), wantErr: ErrUnsupportedEvent, wantField: "detail-type"},
		{name: "CreateAccountResult without status", raw: edit(created, func(e map[string]any) { obj(e, "detail")["serviceEventDetails"] = map[string]any{} }), wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.createAccountStatus"},
		{name: "CreateAccountResult without serviceEventDetails", raw: edit(created, func(e map[string]any) { delete(obj(e, "detail"), "serviceEventDetails") }), wantErr: ErrMalformed, wantField: "detail.serviceEventDetails"},
		{name: "CreateAccountResult in an unknown state", raw: edit(created, func(e map[string]any) {
			obj(e, "detail", "serviceEventDetails", "createAccountStatus")["state"] = "PENDING"
		}), wantErr: ErrUnsupportedEvent, wantField: "detail.serviceEventDetails.createAccountStatus.state"},
		{name: "CreateAccountResult without state", raw: edit(created, func(e map[string]any) {
			delete(obj(e, "detail", "serviceEventDetails", "createAccountStatus"), "state")
		}), wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.createAccountStatus.state"},
		{name: "FAILED without failureReason", raw: edit(failed, func(e map[string]any) {
			delete(obj(e, "detail", "serviceEventDetails", "createAccountStatus"), "failureReason")
		}), wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.createAccountStatus.failureReason"},
		{name: "FAILED naming a bad account", raw: edit(failed, func(e map[string]any) {
			obj(e, "detail", "serviceEventDetails", "createAccountStatus")["accountId"] = "****"
		}), wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.createAccountStatus.accountId"},
		{name: "unparseable completedTimestamp is not an error", raw: edit(created, func(e map[string]any) {
			obj(e, "detail", "serviceEventDetails", "createAccountStatus")["completedTimestamp"] = "17/05/2022"
		}), want: func(t *testing.T) Request {
			r := sampleCases()[created].want
			r.CompletedAt = time.Time{}
			return r
		}},
		{name: "invitation already accepted", raw: edit(invite, func(e map[string]any) {
			obj(e, "detail", "responseElements", "handshake")["state"] = "ACCEPTED"
		}), wantErr: ErrUnsupportedEvent, wantField: "detail.responseElements.handshake.state"},
		{name: "handshake that is not an invitation", raw: edit(invite, func(e map[string]any) {
			obj(e, "detail", "responseElements", "handshake")["action"] = "ENABLE_ALL_FEATURES"
		}), wantErr: ErrUnsupportedEvent, wantField: "detail.responseElements.handshake.action"},
		{name: "handshake action in upper case", raw: edit(invite, func(e map[string]any) {
			obj(e, "detail", "responseElements", "handshake")["action"] = "INVITE"
		}), want: func(*testing.T) Request { return sampleCases()[invite].want }},
		{name: "invitation call failed", raw: edit(invite, func(e map[string]any) {
			obj(e, "detail")["errorCode"] = "DuplicateHandshakeException"
		}), wantErr: ErrUnsupportedEvent, wantField: "detail.errorCode"},
		{name: "invitation without responseElements", raw: edit(invite, func(e map[string]any) { obj(e, "detail")["responseElements"] = nil }),
			wantErr: ErrMalformed, wantField: "detail.responseElements"},
		{name: "invitation without handshake", raw: edit(invite, func(e map[string]any) { obj(e, "detail")["responseElements"] = map[string]any{} }),
			wantErr: ErrMalformed, wantField: "detail.responseElements.handshake"},
		{name: "invitation with a bad handshake id", raw: edit(invite, func(e map[string]any) {
			obj(e, "detail", "responseElements", "handshake")["id"] = "h-../../x"
		}), wantErr: ErrMalformed, wantField: "detail.responseElements.handshake.id"},
		{name: "invitation by email address", raw: edit(invite, func(e map[string]any) {
			parties(e)[1] = map[string]any{"type": "EMAIL", "id": "mary@example.com"}
		}), wantErr: ErrUnsupportedEvent, wantField: "detail.responseElements.handshake.parties"},
		{name: "invitation without an account party", raw: edit(invite, func(e map[string]any) {
			obj(e, "detail", "responseElements", "handshake")["parties"] = parties(e)[:1]
		}), wantErr: ErrMalformed, wantField: "detail.responseElements.handshake.parties"},
		{name: "invitation with two account parties", raw: edit(invite, func(e map[string]any) {
			obj(e, "detail", "responseElements", "handshake")["parties"] = append(parties(e), map[string]any{"type": "ACCOUNT", "id": "999999999999"})
		}), wantErr: ErrMalformed, wantField: "detail.responseElements.handshake.parties[2]"},
		{name: "invitation party id of wrong type", raw: edit(invite, func(e map[string]any) {
			parties(e)[1].(map[string]any)["id"] = 222233334444
		}), wantErr: ErrMalformed, wantField: "detail.responseElements.handshake.parties.id"},
		{name: "move without destination", raw: edit(move, func(e map[string]any) {
			delete(obj(e, "detail", "requestParameters"), "destinationParentId")
		}), wantErr: ErrMalformed, wantField: "detail.requestParameters.destinationParentId"},
		{name: "move without source parent", raw: edit(move, func(e map[string]any) {
			delete(obj(e, "detail", "requestParameters"), "sourceParentId")
		}), wantErr: ErrMalformed, wantField: "detail.requestParameters.sourceParentId"},
		{name: "move without requestParameters", raw: edit(move, func(e map[string]any) { obj(e, "detail")["requestParameters"] = nil }),
			wantErr: ErrMalformed, wantField: "detail.requestParameters"},
		{name: "Control Tower update carrying a create status", raw: edit(ctUpdate, func(e map[string]any) {
			d := obj(e, "detail", "serviceEventDetails")
			d["createManagedAccountStatus"] = d["updateManagedAccountStatus"]
			delete(d, "updateManagedAccountStatus")
		}), wantErr: ErrMalformed, wantField: "detail.serviceEventDetails.updateManagedAccountStatus"},
		{name: "Control Tower in an unknown state", raw: edit(ctCreate, func(e map[string]any) {
			obj(e, "detail", "serviceEventDetails", "createManagedAccountStatus")["state"] = "IN_PROGRESS"
		}), wantErr: ErrUnsupportedEvent, wantField: "detail.serviceEventDetails.createManagedAccountStatus.state"},
		{name: "Control Tower FAILED without account or message", raw: edit(ctCreate, func(e map[string]any) {
			s := obj(e, "detail", "serviceEventDetails", "createManagedAccountStatus")
			s["state"] = "FAILED"
			s["account"] = map[string]any{}
			delete(s, "message")
		}), want: func(*testing.T) Request {
			r := sampleCases()[ctCreate].want
			r.Action, r.AccountID, r.AccountName = ActionReportFailure, "", ""
			r.FailureReason = "Control Tower reported FAILED without a message"
			return r
		}},
		{name: "scheduled event with non-object detail", raw: edit(scheduled, func(e map[string]any) { e["detail"] = []any{} }),
			wantErr: ErrMalformed, wantField: "detail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.raw(t))
			var want Request
			if tt.want != nil {
				want = tt.want(t)
			}
			checkDecode(t, got, err, want, tt.wantErr, tt.wantField)
		})
	}
}

func literal(s string) func(*testing.T) []byte {
	return func(*testing.T) []byte { return []byte(s) }
}

func edit(key string, change func(map[string]any)) func(*testing.T) []byte {
	return func(t *testing.T) []byte { return mutated(t, key, change) }
}
