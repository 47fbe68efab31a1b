//go:build moto

package baseline

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/ledgertest"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
)

// motoAccount is the account moto_server answers as when credentials name
// no other.
const motoAccount = "123456789012"

// TestMotoConformance runs every item's conformance check against
// moto_server, a second emulator written apart from the local endpoint, in
// moto's one default account with its default credentials. moto does not
// decide requests as IAM does, so this checks the items' reading and
// writing of each service, not their permissions.
func TestMotoConformance(t *testing.T) {
	m := startMoto(t)
	for _, it := range catalogueEngine().Items() {
		t.Run(it.Name, func(t *testing.T) {
			c, ok := conformanceCases[it.Name]
			if !ok {
				t.Fatalf("item %s has no case in conformanceCases", it.Name)
			}
			q := motoCases[it.Name]
			err := m.check(t, c, q, it.Name)
			switch {
			case q.missing == "" && err != nil:
				t.Fatal(err)
			case q.missing == "":
			case err == nil:
				t.Fatalf("moto now checks %s: remove %q from its case", it.Name, q.missing)
			case !strings.Contains(err.Error(), "operation error "+q.missing+","):
				t.Fatalf("%s fails on moto, but not for want of %s: %v", it.Name, q.missing, err)
			default:
				t.Skipf("moto 5.2.1 does not implement %s, so it cannot check %s", q.missing, it.Name)
			}
		})
	}
}

// motoCase is what moto needs for one item beyond its conformanceCase.
type motoCase struct {
	// prepare gives moto's account what the item finds on AWS: moto's
	// accounts are born without the entry role.
	prepare func(context.Context, aws.Config, *Spec) error
	// missing is the operation ("Service: Operation", as the SDK names it
	// in errors) moto lacks, when moto cannot check the item. The test
	// proves the check fails for that reason, so a gap moto has closed
	// does not linger.
	missing string
}

// motoCases holds the items that need more on moto than on the local
// endpoint.
var motoCases = map[string]motoCase{
	"entry-role":      {prepare: createEntryRole},
	"budget":          {missing: "Budgets: ListTagsForResource"},
	"access-analyzer": {missing: "AccessAnalyzer: ListAnalyzers"},
	"security-hub":    {missing: "SecurityHub: BatchEnableStandards"},
}

// check runs one item's conformance check in a fresh moto, as the
// execution role, which the check creates first, as the pipeline runs
// every item after the account's first entry.
func (m *moto) check(t *testing.T, c conformanceCase, q motoCase, item string) error {
	ctx := context.Background()
	m.reset(t)
	cfg := m.config(t)
	spec := motoSpec(t, cfg)
	if q.prepare != nil {
		if err := q.prepare(ctx, cfg, spec); err != nil {
			t.Fatalf("preparing the account: %v", err)
		}
	}
	if item != executionRoleItem.Name {
		if _, err := catalogueEngine().Bootstrap(ctx, spec, cfg); err != nil {
			t.Fatalf("creating the execution role: %v", err)
		}
		// The pipeline's ledger, which keeps what the entry role's trust was.
		spec.TrustArchive = ledgertest.New(t, cfg, spec.Config.LedgerTableName())
		cfg = awsx.AssumeRole(cfg, awsx.RoleARN(spec.Account.ID, spec.ExecutionRoleName()), "landfall")
	}
	check := conformanceCheck{engine: itemEngine(append(c.with, item)...), spec: spec, cfg: cfg, scope: ScopeAll, bornWith: c.bornWith,
		writesDuring: func(apply func(aws.Config) error) ([]string, error) {
			var calls awsx.Calls
			err := apply(calls.Count(cfg))
			return writesIn(&calls), err
		}}
	return check.run(ctx)
}

// createEntryRole makes the role Organizations creates in every account it
// creates: trusted by the management account, with AdministratorAccess.
func createEntryRole(ctx context.Context, cfg aws.Config, spec *Spec) error {
	client := iam.NewFromConfig(cfg)
	trust := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + spec.Config.Organization.ManagementAccountID + ":root"}},
		Action: []string{"sts:AssumeRole"}})
	name := aws.String(spec.EntryRoleName())
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: aws.String(trust.JSON())}); err != nil {
		return err
	}
	_, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	return err
}

func writesIn(c *awsx.Calls) []string {
	var out []string
	for k, n := range c.Snapshot() {
		svc, op, _ := strings.Cut(k, ":")
		if svc != "STS" && !awsx.IsRead(op) {
			out = append(out, fmt.Sprintf("%s %s (%d calls)", svc, op, n))
		}
	}
	sort.Strings(out)
	return out
}

func motoSpec(t *testing.T, cfg aws.Config) *Spec {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(cfg)
	o, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	spec := testSpec(t, motoAccount, aws.ToString(o.Organization.Id))
	// The human roles trust an identity account only while it is a member:
	// one that moto's organization creates.
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("identity"), Email: aws.String("identity@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("creating the identity account on moto: %v %+v", err, st)
	}
	spec.Config.Organization.Identity.AccountID = aws.ToString(st.CreateAccountStatus.AccountId)
	if spec.IdentityAccountStatus, err = accounts.IdentityStatus(ctx, org, spec.Config); err != nil {
		t.Fatal(err)
	}
	enableEveryItem(spec)
	return spec
}

type moto struct{ url string }

// startMoto runs moto_server on a free port for the test.
func startMoto(t *testing.T) *moto {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Fatalf("moto_server is not on the PATH: the moto conformance check needs moto 5.2.1 (pip install 'moto[server]==5.2.1'): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// AWS managed policies (AdministratorAccess and the others the roles
	// attach) exist only when moto is told to load them.
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	m := &moto{url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(m.url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return m
		}
		if time.Now().After(deadline) {
			// Stopped first: its output is written until it exits.
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("moto_server did not answer at %s within 30 s: %v\n%s", m.url, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reset forgets every resource, so each item starts from a fresh account.
func (m *moto) reset(t *testing.T) {
	t.Helper()
	resp, err := http.Post(m.url+"/moto-api/reset", "application/json", nil)
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = errors.New(resp.Status)
		}
	}
	if err != nil {
		t.Fatalf("resetting moto: %v", err)
	}
}

func (m *moto) config(t *testing.T) aws.Config {
	t.Helper()
	cfg, err := awslocal.SDKConfig(context.Background(), m.url, awslocal.Credentials{AccessKeyID: "testing", SecretAccessKey: "testing"}, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.APIOptions = append(cfg.APIOptions, cloudWatchOverJSON)
	return cfg
}
