package orgevents

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// roundTrip decodes raw into a fresh T, encodes it again and fails unless nothing was lost or added.
func roundTrip[T any](t *testing.T, raw []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("unmarshalling %T: %v", v, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshalling %T: %v", v, err)
	}
	assertJSONEq(t, raw, out)
	return v
}

// untypedSamples are the samples a typed struct cannot represent unchanged: a value of the wrong JSON
// type, or a required field left out (encoding writes it back as a zero value).
func untypedSamples() map[string]bool {
	return map[string]bool{
		"organizations/invalid-created-wrong-type.json":       true, // accountId is a number
		"manual/invalid-manual-account-id-number.json":        true, // accountId is a number
		"manual/invalid-manual-missing-requested-by.json":     true, // requestedBy left out
		"scheduler/invalid-scheduled-event-missing-time.json": true, // time left out
	}
}

// TestTypedStructsRoundTrip checks that every typed struct keeps every field of the real shapes: each
// well-typed sample goes through the envelope, the CloudTrail record and the event-specific part.
func TestTypedStructsRoundTrip(t *testing.T) {
	for key := range untypedSamples() {
		if _, ok := sampleCases()[key]; !ok {
			t.Errorf("untypedSamples names %s, which is not a known sample", key)
		}
	}
	for _, path := range samplePaths(t) {
		key := sampleKey(path)
		if untypedSamples()[key] {
			continue
		}
		t.Run(key, func(t *testing.T) {
			raw := readSample(t, path)
			if strings.HasPrefix(key, "manual/") {
				roundTrip[ManualRequest](t, raw)
				return
			}
			event := roundTrip[events.EventBridgeEvent](t, raw)
			if event.Source == SourceScheduledRule {
				return
			}
			detail := roundTrip[CloudTrailDetail](t, event.Detail)
			switch detail.EventName {
			case EventNameCreateAccountResult:
				roundTrip[OrganizationsServiceEventDetails](t, detail.ServiceEventDetails)
			case EventNameCreateManagedAccount, EventNameUpdateManagedAccount:
				roundTrip[ControlTowerServiceEventDetails](t, detail.ServiceEventDetails)
			case EventNameInviteAccountToOrganization:
				roundTrip[InviteAccountParameters](t, detail.RequestParameters)
				roundTrip[HandshakeResponse](t, detail.ResponseElements)
			case EventNameMoveAccount:
				roundTrip[MoveAccountParameters](t, detail.RequestParameters)
			case EventNameCloseAccount, EventNameRemoveAccountFromOrganization:
				roundTrip[AccountParameters](t, detail.RequestParameters)
			}
		})
	}
}

// TestRequestRoundTrip checks that a Request survives the trip through Step Functions as JSON.
func TestRequestRoundTrip(t *testing.T) {
	for key, tc := range sampleCases() {
		if tc.wantErr != nil {
			continue
		}
		t.Run(key, func(t *testing.T) {
			raw, err := json.Marshal(tc.want)
			if err != nil {
				t.Fatalf("marshalling Request: %v", err)
			}
			got := roundTrip[Request](t, raw)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Request after JSON = %+v, want %+v", got, tc.want)
			}
		})
	}
}
