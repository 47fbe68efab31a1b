package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

type slackDoc struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Type     string `json:"type"`
			Text     string `json:"text"`
			Verbatim bool   `json:"verbatim"`
		} `json:"text"`
		Elements []struct {
			Type string          `json:"type"`
			Text json.RawMessage `json:"text"`
			URL  string          `json:"url"`
		} `json:"elements"`
	} `json:"blocks"`
}

// checkSlack decodes a Slack payload and checks the API limits.
func checkSlack(t *testing.T, m Message, payload []byte) slackDoc {
	t.Helper()
	var doc slackDoc
	if err := json.Unmarshal(payload, &doc); err != nil {
		t.Fatalf("decoding Slack payload: %v", err)
	}
	if doc.Text != slackEscape(m.Subject) {
		t.Errorf("fallback text = %q, want the escaped subject %q", doc.Text, slackEscape(m.Subject))
	}
	if len(doc.Blocks) == 0 || doc.Blocks[0].Type != "header" {
		t.Fatalf("first block should be a header, got %+v", doc.Blocks)
	}
	if len(doc.Blocks) > 50 {
		t.Errorf("%d blocks, Slack allows 50", len(doc.Blocks))
	}
	for i, b := range doc.Blocks {
		switch b.Type {
		case "header":
			if n := utf8.RuneCountInString(b.Text.Text); n > slackHeaderMax {
				t.Errorf("header has %d characters", n)
			}
		case "section":
			if n := utf8.RuneCountInString(b.Text.Text); n > slackSectionMax || n == 0 {
				t.Errorf("section %d has %d characters", i, n)
			}
			inner, fenced := strings.CutPrefix(b.Text.Text, "```")
			inner, closed := strings.CutSuffix(inner, "```")
			if b.Text.Type != "mrkdwn" || !b.Text.Verbatim || !fenced || !closed || strings.Contains(inner, "`") {
				t.Errorf("section %d is not one verbatim code block: %+v", i, b.Text)
			}
		case "actions":
			if len(b.Elements) > chatMaxLinks {
				t.Errorf("%d buttons", len(b.Elements))
			}
		}
	}
	return doc
}

func TestSlackAllSamples(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			m := Format(readFile(t, inputPath(c.input)), c.context(t))
			payload, err := m.Slack()
			if err != nil {
				t.Fatalf("Slack(): %v", err)
			}
			doc := checkSlack(t, m, payload)
			var body strings.Builder
			buttons := 0
			for _, b := range doc.Blocks {
				if b.Type == "section" {
					body.WriteString(strings.TrimSuffix(strings.TrimPrefix(b.Text.Text, "```"), "```"))
				}
				if b.Type == "actions" {
					buttons = len(b.Elements)
				}
			}
			if got, want := body.String(), slackCode(m.Text); got != want {
				t.Errorf("sections do not add up to the escaped text\n got: %q\nwant: %q", got, want)
			}
			if want := min(len(m.Links), chatMaxLinks); buttons != want {
				t.Errorf("%d buttons, want %d", buttons, want)
			}
		})
	}
}

func TestSlackSplitsLongText(t *testing.T) {
	long := `{"note":"` + strings.Repeat("a < b & c > d ", 900) + `"}`
	m := Format([]byte(long), Context{})
	payload, err := m.Slack()
	if err != nil {
		t.Fatalf("Slack(): %v", err)
	}
	doc := checkSlack(t, m, payload)
	sections := 0
	for _, b := range doc.Blocks {
		if b.Type == "section" {
			sections++
			if strings.Contains(b.Text.Text, "<") || strings.Contains(b.Text.Text, ">") {
				t.Errorf("section contains unescaped angle brackets")
			}
		}
	}
	if sections < 2 {
		t.Errorf("%d sections for %d bytes of text, want the text split", sections, len(m.Text))
	}
}

func TestChunks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"fits", "abc", 5, []string{"abc"}},
		{"prefers line breaks", "ab\ncd\nef", 6, []string{"ab\ncd\n", "ef"}},
		{"hard cut without line break", "abcdefgh", 3, []string{"abc", "def", "gh"}},
		{"does not split a rune", "aé", 2, []string{"a", "é"}},
		{"does not split an escape", "ab&amp;cd", 5, []string{"ab", "&amp;", "cd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := chunks(tt.in, tt.max)
			if strings.Join(got, "") != tt.in {
				t.Errorf("chunks lose content: %q", got)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("chunks(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("chunks(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
					break
				}
			}
		})
	}
}

// teamsDoc is a Teams payload as the tests read it.
type teamsDoc struct {
	Type        string `json:"type"`
	Attachments []struct {
		ContentType string `json:"contentType"`
		Content     struct {
			Type    string `json:"type"`
			Version string `json:"version"`
			Body    []struct {
				Type    string           `json:"type"`
				Text    string           `json:"text"`
				Inlines []map[string]any `json:"inlines"`
			} `json:"body"`
			Actions []struct {
				Type  string `json:"type"`
				Title string `json:"title"`
				URL   string `json:"url"`
			} `json:"actions"`
		} `json:"content"`
	} `json:"attachments"`
}

// checkTeams decodes a Teams payload and returns its card's runs, one per
// block, after checking that every block is a RichTextBlock of one TextRun:
// the element Teams renders without Markdown.
func checkTeams(t *testing.T, payload []byte) (teamsDoc, []map[string]any) {
	t.Helper()
	var doc teamsDoc
	if err := json.Unmarshal(payload, &doc); err != nil {
		t.Fatalf("decoding Teams payload: %v", err)
	}
	if doc.Type != "message" || len(doc.Attachments) != 1 {
		t.Fatalf("want one attachment in a message, got %s", payload)
	}
	a := doc.Attachments[0]
	if a.ContentType != "application/vnd.microsoft.card.adaptive" || a.Content.Type != "AdaptiveCard" {
		t.Errorf("not an Adaptive Card: %s", payload)
	}
	if len(payload) > 28000 {
		t.Errorf("payload is %d bytes, Teams rejects over ~28 KB", len(payload))
	}
	var runs []map[string]any
	for i, b := range a.Content.Body {
		if b.Type != "RichTextBlock" || len(b.Inlines) != 1 || b.Inlines[0]["type"] != "TextRun" {
			t.Fatalf("block %d is not a RichTextBlock of one TextRun: %+v", i, b)
		}
		runs = append(runs, b.Inlines[0])
	}
	return doc, runs
}

func TestTeams(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			m := Format(readFile(t, inputPath(c.input)), c.context(t))
			payload, err := m.Teams()
			if err != nil {
				t.Fatalf("Teams(): %v", err)
			}
			doc, runs := checkTeams(t, payload)
			if len(runs) < 3 || runs[0]["text"] != m.Subject {
				t.Fatalf("the card does not start with the subject: %s", payload)
			}
			if want := teamsColor(m.Severity); runs[0]["color"] != want {
				t.Errorf("title colour = %q, want %q", runs[0]["color"], want)
			}
			var lines []string
			for _, l := range strings.Split(m.Text, "\n") {
				if strings.TrimSpace(l) != "" {
					lines = append(lines, strings.ReplaceAll(l, "{{", "{\u200b{"))
				}
			}
			var got []string
			for _, r := range runs[1 : len(runs)-1] {
				got = append(got, r["text"].(string))
			}
			if strings.Join(got, "\n") != strings.Join(lines, "\n") {
				t.Errorf("the card's lines are not the text's:\n got: %q\nwant: %q", got, lines)
			}
			if len(doc.Attachments[0].Content.Actions) != min(len(m.Links), chatMaxLinks) {
				t.Errorf("%d actions for %d links", len(doc.Attachments[0].Content.Actions), len(m.Links))
			}
		})
	}
}

// Text anyone can put in an alert (an alarm's description, a finding's
// title, a CloudTrail field) reaches chat as text: no link, mention,
// formatting or date function of it survives in either payload, and the
// only links are landfall's console buttons.
func TestChatKeepsUntrustedTextInert(t *testing.T) {
	const hostile = "Reset your MFA: [here](https://evil.example/login) <https://evil.example|here> <!channel> @here " +
		"**urgent** *now* _now_ ~x~ ```\n<@U024BE7LH> ``\n{{DATE(2017-02-14T06:00:00Z, SHORT)}} &amp;"
	alarm := `{"AlarmName":"acme-root-usage` + "` `" + `","AlarmDescription":` + jsonString(hostile) +
		`,"AWSAccountId":"111122223333","NewStateValue":"ALARM","NewStateReason":` + jsonString(hostile) +
		`,"StateChangeTime":"2026-03-04T10:22:05.312+0000","Region":"evil.example/#","AlarmArn":"arn:aws:cloudwatch:evil.example/#:111122223333:alarm:x","Trigger":{}}`
	finding := `{"version":"0","detail-type":"GuardDuty Finding","source":"aws.guardduty","account":"111122223333","region":"evil.example/#",` +
		`"detail":{"accountId":"111122223333","region":"evil.example/#","id":"x","type":"Recon","title":` + jsonString(hostile) +
		`,"description":` + jsonString(hostile) + `,"severity":8,"resource":{"resourceType":"AccessKey","accessKeyDetails":{"userName":` + jsonString(hostile) + `}},` +
		`"service":{"action":{"actionType":"AWS_API_CALL","awsApiCallAction":{"api":` + jsonString(hostile) + `}}}}}`
	ctx := Context{Records: []TrailRecord{{EventTime: "2026-03-04T10:20:00Z", EventName: hostile, AWSRegion: "evil.example/#", SourceIPAddress: hostile, UserAgent: hostile}}}
	for name, raw := range map[string]string{"alarm": alarm, "finding": finding, "unknown": hostile} {
		t.Run(name, func(t *testing.T) {
			m := Format([]byte(raw), ctx)
			if !strings.Contains(m.Text, "evil.example") {
				t.Fatalf("the %s does not carry the hostile text; the test proves nothing:\n%s", name, m.Text)
			}
			// The hostile region is no region code, so every link is the
			// global console's.
			toConsole := func(u string) bool { return strings.HasPrefix(u, "https://console.aws.amazon.com/") }
			for _, l := range m.Links {
				if !toConsole(l.URL) {
					t.Errorf("link %q leads to %s", l.Label, l.URL)
				}
			}

			payload, err := m.Slack()
			if err != nil {
				t.Fatal(err)
			}
			doc := checkSlack(t, m, payload) // every section one verbatim code block without a backtick
			if strings.ContainsAny(doc.Text, "<>") {
				t.Errorf("the Slack fallback text has markup: %q", doc.Text)
			}
			for _, b := range doc.Blocks {
				if b.Type == "section" && strings.ContainsAny(b.Text.Text, "<>") {
					t.Errorf("a Slack section has angle brackets: %q", b.Text.Text)
				}
				for _, e := range b.Elements {
					if b.Type == "context" && e.Type != "plain_text" {
						t.Errorf("a Slack context element is %s", e.Type)
					}
					if b.Type == "actions" && !toConsole(e.URL) {
						t.Errorf("a Slack button leads to %s", e.URL)
					}
				}
			}

			payload, err = m.Teams()
			if err != nil {
				t.Fatal(err)
			}
			tdoc, runs := checkTeams(t, payload) // every block a RichTextBlock of one TextRun, no Markdown
			for _, r := range runs {
				if strings.Contains(r["text"].(string), "{{") {
					t.Errorf("a TextRun keeps a date function: %q", r["text"])
				}
			}
			for _, a := range tdoc.Attachments[0].Content.Actions {
				if !toConsole(a.URL) {
					t.Errorf("a Teams action leads to %s", a.URL)
				}
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
