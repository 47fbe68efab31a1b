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
			Type string `json:"type"`
			Text string `json:"text"`
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
	if doc.Text != m.Subject {
		t.Errorf("fallback text = %q, want the subject %q", doc.Text, m.Subject)
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
			if got, want := body.String(), slackEscape(m.Text); got != want {
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

func TestTeams(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			m := Format(readFile(t, inputPath(c.input)), c.context(t))
			payload, err := m.Teams()
			if err != nil {
				t.Fatalf("Teams(): %v", err)
			}
			var doc struct {
				Type        string `json:"type"`
				Attachments []struct {
					ContentType string `json:"contentType"`
					Content     struct {
						Type    string `json:"type"`
						Version string `json:"version"`
						Body    []struct {
							Text  string `json:"text"`
							Color string `json:"color"`
						} `json:"body"`
						Actions []struct {
							Type string `json:"type"`
							URL  string `json:"url"`
						} `json:"actions"`
					} `json:"content"`
				} `json:"attachments"`
			}
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
			if len(a.Content.Body) < 2 || a.Content.Body[0].Text != m.Subject || a.Content.Body[1].Text != m.Text {
				t.Errorf("card body does not carry subject and text: %s", payload)
			}
			if want := teamsColor(m.Severity); a.Content.Body[0].Color != want {
				t.Errorf("title colour = %q, want %q", a.Content.Body[0].Color, want)
			}
			if len(a.Content.Actions) != min(len(m.Links), chatMaxLinks) {
				t.Errorf("%d actions for %d links", len(a.Content.Actions), len(m.Links))
			}
			if len(payload) > 28000 {
				t.Errorf("payload is %d bytes, Teams rejects over ~28 KB", len(payload))
			}
		})
	}
}
