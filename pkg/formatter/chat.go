package formatter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
		if err := f.postWebhook(ctx, hook.service, hook.secret, hook.payload); err != nil {
			f.Log.Error("posting an alert to chat", "service", hook.service, "secret", hook.secret, "error", err)
		}
	}
}

// A webhook URL is a credential: whoever has it posts to the channel. So
// it is never logged or put in an error (errors carry the secret's name and
// at most the URL's host), it is used only over https, and only on the hosts
// its chat service gives webhooks: a secret edited to point elsewhere, or a
// redirect, must not carry the alerts off.
func (f *Formatter) postWebhook(ctx context.Context, service, secretName string, payload func() ([]byte, error)) error {
	target, err := f.webhookURL(ctx, service, secretName)
	if err != nil {
		return err
	}
	body, err := payload()
	if err != nil {
		return fmt.Errorf("encoding the chat payload: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("building the webhook request (secret %s): %w", secretName, withoutURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.httpClient(service).Do(req)
	if err != nil {
		return fmt.Errorf("posting to the webhook (secret %s, host %s): %w", secretName, target.Host, withoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("posting to the webhook (secret %s, host %s): %s", secretName, target.Host, resp.Status)
	}
	return nil
}

// webhookURL reads the service's webhook URL from Secrets Manager once, and
// accepts it only as checkWebhookURL does.
func (f *Formatter) webhookURL(ctx context.Context, service, secretName string) (*url.URL, error) {
	key := service + "\x00" + secretName
	if v, ok := f.webhooks.Load(key); ok {
		return v.(*url.URL), nil
	}
	out, err := secretsmanager.NewFromConfig(f.own()).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretName)})
	if err != nil {
		return nil, fmt.Errorf("reading the webhook secret (%s): %w", secretName, err)
	}
	u, err := checkWebhookURL(service, strings.TrimSpace(aws.ToString(out.SecretString)))
	if err != nil {
		return nil, fmt.Errorf("reading the webhook secret (%s): %w", secretName, err)
	}
	f.webhooks.Store(key, u)
	return u, nil
}

// webhookHosts are the hosts each chat service's incoming webhooks are
// on; a name starting with "." admits its subdomains. Slack: hooks.slack.com,
// and hooks.slack-gov.com for GovSlack ("Sending messages using incoming
// webhooks", Slack API). Teams: <tenant>.webhook.office.com for Microsoft 365
// connectors, and the Power Automate hosts of Workflows' "When a Teams
// webhook request is received" (*.logic.azure.com, and
// *.environment.api.powerplatform.com) ("Create an Incoming Webhook",
// Microsoft Teams platform documentation).
var webhookHosts = map[string][]string{
	"slack": {"hooks.slack.com", "hooks.slack-gov.com"},
	"teams": {".webhook.office.com", ".logic.azure.com", ".environment.api.powerplatform.com"},
}

// checkWebhookURL parses raw as a webhook URL of service: https, port 443,
// no user info, on one of the service's webhook hosts. Its errors say what
// is wrong without repeating raw.
func checkWebhookURL(service, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, fmt.Errorf("the value is not a URL")
	}
	switch {
	case u.Scheme != "https":
		return nil, fmt.Errorf("the URL is not https (a webhook URL is a credential and must not travel in clear)")
	case u.User != nil:
		return nil, fmt.Errorf("the URL carries user info; a %s webhook URL has none", service)
	case u.Port() != "" && u.Port() != "443":
		return nil, fmt.Errorf("the URL names port %s; %s webhooks are on 443", u.Port(), service)
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range webhookHosts[service] {
		if host == h || (strings.HasPrefix(h, ".") && strings.HasSuffix(host, h)) {
			return u, nil
		}
	}
	return nil, fmt.Errorf("the URL's host %s is not a %s webhook host (%s)", host, service, strings.Join(webhookHosts[service], ", "))
}

// withoutURL drops the URL net/http puts in its errors, keeping what went
// wrong.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// webhookTimeout bounds a chat post: the formatter has 30 s for a batch of
// ten alerts, and a slow chat service must not hold up the email.
const webhookTimeout = 5 * time.Second

// maxWebhookRedirects bounds the redirects a post follows, each of them to
// the service's own webhook hosts.
const maxWebhookRedirects = 3

// httpClient is the client of service's webhooks: f.HTTP's transport (tests
// give one), with redirects checked like the URL itself.
func (f *Formatter) httpClient(service string) *http.Client {
	c := &http.Client{Timeout: webhookTimeout}
	if f.HTTP != nil {
		c.Transport, c.Timeout = f.HTTP.Transport, f.HTTP.Timeout
	}
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxWebhookRedirects {
			return fmt.Errorf("refusing a redirect: more than %d", maxWebhookRedirects)
		}
		if _, err := checkWebhookURL(service, req.URL.String()); err != nil {
			return fmt.Errorf("refusing a redirect: %w", err)
		}
		return nil
	}
	return c
}
