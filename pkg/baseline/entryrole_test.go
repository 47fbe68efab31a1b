package baseline

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/ledger"
)

func TestEntryRole(t *testing.T) {
	f := newFixture(t)
	pipeline := pipelineRole(t, f)
	e := itemEngine("entry-role")
	entry := f.spec.EntryRoleName()
	original := readRoleBack(t, f.cfg, entry)
	desired := func() string { return entryTrust{}.desired(f.spec) }

	// A fresh account, as the pipeline sees it once the execution role is
	// in: the trust Organizations wrote is rewritten and marked.
	landfall := executionRole(t, f)
	c := planEntry(t, mustPlanGlobal(t, f, e, landfall), "entry-role", "role/"+entry)
	if want := []string{"AssumeRolePolicyDocument", "Tag " + TagManagedTrust}; c.Action != Update || !slices.Equal(diffFieldsOf(c), want) {
		t.Fatalf("fresh account: %s, fields %v, want update of %v", c.Action, diffFieldsOf(c), want)
	}
	mustApplyGlobal(t, f, e, landfall)

	got := readRoleBack(t, f.cfg, entry)
	if !iamPoliciesEquivalent(got.Trust, desired()) || got.Tags[TagManagedTrust] != "true" || Owned(got.Tags) {
		t.Fatalf("entry role after apply: %+v", got)
	}
	if saved, err := f.ledger.GetEntryTrust(context.Background(), f.member); err != nil || saved.RoleName != entry || !iamPoliciesEquivalent(saved.Policy, original.Trust) {
		t.Fatalf("saved trust = %+v, %v; want the original %s", saved, err, original.Trust)
	}
	if !slices.Equal(got.Managed, original.Managed) || len(got.Inline) != len(original.Inline) {
		t.Fatalf("entry role permissions changed: %v -> %v", original.Managed, got.Managed)
	}

	ctx := context.Background()
	// The endpoint treats the admin user as signed in with MFA; a user
	// with plain access keys has none.
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	person := plainUser(t, f, admin, "person")
	entryARN := awsx.RoleARN(f.member, entry)
	assume := func(cfg aws.Config) func() error {
		return func() error {
			_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(entryARN), RoleSessionName: aws.String("person")})
			return err
		}
	}
	tests := []struct {
		name    string
		assume  func() error
		allowed bool
	}{
		{"person without MFA", assume(person), false},
		{"person with MFA", assume(admin), true},
		{"pipeline role without MFA", func() error {
			_, err := sts.NewFromConfig(awsx.AssumeRole(pipeline, entryARN, "landfall")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.assume()
			if tt.allowed && err != nil {
				t.Fatalf("denied: %v", err)
			}
			if !tt.allowed && !awsx.IsCode(err, "AccessDenied") {
				t.Fatalf("err = %v, want AccessDenied", err)
			}
		})
	}

	// Later runs change nothing.
	if p := mustPlanGlobal(t, f, e, landfall); p.HasChanges() {
		t.Fatalf("plan after apply:\n%s", p)
	}
	f.srv.ResetCalls()
	mustApplyGlobal(t, f, e, landfall)
	for _, w := range countedWrites(f, "") {
		t.Errorf("second apply wrote: %s", w)
	}

	// Drift: someone opens the door again.
	if _, err := iam.NewFromConfig(landfall).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(entry), PolicyDocument: aws.String(displayIAMPolicy(original.Trust))}); err != nil {
		t.Fatal(err)
	}
	c = planEntry(t, mustPlanGlobal(t, f, e, landfall), "entry-role", "role/"+entry)
	if c.Action != Update || !slices.Equal(diffFieldsOf(c), []string{"AssumeRolePolicyDocument"}) || strings.Contains(c.Diffs[0].Have, "MultiFactorAuthPresent") {
		t.Fatalf("after reopening: %s %+v", c.Action, c.Diffs)
	}
	mustApplyGlobal(t, f, e, landfall)
	if got := readRoleBack(t, landfall, entry); !iamPoliciesEquivalent(got.Trust, desired()) {
		t.Fatalf("entry role trust not repaired: %s", got.Trust)
	}
}

// Statements others wrote into the entry role's trust stay, and are
// reported; only the door Organizations made gives way to landfall's.
func TestEntryRoleKeepsOthersStatements(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	entry := f.spec.EntryRoleName()
	landfall := executionRole(t, f)
	const (
		auditor = `{"Sid":"Auditor","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringEquals":{"sts:ExternalId":"audit-2026"}}}`
		noGuests = `{"Sid":"NoGuests","Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-x"}}}`
	)
	// The door as Organizations writes it, in the account-ID spelling and
	// under a Sid, between the others'.
	door := `{"Sid":"FromManagement","Effect":"Allow","Principal":{"AWS":"` + mgmt + `"},"Action":["sts:AssumeRole"]}`
	if _, err := iam.NewFromConfig(f.cfg).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(entry),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` + auditor + "," + door + "," + noGuests + `]}`)}); err != nil {
		t.Fatal(err)
	}

	e := itemEngine("entry-role")
	findingOf := func(p Plan) string {
		t.Helper()
		found := findingDetails(p.Changes)
		if len(found) != 1 {
			t.Fatalf("findings %q, want one in\n%s", found, p)
		}
		return found[0]
	}
	p := mustPlanGlobal(t, f, e, landfall)
	if f := findingOf(p); !strings.Contains(f, `statement "Auditor": {"AWS":"arn:aws:iam::999999999999:root"} with conditions`) || strings.Contains(f, "NoGuests") || strings.Contains(f, "FromManagement") {
		t.Fatalf("finding: %s", f)
	}
	mustApplyGlobal(t, f, e, landfall)

	got := readRoleBack(t, landfall, entry).Trust
	// Built apart from the trust landfall computes, so that a statement it
	// dropped would show here.
	statements := []string{auditor, noGuests}
	for _, st := range landfallEntryStatements(f.spec) {
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		statements = append(statements, string(b))
	}
	want := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + "]}"
	if !iamPoliciesEquivalent(got, want) {
		t.Fatalf("trust after apply:\n%s\nwant\n%s", displayIAMPolicy(got), want)
	}
	again := mustPlanGlobal(t, f, e, landfall)
	if again.HasChanges() {
		t.Fatalf("plan after apply:\n%s", again)
	}
	findingOf(again)
}

// People who sign in through IAM Identity Center have no MFA key in their
// sessions: only the permission sets the profile names keep the entry
// role, and no look-alike does.
func TestEntryRoleBreakGlassForIdentityCenter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	landfall := executionRole(t, f)
	entryARN := awsx.RoleARN(f.member, f.spec.EntryRoleName())
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	signIn := func(region, set string) aws.Config {
		creds, err := f.srv.IdentityCenterSession(mgmt, region, set, "arn:aws:iam::aws:policy/AdministratorAccess")
		if err != nil {
			t.Fatal(err)
		}
		return mustConfig(t, f.url, creds)
	}
	// An administrator of the management account may not make a role look
	// like Identity Center's where Identity Center keeps them, only
	// elsewhere.
	const lookalike = "AWSReservedSSO_AWSAdministratorAccess_0123456789abcdef"
	grant := iamStatement{Effect: "Allow", Action: []string{"sts:AssumeRole"}, Resource: []string{"*"}}
	_, err := iam.NewFromConfig(admin).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(lookalike), Path: aws.String("/aws-reserved/sso.amazonaws.com/"),
		AssumeRolePolicyDocument: aws.String(newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {mgmt}}, Action: []string{"sts:AssumeRole"}}).JSON())})
	if !awsx.IsCode(err, "AccessDenied") {
		t.Fatalf("creating a role under /aws-reserved/: err = %v, want AccessDenied", err)
	}
	people := []struct {
		name    string
		session aws.Config
		allowed bool
	}{
		{"a permission set named", signIn("eu-west-1", "AWSAdministratorAccess"), true},
		{"a permission set named, from an instance that puts no region in the path", signIn("", "BreakGlass"), true},
		{"another permission set", signIn("eu-west-1", "AWSReadOnlyAccess"), false},
		{"a permission set whose name starts alike", signIn("eu-west-1", "AWSAdministratorAccess_x"), false},
		{"the name outside Identity Center's path", awsx.AssumeRole(admin, createManagementRole(t, f, "/", lookalike, grant), "person"), false},
	}
	assume := func(cfg aws.Config) error {
		_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(entryARN), RoleSessionName: aws.String("break-glass")})
		return err
	}
	e := itemEngine("entry-role")
	mustApplyGlobal(t, f, e, landfall)
	for _, p := range people {
		if err := assume(p.session); !awsx.IsCode(err, "AccessDenied") {
			t.Fatalf("%s without break-glass: err = %v, want AccessDenied", p.name, err)
		}
	}

	f.spec.Profile.Items.EntryRole.BreakGlassPermissionSets = []string{"AWSAdministratorAccess", "BreakGlass"}
	c := planEntry(t, mustPlanGlobal(t, f, e, landfall), "entry-role", "role/"+f.spec.EntryRoleName())
	if c.Action != Update || !strings.Contains(c.Diffs[0].Want, "LandfallIdentityCenterBreakGlass") {
		t.Fatalf("plan with break-glass: %s", c)
	}
	mustApplyGlobal(t, f, e, landfall)
	for _, p := range people {
		t.Run(p.name, func(t *testing.T) {
			err := assume(p.session)
			if p.allowed && err != nil {
				t.Fatalf("denied: %v", err)
			}
			if !p.allowed && !awsx.IsCode(err, "AccessDenied") {
				t.Fatalf("err = %v, want AccessDenied", err)
			}
		})
	}
}

// findingDetails are the details of the findings among changes.
func findingDetails(changes []Change) []string {
	var out []string
	for _, c := range changes {
		if c.Action == Finding {
			out = append(out, c.Detail)
		}
	}
	return out
}

// Only a run that came in through the execution role tightens the door:
// through the entry role itself the plan says so and the trust stays.
func TestEntryRoleTightenedOnlyThroughExecutionRole(t *testing.T) {
	f := newFixture(t)
	pipelineRole(t, f)
	entry := f.spec.EntryRoleName()
	original := readRoleBack(t, f.cfg, entry)
	e := itemEngine("entry-role")

	rep := mustApplyGlobal(t, f, e, f.cfg)
	if len(rep.Items) != 1 {
		t.Fatalf("report of one item: %+v", rep)
	}
	if found := findingDetails(rep.Items[0].Changes); len(found) != 1 || !strings.Contains(found[0], "not tightened by this run") || !strings.Contains(found[0], "assumed-role/"+entry+"/") {
		t.Fatalf("findings through the entry role: %q", found)
	}
	if got := readRoleBack(t, f.cfg, entry); !iamPoliciesEquivalent(got.Trust, original.Trust) {
		t.Fatalf("entry role trust changed anyway: %s", got.Trust)
	}
}

// The trust as landfall found it is saved in the management account before
// the first tightening; with nowhere to save it, or when saving fails, the
// door stays open.
func TestEntryRoleSavesTrustBeforeTightening(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	entry := f.spec.EntryRoleName()
	original := readRoleBack(t, f.cfg, entry)
	landfall := executionRole(t, f)
	e := itemEngine("entry-role")
	unchanged := func(when string) {
		t.Helper()
		if got := readRoleBack(t, f.cfg, entry); !iamPoliciesEquivalent(got.Trust, original.Trust) {
			t.Fatalf("%s: entry role trust changed: %s", when, got.Trust)
		}
		if _, err := f.ledger.GetEntryTrust(ctx, f.member); !awsx.NotFound(err) {
			t.Fatalf("%s: a trust was saved: %v", when, err)
		}
	}

	archive := f.spec.TrustArchive
	f.spec.TrustArchive = nil
	rep := mustApplyGlobal(t, f, e, landfall)
	if found := findingDetails(rep.Items[0].Changes); len(found) != 1 || !strings.Contains(found[0], "not tightened by this run: it has nowhere to keep the trust policy") {
		t.Fatalf("findings without an archive: %q", found)
	}
	unchanged("without an archive")

	// A ledger table that is not there: saving fails at apply.
	f.spec.TrustArchive = ledger.New(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)), "no-such-table")
	c := planEntry(t, mustPlanGlobal(t, f, e, landfall), "entry-role", "role/"+entry)
	if err := c.Apply(ctx); err == nil || !strings.Contains(err.Error(), "refusing to tighten IAM role ("+entry+") before its trust policy is saved") {
		t.Fatalf("apply when saving fails: err = %v, want a refusal", err)
	}
	unchanged("when saving fails")

	f.spec.TrustArchive = archive
	mustApplyGlobal(t, f, e, landfall)
	saved, err := f.ledger.GetEntryTrust(ctx, f.member)
	if err != nil || !iamPoliciesEquivalent(saved.Policy, original.Trust) || !saved.SavedAt.Equal(f.clock.now()) {
		t.Fatalf("saved trust = %+v, %v; want the original %s", saved, err, original.Trust)
	}
}

// Between plan and apply the execution role may stop admitting the
// pipeline: then the door stays open.
func TestEntryRoleRechecksExecutionRoleAtApply(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	entry := f.spec.EntryRoleName()
	original := readRoleBack(t, f.cfg, entry)
	landfall := executionRole(t, f)
	c := planEntry(t, mustPlanGlobal(t, f, itemEngine("entry-role"), landfall), "entry-role", "role/"+entry)

	other := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + mgmt + ":root"}}, Action: []string{"sts:AssumeRole"}})
	if _, err := iam.NewFromConfig(f.cfg).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(f.spec.ExecutionRoleName()), PolicyDocument: aws.String(other.JSON())}); err != nil {
		t.Fatal(err)
	}
	if err := c.Apply(ctx); err == nil || !strings.Contains(err.Error(), "refusing to tighten") {
		t.Fatalf("apply with the execution role's trust changed: err = %v, want a refusal", err)
	}
	if got := readRoleBack(t, f.cfg, entry); !iamPoliciesEquivalent(got.Trust, original.Trust) {
		t.Fatalf("entry role trust changed anyway: %s", got.Trust)
	}
}

func TestParseEntryTrust(t *testing.T) {
	const door = `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}`
	tests := []struct {
		name, statement string
		kept            bool
	}{
		{"the door Organizations writes", door, false},
		{"the door in a list", `{"Effect":"Allow","Principal":{"AWS":["` + mgmt + `"]},"Action":["STS:AssumeRole"]}`, false},
		{"the door under a Sid", `{"Sid":"Default","Effect":"Allow","Principal":{"AWS":"` + mgmt + `"},"Action":"sts:AssumeRole"}`, false},
		{"landfall's own", `{"Sid":"LandfallAnything","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`, false},
		{"the door with a condition", `{"Effect":"Allow","Principal":{"AWS":"` + mgmt + `"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}`, true},
		{"the door with more actions", `{"Effect":"Allow","Principal":{"AWS":"` + mgmt + `"},"Action":["sts:AssumeRole","sts:TagSession"]}`, true},
		{"another account", `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}`, true},
		{"the management account and another", `{"Effect":"Allow","Principal":{"AWS":["` + mgmt + `","999999999999"]},"Action":"sts:AssumeRole"}`, true},
		{"a service", `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`, true},
		{"everyone but", `{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}`, true},
		{"a deny", `{"Effect":"Deny","Principal":{"AWS":"` + mgmt + `"},"Action":"sts:AssumeRole"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, doc := range []string{
				`{"Version":"2012-10-17","Statement":` + tt.statement + `}`,
				url.QueryEscape(`{"Version":"2012-10-17","Statement":[` + door + "," + tt.statement + `]}`),
			} {
				tr, err := parseEntryTrust(doc, mgmt)
				if err != nil {
					t.Fatal(err)
				}
				if kept := len(tr.others) == 1; kept != tt.kept || len(tr.others) > 1 {
					t.Fatalf("%s: kept %s, want kept %v", doc, tr.others, tt.kept)
				}
			}
		})
	}
	for _, bad := range []string{"", "{", `{"Statement":[1]}`, "%zz"} {
		if _, err := parseEntryTrust(bad, mgmt); err == nil {
			t.Errorf("parseEntryTrust(%q): no error", bad)
		}
	}
}

// plainUser creates an IAM user with access keys and no MFA and returns
// credentials acting as it.
func plainUser(t *testing.T, f *fixture, admin aws.Config, name string) aws.Config {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(admin)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return mustConfig(t, f.url, awslocal.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)})
}

// The trust saved before the first tightening goes back as it was, and the
// role loses landfall's tag; a second restore has nothing to do.
func TestEntryTrustRestore(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	entry := f.spec.EntryRoleName()
	original := readRoleBack(t, f.cfg, entry)
	mustApplyGlobal(t, f, itemEngine("entry-role"), executionRole(t, f))
	saved, err := f.ledger.GetEntryTrust(ctx, f.member)
	if err != nil {
		t.Fatal(err)
	}

	c, err := PlanEntryTrustRestore(ctx, f.cfg, entry, saved.Policy)
	if want := []string{"AssumeRolePolicyDocument", "Tag " + TagManagedTrust}; err != nil || c.Action != Update || !slices.Equal(diffFieldsOf(c), want) {
		t.Fatalf("restore plan = %s %v, %v; want an update of %v", c.Action, diffFieldsOf(c), err, want)
	}
	if err := c.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	got := readRoleBack(t, f.cfg, entry)
	if !iamPoliciesEquivalent(got.Trust, original.Trust) {
		t.Fatalf("trust after restore = %s, want %s", got.Trust, original.Trust)
	}
	if _, tagged := got.Tags[TagManagedTrust]; tagged {
		t.Fatalf("tags after restore: %v", got.Tags)
	}
	if c, err := PlanEntryTrustRestore(ctx, f.cfg, entry, saved.Policy); err != nil || c.Action != Unchanged {
		t.Fatalf("second restore plan = %s %+v, %v; want unchanged", c.Action, c.Diffs, err)
	}

	if _, err := PlanEntryTrustRestore(ctx, f.cfg, entry, "{not json"); err == nil || !strings.Contains(err.Error(), "not a policy document") {
		t.Fatalf("restoring a malformed policy: %v", err)
	}
	if _, err := PlanEntryTrustRestore(ctx, f.cfg, "NoSuchRole", saved.Policy); !awsx.NotFound(err) {
		t.Fatalf("restoring a missing role: %v, want not found", err)
	}
}
