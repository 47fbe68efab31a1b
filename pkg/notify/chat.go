package notify

import (
	"cmp"
	"maps"
	"strings"
	"unicode/utf8"
)

// Chat services render markup, and an alert's text is untrusted: alarm
// descriptions, finding titles, CloudTrail fields and anything a publisher
// wrote to an alerts topic. None of it may become a link, a mention or
// formatting in chat:
//   - Slack parses mrkdwn: links and mentions in <...>, *bold*, code
//     fences; and, unless a text object is verbatim, it turns bare URLs,
//     channel names and some mentions into links ("Text object", Block Kit
//     reference). The text goes in verbatim mrkdwn code blocks with &, <
//     and > escaped as Slack documents ("Formatting text for app
//     surfaces") and every backtick replaced by a look-alike, so no fence
//     can be closed from inside; everything else is plain_text.
//   - Teams renders a Markdown subset in TextBlocks ([text](url), **bold**,
//     lists), and none in a RichTextBlock's TextRuns ("Text features",
//     Adaptive Cards documentation). Every text goes in TextRuns, one
//     RichTextBlock per line (a TextBlock needs two line breaks for one),
//     with the {{DATE()}} and {{TIME()}} functions' braces broken.
//
// The only links are the buttons landfall builds, to the AWS console.

// Limits of the chat APIs. Slack: header text 150 characters, section text
// 3000, button text 75, 50 blocks per message. Teams rejects webhook
// payloads over about 28 KB, so the card body is cut well below that.
const (
	slackHeaderMax   = 150
	slackSectionMax  = 3000
	slackButtonMax   = 75
	slackMaxSections = 40
	teamsTextMax     = 20000
	teamsMaxLines    = 150
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
	// Verbatim keeps Slack from turning URLs, channel names and mentions
	// in mrkdwn into links.
	Verbatim bool `json:"verbatim,omitempty"`
}

// slackInner is a block element: a button (a slackText label and a URL) or
// a context element (type "plain_text" with a plain string as its text).
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
		Text: slackEscape(m.Subject),
		Blocks: []slackBlock{{
			Type: "header",
			Text: &slackText{Type: "plain_text", Text: truncate(m.Subject, slackHeaderMax)},
		}},
	}
	// Code fences take 6 characters of each section.
	for i, chunk := range chunks(slackCode(m.Text), slackSectionMax-6) {
		if i == slackMaxSections {
			break
		}
		p.Blocks = append(p.Blocks, slackBlock{
			Type: "section",
			Text: &slackText{Type: "mrkdwn", Text: "```" + chunk + "```", Verbatim: true},
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
		Elements: []slackInner{{Type: "plain_text", Text: m.contextLine()}},
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
	body := []map[string]any{teamsRun(m.Subject, "", map[string]any{"weight": "Bolder", "size": "Medium", "color": teamsColor(m.Severity)})}
	spacing := ""
	for i, line := range strings.Split(strings.TrimRight(truncate(m.Text, teamsTextMax), "\n"), "\n") {
		if i == teamsMaxLines {
			body = append(body, teamsRun("... (cut; the email has it all)", "None", map[string]any{"fontType": "Monospace"}))
			break
		}
		if strings.TrimSpace(line) == "" {
			spacing = "Medium" // a blank line: space before the next
			continue
		}
		body = append(body, teamsRun(line, cmp.Or(spacing, "None"), map[string]any{"fontType": "Monospace"}))
		spacing = ""
	}
	body = append(body, teamsRun(m.contextLine(), "Medium", map[string]any{"isSubtle": true, "size": "Small"}))
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body":    body,
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

// teamsRun is a RichTextBlock of one TextRun: text shown as it is, with
// the run's style. spacing is the block's spacing before it ("" for the
// default).
func teamsRun(text, spacing string, style map[string]any) map[string]any {
	run := map[string]any{"type": "TextRun", "text": strings.ReplaceAll(text, "{{", "{\u200b{")}
	maps.Copy(run, style)
	block := map[string]any{"type": "RichTextBlock", "inlines": []map[string]any{run}}
	if spacing != "" {
		block["spacing"] = spacing
	}
	return block
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

// slackEscape escapes the three characters Slack's mrkdwn treats as
// control characters (links, mentions).
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackCode makes text safe inside a Slack code block: escaped, and with
// each backtick replaced by U+02CB (modifier letter grave accent), which
// looks the same and cannot close the block.
func slackCode(s string) string {
	return strings.ReplaceAll(slackEscape(s), "`", "\u02cb")
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
