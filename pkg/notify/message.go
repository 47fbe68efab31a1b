package notify

import (
	"bytes"
	"encoding/json"
)

// Message kinds, one per recognised source plus the pass-through kind.
const (
	KindAlarm     = "alarm"
	KindGuardDuty = "guardduty"
	KindBudget    = "budget"
	KindPipeline  = "pipeline"
	KindUnknown   = "unknown"
	// KindRefused is a message the fan-in would not deliver as an alert
	// (see Refused).
	KindRefused = "refused"
)

// Severities, ordered from most to least urgent. They drive the subject tag
// and the colour of chat cards.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
	SeverityInfo     = "info"
)

// Message is one formatted notification, ready to publish.
type Message struct {
	// Kind is one of the Kind* constants.
	Kind string `json:"kind"`
	// Severity is one of the Severity* constants.
	Severity string `json:"severity"`
	// Subject is at most 100 printable ASCII characters on one line (the SNS
	// email subject limit) and starts with the severity tag, e.g. "[HIGH] ".
	Subject string `json:"subject"`
	// Text is the plain-text body: what happened, where, when, who, and what
	// to do next, followed by console links.
	Text string `json:"text"`
	// AccountID and Region identify where it happened, when known. Region is
	// a code such as "us-east-1"; it is empty for global services.
	AccountID string `json:"accountId,omitempty"`
	Region    string `json:"region,omitempty"`
	// Links are console deep links, most useful first.
	Links []Link `json:"links,omitempty"`
}

// Link is a labelled URL, rendered as a line in email and a button in chat.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// JSON encodes the message, indented, for machine consumers (logs,
// archives, the formatter's own output).
func (m Message) JSON() ([]byte, error) {
	return encodeJSON(m, "  ")
}

// encodeJSON marshals v without HTML escaping: the consumers are mail and
// chat APIs, not HTML pages, and "->" reads better than "-\u003e".
func encodeJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
