package baseline

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestIAMPoliciesEquivalent(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":["sts:AssumeRole"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":["true"]}}}]}`
	tests := []struct {
		name string
		have string
		want bool
	}{
		{"identical", base, true},
		{"URL-encoded as IAM returns it", url.QueryEscape(base), true},
		{"scalars for one-element lists, statement as object, whitespace",
			`{ "Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}}} }`, true},
		{"different principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::2:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`, false},
		{"condition dropped", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}`, false},
		{"not JSON", `%7Bnot json`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := iamPoliciesEquivalent(tt.have, base); got != tt.want {
				t.Errorf("iamPoliciesEquivalent = %v, want %v\nhave %s", got, tt.want, tt.have)
			}
		})
	}
}

func TestIAMPoliciesEquivalentIgnoresOrder(t *testing.T) {
	a := newIAMPolicy(
		iamStatement{Sid: "A", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{"*"}},
		iamStatement{Sid: "B", Effect: "Deny", Action: []string{"iam:*"}, Resource: []string{"*"}},
	)
	b := newIAMPolicy(
		iamStatement{Sid: "B", Effect: "Deny", Action: []string{"iam:*"}, Resource: []string{"*"}},
		iamStatement{Sid: "A", Effect: "Allow", Action: []string{"s3:PutObject", "s3:GetObject"}, Resource: []string{"*"}},
	)
	if !iamPoliciesEquivalent(a.JSON(), b.JSON()) {
		t.Fatalf("reordered statements and actions are not equivalent:\n%s\n%s", a.JSON(), b.JSON())
	}
	b.Statement[1].Action = []string{"s3:GetObject"}
	if iamPoliciesEquivalent(a.JSON(), b.JSON()) {
		t.Fatal("dropping an action still compares equivalent")
	}
}

// planEntry returns the plan entry of one item's resource.
func planEntry(t *testing.T, p Plan, item, resource string) Change {
	t.Helper()
	for _, c := range p.Changes {
		if c.Item == item && c.Resource == resource {
			return c
		}
	}
	t.Fatalf("no plan entry for %s %s in\n%s", item, resource, p)
	return Change{}
}

// diffFieldsOf lists the fields a change differs in.
func diffFieldsOf(c Change) []string {
	var out []string
	for _, d := range c.Diffs {
		out = append(out, d.Field)
	}
	slices.Sort(out)
	return out
}

// readRoleBack reads a role, its managed policy ARNs and inline documents.
func readRoleBack(t *testing.T, cfg aws.Config, name string) (role roleReadBack) {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(cfg)
	r, err := findRoleByName(ctx, client, name)
	if err != nil {
		t.Fatalf("reading back role %s: %v", name, err)
	}
	managed, inline, err := findRolePolicies(ctx, client, name)
	if err != nil {
		t.Fatalf("reading back policies of role %s: %v", name, err)
	}
	got := roleReadBack{Trust: aws.ToString(r.AssumeRolePolicyDocument), MaxSession: aws.ToInt32(r.MaxSessionDuration),
		Tags: tagMap(r.Tags, iamTagKV), Managed: managed, Inline: inline}
	if r.PermissionsBoundary != nil {
		got.Boundary = aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn)
	}
	return got
}

type roleReadBack struct {
	Trust      string
	MaxSession int32
	Tags       map[string]string
	Managed    []string
	Inline     map[string]string
	Boundary   string
}

// mustPlanGlobal plans scope and fails the test on error.
func mustPlanGlobal(t *testing.T, f *fixture, e *Engine, cfg aws.Config) Plan {
	t.Helper()
	p, err := e.Plan(context.Background(), f.spec, cfg, ScopeGlobal)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

// mustApplyGlobal applies the account's items and fails the test on error.
func mustApplyGlobal(t *testing.T, f *fixture, e *Engine, cfg aws.Config) Report {
	t.Helper()
	return mustApply(t, f, e, cfg, ScopeGlobal)
}

// mustApply applies scope and fails the test on error.
func mustApply(t *testing.T, f *fixture, e *Engine, cfg aws.Config, scope Scope) Report {
	t.Helper()
	r, err := e.Apply(context.Background(), f.spec, cfg, scope)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return r
}

// unownedRole creates a role by hand, as someone other than landfall would.
func unownedRole(t *testing.T, cfg aws.Config, name, trust string) {
	t.Helper()
	_, err := iam.NewFromConfig(cfg).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust),
		Tags: tagList(map[string]string{"team": "platform"}, newIAMTag),
	})
	if err != nil {
		t.Fatalf("creating unowned role %s: %v", name, err)
	}
}

// pipelineRole creates landfall's pipeline role in the management account,
// as the infrastructure stack would, and returns credentials acting as it.
func pipelineRole(t *testing.T, f *fixture) aws.Config {
	t.Helper()
	if f.pipeline != nil {
		return *f.pipeline
	}
	// What the CDK app grants it (infra/functions.go): entering accounts of
	// the organization.
	arn := createManagementRole(t, f, "/", f.spec.Config.PipelineRoleName(), iamStatement{Effect: "Allow", Action: []string{"sts:AssumeRole"},
		Resource:  []string{awsx.RoleARN("*", f.spec.ExecutionRoleName()), awsx.RoleARN("*", f.spec.EntryRoleName())},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:ResourceOrgID": {f.spec.OrganizationID}}}})
	pipeline := awsx.AssumeRole(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)), arn, "landfall-pipeline")
	f.pipeline = &pipeline
	return pipeline
}

// createManagementRole creates a role in the management account, as a
// deploy there would, that the account's administrator may assume and that
// grant allows, and returns its ARN once it has propagated: a deploy makes
// its roles long before any account appears.
func createManagementRole(t *testing.T, f *fixture, path, name string, grant iamStatement) string {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)))
	trust := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + mgmt + ":root"}}, Action: []string{"sts:AssumeRole"}})
	out, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust.JSON())})
	if err != nil {
		t.Fatalf("creating IAM role (%s): %v", name, err)
	}
	policy := newIAMPolicy(grant)
	if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("grant"), PolicyDocument: aws.String(policy.JSON())}); err != nil {
		t.Fatalf("granting IAM role (%s): %v", name, err)
	}
	f.srv.SettleIAM()
	return aws.ToString(out.Role.Arn)
}

// executionRole creates the execution role through the entry role, as the
// pipeline does (Engine.Bootstrap), and returns a session of that role, entered as the pipeline enters it. The
// pipeline role comes first: the execution role's trust names it.
func executionRole(t *testing.T, f *fixture) aws.Config {
	t.Helper()
	ctx := context.Background()
	pipeline := pipelineRole(t, f)
	if _, err := catalogueEngine().Bootstrap(ctx, f.spec, f.cfg); err != nil {
		t.Fatalf("creating the execution role: %v", err)
	}
	if _, err := VerifyExecutionRole(ctx, pipeline, f.member, f.spec.ExecutionRoleName()); err != nil {
		t.Fatal(err)
	}
	return awsx.AssumeRole(pipeline, awsx.RoleARN(f.member, f.spec.ExecutionRoleName()), "landfall-test")
}

// The IAM items together on a fresh account, as the pipeline runs them:
// the entry role creates the execution role (Engine.Bootstrap), every run
// goes through that, and the second writes nothing.
func TestIAMItemsTogether(t *testing.T) {
	f := newFixture(t)
	f.srv.SetRootSecurity(f.member, true, 0)
	later := executionRole(t, f)
	e := itemEngine("execution-role", "entry-role", "human-roles", "account-alias", "iam-findings")
	rep := mustApplyGlobal(t, f, e, later)
	if n := rep.Count(); n[Create] != 6 || n[Update] != 1 || n[Unchanged] != 2 || n[Conflict] != 0 || n[Finding] != 0 {
		t.Fatalf("first apply: %v\n%+v", n, rep)
	}
	if p := mustPlanGlobal(t, f, e, later); p.HasChanges() || len(p.Changes) != 9 {
		t.Fatalf("plan after apply:\n%s", p)
	}
	f.srv.ResetCalls()
	mustApplyGlobal(t, f, e, later)
	for _, w := range countedWrites(f, "") {
		t.Errorf("second apply wrote: %s", w)
	}
}

// FuzzCanonicalIAMPolicy checks that canonicalisation is stable (a
// canonical document canonicalises to itself) and that IAM's URL encoding
// never changes what a document means.
func FuzzCanonicalIAMPolicy(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["b","a"],"Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","NotAction":"iam:*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`)
	f.Add(`{"a":[[1,2],[2,1]],"b":[{"x":1},{"x":"1"}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := canonicalIAMPolicy(doc)
		if err != nil || !strings.HasPrefix(strings.TrimSpace(doc), "{") {
			return
		}
		again, err := canonicalIAMPolicy(c)
		if err != nil || again != c {
			t.Fatalf("canonical form is not stable:\n%s\n%s (%v)", c, again, err)
		}
		if !iamPoliciesEquivalent(doc, url.QueryEscape(doc)) {
			t.Fatalf("URL encoding changed the meaning of %q", doc)
		}
	})
}
