package notify

import (
	"strings"
	"unicode/utf8"
)

// Limits of the chat APIs. Slack: header text 150 characters, section text
// 3000, button text 75, 50 blocks per message. Teams rejects webhook
// payloads over about 28 KB, so the card body is cut well below that.
const (
	slackHeaderMax   = 150
	slackSectionMax  = 3000
	slackButtonMax   = 75
	slackMaxSections = 40
	teamsTextMax     = 20000
	chatMaxLinks     = 5
)

type slackPayload struct {
	Text   string       `json:"text"`
	Blocks []slackBlock `json:"blocks"`
}

type slackBlock struct {
	Type     string       `json:"type"`
	Text     *slackText   `json:"text,omitempty"`
	Elements []slackInner `json:"elements,omitempty"`
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackInner is a block element: a button (a slackText label and a URL) or
// a context element (type "mrkdwn" with a plain string as its text).
type slackInner struct {
	Type string `json:"type"`
	Text any    `json:"text"`
	URL  string `json:"url,omitempty"`
}

// Slack returns a Slack incoming-webhook payload: a header with the subject,
// the body in preformatted sections, link buttons and a context line. The
// top-level text is the notification fallback.
func (m Message) Slack() ([]byte, error) {
	p := slackPayload{
		Text: m.Subject,
		Blocks: []slackBlock{{
			Type: "header",
			Text: &slackText{Type: "plain_text", Text: truncate(m.Subject, slackHeaderMax)},
		}},
	}
	// Code fences take 6 characters of each section.
	for i, chunk := range chunks(slackEscape(m.Text), slackSectionMax-6) {
		if i == slackMaxSections {
			break
		}
		p.Blocks = append(p.Blocks, slackBlock{
			Type: "section",
			Text: &slackText{Type: "mrkdwn", Text: "```" + chunk + "```"},
		})
	}
	var buttons []slackInner
	for _, l := range chatLinks(m.Links) {
		buttons = append(buttons, slackInner{
			Type: "button",
			Text: slackText{Type: "plain_text", Text: truncate(l.Label, slackButtonMax)},
			URL:  l.URL,
		})
	}
	if len(buttons) > 0 {
		p.Blocks = append(p.Blocks, slackBlock{Type: "actions", Elements: buttons})
	}
	p.Blocks = append(p.Blocks, slackBlock{
		Type:     "context",
		Elements: []slackInner{{Type: "mrkdwn", Text: slackEscape(m.contextLine())}},
	})
	return encodeJSON(p, "")
}

// Teams returns a Microsoft Teams webhook payload carrying an Adaptive Card,
// the format Teams workflow webhooks accept (Office 365 connector
// MessageCards are being retired).
func (m Message) Teams() ([]byte, error) {
	var actions []map[string]string
	for _, l := range chatLinks(m.Links) {
		actions = append(actions, map[string]string{"type": "Action.OpenUrl", "title": l.Label, "url": l.URL})
	}
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body": []map[string]any{
			{"type": "TextBlock", "text": m.Subject, "weight": "Bolder", "size": "Medium", "wrap": true, "color": teamsColor(m.Severity)},
			{"type": "TextBlock", "text": truncate(m.Text, teamsTextMax), "wrap": true, "fontType": "Monospace"},
			{"type": "TextBlock", "text": m.contextLine(), "isSubtle": true, "size": "Small", "wrap": true},
		},
	}
	if len(actions) > 0 {
		card["actions"] = actions
	}
	return encodeJSON(map[string]any{
		"type": "message",
		"attachments": []map[string]any{{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"contentUrl":  nil,
			"content":     card,
		}},
	}, "")
}

// contextLine summarises the message's metadata on one line.
func (m Message) contextLine() string {
	parts := []string{"landfall", m.Kind, m.Severity}
	if m.AccountID != "" {
		parts = append(parts, "account "+m.AccountID)
	}
	if m.Region != "" {
		parts = append(parts, m.Region)
	}
	return strings.Join(parts, " | ")
}

func teamsColor(severity string) string {
	switch severity {
	case SeverityCritical, SeverityHigh:
		return "Attention"
	case SeverityMedium:
		return "Warning"
	}
	return "Default"
}

// chatLinks keeps the first links that chat clients will render as buttons.
func chatLinks(links []Link) []Link {
	if len(links) > chatMaxLinks {
		return links[:chatMaxLinks]
	}
	return links
}

// slackEscape escapes the three characters Slack's mrkdwn treats as markup.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate cuts s to at most max bytes on a rune boundary, marking the cut.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// chunks splits s into pieces of at most max bytes, preferring line breaks,
// never splitting a rune or an escape sequence such as "&amp;".
func chunks(s string, max int) []string {
	var out []string
	for len(s) > max {
		cut := strings.LastIndexByte(s[:max], '\n') + 1
		if cut == 0 {
			cut = max
			for cut > 0 && !utf8.RuneStart(s[cut]) {
				cut--
			}
			if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && amp > cut-5 && !strings.Contains(s[amp:cut], ";") {
				cut = amp
			}
			if cut == 0 {
				cut = max
			}
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}
