package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/pipelinetest"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/orgevents"
	"github.com/landfall/landfall/pkg/pipeline"
)

func TestBaselineNewAccount(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "workload")

	st := h.Describe(t, member)
	if st.Decision != pipeline.DecideBaseline || st.Account.Name != "workload" || st.Account.OUPath != "/Root" || len(st.Regions) != 2 {
		t.Fatalf("describe = %+v", st)
	}
	// A second trigger for the same account while the first runs is a no-op.
	dup, err := h.Deps.Describe(ctx, pipelinetest.Execution(pipelinetest.CreatedEvent(t, member, "event-2")))
	if err != nil || dup.Decision != pipeline.DecideDuplicate {
		t.Fatalf("duplicate trigger: %v %+v", err, dup)
	}
	if err := h.Run(t, st); err != nil {
		t.Fatal(err)
	}
	row, err := h.Deps.Ledger.Get(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if row.Status != ledger.StatusSucceeded || row.Created == 0 || row.Version != baseline.Version || row.Profile != "workloads" {
		t.Fatalf("ledger row = %+v", row)
	}
	// The Apply step kept the entry role's trust as Organizations wrote it
	// before tightening it.
	saved, err := h.Deps.Ledger.GetEntryTrust(ctx, member)
	if err != nil || saved.RoleName != h.Deps.Config.Organization.EntryRoleName ||
		!strings.Contains(saved.Policy, `"AWS":"arn:aws:iam::`+pipelinetest.Management+`:root"`) || strings.Contains(saved.Policy, "Landfall") {
		t.Fatalf("saved entry trust = %+v, %v", saved, err)
	}
	// The lock is released: the next trigger baselines again, and changes nothing.
	again, err := h.Deps.Describe(ctx, pipelinetest.Execution(pipelinetest.CreatedEvent(t, member, "event-3")))
	if err != nil || again.Decision != pipeline.DecideBaseline {
		t.Fatalf("after release: %v %+v", err, again)
	}
	if err := h.Run(t, again); err != nil {
		t.Fatal(err)
	}
	row, _ = h.Deps.Ledger.Get(ctx, member)
	if row.Created != 0 || row.Updated != 0 || row.Drift != 0 {
		t.Fatalf("re-run changed something: %+v", row)
	}
}

// What landfall deletes is counted as deleted in the ledger, and as drift
// on an account that already held the baseline's version.
func TestDeletionsAreCounted(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "workload")
	h.Baseline(t, member)
	// The profile turns an alarm off: its alarm and metric filter go, one
	// plan entry.
	h.Deps.Config.ProfileNamed("workloads").Items.Alarms.Disable = []string{"CloudWatch.2"}
	rerun, err := h.Deps.Describe(ctx, pipelinetest.Execution(pipelinetest.CreatedEvent(t, member, "rerun")))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Run(t, rerun); err != nil {
		t.Fatal(err)
	}
	row, err := h.Deps.Ledger.Get(ctx, member)
	if err != nil || row.Status != ledger.StatusSucceeded || row.Deleted != 1 || row.Created+row.Updated != 0 || row.Drift != 1 {
		t.Fatalf("ledger row after the profile turned an alarm off = %+v, %v; want 1 deleted, 1 drift", row, err)
	}
}

// Only one execution at a time baselines an account, because the
// execution owns its lock: Describe retried within its execution finds its
// own lock, while the same event delivered twice, or one person's second
// rerun, starts another execution, which finds the lock taken.
func TestOneRunPerAccount(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "workload")
	event := pipelinetest.CreatedEvent(t, member, "event-1")
	first := pipelinetest.Execution(event)
	st, err := h.Deps.Describe(ctx, first)
	if err != nil || st.Decision != pipeline.DecideBaseline {
		t.Fatalf("first execution: %v %+v", err, st)
	}
	ttl := pipeline.LockTTL(time.Duration(h.Deps.Config.Pipeline.ReadinessTimeout))
	if st.LockOwner != first.Execution || !st.LockExpires.Equal(h.Now().Add(ttl).Truncate(time.Second)) {
		t.Fatalf("lock %s until %s, want the execution's until %s", st.LockOwner, st.LockExpires, h.Now().Add(ttl))
	}
	if again, err := h.Deps.Describe(ctx, first); err != nil || again.Decision != pipeline.DecideBaseline {
		t.Fatalf("Describe retried within its execution: %v %+v", err, again)
	}
	if dup, err := h.Deps.Describe(ctx, pipelinetest.Execution(event)); err != nil || dup.Decision != pipeline.DecideDuplicate {
		t.Fatalf("the event delivered again: %v %+v", err, dup)
	}

	other := h.Vend(t, "other")
	rerun := []byte(`{"accountId": "` + other + `", "reason": "manual", "requestedBy": "arn:aws:iam::` + pipelinetest.Management + `:user/alice"}`)
	if st, err := h.Deps.Describe(ctx, pipelinetest.Execution(rerun)); err != nil || st.Decision != pipeline.DecideBaseline {
		t.Fatalf("alice's rerun: %v %+v", err, st)
	}
	var busy *pipeline.AccountBusy
	if _, err := h.Deps.Describe(ctx, pipelinetest.Execution(rerun)); !errors.As(err, &busy) {
		t.Fatalf("alice's second rerun = %v, want AccountBusy", err)
	}
	if _, err := h.Deps.Describe(ctx, pipeline.DescribeInput{Event: rerun}); !isTerminal(err) {
		t.Fatalf("describe without an execution = %v, want a terminal error", err)
	}
}

func isTerminal(err error) bool {
	var terminal *awsx.TerminalError
	return errors.As(err, &terminal)
}

// A run never acts on an account past its lock: once the next run could
// take the account, Apply refuses to start a step, and changes nothing.
func TestApplyStopsBeforeTheLockLapses(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "workload")
	st := h.Describe(t, member)
	if err := h.Deps.WaitReady(ctx, st); err != nil {
		t.Fatal(err)
	}
	*h.Clock = st.LockExpires.Add(-pipeline.ApplyTimeout + time.Second)
	_, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "global", Request: st})
	// Not terminal: the account's next run takes a lock of its own.
	if err == nil || isTerminal(err) || !strings.Contains(err.Error(), "lock lapses at "+st.LockExpires.Format(time.RFC3339)) {
		t.Fatalf("apply a step before the lock lapses = %v, want a refusal that is not terminal", err)
	}
	memberAdmin, err := awslocal.SDKConfig(ctx, h.URL, h.Srv.AdminCredentials(member), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(memberAdmin).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(h.Deps.Config.Organization.ExecutionRoleName)}); !awsx.IsCode(err, "NoSuchEntity") {
		t.Fatalf("the refused step created the execution role (%v)", err)
	}
	unlocked := st
	unlocked.LockOwner = ""
	*h.Clock = st.StartedAt
	if _, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "global", Request: unlocked}); err == nil || isTerminal(err) {
		t.Fatalf("apply without a lock = %v, want a refusal that is not terminal", err)
	}
	*h.Clock = st.LockExpires.Add(-pipeline.ApplyTimeout)
	if _, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "global", Request: st}); err != nil {
		t.Fatalf("a step that ends as the lock lapses: %v", err)
	}
}

// TestFirstApplyCreatesTheExecutionRole: in a new account the entry role
// makes one change, landfall's execution role, and the global scope is
// applied through that role once it can be used; the run reports the
// role's creation with the rest. A role of that name that is not
// landfall's never becomes usable, and says so at once.
func TestFirstApplyCreatesTheExecutionRole(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	org := h.Deps.Config.Organization
	member := h.Vend(t, "workload")
	st := h.Describe(t, member)
	if err := h.Deps.WaitReady(ctx, st); err != nil {
		t.Fatal(err)
	}
	// Regions are applied after the global scope, through the execution role only.
	if _, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "region", Region: st.Regions[0], Request: st}); err == nil ||
		!strings.Contains(err.Error(), "through "+org.ExecutionRoleName+": ") || strings.Contains(err.Error(), org.EntryRoleName) {
		t.Fatalf("a region before the execution role exists: %v", err)
	}
	sum, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "global", Request: st})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Changes) == 0 || sum.Changes[0].Item != "execution-role" || sum.Changes[0].Action != baseline.Create {
		t.Fatalf("the global scope's first change = %+v, want the execution role created", sum.Changes)
	}
	if _, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "region", Region: st.Regions[0], Request: st}); err != nil {
		t.Fatal(err)
	}

	// A role of the execution role's name that landfall did not create.
	other := h.Vend(t, "squatted")
	squatter := iam.NewFromConfig(awsx.AssumeRole(h.Admin, awsx.RoleARN(other, org.EntryRoleName), "test"))
	if _, err := squatter.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(org.ExecutionRoleName),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	st, err = h.Deps.Describe(ctx, pipelinetest.Execution(pipelinetest.CreatedEvent(t, other, "event-2")))
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "global", Request: st})
	var terminal *awsx.TerminalError
	if !errors.As(err, &terminal) || !strings.Contains(err.Error(), "role/"+org.ExecutionRoleName) {
		t.Fatalf("applying with a squatted execution role = %v, want a terminal error naming it", err)
	}
}

// TestExecutionRoleIsUpdatedThroughTheEntryRole: the execution role may
// not change itself, so when a run finds it otherwise than this version
// wants (here, its EC2 statement short, as an older version left it), the global
// scope updates it through the entry role before applying through it.
func TestExecutionRoleIsUpdatedThroughTheEntryRole(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	org := h.Deps.Config.Organization
	member := h.Vend(t, "workload")
	h.Baseline(t, member)
	admin := iam.NewFromConfig(awsx.AssumeRole(h.Admin, awsx.RoleARN(member, org.EntryRoleName), "test"))
	policy := func() string {
		t.Helper()
		out, err := admin.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(org.ExecutionRoleName), PolicyName: aws.String("landfall-baseline")})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := url.QueryUnescape(aws.ToString(out.PolicyDocument))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	want := policy()
	var doc struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(want), &doc); err != nil {
		t.Fatal(err)
	}
	doc.Statement = slices.DeleteFunc(doc.Statement, func(st map[string]any) bool { return st["Sid"] == "EC2" })
	older, _ := json.Marshal(doc)
	if _, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(org.ExecutionRoleName),
		PolicyName: aws.String("landfall-baseline"), PolicyDocument: aws.String(string(older))}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(pipelinetest.IAMPropagation) // the older policy has long been in effect

	st := h.Describe(t, member)
	sum, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "global", Request: st})
	if err != nil {
		t.Fatal(err)
	}
	// The change itself, the whole policy as its diff, is too long for the
	// summary; it is the one update.
	if sum.Counts[string(baseline.Update)] != 1 {
		t.Fatalf("the global scope's changes = %v, want the execution role updated", sum.Counts)
	}
	if got := policy(); got != want {
		t.Fatalf("the execution role's policy after the run:\n%s\nwant\n%s", got, want)
	}
}

func TestBadInputNeverBaselines(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	for _, sample := range []string{"invalid-created-missing-account-id.json", "invalid-created-wrong-type.json", "unsupported-unknown-event-name.json", "created-in-progress.json"} {
		raw, err := os.ReadFile("../../events/organizations/" + sample)
		if err != nil {
			t.Fatal(err)
		}
		st, err := h.Deps.Describe(ctx, pipelinetest.Execution(raw))
		if err != nil || st.Decision != pipeline.DecideSkip || !strings.HasPrefix(st.SkipReason, "rejected: ") {
			t.Errorf("%s: %v %+v", sample, err, st)
		}
	}
	// An account that is not in the organization is rejected too.
	st, err := h.Deps.Describe(ctx, pipelinetest.Execution(pipelinetest.CreatedEvent(t, "999988887777", "event-x")))
	if err != nil || st.Decision != pipeline.DecideSkip {
		t.Fatalf("unknown account: %v %+v", err, st)
	}
	rows, err := h.Deps.Ledger.List(ctx)
	if err != nil || len(rows) != 0 {
		t.Fatalf("the ledger was touched: %v %+v", err, rows)
	}
}

func TestFailedCreationIsReported(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	raw, err := os.ReadFile("../../events/organizations/created-failed.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.Deps.Describe(ctx, pipelinetest.Execution(raw))
	if err != nil || st.Decision != pipeline.DecideReportFailure {
		t.Fatalf("describe: %v %+v", err, st)
	}
	// As the record Lambda receives it.
	state, _ := json.Marshal(st)
	if err := h.Deps.RecordOutcome(ctx, state); err != nil {
		t.Fatal(err)
	}
	row, err := h.Deps.Ledger.Get(ctx, pipeline.FailedCreationKey(st))
	if err != nil || row.Status != ledger.StatusFailed || !strings.Contains(row.LastError, st.Request.FailureReason) {
		t.Fatalf("ledger row: %v %+v", err, row)
	}
}

func TestUnreachableAccountIsNotReady(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "slow")
	h.Srv.MakeUnreachable(member, 10*time.Minute)
	st := h.Describe(t, member)
	var notReady *pipeline.AccountNotReady
	if err := h.Deps.WaitReady(ctx, st); !errors.As(err, &notReady) {
		t.Fatalf("wait ready = %v, want AccountNotReady", err)
	}
	*h.Clock = h.Clock.Add(10 * time.Minute)
	if err := h.Deps.WaitReady(ctx, st); err != nil {
		t.Fatalf("after the account became reachable: %v", err)
	}
	// A run that fails records the cause and releases the lock.
	if err := h.Deps.RecordFailure(ctx, pipeline.FailureInput{Status: "FAILED", Error: "States.Timeout", Cause: "gave up", Request: pipeline.FailedExecution{st}}); err != nil {
		t.Fatal(err)
	}
	row, _ := h.Deps.Ledger.Get(ctx, member)
	if row.Status != ledger.StatusFailed || !strings.Contains(row.LastError, "States.Timeout") {
		t.Fatalf("row = %+v", row)
	}
	if err := h.Deps.Ledger.Lock(ctx, member, "event/next", time.Hour); err != nil {
		t.Fatalf("lock not released: %v", err)
	}
}

func TestSweepFindsWhatIsDue(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	done := h.Vend(t, "done")
	missing := h.Vend(t, "missing")
	h.Baseline(t, done)
	out, err := h.Deps.Sweep(ctx, pipeline.SweepInput{})
	if err != nil {
		t.Fatal(err)
	}
	why := map[string]string{}
	for _, a := range out.Accounts {
		why[a.AccountID] = a.Why
	}
	identity := h.Deps.Config.Organization.Identity.AccountID
	if why[missing] != "missing" || why[pipelinetest.Management] != "missing" || why[identity] != "missing" || why[done] != "" || out.Checked != 4 {
		t.Fatalf("sweep = %+v", out)
	}
	*h.Clock = h.Clock.Add(25 * time.Hour)
	out, _ = h.Deps.Sweep(ctx, pipeline.SweepInput{})
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

// A terminal failure reaches the ledger as such, with the config it failed
// under, and the sweep leaves the account alone while the config and the
// baseline version are unchanged: another run would fail the same way. Any
// other failure is swept again. The failure is a real one: a role of the
// execution role's name that landfall did not create, found by Apply and
// named by the Lambda handler as Step Functions sees it.
func TestSweepHoldsATerminalFailure(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	org := h.Deps.Config.Organization
	member := h.Vend(t, "squatted")
	squatter := iam.NewFromConfig(awsx.AssumeRole(h.Admin, awsx.RoleARN(member, org.EntryRoleName), "test"))
	if _, err := squatter.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(org.ExecutionRoleName),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + member + `:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	st := h.Describe(t, member)
	payload, err := json.Marshal(pipeline.ApplyInput{Scope: "global", Request: st})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.Handler(h.Deps.Apply).Invoke(ctx, payload)
	if err == nil || pipeline.ErrorName(err) != pipeline.TerminalName {
		t.Fatalf("apply with a squatted execution role = %v (%s), want %s", err, pipeline.ErrorName(err), pipeline.TerminalName)
	}
	cause, err := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": pipeline.ErrorName(err)})
	if err != nil {
		t.Fatal(err)
	}
	fail := func(name string) {
		t.Helper()
		if err := h.Deps.RecordFailure(ctx, pipeline.FailureInput{Status: "FAILED", Error: name, Cause: string(cause), Request: pipeline.FailedExecution{st}}); err != nil {
			t.Fatal(err)
		}
	}
	fail(pipeline.TerminalName)
	row, err := h.Deps.Ledger.Get(ctx, member)
	if err != nil || !row.Terminal || row.ConfigDigest != h.Deps.Config.Digest() || !strings.HasPrefix(row.LastError, "TerminalError: ") {
		t.Fatalf("the ledger row of a terminal failure = %+v %v", row, err)
	}
	sweep := func() string { return sweepWhy(t, h, member) }
	// Held past any drift check.
	*h.Clock = h.Clock.Add(3 * time.Duration(h.Deps.Config.Pipeline.DriftCheckEvery))
	if why := sweep(); why != "" {
		t.Fatalf("an account whose run failed terminally is due (%s) with nothing changed", why)
	}
	tags := h.Deps.Config.Tags
	h.Deps.Config.Tags = map[string]string{"cost-center": "42"}
	if why := sweep(); why != "failed" {
		t.Fatalf("after a config edit the account is due %q, want failed", why)
	}
	h.Deps.Config.Tags = tags
	if why := sweep(); why != "" {
		t.Fatalf("with the config as it was, the account is due (%s)", why)
	}
	older := row
	older.Version = "2"
	if err := h.Deps.Ledger.Put(ctx, older); err != nil {
		t.Fatal(err)
	}
	if why := sweep(); why != "failed" {
		t.Fatalf("a terminal failure of an older baseline version is due %q, want failed", why)
	}
	// A failure that is not terminal is swept again, config unchanged.
	fail("wrapError")
	if row, _ := h.Deps.Ledger.Get(ctx, member); row.Terminal {
		t.Fatalf("a wrapError failure recorded as terminal: %+v", row)
	}
	if why := sweep(); why != "failed" {
		t.Fatalf("after a failure that is not terminal the account is due %q, want failed", why)
	}
}

// sweepWhy runs the sweep and says why it finds the account due, "" when
// it does not.
func sweepWhy(t *testing.T, h *pipelinetest.Harness, account string) string {
	t.Helper()
	out, err := h.Deps.Sweep(context.Background(), pipeline.SweepInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.Accounts {
		if a.AccountID == account {
			return a.Why
		}
	}
	return ""
}

// An account the ledger recorded closed is swept again once AWS Support
// reopens it, which no event reports.
func TestSweepFindsAReopenedAccount(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "reopened")
	h.Baseline(t, member)
	if _, err := organizations.NewFromConfig(h.Admin).CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(pipelinetest.Path("events", "organizations", "close-account.json"))
	if err != nil {
		t.Fatal(err)
	}
	closed, err := h.Deps.Describe(ctx, pipelinetest.Execution([]byte(strings.ReplaceAll(string(raw), "555555555555", member))))
	if err != nil || closed.Decision != pipeline.DecideForget {
		t.Fatalf("describe the closing = %v %+v", err, closed)
	}
	if err := h.Deps.Record(ctx, closed); err != nil {
		t.Fatal(err)
	}
	sweep := func() string { return sweepWhy(t, h, member) }
	*h.Clock = h.Clock.Add(30 * 24 * time.Hour)
	if why := sweep(); why != "" {
		t.Fatalf("a closed account is due (%s)", why)
	}
	if err := h.Srv.ReopenAccount(member); err != nil {
		t.Fatal(err)
	}
	if why := sweep(); why != "reopened" {
		t.Fatalf("the reopened account is due %q, want reopened", why)
	}
	h.Baseline(t, member)
	if row, err := h.Deps.Ledger.Get(ctx, member); err != nil || row.Status != ledger.StatusSucceeded {
		t.Fatalf("after its baseline the row is %+v %v", row, err)
	}
	if why := sweep(); why != "" {
		t.Fatalf("the baselined account is still due (%s)", why)
	}
}

// A sweep hands out at most a batch of accounts, in account ID order, and
// says where the next execution continues; that one starts after it.
func TestSweepContinuesAfterABatch(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	for i := range pipeline.SweepBatch + 1 {
		h.Vend(t, fmt.Sprintf("member-%d", i))
	}
	first, err := h.Deps.Sweep(ctx, pipeline.SweepInput{})
	if err != nil {
		t.Fatal(err)
	}
	// The management account, the identity account and the members: two
	// more than a batch are due.
	if len(first.Accounts) != pipeline.SweepBatch || first.Next != first.Accounts[len(first.Accounts)-1].AccountID {
		t.Fatalf("first batch: %d accounts, next %q", len(first.Accounts), first.Next)
	}
	if !slices.IsSortedFunc(first.Accounts, func(a, b pipeline.SweepAccount) int { return strings.Compare(a.AccountID, b.AccountID) }) {
		t.Fatal("the batch is not in account ID order")
	}
	rest, err := h.Deps.Sweep(ctx, pipeline.SweepInput{After: first.Next})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Accounts) != 3 || rest.Next != "" || rest.Accounts[0].AccountID <= first.Next {
		t.Fatalf("continuation after %s: %+v", first.Next, rest)
	}
	if _, err := h.Deps.Sweep(ctx, pipeline.SweepInput{After: "not-an-account"}); err == nil || !strings.Contains(err.Error(), "not an AWS account id") {
		t.Fatalf("a malformed continuation = %v", err)
	}
}

// A move arriving while the account's first baseline runs must not be
// dropped: it may select another profile, so it waits (pipeline.AccountBusy) where a
// second CreateAccountResult would be a duplicate.
func TestMoveDuringARunWaits(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "workload")
	if _, err := h.Deps.Describe(ctx, pipelinetest.Execution(pipelinetest.CreatedEvent(t, member, "event-1"))); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../events/organizations/move-account.json")
	if err != nil {
		t.Fatal(err)
	}
	move := []byte(strings.ReplaceAll(string(raw), "444455556666", member))
	var busy *pipeline.AccountBusy
	if _, err := h.Deps.Describe(ctx, pipelinetest.Execution(move)); !errors.As(err, &busy) {
		t.Fatalf("a move during a run = %v, want AccountBusy", err)
	}
}

// An account moved into the suspended OU is quarantined: its deny-all SCP
// would fail every run, and every sweep would start another. It is skipped,
// and the ledger says why.
func TestQuarantinedAccountIsSkipped(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "compromised")
	org := organizations.NewFromConfig(h.Admin)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: roots.Roots[0].Id, Name: aws.String("Suspended")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member),
		SourceParentId: roots.Roots[0].Id, DestinationParentId: ou.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../events/organizations/move-account.json")
	if err != nil {
		t.Fatal(err)
	}
	st, err := h.Deps.Describe(ctx, pipelinetest.Execution([]byte(strings.ReplaceAll(string(raw), "444455556666", member))))
	if err != nil {
		t.Fatal(err)
	}
	if st.Decision != pipeline.DecideSkip || st.SkipReason != "quarantined" {
		t.Fatalf("decision %s, skip reason %q; want a skip, quarantined", st.Decision, st.SkipReason)
	}
	row, err := h.Deps.Ledger.Get(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if row.Status != ledger.StatusSkipped || row.Reason != "quarantined" {
		t.Fatalf("ledger row: %s, %q; want SKIPPED, quarantined", row.Status, row.Reason)
	}
	out, err := h.Deps.Sweep(ctx, pipeline.SweepInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range out.Accounts {
		if a.AccountID == member {
			t.Fatalf("the sweep hands out the quarantined account: %+v", a)
		}
	}
}

// The record function serves both the Record and the RecordFailure states:
// it routes on its input (TestFailedCreationIsReported sends it a State),
// and says which input it could not read.
func TestRecordOutcomeRoutesOnItsInput(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	member := h.Vend(t, "workload")
	st := h.Describe(t, member)
	failure, _ := json.Marshal(pipeline.FailureInput{Status: "FAILED", Error: "States.TaskFailed", Cause: "boom", Request: pipeline.FailedExecution{State: st}})
	if err := h.Deps.RecordOutcome(ctx, failure); err != nil {
		t.Fatalf("RecordFailure input: %v", err)
	}
	if row, _ := h.Deps.Ledger.Get(ctx, member); row.Status != ledger.StatusFailed || !strings.Contains(row.LastError, "States.TaskFailed") {
		t.Fatalf("RecordFailure input: row = %+v", row)
	}

	for _, tt := range []struct{ input, want string }{
		{`[1,2]`, "decoding record input: "},
		{`{"status":"FAILED","request":"not a state"}`, "decoding RecordFailure input: "},
		{`{"decision":42}`, "decoding Record input: "},
	} {
		if err := h.Deps.RecordOutcome(ctx, json.RawMessage(tt.input)); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("RecordOutcome(%s) = %v, want an error starting %q", tt.input, err, tt.want)
		}
	}
}

// An invitation is followed from the management account: while the
// invited account has not answered, Describe waits (InvitationPending);
// once it accepts, the account is baselined; an invitation declined, or one
// Organizations does not know, baselines nothing.
func TestInvitedAccountIsBaselinedOnceItAccepts(t *testing.T) {
	h := pipelinetest.New(t)
	ctx := context.Background()
	raw, err := os.ReadFile("../../events/organizations/invite-account.json")
	if err != nil {
		t.Fatal(err)
	}
	org := organizations.NewFromConfig(h.Admin)
	invite := func(account string) (event []byte, handshake string) {
		t.Helper()
		if err := h.Srv.AddAccount(account, "invited-"+account, account+"@acme.example"); err != nil {
			t.Fatal(err)
		}
		out, err := org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &orgtypes.HandshakeParty{Id: aws.String(account), Type: orgtypes.HandshakePartyTypeAccount}})
		if err != nil {
			t.Fatal(err)
		}
		handshake = aws.ToString(out.Handshake.Id)
		s := strings.ReplaceAll(string(raw), "222233334444", account)
		return []byte(strings.ReplaceAll(s, "h-examplehandshakeid111", handshake)), handshake
	}
	answer := func(account, handshake string, accept bool) {
		t.Helper()
		cfg, err := awslocal.SDKConfig(ctx, h.URL, h.Srv.AdminCredentials(account), "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		if accept {
			_, err = organizations.NewFromConfig(cfg).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(handshake)})
		} else {
			_, err = organizations.NewFromConfig(cfg).DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: aws.String(handshake)})
		}
		if err != nil {
			t.Fatal(err)
		}
	}

	event, handshake := invite("222233334444")
	var pending *pipeline.InvitationPending
	if _, err := h.Deps.Describe(ctx, pipelinetest.Execution(event)); !errors.As(err, &pending) || pending.HandshakeID != handshake {
		t.Fatalf("describe before the answer = %v, want InvitationPending", err)
	}
	answer("222233334444", handshake, true)
	st, err := h.Deps.Describe(ctx, pipelinetest.Execution(event))
	if err != nil || st.Decision != pipeline.DecideBaseline || st.Account.ID != "222233334444" || st.Request.Reason != orgevents.ReasonAccountInvited {
		t.Fatalf("describe after acceptance: %v %+v", err, st)
	}

	declinedEvent, declined := invite("333344445555")
	answer("333344445555", declined, false)
	if st, err := h.Deps.Describe(ctx, pipelinetest.Execution(declinedEvent)); err != nil || st.Decision != pipeline.DecideSkip || !strings.Contains(st.SkipReason, "DECLINED") {
		t.Fatalf("declined invitation: %v %+v", err, st)
	}
	unknown := []byte(strings.ReplaceAll(string(raw), "h-examplehandshakeid111", "h-0000000000"))
	if st, err := h.Deps.Describe(ctx, pipelinetest.Execution(unknown)); err != nil || st.Decision != pipeline.DecideSkip || !strings.HasPrefix(st.SkipReason, "rejected: ") {
		t.Fatalf("unknown invitation: %v %+v", err, st)
	}
	if row, err := h.Deps.Ledger.Get(ctx, "333344445555"); err == nil {
		t.Fatalf("a declined invitation reached the ledger: %+v", row)
	}
}
