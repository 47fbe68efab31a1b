package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxPassThrough caps the content copied into an unknown message. SNS
// messages are limited to 256 KiB and pretty-printing grows JSON, so the
// original is cut well below that rather than failing to publish.
const maxPassThrough = 64 << 10

// origin is what the SNS envelope, when there is one, says about a message.
type origin struct {
	topic     string
	subject   string
	timestamp string
}

// Format turns one message from the alert fan-in into a Message. raw is an
// SQS message body: an SNS notification envelope, or a bare alarm, finding,
// budget or landfall message. Format never fails: input it does not
// recognise, including malformed JSON, becomes a Message of kind "unknown"
// that carries the original content.
func Format(raw []byte, ctx Context) Message {
	trimmed := bytes.TrimSpace(raw)
	var obj map[string]json.RawMessage
	if json.Unmarshal(trimmed, &obj) == nil {
		if n, ok := unwrapSNS(trimmed, obj); ok {
			return formatPayload([]byte(n.Message), ctx, origin{
				topic:     topicName(n.TopicARN),
				subject:   n.Subject,
				timestamp: n.Timestamp,
			})
		}
	}
	return formatPayload(raw, ctx, origin{})
}

// formatPayload recognises the payload itself. A payload that claims a
// known shape but does not decode into it is passed through as unknown.
func formatPayload(raw []byte, ctx Context, from origin) Message {
	trimmed := bytes.TrimSpace(raw)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		// Budgets publishes plain text, not JSON.
		if b, ok := parseBudget(string(raw)); ok {
			return formatBudget(b, ctx, from)
		}
		return formatUnknown(raw, nil, ctx, from)
	}
	switch {
	case isAlarm(obj):
		var a AlarmNotification
		if json.Unmarshal(trimmed, &a) == nil {
			return formatAlarm(a, ctx)
		}
	case isGuardDuty(obj):
		var e GuardDutyEvent
		if json.Unmarshal(trimmed, &e) == nil {
			return formatGuardDuty(e, ctx)
		}
	case pipelineKind(obj) == PipelineKindBaseline:
		var r BaselineResult
		if json.Unmarshal(trimmed, &r) == nil {
			return formatBaseline(r, ctx)
		}
	case pipelineKind(obj) == PipelineKindAccountCreationFailed:
		var a AccountCreationFailed
		if json.Unmarshal(trimmed, &a) == nil {
			return formatAccountCreationFailed(a, ctx)
		}
	}
	return formatUnknown(raw, obj, ctx, from)
}

// formatUnknown passes content through readably: pretty-printed when it is
// JSON, as text otherwise. obj is the decoded object, or nil.
func formatUnknown(raw []byte, obj map[string]json.RawMessage, ctx Context, from origin) Message {
	// EventBridge events name their source, account and region.
	source, accountID, region := str(obj, "source"), str(obj, "account"), str(obj, "region")
	if !looksLikeRegionCode(region) {
		region = ""
	}
	// A non-notification SNS document (a subscription confirmation, say)
	// still names its topic.
	if from.topic == "" && str(obj, "TopicArn") != "" {
		from.topic = topicName(str(obj, "TopicArn"))
	}
	sender := firstNonEmpty(source, from.topic, "unknown sender")
	account := ""
	if accountID != "" {
		account = accountLabel(accountID, ctx.accountName(accountID))
	}

	var w body
	w.para("landfall received a message it does not recognise. It is passed through below so nothing is lost.")
	w.field("Topic", from.topic)
	w.field("Source", source)
	w.field("Subject", from.subject)
	w.field("Account", account)
	w.field("Region", region)
	w.field("Time", displayTime(from.timestamp))
	w.field("Severity", SeverityInfo)
	w.end()
	w.section("What to do next:", []string{
		"Read the content below and act on it if needed.",
		"If messages like this should be formatted, add a sample under events/ and teach pkg/notify its shape.",
	})
	w.para("Content:\n" + passThrough(raw))

	return Message{
		Kind:      KindUnknown,
		Severity:  SeverityInfo,
		Subject:   subject(SeverityInfo, "landfall: unrecognised message from "+sender),
		Text:      w.String(),
		AccountID: accountID,
		Region:    region,
	}
}

// passThrough renders the original content: indented when it is valid JSON,
// otherwise as text with invalid UTF-8 replaced, cut at maxPassThrough.
func passThrough(raw []byte) string {
	trimmed := bytes.TrimSpace(raw)
	var buf bytes.Buffer
	text := string(trimmed)
	if json.Valid(trimmed) && json.Indent(&buf, trimmed, "", "  ") == nil {
		text = buf.String()
	}
	text = strings.ToValidUTF8(text, "\uFFFD")
	if len(text) <= maxPassThrough {
		if text == "" {
			return "(empty message)"
		}
		return text
	}
	cut := maxPassThrough
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + fmt.Sprintf("\n... (cut, %d bytes in total)", len(text))
}
