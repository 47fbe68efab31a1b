package orgevents

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Decode turns one pipeline input, an EventBridge event or a manual request, into a Request. Every error
// it returns is a *DecodeError wrapping ErrMalformed or ErrUnsupportedEvent.
func Decode(raw []byte) (Request, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return Request{}, jsonError("", err)
	}
	if keys == nil {
		return Request{}, malformed("", "expected a JSON object, got null")
	}
	// EventBridge always sets source and detail-type; the manual request has neither, so their absence
	// is what tells the two apart.
	_, hasSource := keys["source"]
	_, hasDetailType := keys["detail-type"]
	if !hasSource && !hasDetailType {
		return decodeManual(raw)
	}
	return decodeEventBridge(raw)
}

func decodeEventBridge(raw []byte) (Request, error) {
	var event events.EventBridgeEvent
	if err := json.Unmarshal(raw, &event); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Request{}, jsonError("", err)
		}
		// The envelope's only field with its own unmarshaler is time.Time, so any other error is a
		// "time" that is not an RFC 3339 string.
		return Request{}, malformed("time", "not an RFC 3339 timestamp: %v", err)
	}
	switch {
	case event.ID == "":
		return Request{}, malformed("id", "missing")
	case event.Time.IsZero():
		return Request{}, malformed("time", "missing")
	case event.DetailType == "":
		return Request{}, malformed("detail-type", "missing")
	}
	switch event.Source {
	case SourceOrganizations:
		return decodeOrganizations(event)
	case SourceControlTower:
		return decodeControlTower(event)
	case SourceScheduledRule:
		return decodeScheduled(event)
	case "":
		return Request{}, malformed("source", "missing")
	default:
		return Request{}, unsupported("source", "%s is not a source landfall acts on", quote(event.Source))
	}
}

// provenance starts a Request with the fields every EventBridge trigger shares.
func provenance(event events.EventBridgeEvent) Request {
	return Request{EventID: event.ID, EventTime: event.Time, Source: event.Source}
}

// decodeObject unmarshals the JSON object raw, found at path, into v. A missing or null object is
// malformed; so is a value of the wrong type, reported at its full path.
func decodeObject(raw json.RawMessage, path string, v any) error {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return malformed(path, "missing")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return jsonError(path, err)
	}
	return nil
}

// jsonError converts an encoding/json error for the value at path into a *DecodeError.
func jsonError(path string, err error) *DecodeError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return malformed(joinPath(path, typeErr.Field), "expected %s, got JSON %s", typeErr.Type, typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return malformed(path, "invalid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	}
	return malformed(path, "invalid JSON: %v", err)
}

func joinPath(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	}
	return parent + "." + child
}

// requireAccountID checks that id, found at path, is present and 12 digits.
func requireAccountID(id, path string) error {
	if id == "" {
		return malformed(path, "missing")
	}
	if !IsAccountID(id) {
		return malformed(path, "%s is not a 12-digit account ID", quote(id))
	}
	return nil
}

// ManualRequest is what `landfall rerun` sends to re-run the baseline of one account.
type ManualRequest struct {
	AccountID string `json:"accountId"`
	// Reason is "manual" (or empty) from the operator CLI, or "scheduled-sweep" when the Sweep state
	// machine starts the baseline.
	Reason string `json:"reason,omitempty"`
	// RequestedBy is the ARN of the principal that asked, kept for the audit trail.
	RequestedBy string `json:"requestedBy"`
}

func decodeManual(raw []byte) (Request, error) {
	// The manual request is landfall's own format, so an unknown field is a mistake (or an EventBridge
	// event without its envelope) rather than something AWS added.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var m ManualRequest
	if err := dec.Decode(&m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Request{}, jsonError("", err)
		}
		return Request{}, malformed("", "neither an EventBridge event (no source or detail-type) nor a manual request: %v", err)
	}
	if err := requireAccountID(m.AccountID, "accountId"); err != nil {
		return Request{}, err
	}
	reason := ReasonManual
	switch m.Reason {
	case "", string(ReasonManual):
	case string(ReasonScheduledSweep):
		reason = ReasonScheduledSweep
	default:
		return Request{}, malformed("reason", "%s is not %q or %q", quote(m.Reason), ReasonManual, ReasonScheduledSweep)
	}
	if !strings.HasPrefix(m.RequestedBy, "arn:") {
		return Request{}, malformed("requestedBy", "%s is not a principal ARN", quote(m.RequestedBy))
	}
	return Request{
		Action:      ActionBaseline,
		Reason:      reason,
		AccountID:   m.AccountID,
		Source:      SourceManual,
		RequestedBy: m.RequestedBy,
	}, nil
}
