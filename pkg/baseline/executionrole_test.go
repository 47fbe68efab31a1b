package baseline

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

func TestExecutionRole(t *testing.T) {
	f := newFixture(t)
	pipeline := pipelineRole(t, f)
	f.deleteBoundary(t)
	e := itemEngine("execution-role")
	mustApplyGlobal(t, f, e, f.cfg)

	// The role is what ExecutionRole describes, the documents the deploy
	// creates the management account's execution role from.
	want := ExecutionRole(f.spec)
	name := f.spec.ExecutionRoleName()
	got := readRoleBack(t, f.cfg, name)
	if want.Name != name || !iamPoliciesEquivalent(got.Trust, want.Trust) || got.MaxSession != want.MaxSessionSeconds || !Owned(got.Tags) || got.Tags["project"] != "landing-zone" {
		t.Fatalf("execution role read back: %+v", got)
	}
	if len(got.Inline) != 1 || !iamPoliciesEquivalent(got.Inline[executionPolicyName], want.Inline[executionPolicyName]) || len(got.Managed) != 0 || got.Boundary != "" {
		t.Fatalf("execution role policies: managed %v, inline %v, boundary %q", got.Managed, got.Inline, got.Boundary)
	}

	ctx := context.Background()
	if _, err := VerifyExecutionRole(ctx, pipeline, f.member, name); err != nil {
		t.Fatalf("the pipeline role cannot use the execution role: %v", err)
	}
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	_, err := sts.NewFromConfig(admin).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(awsx.RoleARN(f.member, name)), RoleSessionName: aws.String("someone")})
	if !awsx.IsCode(err, "AccessDenied") {
		t.Fatalf("the management account's admin user assuming the execution role: err = %v, want AccessDenied", err)
	}
	// Verification gives up with the reason; the short deadline stands in
	// for the propagation timeout.
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if _, err := VerifyExecutionRole(short, admin, f.member, name); !awsx.IsCode(err, "AccessDenied") {
		t.Fatalf("VerifyExecutionRole as the admin user: err = %v, want AccessDenied", err)
	}
}

// TestBootstrap: the entry role's one change in an account is landfall's
// execution role; the protect-baseline SCP leaves the rest to that role.
func TestBootstrap(t *testing.T) {
	f := newFixture(t)
	pipelineRole(t, f) // the execution role's trust names it
	f.deleteBoundary(t)
	rep, err := catalogueEngine().Bootstrap(context.Background(), f.spec, f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, it := range rep.Items {
		for _, c := range it.Changes {
			changes = append(changes, string(c.Action)+" "+it.Item+": "+c.Resource)
		}
	}
	want := []string{"create execution-role: policy/acme-boundary", "create execution-role: role/acme-execution"}
	if !slices.Equal(changes, want) {
		t.Fatalf("bootstrap applied %q, want %q", changes, want)
	}
}

// In the management account the deploy owns the execution role: the
// item only checks it there, reporting a missing or changed role as a
// finding and never writing.
func TestExecutionRoleInTheManagementAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	spec := *f.spec
	spec.Account = config.Account{ID: mgmt, Name: "management"}
	profile := *spec.Profile
	profile.Select.Accounts = append(slices.Clone(profile.Select.Accounts), mgmt)
	spec.Profile = &profile
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	client := iam.NewFromConfig(admin)
	e := itemEngine("execution-role")
	check := func(want Action, detail string) {
		t.Helper()
		f.srv.ResetCalls()
		rep, err := e.Apply(ctx, &spec, admin, ScopeGlobal)
		if err != nil {
			t.Fatal(err)
		}
		if writes := countedWrites(f, mgmt); len(writes) != 0 {
			t.Errorf("the item wrote in the management account: %v", writes)
		}
		var got []Change
		for _, it := range rep.Items {
			got = append(got, it.Changes...)
		}
		if len(got) != 1 || got[0].Action != want || got[0].Resource != "role/"+spec.ExecutionRoleName() || !strings.Contains(got[0].Detail, detail) {
			t.Fatalf("the execution-role item in the management account: %+v, want %s with %q", got, want, detail)
		}
	}
	check(Finding, "does not exist; in the management account landfall's deploy creates it")
	if _, err := findRoleByName(ctx, client, spec.ExecutionRoleName()); !awsx.NotFound(err) {
		t.Fatalf("the execution role in the management account: err = %v, want not found", err)
	}
	// The deploy creates it from the same documents, after the pipeline
	// role its trust names.
	pipelineRole(t, f)
	doc := ExecutionRole(&spec)
	if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(doc.Name), AssumeRolePolicyDocument: aws.String(doc.Trust)}); err != nil {
		t.Fatal(err)
	}
	check(Unchanged, "")
	other := newIAMPolicy(iamStatement{Effect: "Allow", Principal: accountPrincipal(mgmt), Action: []string{"sts:AssumeRole"}})
	if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(doc.Name), PolicyDocument: aws.String(other.JSON())}); err != nil {
		t.Fatal(err)
	}
	check(Finding, "does not trust "+spec.PipelineRoleARN)
}

func TestExecutionRoleDrift(t *testing.T) {
	f := newFixture(t)
	pipeline := pipelineRole(t, f)
	e := itemEngine("execution-role")
	mustApplyGlobal(t, f, e, f.cfg)

	ctx := context.Background()
	client := iam.NewFromConfig(f.cfg)
	name := f.spec.ExecutionRoleName()
	// Someone widens the trust to the whole management account and adds a
	// policy of their own.
	wide := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + mgmt + ":root"}}, Action: []string{"sts:AssumeRole"}})
	if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(wide.JSON())}); err != nil {
		t.Fatal(err)
	}
	extra := newIAMPolicy(iamStatement{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}})
	if err := putRolePolicy(ctx, client, name, "backdoor", extra); err != nil {
		t.Fatal(err)
	}
	c := planEntry(t, mustPlanGlobal(t, f, e, f.cfg), "execution-role", "role/"+name)
	if want := []string{"AssumeRolePolicyDocument", "InlinePolicy backdoor"}; c.Action != Update || !slices.Equal(diffFieldsOf(c), want) {
		t.Fatalf("after drift: %s, fields %v, want update of %v", c.Action, diffFieldsOf(c), want)
	}
	if d := c.Diffs[0]; !strings.Contains(d.Have, ":root") || !strings.Contains(d.Want, f.spec.PipelineRoleARN) {
		t.Fatalf("trust diff = %+v", d)
	}
	mustApplyGlobal(t, f, e, f.cfg)
	got := readRoleBack(t, f.cfg, name)
	if _, ok := got.Inline["backdoor"]; ok || !iamPoliciesEquivalent(got.Trust, executionTrust(f.spec).JSON()) {
		t.Fatalf("after repair: %+v", got)
	}
	if p := mustPlanGlobal(t, f, e, f.cfg); p.HasChanges() {
		t.Fatalf("plan after repair:\n%s", p)
	}
	if _, err := VerifyExecutionRole(ctx, pipeline, f.member, name); err != nil {
		t.Fatal(err)
	}
}

func TestExecutionRoleOwnership(t *testing.T) {
	tests := []struct {
		name       string
		adopt      bool
		wantAction Action
	}{
		{"unowned role is a conflict", false, Conflict},
		{"adopt takes it over", true, Update},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			pipelineRole(t, f)
			f.spec.Profile.Adopt = tt.adopt
			name := f.spec.ExecutionRoleName()
			theirs := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + mgmt + ":root"}}, Action: []string{"sts:AssumeRole"}})
			unownedRole(t, f.cfg, name, theirs.JSON())
			e := itemEngine("execution-role")

			c := planEntry(t, mustPlanGlobal(t, f, e, f.cfg), "execution-role", "role/"+name)
			if c.Action != tt.wantAction {
				t.Fatalf("action = %s, want %s\n%s", c.Action, tt.wantAction, c)
			}
			mustApplyGlobal(t, f, e, f.cfg)
			got := readRoleBack(t, f.cfg, name)
			if tt.adopt {
				if !Owned(got.Tags) || got.Tags["team"] != "platform" || !iamPoliciesEquivalent(got.Trust, executionTrust(f.spec).JSON()) {
					t.Fatalf("adopted role: %+v", got)
				}
				return
			}
			if Owned(got.Tags) || !iamPoliciesEquivalent(got.Trust, theirs.JSON()) || len(got.Inline) != 0 {
				t.Fatalf("a conflicting role was changed: %+v", got)
			}
		})
	}
}

func TestExecutionPolicySize(t *testing.T) {
	tests := []struct {
		name      string
		prefix    string
		bootstrap string
	}{
		{"test config", "", ""},
		{"longest prefix, a bootstrap user and default VPCs removed", "abcdefghijklmnopqrstuvwx", "bootstrap-administrator-with-a-long-name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.prefix != "" {
				f.spec.Prefix = tt.prefix
			}
			f.spec.Profile.Items.Findings.BootstrapUser = tt.bootstrap
			f.spec.Profile.Items.Findings.DeleteBootstrapUser = tt.bootstrap != ""
			f.spec.Profile.Items.DefaultVPCs.Remove = tt.bootstrap != ""
			doc := executionPolicy(f.spec, Catalogue()).JSON()
			// IAM counts an inline policy's characters without whitespace.
			n := len(strings.Join(strings.Fields(doc), ""))
			if n > 10240 {
				t.Fatalf("execution policy is %d characters, IAM allows 10240", n)
			}
			t.Logf("execution policy: %d characters of 10240", n)
			if !strings.Contains(doc, "role/"+f.spec.Prefix+"-admin") || strings.Contains(doc, "user/") != (tt.bootstrap != "") {
				t.Fatalf("execution policy does not follow the spec: %s", doc)
			}
		})
	}
}

// The execution role can apply the whole baseline to a fresh account, and
// nothing else is needed: with the local endpoint deciding every request
// as IAM does, the pipeline role (allowed sts:AssumeRole, as the CDK app
// grants it) enters the account through the execution role and every item,
// optional and destructive ones included (the default VPCs and the
// bootstrap user go), is applied, then found unchanged.
func TestExecutionRoleAppliesTheBaseline(t *testing.T) {
	f := newFixture(t)
	// A missing permission looks like IAM propagation to the items that
	// wait for it: fail in seconds rather than minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p := *f.spec.Profile
	p.Items.AWSConfig.Enabled, p.Items.SecurityHub.Enabled, p.Items.DefaultVPCs.Remove = true, true, true
	p.Items.Findings.BootstrapUser, p.Items.Findings.DeleteBootstrapUser = "bootstrap", true
	f.spec.Profile = &p
	member := iam.NewFromConfig(f.cfg)
	if _, err := member.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bootstrap")}); err != nil {
		t.Fatal(err)
	}
	if _, err := member.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bootstrap")}); err != nil {
		t.Fatal(err)
	}
	// The alerts key as a version of landfall before its keys' policies let
	// the execution role manage them left it: the role updates its policy
	// as a key that carries landfall's alias.
	older := alertsKey(f.spec)
	older.Policy.Statement = slices.DeleteFunc(slices.Clone(older.Policy.Statement), func(st iamStatement) bool { return st.Sid == "LandfallExecutionRoleManages" })
	homeKMS := kms.NewFromConfig(awsx.InRegion(f.cfg, f.spec.HomeRegion()))
	key, err := homeKMS.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(older.Policy.JSON()), Tags: tagList(f.spec.Tags, newKMSTag)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := homeKMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(older.Alias), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	pipeline := pipelineRole(t, f)
	if _, err := itemEngine("execution-role").Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyExecutionRole(ctx, pipeline, f.member, f.spec.ExecutionRoleName()); err != nil {
		t.Fatal(err)
	}
	f.cfg = awsx.AssumeRole(pipeline, awsx.RoleARN(f.member, f.spec.ExecutionRoleName()), "landfall-baseline")

	e := catalogueEngine()
	plan, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatalf("applying the baseline as the execution role: %v\n%+v", err, plan)
	}
	again, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil || again.HasChanges() {
		t.Fatalf("plan after apply: %v\n%s", err, again)
	}
	if _, err := member.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bootstrap")}); !awsx.IsCode(err, "NoSuchEntity") {
		t.Fatalf("the bootstrap user after apply: %v", err)
	}
	for _, region := range f.spec.Regions {
		vpcs, err := ec2.NewFromConfig(awsx.InRegion(f.cfg, region)).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil || len(vpcs.Vpcs) != 0 {
			t.Fatalf("VPCs in %s after apply: %v %+v", region, err, vpcs)
		}
	}
	policy, err := homeKMS.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: key.KeyMetadata.KeyId, PolicyName: aws.String("default")})
	if err != nil || !iamPoliciesEquivalent(aws.ToString(policy.Policy), alertsKey(f.spec).Policy.JSON()) {
		t.Fatalf("the earlier alerts key's policy after apply: %v %s", err, aws.ToString(policy.Policy))
	}
	if faults := f.srv.AuthorizationFaults(); len(faults) > 0 {
		t.Fatalf("deliveries the endpoint could not decide: %q", faults)
	}
}

// TestExecutionPolicyNeverChangesItself decides, as IAM does, the writes
// that would give the execution role more, also when the config names it
// like a role the baseline makes (here the admin role, whose
// AdministratorAccess the policy lets it attach).
func TestExecutionPolicyNeverChangesItself(t *testing.T) {
	simulator, err := iamsim.Shared("../..")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	for _, name := range []string{f.spec.ExecutionRoleName(), f.spec.Name("admin")} {
		cfg := *f.spec.Config
		cfg.Organization.ExecutionRoleName = name
		spec := *f.spec
		spec.Config = &cfg
		policy := []iamsim.Policy{{Name: executionPolicyName, Document: json.RawMessage(executionPolicy(&spec, Catalogue()).JSON())}}
		self := awsx.RoleARN(f.member, name)
		for action, keys := range map[string]map[string][]string{
			"iam:PutRolePolicy":          nil,
			"iam:AttachRolePolicy":       {"iam:PolicyARN": {managedPolicyARN("AdministratorAccess")}},
			"iam:UpdateAssumeRolePolicy": nil,
			"iam:DeleteRolePolicy":       nil,
			"iam:TagRole":                nil,
		} {
			d, err := simulator.Decide(iamsim.Request{
				Principal: "arn:aws:sts::" + f.member + ":assumed-role/" + name + "/landfall", Action: action,
				Resource: self, ResourceAccount: f.member, Context: keys, IdentityPolicies: policy,
			})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed() {
				t.Errorf("the execution role named %s may %s on itself", name, action)
			}
		}
	}
}

// TestConfigReservesTheBaselinesRoleNames: the config refuses an execution
// role named like a role the baseline makes (the admin role's item would
// attach AdministratorAccess to it), so its list must hold every one.
func TestConfigReservesTheBaselinesRoleNames(t *testing.T) {
	s := testSpec(t, "333333333333", "o-exampleorg")
	for _, r := range baselineRoles(s) {
		if !slices.Contains(s.Config.RoleNames(), r.Name) {
			t.Errorf("config.RoleNames() lacks %s, a role the baseline makes", r.Name)
		}
	}
}

// TestMergeStatements: the items' statements that share a Sid become one
// only where the one allows exactly what they allowed apart.
func TestMergeStatements(t *testing.T) {
	cond := func(op, key string, values ...string) map[string]map[string][]string {
		return map[string]map[string][]string{op: {key: values}}
	}
	withCondition := func(st iamStatement, c map[string]map[string][]string) iamStatement {
		st.Condition = c
		return st
	}
	tests := []struct {
		name string
		in   []iamStatement
		want []iamStatement
	}{
		{"actions on the same resources",
			[]iamStatement{allow("Read", anyResource, "a:One"), allow("Read", anyResource, "a:Two", "a:One")},
			[]iamStatement{allow("Read", anyResource, "a:One", "a:Two")}},
		{"the same actions on other resources",
			[]iamStatement{allow("Roles", []string{"r1"}, "a:Put"), allow("Roles", []string{"r2"}, "a:Put")},
			[]iamStatement{allow("Roles", []string{"r1", "r2"}, "a:Put")}},
		{"other actions on other resources stay apart",
			[]iamStatement{allow("Roles", []string{"r1"}, "a:Put"), allow("Roles", []string{"r2"}, "a:Delete"), allow("Roles", []string{"r1"}, "a:Get")},
			[]iamStatement{allow("Roles", []string{"r1"}, "a:Put", "a:Get"), allow("Roles2", []string{"r2"}, "a:Delete")}},
		{"any of the values",
			[]iamStatement{withCondition(allow("Linked", anyResource, "iam:CreateServiceLinkedRole"), cond("StringEquals", "iam:AWSServiceName", "a")),
				withCondition(allow("Linked", anyResource, "iam:CreateServiceLinkedRole"), cond("StringEquals", "iam:AWSServiceName", "b"))},
			[]iamStatement{withCondition(allow("Linked", anyResource, "iam:CreateServiceLinkedRole"), cond("StringEquals", "iam:AWSServiceName", "a", "b"))}},
		{"a negated operator's values stay apart",
			[]iamStatement{withCondition(allow("Keys", anyResource, "kms:Get"), cond("StringNotEquals", "k", "a")),
				withCondition(allow("Keys", anyResource, "kms:Get"), cond("StringNotEquals", "k", "b"))},
			[]iamStatement{withCondition(allow("Keys", anyResource, "kms:Get"), cond("StringNotEquals", "k", "a")),
				withCondition(allow("Keys2", anyResource, "kms:Get"), cond("StringNotEquals", "k", "b"))}},
		{"ForAllValues stays apart",
			[]iamStatement{withCondition(allow("Tags", anyResource, "a:Tag"), cond("ForAllValues:StringEquals", "aws:TagKeys", "a")),
				withCondition(allow("Tags", anyResource, "a:Tag"), cond("ForAllValues:StringEquals", "aws:TagKeys", "b"))},
			[]iamStatement{withCondition(allow("Tags", anyResource, "a:Tag"), cond("ForAllValues:StringEquals", "aws:TagKeys", "a")),
				withCondition(allow("Tags2", anyResource, "a:Tag"), cond("ForAllValues:StringEquals", "aws:TagKeys", "b"))}},
		{"other actions under other conditions stay apart",
			[]iamStatement{withCondition(allow("Keys", anyResource, "kms:Get"), cond("StringEquals", "k", "a")), allow("Keys", anyResource, "kms:Put")},
			[]iamStatement{withCondition(allow("Keys", anyResource, "kms:Get"), cond("StringEquals", "k", "a")), allow("Keys2", anyResource, "kms:Put")}},
		{"other Sids stay apart",
			[]iamStatement{allow("A", anyResource, "a:One"), allow("B", anyResource, "a:Two")},
			[]iamStatement{allow("A", anyResource, "a:One"), allow("B", anyResource, "a:Two")}},
		{"a deny and an allow stay apart",
			[]iamStatement{allow("A", anyResource, "a:One"), {Sid: "A", Effect: "Deny", Action: []string{"a:Two"}, Resource: anyResource}},
			[]iamStatement{allow("A", anyResource, "a:One"), {Sid: "A2", Effect: "Deny", Action: []string{"a:Two"}, Resource: anyResource}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, want := newIAMPolicy(mergeStatements(tt.in)...).JSON(), newIAMPolicy(tt.want...).JSON()
			if got != want {
				t.Fatalf("merged:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestExecutionPolicyComesFromTheItems: each item's permissions are in the
// execution role's policy, and only through it (an item's statement taken
// out takes its actions out).
func TestExecutionPolicyComesFromTheItems(t *testing.T) {
	s := testSpec(t, "333333333333", "o-exampleorg")
	s.Profile.Items.DefaultVPCs.Remove = true
	items := Catalogue()
	policy := executionPolicy(s, items)
	for i, it := range items {
		for _, st := range it.Permissions(s) {
			for _, a := range st.Action {
				if !policyAllowsAction(policy, a) {
					t.Errorf("%s declares %s, which the execution policy does not allow", it.Name, a)
				}
			}
		}
		if it.Name != "default-vpcs" {
			continue
		}
		without := slices.Clone(items)
		without[i].Permissions = func(*Spec) []iamStatement { return nil }
		if policyAllowsAction(executionPolicy(s, without), "ec2:DeleteVpc") {
			t.Errorf("the execution policy allows ec2:DeleteVpc without the default-vpcs item's permissions")
		}
	}
}
