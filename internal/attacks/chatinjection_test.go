package attacks

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/internal/webhooktest"
)

// TestAttackChatInjectionThroughAnAlarm plays a member account's
// administrator who writes an alarm description for the people in the
// security team's Slack channel: a link dressed as landfall's advice, a
// mention of the whole channel, and a code fence to close the block the
// text is shown in. The alarm is the account's own, so the formatter
// delivers it; what reaches the channel must be text.
func TestAttackChatInjectionThroughAnAlarm(t *testing.T) {
	o := newOrganization(t)
	ctx := context.Background()
	var mu sync.Mutex
	var posts [][]byte
	slack := webhooktest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, b)
		mu.Unlock()
	}))
	secret := o.cfg.Notifications.Chat.SlackWebhookURLSecret
	if secret == "" {
		t.Fatal("the example config no longer posts alerts to Slack")
	}
	security := o.cfg.AlertFanInAccountID()
	if _, err := secretsmanager.NewFromConfig(o.adminOf(t, security)).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(secret), SecretString: aws.String("https://hooks.slack.com/services/T0/B0/x")}); err != nil {
		t.Fatal(err)
	}
	fanIn := o.alertFanIn(t)
	fanIn.formatter.HTTP = slack.Client()
	o.baseline(t, o.member)
	fanIn.deliver(t) // the formatter confirms the member's alerts topic's subscription

	const bait = "Root sign-in blocked. Re-authenticate at <https://evil.example/sso|the AWS access portal> " +
		"[AWS access portal](https://evil.example/sso) <!channel> ``` *now*"
	alarm := strings.ReplaceAll(readEvent(t, "cloudwatch/alarm-root-usage.json"), "111122223333", o.member)
	var doc map[string]any
	if err := json.Unmarshal([]byte(alarm), &doc); err != nil {
		t.Fatal(err)
	}
	doc["AlarmDescription"], doc["NewStateReason"] = bait, bait
	message, _ := json.Marshal(doc)
	topic := "arn:aws:sns:" + o.cfg.Organization.HomeRegion + ":" + o.member + ":" + o.cfg.AlertsTopicName()
	if _, err := sns.NewFromConfig(o.adminOf(t, o.member)).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(string(message))}); err != nil {
		t.Fatal(err)
	}
	if got := fanIn.deliver(t); len(got) != 1 || !strings.Contains(got[0].Message, "evil.example") {
		t.Fatalf("the alarm was not delivered with its description: %+v", got)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(posts) != 1 {
		t.Fatalf("%d Slack posts, want 1", len(posts))
	}
	var payload struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
			Text *struct {
				Type     string `json:"type"`
				Text     string `json:"text"`
				Verbatim bool   `json:"verbatim"`
			} `json:"text"`
			Elements []struct {
				Type string `json:"type"`
				URL  string `json:"url"`
			} `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(posts[0], &payload); err != nil {
		t.Fatal(err)
	}
	// Slack reads <...> as a link or a mention, a closed code fence as
	// the end of the block, and, unless verbatim, bare URLs as links.
	shown := false
	for _, b := range payload.Blocks {
		for _, e := range b.Elements {
			if e.URL != "" && !strings.HasPrefix(e.URL, "https://"+o.cfg.Organization.HomeRegion+".console.aws.amazon.com/") {
				t.Errorf("a button leads to %s", e.URL)
			}
		}
		if b.Type != "section" {
			continue
		}
		inner, _ := strings.CutPrefix(b.Text.Text, "```")
		inner, closed := strings.CutSuffix(inner, "```")
		if b.Text.Type != "mrkdwn" || !b.Text.Verbatim || !closed || strings.ContainsAny(inner, "`<>") {
			t.Errorf("the description escaped its code block: %+v", b.Text)
		}
		shown = shown || strings.Contains(inner, "evil.example/sso|the AWS access portal&gt;")
	}
	if !shown {
		t.Errorf("the description is not shown as text:\n%s", posts[0])
	}
}
