package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

const mgmt = "111111111111"

// harness is an organization on the local endpoint with the pieces the
// CDK stack deploys: the pipeline role, the ledger table and the
// operations topic with a confirmed email subscription.
type harness struct {
	srv   *awslocal.Server
	url   string
	clock *time.Time
	admin aws.Config
	deps  *Deps
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := &harness{clock: &now}
	h.srv = awslocal.New(awslocal.Options{Clock: func() time.Time { return *h.clock }, Seed: 5})
	h.url = h.srv.Start(t)
	var err error
	h.admin, err = awslocal.SDKConfig(ctx, h.url, h.srv.AdminCredentials(mgmt), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load("testdata/landfall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := organizations.NewFromConfig(h.admin).CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	// The pipeline role: in AWS the functions' roles assume it; here the
	// management account's admin does.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
	role, err := iam.NewFromConfig(h.admin).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(cfg.PipelineRoleName()), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	led := ledger.New(h.admin, "landfall-ledger")
	led.Now = h.now
	if _, err := led.Client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(led.Table),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("accountId"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("accountId"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	topic, err := sns.NewFromConfig(h.admin).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("landfall-operations")})
	if err != nil {
		t.Fatal(err)
	}
	h.deps = &Deps{
		Config: cfg, AWS: h.admin, Ledger: led, OperationsTopicARN: aws.ToString(topic.TopicArn),
		PipelineRoleARN: aws.ToString(role.Role.Arn), Engine: baseline.NewEngine(), Now: h.now,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	return h
}

func (h *harness) now() time.Time { return *h.clock }

// vend creates a member account through Organizations and returns its id.
func (h *harness) vend(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(h.admin)
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	*h.clock = h.clock.Add(awslocal.AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("creating %s: %v", name, err)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

// baseline runs BaselineAccount for an account, as its CreateAccountResult
// event would start it.
func (h *harness) baseline(t *testing.T, accountID string) {
	t.Helper()
	st, err := h.deps.Describe(context.Background(), createdEvent(t, accountID, "created-"+accountID))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.run(t, st); err != nil {
		t.Fatal(err)
	}
}

// createdEvent is the CreateAccountResult sample with the account id and
// event id replaced.
func createdEvent(t *testing.T, accountID, eventID string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../events/organizations/created-succeeded.json")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(raw), "444455556666", accountID)
	return []byte(strings.Replace(s, "5f1b8a2e-6c0d-4e1f-9a3b-2c7d8e9f0a1b", eventID, 1))
}

// run drives one BaselineAccount execution the way the state machine
// does, without Step Functions: the end-to-end test runs the real one.
func (h *harness) run(t *testing.T, st State) error {
	t.Helper()
	ctx := context.Background()
	if err := h.deps.WaitReady(ctx, st); err != nil {
		return err
	}
	g, err := h.deps.Apply(ctx, ApplyInput{Scope: "global", Request: st})
	if err != nil {
		return err
	}
	st.Results = &Results{Global: &g}
	for _, r := range st.Regions {
		s, err := h.deps.Apply(ctx, ApplyInput{Scope: "region", Region: r, Request: st})
		if err != nil {
			return err
		}
		st.Results.Regions = append(st.Results.Regions, s)
	}
	return h.deps.Record(ctx, st)
}

func TestBaselineNewAccount(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	member := h.vend(t, "workload")

	st, err := h.deps.Describe(ctx, createdEvent(t, member, "event-1"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Decision != DecideBaseline || st.Account.Name != "workload" || st.Account.OUPath != "/Root" || len(st.Regions) != 2 {
		t.Fatalf("describe = %+v", st)
	}
	// A second trigger for the same account while the first runs is a no-op.
	dup, err := h.deps.Describe(ctx, createdEvent(t, member, "event-2"))
	if err != nil || dup.Decision != DecideDuplicate {
		t.Fatalf("duplicate trigger: %v %+v", err, dup)
	}
	if err := h.run(t, st); err != nil {
		t.Fatal(err)
	}
	row, err := h.deps.Ledger.Get(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if row.Status != ledger.StatusSucceeded || row.Created == 0 || row.Version != baseline.Version || row.Profile != "workloads" {
		t.Fatalf("ledger row = %+v", row)
	}
	// The lock is released: the next trigger baselines again, and changes nothing.
	again, err := h.deps.Describe(ctx, createdEvent(t, member, "event-3"))
	if err != nil || again.Decision != DecideBaseline {
		t.Fatalf("after release: %v %+v", err, again)
	}
	if err := h.run(t, again); err != nil {
		t.Fatal(err)
	}
	row, _ = h.deps.Ledger.Get(ctx, member)
	if row.Created != 0 || row.Updated != 0 || row.Drift != 0 {
		t.Fatalf("re-run changed something: %+v", row)
	}
}

func TestBadInputNeverBaselines(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, sample := range []string{"invalid-created-missing-account-id.json", "invalid-created-wrong-type.json", "unsupported-unknown-event-name.json", "created-in-progress.json"} {
		raw, err := os.ReadFile("../../events/organizations/" + sample)
		if err != nil {
			t.Fatal(err)
		}
		st, err := h.deps.Describe(ctx, raw)
		if err != nil || st.Decision != DecideSkip || !strings.HasPrefix(st.SkipReason, "rejected: ") {
			t.Errorf("%s: %v %+v", sample, err, st)
		}
	}
	// An account that is not in the organization is rejected too.
	st, err := h.deps.Describe(ctx, createdEvent(t, "999988887777", "event-x"))
	if err != nil || st.Decision != DecideSkip {
		t.Fatalf("unknown account: %v %+v", err, st)
	}
	rows, err := h.deps.Ledger.List(ctx)
	if err != nil || len(rows) != 0 {
		t.Fatalf("the ledger was touched: %v %+v", err, rows)
	}
}

func TestFailedCreationIsReported(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	raw, err := os.ReadFile("../../events/organizations/created-failed.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.deps.Describe(ctx, raw)
	if err != nil || st.Decision != DecideReportFailure {
		t.Fatalf("describe: %v %+v", err, st)
	}
	if err := h.deps.Record(ctx, st); err != nil {
		t.Fatal(err)
	}
	row, err := h.deps.Ledger.Get(ctx, failedCreationKey(st))
	if err != nil || row.Status != ledger.StatusFailed || !strings.Contains(row.LastError, st.Request.FailureReason) {
		t.Fatalf("ledger row: %v %+v", err, row)
	}
}

func TestUnreachableAccountIsNotReady(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	member := h.vend(t, "slow")
	h.srv.MakeUnreachable(member, 10*time.Minute)
	st, err := h.deps.Describe(ctx, createdEvent(t, member, "event-1"))
	if err != nil {
		t.Fatal(err)
	}
	var notReady *AccountNotReady
	if err := h.deps.WaitReady(ctx, st); !errors.As(err, &notReady) {
		t.Fatalf("wait ready = %v, want AccountNotReady", err)
	}
	*h.clock = h.clock.Add(10 * time.Minute)
	if err := h.deps.WaitReady(ctx, st); err != nil {
		t.Fatalf("after the account became reachable: %v", err)
	}
	// A run that fails records the cause and releases the lock.
	if err := h.deps.RecordFailure(ctx, FailureInput{Status: "FAILED", Error: "States.Timeout", Cause: "gave up", Request: FailedExecution{st}}); err != nil {
		t.Fatal(err)
	}
	row, _ := h.deps.Ledger.Get(ctx, member)
	if row.Status != ledger.StatusFailed || !strings.Contains(row.LastError, "States.Timeout") {
		t.Fatalf("row = %+v", row)
	}
	if err := h.deps.Ledger.Lock(ctx, member, "event/next", time.Hour); err != nil {
		t.Fatalf("lock not released: %v", err)
	}
}

func TestSweepFindsWhatIsDue(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	done := h.vend(t, "done")
	missing := h.vend(t, "missing")
	h.baseline(t, done)
	out, err := h.deps.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	why := map[string]string{}
	for _, a := range out.Accounts {
		why[a.AccountID] = a.Why
	}
	if why[missing] != "missing" || why[mgmt] != "missing" || why[done] != "" || out.Checked != 3 {
		t.Fatalf("sweep = %+v", out)
	}
	*h.clock = h.clock.Add(25 * time.Hour)
	out, _ = h.deps.Sweep(ctx)
	for _, a := range out.Accounts {
		why[a.AccountID] = a.Why
	}
	if why[done] != "drift-check" {
		t.Fatalf("after a day: %+v", out)
	}
	raw, _ := json.Marshal(out)
	if !bytes.Contains(raw, []byte(`"accounts":[`)) {
		t.Fatalf("sweep output shape: %s", raw)
	}
}

// A move arriving while the account's first baseline runs must not be
// dropped: it may select another profile, so it waits (AccountBusy) where a
// second CreateAccountResult would be a duplicate.
func TestMoveDuringARunWaits(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	member := h.vend(t, "workload")
	if _, err := h.deps.Describe(ctx, createdEvent(t, member, "event-1")); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../events/organizations/move-account.json")
	if err != nil {
		t.Fatal(err)
	}
	move := []byte(strings.ReplaceAll(string(raw), "444455556666", member))
	var busy *AccountBusy
	if _, err := h.deps.Describe(ctx, move); !errors.As(err, &busy) {
		t.Fatalf("a move during a run = %v, want AccountBusy", err)
	}
}
