package formatter

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/internal/pipelinetest"
	"github.com/landfall/landfall/internal/webhooktest"
	"github.com/landfall/landfall/pkg/config"
)

// chatFixture is an organization whose formatter may read the webhook
// secrets chatSecrets names, and chat services that record what is posted
// to them, by host and path.
type chatFixture struct {
	cfg    config.Config
	ev     events.SQSEvent
	hook   *webhooktest.Server
	logs   bytes.Buffer
	mu     sync.Mutex
	posts  map[string]map[string]any
	inChat func() *Formatter
}

// chatSecrets are the secrets of the tests and the URLs they hold.
var chatSecrets = map[string]string{
	"landfall/slack":     "https://hooks.slack.com/services/T0/B0/slack-token",
	"landfall/teams":     "https://acme.webhook.office.com/webhookb2/teams-token",
	"landfall/plain":     "http://hooks.slack.com/services/T0/B0/plain-token",
	"landfall/elsewhere": "https://chat.example/services/T0/B0/elsewhere-token",
	"landfall/to-http":   "https://hooks.slack.com/services/T0/B0/to-http-token",
	"landfall/offsite":   "https://hooks.slack.com/services/T0/B0/offsite-token",
	"landfall/hangs-up":  "https://hooks.slack.com/services/T0/B0/hangs-up-token",
	"payments/slack":     "https://hooks.slack.com/services/T0/B0/team-token",
}

func newChatFixture(t *testing.T) *chatFixture {
	t.Helper()
	h := pipelinetest.New(t)
	ctx := context.Background()
	f := &chatFixture{posts: map[string]map[string]any{}}
	f.hook = webhooktest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Two webhooks that send the post on, as a compromised or
		// misconfigured endpoint might.
		switch {
		case strings.HasSuffix(r.URL.Path, "/to-http-token"):
			http.Redirect(w, r, "http://hooks.slack.com/services/T0/B0/stolen", http.StatusTemporaryRedirect)
			return
		case strings.HasSuffix(r.URL.Path, "/offsite-token"):
			http.Redirect(w, r, "https://collector.example/stolen", http.StatusTemporaryRedirect)
			return
		case strings.HasSuffix(r.URL.Path, "/hangs-up-token"):
			// net/http's error then names the URL it posted to.
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		body, _ := io.ReadAll(r.Body)
		var payload map[string]any
		if err := json.Unmarshal(body, &payload); err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.posts[r.Host+r.URL.Path] = payload
		f.mu.Unlock()
	}))
	sm := secretsmanager.NewFromConfig(h.Admin)
	var secrets []string
	for name, url := range chatSecrets {
		if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(url)}); err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, `"arn:aws:secretsmanager:us-east-1:`+pipelinetest.Management+`:secret:`+name+`-??????"`)
	}
	topic, err := sns.NewFromConfig(h.Admin).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("acme-central-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	// The formatter's role may read the secrets the config names
	// (infra/functions.go chatSecretsStatement), here all of them.
	formatter := managementFormatter(t, h, aws.ToString(topic.TopicArn),
		`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":[`+strings.Join(secrets, ",")+`]}`)
	f.cfg = *h.Deps.Config
	log := slog.New(slog.NewTextHandler(&f.logs, nil))
	// A new formatter for each config: it keeps the webhook URLs it read.
	f.inChat = func() *Formatter {
		return &Formatter{Config: &f.cfg, AWS: formatter.AWS, Ledger: formatter.Ledger,
			AlertsTopicARN: formatter.AlertsTopicARN, Now: h.Now, Log: log, HTTP: f.hook.Client()}
	}
	member := h.Vend(t, "payments")
	f.ev = events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: sampleFrom(t, "../../events/sns/alarm-root-usage-notification.json", member, &f.cfg)}}}
	return f
}

// deliver fans the alert in with chat set as the organization's, and
// returns what reached the chat services.
func (f *chatFixture) deliver(t *testing.T, chat config.Chat) map[string]map[string]any {
	t.Helper()
	f.mu.Lock()
	f.posts = map[string]map[string]any{}
	f.mu.Unlock()
	f.cfg.Notifications.Chat = chat
	if resp := f.inChat().FanIn(context.Background(), f.ev); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("a chat post failed the message, which already reached the topic: %+v", resp.BatchItemFailures)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts
}

// Formatted alerts go to the Slack and Teams webhooks whose URLs the
// config's secrets hold, each in its own payload shape; a webhook that
// cannot be used never fails the message, which already reached the topic.
func TestFanInPostsToChat(t *testing.T) {
	f := newChatFixture(t)
	got := f.deliver(t, config.Chat{SlackWebhookURLSecret: "landfall/slack", TeamsWebhookURLSecret: "landfall/teams"})
	slack, teams := got["hooks.slack.com/services/T0/B0/slack-token"], got["acme.webhook.office.com/webhookb2/teams-token"]
	if _, ok := slack["blocks"]; !ok || slack["text"] == "" {
		t.Errorf("slack payload = %v (posts to %v)", slack, slices.Sorted(maps.Keys(got)))
	}
	if teams["type"] != "message" || teams["attachments"] == nil {
		t.Errorf("teams payload = %v", teams)
	}

	// A profile with its own webhook takes its accounts' alerts there,
	// instead of to the organization's.
	f.cfg.Profiles = append([]config.Profile(nil), f.cfg.Profiles...)
	f.cfg.Profiles[0].Items.AlertsTopic.Chat = config.Chat{SlackWebhookURLSecret: "payments/slack"}
	got = f.deliver(t, config.Chat{SlackWebhookURLSecret: "landfall/slack"})
	if got["hooks.slack.com/services/T0/B0/team-token"] == nil || len(got) != 1 {
		t.Fatalf("profile webhook: got posts to %v, want only the team's", slices.Sorted(maps.Keys(got)))
	}
}

// A webhook URL is a credential: an alert is posted only over https to the
// chat service's own webhook hosts, redirects included, and the URL is in
// no log line.
func TestChatPostsStayOnWebhookHosts(t *testing.T) {
	f := newChatFixture(t)
	for _, tt := range []struct{ secret, service, why string }{
		{"landfall/plain", "slack", "not https"},
		{"landfall/elsewhere", "slack", "chat.example is not a slack webhook host"},
		{"landfall/teams", "slack", "acme.webhook.office.com is not a slack webhook host"},
		{"landfall/to-http", "slack", "refusing a redirect: the URL is not https"},
		{"landfall/offsite", "slack", "refusing a redirect: the URL's host collector.example is not a slack webhook host"},
		{"landfall/slack", "teams", "hooks.slack.com is not a teams webhook host"},
		{"landfall/hangs-up", "slack", "posting to the webhook (secret landfall/hangs-up, host hooks.slack.com): Post: EOF"},
	} {
		f.logs.Reset()
		chat := config.Chat{SlackWebhookURLSecret: tt.secret}
		if tt.service == "teams" {
			chat = config.Chat{TeamsWebhookURLSecret: tt.secret}
		}
		if got := f.deliver(t, chat); len(got) != 0 {
			t.Errorf("%s as %s: posted to %v", tt.secret, tt.service, slices.Sorted(maps.Keys(got)))
		}
		logs := f.logs.String()
		if !strings.Contains(logs, tt.why) || !strings.Contains(logs, tt.secret) {
			t.Errorf("%s as %s: the log does not say %q of the secret:\n%s", tt.secret, tt.service, tt.why, logs)
		}
		for _, url := range chatSecrets {
			if token := url[strings.LastIndex(url, "/"):]; strings.Contains(logs, token) {
				t.Errorf("%s as %s: the log holds a webhook URL's secret part %s:\n%s", tt.secret, tt.service, token, logs)
			}
		}
	}
}

func TestCheckWebhookURL(t *testing.T) {
	for _, tt := range []struct {
		service, url string
		ok           bool
	}{
		{"slack", "https://hooks.slack.com/services/T0/B0/x", true},
		{"slack", "https://hooks.slack-gov.com/services/T0/B0/x", true},
		{"slack", "https://HOOKS.SLACK.COM:443/services/T0/B0/x", true},
		{"teams", "https://acme.webhook.office.com/webhookb2/x", true},
		{"teams", "https://prod-01.westeurope.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke?sig=s", true},
		{"teams", "https://default1.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/x", true},
		{"slack", "http://hooks.slack.com/services/T0/B0/x", false},
		{"slack", "https://hooks.slack.com.collector.example/services/x", false},
		{"slack", "https://evilhooks.slack.com/services/x", false},
		{"slack", "https://hooks.slack.com@collector.example/services/x", false},
		{"slack", "https://user:pw@hooks.slack.com/services/x", false},
		{"slack", "https://hooks.slack.com:8443/services/x", false},
		{"teams", "https://webhook.office.com.collector.example/x", false},
		{"teams", "https://hooks.slack.com/services/x", false},
		{"slack", "hooks.slack.com/services/x", false},
		{"slack", "https://hooks.slack.com/services/%zz", false},
		{"chat", "https://hooks.slack.com/services/x", false},
	} {
		_, err := checkWebhookURL(tt.service, tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("checkWebhookURL(%s, %s) = %v, want ok %v", tt.service, tt.url, err, tt.ok)
		}
		if err != nil && strings.Contains(err.Error(), "/services/") {
			t.Errorf("checkWebhookURL(%s, %s): the error repeats the URL: %v", tt.service, tt.url, err)
		}
	}
}
