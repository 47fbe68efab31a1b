package baseline

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/internal/ledgertest"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
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
	// ledger, in the management account, is spec's TrustArchive, as the
	// pipeline's.
	ledger *ledger.Ledger
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
	spec := testSpec(t, member, aws.ToString(o.Organization.Id))
	// The identity account joins by invitation, and its status is read as
	// the pipeline reads it.
	if err := srv.JoinByInvitation(ctx, admin, url, spec.Config.Organization.Identity.AccountID); err != nil {
		t.Fatal(err)
	}
	if spec.IdentityAccountStatus, err = accounts.IdentityStatus(ctx, org, spec.Config); err != nil {
		t.Fatal(err)
	}
	led := ledgertest.New(t, admin, spec.Config.LedgerTableName())
	led.Now = clk.now
	spec.TrustArchive = led
	f := &fixture{srv: srv, url: url, clock: clk, member: member, spec: spec, ledger: led,
		cfg: awsx.AssumeRole(admin, awsx.RoleARN(member, spec.EntryRoleName()), "landfall-test")}
	// Every role the items create carries the boundary, which a run's
	// first step (Engine.Bootstrap) creates through the entry role.
	c, err := planBoundary(ctx, iam.NewFromConfig(f.cfg), spec)
	if err != nil || c.Action != Create {
		t.Fatalf("planning the boundary: %v, %+v", err, c)
	}
	if err := c.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

// deleteBoundary makes the member the account AWS hands over, without
// landfall's boundary.
func (f *fixture) deleteBoundary(t *testing.T) {
	t.Helper()
	if _, err := iam.NewFromConfig(f.cfg).DeletePolicy(context.Background(), &iam.DeletePolicyInput{PolicyArn: aws.String(boundaryARN(f.spec))}); err != nil {
		t.Fatal(err)
	}
}

// testSpec is the spec of testdata/landfall.yaml's profile for a workload
// account in the organization.
func testSpec(t *testing.T, account, orgID string) *Spec {
	t.Helper()
	cfgFile, err := config.Load("testdata/landfall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	acct := config.Account{ID: account, Name: "workload", Email: "workload@acme.example", OUPath: "/Root"}
	sel, err := cfgFile.SelectProfile(acct)
	if err != nil || sel.Profile == nil {
		t.Fatalf("selecting profile: %v %+v", err, sel)
	}
	spec, err := NewSpec(cfgFile, sel.Profile, acct, orgID)
	if err != nil {
		t.Fatal(err)
	}
	return spec
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
func itemEngine(names ...string) *Engine { return catalogueEngine().Only(names...) }

// catalogueEngine runs the whole catalogue.
func catalogueEngine() *Engine {
	e, err := NewEngine(Catalogue())
	if err != nil {
		panic(err) // TestCatalogue says where
	}
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
