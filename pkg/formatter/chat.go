package formatter

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/landfall/landfall/pkg/notify"
)

// postToChat sends a formatted alert to the chat webhooks of the account's
// profile (items.alertsTopic.chat, else notifications.chat), each in the
// payload its service takes. The URLs are
// credentials, so they live in Secrets Manager and are read once per warm
// Lambda. The alert has already gone to the central topic; a chat failure
// is logged, not retried, because retrying the message would email people
// twice.
func (f *Formatter) postToChat(ctx context.Context, m notify.Message) {
	chat := f.Config.Notifications.Chat
	if a, err := f.account(ctx, m.AccountID); err == nil {
		if sel, err := f.Config.SelectProfile(a); err == nil {
			chat = f.Config.ChatFor(sel.Profile)
		}
	}
	for _, hook := range []struct {
		service, secret string
		payload         func() ([]byte, error)
	}{
		{"slack", chat.SlackWebhookURLSecret, m.Slack},
		{"teams", chat.TeamsWebhookURLSecret, m.Teams},
	} {
		if hook.secret == "" {
			continue
		}
		if err := f.postWebhook(ctx, hook.secret, hook.payload); err != nil {
			f.Log.Error("posting an alert to chat", "service", hook.service, "secret", hook.secret, "error", err)
		}
	}
}

func (f *Formatter) postWebhook(ctx context.Context, secretName string, payload func() ([]byte, error)) error {
	url, err := f.webhookURL(ctx, secretName)
	if err != nil {
		return err
	}
	body, err := payload()
	if err != nil {
		return fmt.Errorf("encoding the chat payload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building the webhook request (secret %s): %w", secretName, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.httpClient().Do(req)
	if err != nil {
		return fmt.Errorf("posting to the webhook (secret %s): %w", secretName, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("posting to the webhook (secret %s): %s", secretName, resp.Status)
	}
	return nil
}

// webhookURL reads a webhook URL from Secrets Manager once. Only https URLs
// are accepted: a webhook URL is a credential and must not travel in clear.
func (f *Formatter) webhookURL(ctx context.Context, secretName string) (string, error) {
	if v, ok := f.webhooks.Load(secretName); ok {
		return v.(string), nil
	}
	out, err := secretsmanager.NewFromConfig(f.own()).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretName)})
	if err != nil {
		return "", fmt.Errorf("reading the webhook secret (%s): %w", secretName, err)
	}
	url := strings.TrimSpace(aws.ToString(out.SecretString))
	if !strings.HasPrefix(url, "https://") {
		return "", fmt.Errorf("reading the webhook secret (%s): its value is not an https URL", secretName)
	}
	f.webhooks.Store(secretName, url)
	return url, nil
}

// webhookTimeout bounds a chat post: the formatter has 30 s for a batch of
// ten alerts, and a slow chat service must not hold up the email.
const webhookTimeout = 5 * time.Second

func (f *Formatter) httpClient() *http.Client {
	if f.HTTP != nil {
		return f.HTTP
	}
	return &http.Client{Timeout: webhookTimeout}
}
