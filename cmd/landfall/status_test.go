package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/internal/ledgertest"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

const (
	mgmtID         = "111111111111"
	testConfigPath = "testdata/landfall.yaml"
)

// testClock is the endpoint's clock. It moves by step on every read (zero:
// frozen), so account creation completes after a few calls while alarms
// are never re-evaluated behind a test's back.
type testClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// orgFixture is an organization on the local endpoint with the ledger
// table the stack deploys, and the standard AWS environment variables
// pointing the commands at it as the management account's operator.
type orgFixture struct {
	srv    *awslocal.Server
	clock  *testClock
	admin  aws.Config
	cfg    *config.Config
	ledger *ledger.Ledger
	orgID  string
}

// newEndpoint is the local endpoint with opts, deciding every request the
// way IAM does.
func newEndpoint(t *testing.T, opts awslocal.Options) *awslocal.Server {
	t.Helper()
	simulator, err := iamsim.Shared("../..")
	if err != nil {
		t.Fatal(err)
	}
	opts.Authorizer = simulator
	return awslocal.New(opts)
}

func newOrg(t *testing.T, clockStep time.Duration) *orgFixture {
	t.Helper()
	ctx := context.Background()
	f := &orgFixture{clock: &testClock{now: time.Now().UTC().Truncate(time.Second), step: clockStep}}
	f.srv = newEndpoint(t, awslocal.Options{Clock: f.clock.Now, Seed: 7})
	url := f.srv.Start(t)
	creds := f.srv.AdminCredentials(mgmtID)
	var err error
	if f.admin, err = awslocal.SDKConfig(ctx, url, creds, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	if f.cfg, err = config.Load(testConfigPath); err != nil {
		t.Fatal(err)
	}
	org, err := organizations.NewFromConfig(f.admin).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	f.orgID = aws.ToString(org.Organization.Id)
	f.ledger = ledgertest.New(t, f.admin, f.cfg.LedgerTableName())
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
	} {
		t.Setenv(k, v)
	}
	return f
}

// createAccount creates a member account and returns its id.
func (f *orgFixture) createAccount(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(f.admin)
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Add(awslocal.AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("creating account %s: %v", name, err)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

// run runs a command in-process with the fixture's config file.
func (f *orgFixture) run(cmd func(context.Context, cli.Env, []string) int, args ...string) (int, string, string) {
	return f.runWithInput(nil, cmd, args...)
}

// runWithInput is run with stdin.
func (f *orgFixture) runWithInput(stdin io.Reader, cmd func(context.Context, cli.Env, []string) int, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	e := cli.Env{Stdin: stdin, Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
		if k == cli.ConfigEnvVar {
			return testConfigPath
		}
		return ""
	}}
	code := cmd(context.Background(), e, args)
	return code, stdout.String(), stderr.String()
}

func TestStatus(t *testing.T) {
	const (
		pending = "alerts-topic: the subscription of secops@acme.example to acme-alerts is not confirmed: confirm the subscription email sent to secops@acme.example"
		noMFA   = "iam-findings: root user has no MFA"
	)
	longError := "applying cloudtrail (us-east-1): creating trail (acme-trail):\nAccessDenied: the SCP denies cloudtrail:CreateTrail in this account, ask the platform team"
	type accounts struct{ workload, payments, sandbox string }
	// seed fills the ledger: workload succeeded with a delivery finding,
	// payments failed terminally, sandbox has no row, and a closed account remains as
	// history. A receipt row shares the table and must stay invisible.
	seed := func(t *testing.T, f *orgFixture, findings []string) accounts {
		a := accounts{workload: f.createAccount(t, "workload"), payments: f.createAccount(t, "payments"), sandbox: f.createAccount(t, "sandbox")}
		now := time.Now()
		ctx := context.Background()
		for _, r := range []ledger.Row{
			{AccountID: a.workload, AccountName: "workload", Profile: "workloads", Version: "1", Status: ledger.StatusSucceeded,
				LastRun: now.Add(-3*time.Hour - time.Minute), DurationMs: 65_000, Created: 31, Drift: 2, Findings: findings},
			{AccountID: a.payments, AccountName: "payments", Profile: "workloads", Version: "1", Status: ledger.StatusFailed,
				LastRun: now.Add(-10*time.Minute - time.Second), DurationMs: 4_000, LastError: longError, Terminal: true},
			{AccountID: "999999999999", AccountName: "old", Status: ledger.StatusClosed, LastRun: now.Add(-72 * time.Hour)},
			{AccountID: "888888888888", AccountName: "suspect", Status: ledger.StatusSkipped, Reason: "quarantined", LastRun: now.Add(-time.Hour)},
		} {
			if err := f.ledger.Put(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.ledger.PutReceipt(ctx, ledger.Receipt{AccountID: a.workload, AlarmName: "acme-root-use", State: "ALARM", Reason: "test", DeliveredAt: now}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name     string
		args     []string
		findings []string
		noTable  bool
		wantCode int
		check    func(t *testing.T, a accounts, stdout, stderr string)
	}{
		{
			name: "table sorted by status then name", findings: []string{pending, noMFA}, wantCode: cli.ExitOK,
			check: func(t *testing.T, a accounts, stdout, _ string) {
				table, health, _ := strings.Cut(stdout, "\nDelivery health")
				lines := strings.Split(strings.TrimSpace(table), "\n")
				wantOrder := []string{"ACCOUNT", a.payments, mgmtID, a.sandbox, "888888888888", a.workload, "999999999999"}
				if len(lines) < len(wantOrder) {
					t.Fatalf("table has %d lines, want at least %d:\n%s", len(lines), len(wantOrder), stdout)
				}
				for i, id := range wantOrder {
					if !strings.HasPrefix(lines[i], id) {
						t.Errorf("line %d = %q, want it to start with %s", i, lines[i], id)
					}
				}
				for _, want := range []string{"SUCCEEDED", "3h ago", "1m5s", "2  ", "10m ago", "3d ago", "…", "6 accounts: 1 FAILED, 2 MISSING, 1 SKIPPED, 1 SUCCEEDED, 1 CLOSED"} {
					if !strings.Contains(stdout, want) {
						t.Errorf("stdout lacks %q:\n%s", want, stdout)
					}
				}
				if line := lines[1]; !strings.Contains(line, "not retried: applying cloudtrail") {
					t.Errorf("the terminal failure's line does not say it is not retried: %q", line)
				}
				if line := lines[4]; !strings.HasSuffix(line, "skipped: quarantined") {
					t.Errorf("the quarantined account's line does not say why it is skipped: %q", line)
				}
				if strings.Contains(stdout, "alert-receipt") || strings.Contains(stdout, "ask the platform team") {
					t.Errorf("a receipt row or an untruncated error is shown:\n%s", stdout)
				}
				if !strings.Contains(health, a.workload+" (workload): "+pending) || strings.Contains(health, noMFA) || !strings.HasPrefix(health, ": 1 finding;") {
					t.Errorf("delivery health section:\n%s", health)
				}
			},
		},
		{
			name: "no delivery findings", findings: []string{noMFA}, wantCode: cli.ExitOK,
			check: func(t *testing.T, _ accounts, stdout, _ string) {
				if !strings.Contains(stdout, "Delivery health: no findings") {
					t.Errorf("stdout:\n%s", stdout)
				}
			},
		},
		{
			name: "json", args: []string{"--output", "json"}, findings: []string{pending}, wantCode: cli.ExitOK,
			check: func(t *testing.T, a accounts, stdout, _ string) {
				var rows []ledger.Row
				if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
					t.Fatalf("%v:\n%s", err, stdout)
				}
				var got []string
				for _, r := range rows {
					got = append(got, r.AccountID+":"+string(r.Status))
				}
				want := []string{a.payments + ":FAILED", mgmtID + ":MISSING", a.sandbox + ":MISSING", "888888888888:SKIPPED", a.workload + ":SUCCEEDED", "999999999999:CLOSED"}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("rows = %v, want %v", got, want)
				}
				if strings.Contains(stdout, "0001-01-01") {
					t.Errorf("a missing account shows a zero lastRun:\n%s", stdout)
				}
			},
		},
		{
			name: "no ledger table", noTable: true, wantCode: cli.ExitFail,
			check: func(t *testing.T, _ accounts, _, stderr string) {
				if !strings.HasPrefix(stderr, "landfall status: listing ledger rows (acme-ledger): ") {
					t.Errorf("stderr = %q", stderr)
				}
			},
		},
		{
			name: "bad output", args: []string{"--output", "yaml"}, wantCode: cli.ExitUsage,
			check: func(t *testing.T, _ accounts, _, stderr string) {
				if stderr != "landfall status: --output must be text or json, got \"yaml\"\n" {
					t.Errorf("stderr = %q", stderr)
				}
			},
		},
		{
			name: "stray argument", args: []string{"workload"}, wantCode: cli.ExitUsage,
			check: func(t *testing.T, _ accounts, _, stderr string) {
				if !strings.Contains(stderr, `unexpected arguments ["workload"]`) {
					t.Errorf("stderr = %q", stderr)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOrg(t, 0)
			a := seed(t, f, tt.findings)
			if tt.noTable {
				if _, err := f.ledger.Client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(f.ledger.Table)}); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := f.run(runStatus, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			tt.check(t, a, stdout, stderr)
		})
	}
}
