package formatter

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/internal/pipelinetest"
	"github.com/landfall/landfall/pkg/config"
)

// Formatted alerts go to the Slack and Teams webhooks whose URLs the
// config's secrets hold, each in its own payload shape; a webhook that
// cannot be used never fails the message, which already reached the topic.
func TestFanInPostsToChat(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	var mu sync.Mutex
	got := map[string]map[string]any{}
	hook := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var payload map[string]any
		if err := json.Unmarshal(body, &payload); err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		mu.Lock()
		got[r.URL.Path] = payload
		mu.Unlock()
	}))
	defer hook.Close()
	sm := secretsmanager.NewFromConfig(h.Admin)
	for name, url := range map[string]string{"landfall/slack": hook.URL + "/slack", "landfall/teams": hook.URL + "/teams", "landfall/plain": "http://chat.example/hook"} {
		if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(url)}); err != nil {
			t.Fatal(err)
		}
	}
	topic, err := sns.NewFromConfig(h.Admin).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("acme-central-alerts")})
	if err != nil {
		t.Fatal(err)
	}
	// The formatter's role may read the secrets the config names
	// (infra/functions.go chatSecretsStatement), here all of them.
	var secrets []string
	for _, name := range []string{"landfall/slack", "landfall/teams", "landfall/plain", "payments/slack"} {
		secrets = append(secrets, `"arn:aws:secretsmanager:us-east-1:`+pipelinetest.Management+`:secret:`+name+`-??????"`)
	}
	formatter := managementFormatter(t, h, aws.ToString(topic.TopicArn),
		`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":[`+strings.Join(secrets, ",")+`]}`)
	cfg := *h.Deps.Config
	cfg.Notifications.Chat.SlackWebhookURLSecret = "landfall/slack"
	cfg.Notifications.Chat.TeamsWebhookURLSecret = "landfall/teams"
	// A new formatter for each config: it keeps the webhook URLs it read.
	inChat := func() *Formatter {
		return &Formatter{Config: &cfg, AWS: formatter.AWS, Ledger: formatter.Ledger,
			AlertsTopicARN: formatter.AlertsTopicARN, Now: h.Now, Log: h.Deps.Log, HTTP: hook.Client()}
	}
	member := h.Vend(t, "payments")
	d := inChat()
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m1", Body: sampleFrom(t, "../../events/sns/alarm-root-usage-notification.json", member, &cfg)}}}
	if resp := d.FanIn(ctx, ev); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures: %+v", resp.BatchItemFailures)
	}
	mu.Lock()
	slack, teams := got["/slack"], got["/teams"]
	mu.Unlock()
	if _, ok := slack["blocks"]; !ok || slack["text"] == "" {
		t.Errorf("slack payload = %v", slack)
	}
	if teams["type"] != "message" || teams["attachments"] == nil {
		t.Errorf("teams payload = %v", teams)
	}

	// A secret that does not hold an https URL is refused, and the alert
	// still counts as delivered.
	cfg.Notifications.Chat = config.Chat{SlackWebhookURLSecret: "landfall/plain"}
	d = inChat()
	if resp := d.FanIn(ctx, ev); len(resp.BatchItemFailures) != 0 {
		t.Fatalf("a chat failure failed the message: %+v", resp.BatchItemFailures)
	}
	if _, err := d.webhookURL(ctx, "landfall/plain"); err == nil {
		t.Fatal("an http webhook URL was accepted")
	}

	// A profile with its own webhook takes its accounts' alerts there,
	// instead of to the organization's.
	if _, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("payments/slack"), SecretString: aws.String(hook.URL + "/team")}); err != nil {
		t.Fatal(err)
	}
	cfg.Notifications.Chat = config.Chat{SlackWebhookURLSecret: "landfall/slack"}
	cfg.Profiles = append([]config.Profile(nil), cfg.Profiles...)
	cfg.Profiles[0].Items.AlertsTopic.Chat = config.Chat{SlackWebhookURLSecret: "payments/slack"}
	d = inChat()
	mu.Lock()
	got = map[string]map[string]any{}
	mu.Unlock()
	d.FanIn(ctx, ev)
	mu.Lock()
	defer mu.Unlock()
	if got["/team"] == nil || got["/slack"] != nil {
		t.Fatalf("profile webhook: got posts to %v, want only /team", keys(got))
	}
}

func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
