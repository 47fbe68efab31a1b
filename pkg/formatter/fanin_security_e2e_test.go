package formatter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/pipelinetest"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/lambdaenv"
)

// TestAlertsFanInInTheSecurityAccount runs an alarm through the fan-in of
// notifications.centralAlerts: security: the member account's alerts topic
// delivers to the queue in the security account; the formatter there, acting
// as its own role and through the management account's bridge role as
// infra/alertsbridge.go trusts it, names the account, finds who triggered the
// alarm, publishes to the security account's alerts topic and writes the
// receipt to the management account's ledger.
func TestAlertsFanInInTheSecurityAccount(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	security := h.Vend(t, "security")
	// The config file the functions are deployed with, here with the
	// security account's id, which the endpoint only knows now.
	raw, err := os.ReadFile(pipelinetest.ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	configPath := filepath.Join(t.TempDir(), "landfall.yaml")
	edited := strings.NewReplacer(
		"  homeRegion: us-east-1\n", "  homeRegion: us-east-1\n  securityAccountId: \""+security+"\"\n",
		"notifications:\n", "notifications:\n  centralAlerts: security\n",
	).Replace(string(raw))
	if err := os.WriteFile(configPath, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if h.Deps.Config, err = config.Load(configPath); err != nil {
		t.Fatal(err)
	}
	cfg := h.Deps.Config
	if cfg.AlertFanInAccountID() != security {
		t.Fatalf("the edited config fans alerts in to %q, want the security account %s", cfg.AlertFanInAccountID(), security)
	}

	securityAdmin, err := awslocal.SDKConfig(ctx, h.URL, h.Srv.AdminCredentials(security), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	queueARN, central := deployFanIn(t, h, securityAdmin, security)
	formatter := securityFormatter(t, h, securityAdmin, security, configPath, central)

	member := h.Vend(t, "workload")
	h.Baseline(t, member)
	// The baseline subscribed the member's topic to the security account's
	// queue; the formatter confirms it, and the management account has no
	// fan-in queue at all.
	drainFanIn(t, h, formatter, queueARN)
	if _, err := sqs.NewFromConfig(h.Admin).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(cfg.AlertFanInQueueName())}); err == nil {
		t.Error("the management account has a fan-in queue; alerts must go to the security account")
	}

	alarm := cfg.Naming.Prefix + "-root-usage"
	email := rootLogin(t, h, member, formatter, queueARN)
	for _, want := range []string{alarm, "workload (" + member + ")", "Who (1 matching CloudTrail record)", "ConsoleLogin by root user"} {
		if !strings.Contains(email, want) {
			t.Errorf("the alert email lacks %q:\n%s", want, email)
		}
	}
	r, err := h.Deps.Ledger.GetReceipt(ctx, member, alarm)
	if err != nil {
		t.Fatalf("the receipt in the management account's ledger: %v", err)
	}
	if r.State != "ALARM" {
		t.Errorf("receipt state = %s, want ALARM", r.State)
	}

	// Without the bridge role (the management stack not deployed yet) the
	// formatter of a fresh Lambda still delivers the alert, only without
	// what it reads in the management account: the account's name. Who did
	// it comes from the member's alerts reader role, which needs no bridge.
	if _, err := iam.NewFromConfig(h.Admin).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(cfg.AlertsBridgeRoleName()), PolicyName: aws.String(pipelinetest.GrantsPolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(h.Admin).DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(cfg.AlertsBridgeRoleName())}); err != nil {
		t.Fatal(err)
	}
	cold, err := FromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	resetAlarms(t, cloudwatch.NewFromConfig(awsx.AssumeRole(h.Admin, awsx.RoleARN(member, cfg.Organization.EntryRoleName), "test")), cfg.Naming.Prefix)
	email = rootLogin(t, h, member, cold, queueARN)
	if !strings.Contains(email, alarm) || strings.Contains(email, "workload") || !strings.Contains(email, "Who (") {
		t.Errorf("without the bridge the email should name the alarm and who did it, not the account name:\n%s", email)
	}
}

// rootLogin records a root sign-in in the member account's trail, lets the
// formatter drain the fan-in queue, and returns the one alert email sent.
func rootLogin(t *testing.T, h *pipelinetest.Harness, member string, formatter *Formatter, queueARN string) string {
	t.Helper()
	*h.Clock = h.Clock.Add(10 * time.Minute)
	sent := len(h.Srv.Outbox())
	if err := h.Srv.RecordCloudTrailEvent(member, sampleFor(t, "root-usage.match.console-login.json", member, h.Now())); err != nil {
		t.Fatal(err)
	}
	drainFanIn(t, h, formatter, queueARN)
	var alerts []awslocal.Email
	for _, e := range h.Srv.Outbox()[sent:] {
		if e.To == "secops@acme.example" && e.Kind == "notification" {
			alerts = append(alerts, e)
		}
	}
	if len(alerts) != 1 {
		t.Fatalf("%d alert emails, want 1 (root usage): %+v", len(alerts), alerts)
	}
	return alerts[0].Subject + "\n" + alerts[0].Body
}

// securityFormatter is the formatter as the central alerts stack deploys it:
// its own role in the security account, the bridge role in the management
// account with the trust policy infra/alertsbridge.go writes, and the
// environment infra/centralalerts.go sets,
// read by FromEnv as the Lambda does.
func securityFormatter(t *testing.T, h *pipelinetest.Harness, securityAdmin aws.Config, security, configPath, central string) *Formatter {
	t.Helper()
	ctx := context.Background()
	cfg := h.Deps.Config
	bridgeARN := awsx.RoleARN(pipelinetest.Management, cfg.AlertsBridgeRoleName())
	formatterRole := pipelinetest.CreateFormatterRole(t, securityAdmin, cfg,
		append(pipelinetest.FormatterGrants(cfg, central, h.OrgID), `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+bridgeARN+`"}`)...)
	bridgeTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + security + `:root"},"Action":"sts:AssumeRole",` +
		`"Condition":{"ArnEquals":{"aws:PrincipalArn":"` + formatterRole + `"}}}]}`
	bridge := pipelinetest.CreateRoleTrusting(t, h.Admin, "/", cfg.AlertsBridgeRoleName(), bridgeTrust, managementGrants(h)...)
	h.Srv.SettleIAM() // the deploys made both roles long before any alert
	// The bridge admits the formatter's role and nothing else of the
	// security account: its administrator is refused.
	if _, err := awsx.AssumeRole(securityAdmin, bridge, "intruder").Credentials.Retrieve(ctx); err == nil {
		t.Fatal("the security account's administrator assumed the bridge role; only the formatter's role may")
	}

	// Lambda hands the function its role's credentials in the environment.
	creds, err := awsx.AssumeRole(securityAdmin, formatterRole, "formatter").Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": h.URL, "AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": creds.SessionToken, "AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": "/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE": "/dev/null", lambdaenv.ConfigFile: configPath, lambdaenv.LogLevel: "WARN", lambdaenv.AlertsTopic: central,
		lambdaenv.ManagementRole: bridge, lambdaenv.LedgerTable: h.Deps.Ledger.Table,
	} {
		t.Setenv(k, v)
	}
	d, err := FromEnv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cfg  aws.Config
		want string
	}{
		{"its own identity", d.own(), "arn:aws:sts::" + security + ":assumed-role/" + cfg.AlertFormatterRoleName() + "/formatter"},
		{"its identity in the management account", d.AWS, "arn:aws:sts::" + pipelinetest.Management + ":assumed-role/" + cfg.AlertsBridgeRoleName() + "/landfall-alert-formatter"},
	} {
		id, err := sts.NewFromConfig(c.cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil || aws.ToString(id.Arn) != c.want {
			t.Fatalf("the formatter's %s = %v (%v), want %s", c.name, aws.ToString(id.Arn), err, c.want)
		}
	}
	return d
}
