package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

// TestEndToEnd runs the whole demo scenario against the template `make
// synth` wrote, and checks each step's outcome in the accounts, the ledger
// and the outbox, not only the demo's own verdicts.
func TestEndToEnd(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	template := filepath.Join(root, "cdk.out", "landfall.template.json")
	if _, err := os.Stat(template); err != nil {
		t.Fatalf("the synthesized template is missing (%v): run `make synth` (make test does)", err)
	}
	cfg, err := config.Load(filepath.Join(root, "infra", "landfall.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := Run(context.Background(), Options{
		ModuleDir: root, ConfigPath: filepath.Join(root, "infra", "landfall.yaml"), TemplatePath: template,
		Out: &out, FunctionLogs: &bytes.Buffer{}, BuildDir: filepath.Join(root, "build", "host"),
		Explore: func(ctx context.Context, url string, srv *awslocal.Server, rep *Report) {
			readWithTheAWSCLI(t, ctx, url, srv, cfg, rep)
		},
	})
	if err != nil {
		t.Fatalf("demo machinery: %v\n%s", err, out.String())
	}
	for _, s := range rep.Steps {
		if !s.OK {
			t.Errorf("step %q did not hold: %s", s.Name, s.Detail)
		}
	}
	if len(rep.Steps) < 12 {
		t.Errorf("only %d steps ran", len(rep.Steps))
	}
	rows := map[string]ledger.Row{}
	for _, r := range rep.Ledger {
		rows[r.AccountID] = r
	}
	// Every account of the story has a ledger row with the right outcome.
	for name, want := range map[string]ledger.Status{
		"payments-prod": ledger.StatusSucceeded, "analytics-dev": ledger.StatusSucceeded, "sandbox-alice": ledger.StatusSucceeded,
		"legacy-shop": ledger.StatusSucceeded, "security": ledger.StatusSucceeded, "log-archive": ledger.StatusSucceeded,
	} {
		if got := rows[rep.Accounts[name]]; got.Status != want {
			t.Errorf("%s: ledger status %q, want %q (%s)", name, got.Status, want, got.LastError)
		}
	}
	if got := rows[rep.Accounts["payments-prod"]].Profile; got != "workloads" {
		t.Errorf("payments-prod was selected by profile %q, want workloads (its tag)", got)
	}
	if got := rows[rep.Accounts["sandbox-alice"]].Profile; got != "sandbox" {
		t.Errorf("sandbox-alice was selected by profile %q, want the default sandbox", got)
	}
	// The alert: the formatted email names the account and the alarm.
	if rep.AlertEmail == nil || !strings.Contains(rep.AlertEmail.Subject, "payments-prod") || !strings.Contains(rep.AlertEmail.Body, "root") {
		t.Errorf("alert email = %+v", rep.AlertEmail)
	}
	// It was fanned in and formatted where the config says: the central
	// alerts topic that sent it is in that account.
	if rep.AlertEmail != nil && !strings.Contains(rep.AlertEmail.TopicARN, ":"+cfg.AlertFanInAccountID()+":") {
		t.Errorf("the alert email came from %s, want a topic in the fan-in account %s", rep.AlertEmail.TopicARN, cfg.AlertFanInAccountID())
	}
	// Drift: exactly the two changes made out of band, then nothing.
	if len(rep.DriftBefore) != 2 || len(rep.DriftAfter) != 0 {
		t.Errorf("drift before %q, after %q", rep.DriftBefore, rep.DriftAfter)
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", out.String())
	}
}

// readWithTheAWSCLI reads every kind of resource landfall created in the
// demo's organization with the AWS CLI, as a person looking around would:
// the deployed stack in the management account, the baseline in a member
// account and in the security account, and the log archive's bucket.
func readWithTheAWSCLI(t *testing.T, ctx context.Context, url string, srv *awslocal.Server, cfg *config.Config, rep *Report) {
	t.Helper()
	prefix := cfg.Naming.Prefix
	// GuardDuty, AWS Config and Security Hub are on in the security profile;
	// the security account is GuardDuty's delegated administrator.
	member, security, archive := rep.Accounts["payments-prod"], rep.Accounts["security"], rep.Accounts["log-archive"]
	for _, c := range []struct {
		account string
		args    []string
		holds   func(out string) bool
		want    string
	}{
		{rep.Management, []string{"dynamodb", "list-tables"}, shows(cfg.LedgerTableName()), "the ledger table"},
		{rep.Management, []string{"stepfunctions", "list-state-machines"}, shows(cfg.BaselineStateMachineName(), cfg.SweepStateMachineName()), "both state machines"},
		{rep.Management, []string{"lambda", "list-functions"}, listed("Functions"), "the functions"},
		{rep.Management, []string{"events", "list-rules"}, listed("Rules"), "the trigger rules"},
		{rep.Management, []string{"sns", "list-topics"}, shows(":" + prefix + "-"), "the operations topic"},
		{rep.Management, []string{"iam", "list-roles"}, shows(cfg.PipelineRoleName()), "the pipeline role"},
		// The Apply function kept the member's entry role trust, as Organizations wrote it, before tightening it.
		{rep.Management, []string{"dynamodb", "get-item", "--table-name", cfg.LedgerTableName(), "--key", `{"accountId":{"S":"entry-trust/` + member + `"}}`},
			shows(`"entry-trust/`+member+`"`, `arn:aws:iam::`+rep.Management+`:root`, cfg.Organization.EntryRoleName), "the entry role's original trust"},
		{member, []string{"cloudtrail", "describe-trails"}, shows(cfg.TrailName()), "the trail"},
		{member, []string{"cloudtrail", "get-trail-status", "--name", cfg.TrailName()}, shows(`"IsLogging": true`), "a logging trail"},
		{member, []string{"cloudwatch", "describe-alarms"}, shows(prefix + "-root-usage"), "the CIS alarms"},
		{member, []string{"logs", "describe-log-groups"}, listed("logGroups"), "the trail's log group"},
		{member, []string{"logs", "describe-metric-filters"}, listed("metricFilters"), "the metric filters"},
		{member, []string{"sns", "list-topics"}, shows(cfg.AlertsTopicName()), "the alerts topic"},
		{security, []string{"guardduty", "list-detectors"}, listed("DetectorIds"), "a GuardDuty detector"},
		{security, []string{"configservice", "describe-configuration-recorders"}, listed("ConfigurationRecorders"), "a Config recorder"},
		{security, []string{"securityhub", "describe-hub"}, shows("HubArn"), "Security Hub"},
		{member, []string{"accessanalyzer", "list-analyzers"}, listed("analyzers"), "an access analyzer"},
		{member, []string{"budgets", "describe-budgets", "--account-id", member}, listed("Budgets"), "a budget"},
		{member, []string{"iam", "get-account-password-policy"}, shows("MinimumPasswordLength"), "the password policy"},
		{member, []string{"iam", "list-roles"}, shows(prefix + "-admin"), "the human roles"},
		{member, []string{"ec2", "get-ebs-encryption-by-default"}, shows(`"EbsEncryptionByDefault": true`), "EBS encryption by default"},
		{member, []string{"s3control", "get-public-access-block", "--account-id", member}, shows(`"BlockPublicAcls": true`), "the account's public access block"},
		// The CLI v1 sends SQS in us-east-1 to queue.amazonaws.com whatever
		// AWS_ENDPOINT_URL says; only --endpoint-url overrides it.
		{security, []string{"sqs", "list-queues", "--endpoint-url", url}, shows(cfg.AlertFanInQueueName()), "the alert fan-in queue"},
		{archive, []string{"kms", "list-keys"}, listed("Keys"), "the log archive's key"},
		{archive, []string{"s3api", "list-buckets"}, listed("Buckets"), "the log archive bucket"},
	} {
		stdout, stderr, err := awslocal.AWSCLI(ctx, url, srv.AdminCredentials(c.account), "us-east-1", c.args...)
		if err != nil || !c.holds(stdout) {
			t.Errorf("aws %s in %s does not show %s: %v\n%s%s", strings.Join(c.args, " "), c.account, c.want, err, stdout, stderr)
		}
	}
}

// shows is true of an output that holds every one of words.
func shows(words ...string) func(string) bool {
	return func(out string) bool {
		for _, w := range words {
			if !strings.Contains(out, w) {
				return false
			}
		}
		return true
	}
}

// listed is true of a JSON output whose member key is a list that is not empty.
func listed(key string) func(string) bool {
	return func(out string) bool {
		var m map[string]json.RawMessage
		var items []json.RawMessage
		return json.Unmarshal([]byte(out), &m) == nil && json.Unmarshal(m[key], &items) == nil && len(items) > 0
	}
}
