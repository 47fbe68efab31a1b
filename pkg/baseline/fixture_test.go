package baseline

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

const mgmt = "111111111111"

// fixture is an organization on the local endpoint with one new member
// account, and the spec landfall would apply to it.
type fixture struct {
	srv    *awslocal.Server
	url    string
	clock  *testClock
	member string
	spec   *Spec
	// member is reached through the entry role, as on a first run.
	cfg aws.Config
	// pipeline is the pipeline role's session once a test made the role
	// (pipelineRole).
	pipeline *aws.Config
}

type testClock struct{ t time.Time }

func (c *testClock) now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// iamPropagation is how long the fixture's IAM changes take to take
// effect: each wait for IAM fails its first try and is retried, and, being
// shorter than awsx.Retry's first delay, costs the tests one delay only.
const iamPropagation = 400 * time.Millisecond

// newFixture's endpoint decides every request, and every delivery a
// service makes, the way IAM does.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	simulator, err := iamsim.Shared("../..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	clk := &testClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	srv := awslocal.New(awslocal.Options{Clock: clk.now, Seed: 7, Authorizer: simulator, IAMPropagation: iamPropagation})
	url := srv.Start(t)
	admin := mustConfig(t, url, srv.AdminCredentials(mgmt))

	org := organizations.NewFromConfig(admin)
	o, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("workload"), Email: aws.String("workload@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(awslocal.AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("account creation: %v %+v", err, st)
	}
	member := aws.ToString(st.CreateAccountStatus.AccountId)

	cfgFile, err := config.Load("testdata/landfall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	acct := config.Account{ID: member, Name: "workload", Email: "workload@acme.example", OUPath: "/Root"}
	sel, err := cfgFile.SelectProfile(acct)
	if err != nil || sel.Profile == nil {
		t.Fatalf("selecting profile: %v %+v", err, sel)
	}
	spec, err := NewSpec(cfgFile, sel.Profile, acct, aws.ToString(o.Organization.Id))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, url: url, clock: clk, member: member, spec: spec,
		cfg: awsx.AssumeRole(admin, awsx.RoleARN(member, spec.EntryRoleName()), "landfall-test")}
}

func mustConfig(t *testing.T, url string, creds awslocal.Credentials) aws.Config {
	t.Helper()
	cfg, err := awslocal.SDKConfig(context.Background(), url, creds, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// itemEngine runs only the named items.
func itemEngine(names ...string) *Engine {
	e := NewEngine()
	var items []Item
	for _, it := range e.Items {
		for _, n := range names {
			if it.Name == n {
				items = append(items, it)
			}
		}
	}
	e.Items = items
	return e
}

// actions lists the plan's actions by resource, for compact assertions.
func actions(p Plan) map[string]Action {
	out := map[string]Action{}
	for _, c := range p.Changes {
		key := c.Item + " " + c.Resource
		if c.Region != "" {
			key += " " + c.Region
		}
		out[key] = c.Action
	}
	return out
}

// conformance is the contract every item meets (STYLE lesson 15): a fresh
// account plans only creates; applying makes the next plan all unchanged;
// and a second apply writes nothing, counted at the endpoint. The items
// run as the execution role, as the pipeline runs them on every run after
// the first, so an action missing from that role fails here; the
// execution-role item itself runs through the entry role that creates it.
func conformance(t *testing.T, f *fixture, e *Engine, scope Scope) {
	t.Helper()
	ctx := context.Background()
	cfg := f.cfg
	if !slices.ContainsFunc(e.Items, func(it Item) bool { return it.Name == "execution-role" }) {
		cfg = executionRole(t, f)
	}
	plan, err := e.Plan(ctx, f.spec, cfg, scope)
	if err != nil {
		t.Fatalf("plan on a fresh account: %v", err)
	}
	if len(plan.Changes) == 0 {
		t.Fatal("plan on a fresh account is empty")
	}
	for _, c := range plan.Changes {
		if c.Action != Create && c.Action != Finding {
			t.Errorf("fresh account: %s %s is %s, want create", c.Item, c.Resource, c.Action)
		}
	}
	if _, err := e.Apply(ctx, f.spec, cfg, scope); err != nil {
		t.Fatalf("apply: %v", err)
	}
	again, err := e.Plan(ctx, f.spec, cfg, scope)
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Fatalf("plan after apply still changes:\n%s", again)
	}
	f.srv.ResetCalls()
	if _, err := e.Apply(ctx, f.spec, cfg, scope); err != nil {
		t.Fatalf("second apply: %v", err)
	}
	for _, w := range countedWrites(f, "") {
		t.Errorf("second apply wrote: %s", w)
	}
}

// countedWrites lists the writes the endpoint counted since the last
// ResetCalls, in account or ("") any, sorted: "sns Subscribe in <account>
// (2 calls)".
func countedWrites(f *fixture, account string) []string {
	var out []string
	for k, n := range f.srv.Calls() {
		if k.Write() && (account == "" || k.Account == account) {
			out = append(out, fmt.Sprintf("%s %s in %s (%d calls)", k.Service, k.Operation, k.Account, n))
		}
	}
	sort.Strings(out)
	return out
}
