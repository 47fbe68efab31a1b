package baseline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/awsx"
)

func TestHumanRoles(t *testing.T) {
	f := newFixture(t)
	mustApplyGlobal(t, f, itemEngine("human-roles"), f.cfg)

	mfaTrust := newIAMPolicy(iamStatement{
		Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::222222222222:root"}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{
			"Bool": {"aws:MultiFactorAuthPresent": {"true"}}, "NumericLessThan": {"aws:MultiFactorAuthAge": {"3600"}},
			"StringEquals": {"aws:PrincipalOrgID": {f.spec.OrganizationID}}},
	})
	tests := []struct {
		role    string
		managed []string
		inline  []string
	}{
		{"acme-admin", []string{managedPolicyARN("AdministratorAccess")}, nil},
		{"acme-operator", []string{managedPolicyARN("PowerUserAccess")}, []string{"landfall-operator-guard"}},
		{"acme-developer", nil, []string{"landfall-developer"}},
		{"acme-read-only", []string{managedPolicyARN("ReadOnlyAccess")}, nil},
		{"acme-billing", []string{managedPolicyARN("job-function/Billing")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			got := readRoleBack(t, f.cfg, tt.role)
			if !iamPoliciesEquivalent(got.Trust, mfaTrust.JSON()) {
				t.Errorf("trust = %s", displayIAMPolicy(got.Trust))
			}
			if got.MaxSession != 3600 || !Owned(got.Tags) {
				t.Errorf("max session %d, tags %v", got.MaxSession, got.Tags)
			}
			if !slices.Equal(got.Managed, tt.managed) {
				t.Errorf("managed policies = %v, want %v", got.Managed, tt.managed)
			}
			var inline []string
			for name := range got.Inline {
				inline = append(inline, name)
			}
			if !slices.Equal(inline, tt.inline) {
				t.Errorf("inline policies = %v, want %v", inline, tt.inline)
			}
		})
	}
	dev := readRoleBack(t, f.cfg, "acme-developer").Inline["landfall-developer"]
	if !iamPoliciesEquivalent(dev, developerPolicy([]string{"ec2", "s3", "lambda"}, f.spec.Config).JSON()) {
		t.Errorf("developer policy = %s", displayIAMPolicy(dev))
	}
}

func TestHumanRolesDrift(t *testing.T) {
	noMFA := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::222222222222:root"}}, Action: []string{"sts:AssumeRole"}})
	tests := []struct {
		name   string
		role   string
		mutate func(context.Context, *iam.Client) error
		fields []string
	}{
		{"trust loses its MFA condition", "acme-admin", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("acme-admin"), PolicyDocument: aws.String(noMFA.JSON())})
			return err
		}, []string{"AssumeRolePolicyDocument"}},
		{"managed policy detached", "acme-read-only", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("acme-read-only"), PolicyArn: aws.String(managedPolicyARN("ReadOnlyAccess"))})
			return err
		}, []string{"ManagedPolicy " + managedPolicyARN("ReadOnlyAccess")}},
		{"extra managed policy attached", "acme-billing", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("acme-billing"), PolicyArn: aws.String(managedPolicyARN("AdministratorAccess"))})
			return err
		}, []string{"ManagedPolicy " + managedPolicyARN("AdministratorAccess")}},
		{"max session lengthened", "acme-operator", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("acme-operator"), MaxSessionDuration: aws.Int32(43200)})
			return err
		}, []string{"MaxSessionDuration"}},
		{"operator guard removed", "acme-operator", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("acme-operator"), PolicyName: aws.String("landfall-operator-guard")})
			return err
		}, []string{"InlinePolicy landfall-operator-guard"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			e := itemEngine("human-roles")
			mustApplyGlobal(t, f, e, f.cfg)
			want := readRoleBack(t, f.cfg, tt.role)
			if err := tt.mutate(context.Background(), iam.NewFromConfig(f.cfg)); err != nil {
				t.Fatal(err)
			}
			p := mustPlanGlobal(t, f, e, f.cfg)
			for _, c := range p.Changes {
				if c.Changing() && c.Resource != "role/"+tt.role {
					t.Errorf("untouched %s planned as %s", c.Resource, c.Action)
				}
			}
			c := planEntry(t, p, "human-roles", "role/"+tt.role)
			if c.Action != Update || !slices.Equal(diffFieldsOf(c), tt.fields) {
				t.Fatalf("after drift: %s, fields %v, want update of %v", c.Action, diffFieldsOf(c), tt.fields)
			}
			mustApplyGlobal(t, f, e, f.cfg)
			got := readRoleBack(t, f.cfg, tt.role)
			if !iamPoliciesEquivalent(got.Trust, want.Trust) || got.MaxSession != want.MaxSession || !slices.Equal(got.Managed, want.Managed) || len(got.Inline) != len(want.Inline) {
				t.Fatalf("not repaired: %+v, want %+v", got, want)
			}
		})
	}
}

func TestHumanRolesOwnership(t *testing.T) {
	theirs := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + mgmt + ":root"}}, Action: []string{"sts:AssumeRole"}})
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
			f.spec.Profile.Adopt = tt.adopt
			unownedRole(t, f.cfg, "acme-admin", theirs.JSON())
			e := itemEngine("human-roles")
			if c := planEntry(t, mustPlanGlobal(t, f, e, f.cfg), "human-roles", "role/acme-admin"); c.Action != tt.wantAction {
				t.Fatalf("action = %s, want %s\n%s", c.Action, tt.wantAction, c)
			}
			mustApplyGlobal(t, f, e, f.cfg)
			got := readRoleBack(t, f.cfg, "acme-admin")
			adopted := Owned(got.Tags) && slices.Equal(got.Managed, []string{managedPolicyARN("AdministratorAccess")}) && !iamPoliciesEquivalent(got.Trust, theirs.JSON())
			untouched := !Owned(got.Tags) && len(got.Managed) == 0 && iamPoliciesEquivalent(got.Trust, theirs.JSON())
			if (tt.adopt && !adopted) || (!tt.adopt && !untouched) {
				t.Fatalf("role after apply (adopt %v): %+v", tt.adopt, got)
			}
		})
	}
}

func TestHumanRolesRetired(t *testing.T) {
	tests := []struct {
		name        string
		createdBy   string // "landfall" or "someone"
		wantDeleted bool
	}{
		{"landfall's role is deleted", "landfall", true},
		{"someone else's role stays", "someone", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			e := itemEngine("human-roles")
			if tt.createdBy == "landfall" {
				mustApplyGlobal(t, f, e, f.cfg)
			} else {
				unownedRole(t, f.cfg, "acme-operator", humanTrust(f.spec).JSON())
			}
			f.spec.Profile.Items.HumanRoles.Operator = false

			p := mustPlanGlobal(t, f, e, f.cfg)
			retire := slices.ContainsFunc(p.Changes, func(c Change) bool { return c.Resource == "role/acme-operator" && c.Action == Delete })
			if retire != tt.wantDeleted {
				t.Fatalf("plan retires acme-operator = %v, want %v\n%s", retire, tt.wantDeleted, p)
			}
			mustApplyGlobal(t, f, e, f.cfg)
			_, err := findRoleByName(context.Background(), iam.NewFromConfig(f.cfg), "acme-operator")
			if deleted := awsx.NotFound(err); deleted != tt.wantDeleted {
				t.Fatalf("acme-operator deleted = %v (err %v), want %v", deleted, err, tt.wantDeleted)
			}
			if p := mustPlanGlobal(t, f, e, f.cfg); p.HasChanges() {
				t.Fatalf("plan after retiring:\n%s", p)
			}
		})
	}
}

func TestHumanTrust(t *testing.T) {
	tests := []struct {
		name      string
		accountID string
		saml      string
		want      iamStatement
	}{
		{"identity account with recent MFA, in the organization", "222222222222", "", iamStatement{
			Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::222222222222:root"}}, Action: []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}, "NumericLessThan": {"aws:MultiFactorAuthAge": {"900"}},
				"StringEquals": {"aws:PrincipalOrgID": {"o-exampleorg"}}},
		}},
		{"the account's own SAML provider, no MFA condition", "", "okta", iamStatement{
			Effect: "Allow", Principal: map[string][]string{"Federated": {"arn:aws:iam::333333333333:saml-provider/okta"}}, Action: []string{"sts:AssumeRoleWithSAML"},
			Condition: map[string]map[string][]string{"StringEquals": {"SAML:aud": {"https://signin.aws.amazon.com/saml"}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := &f.spec.Config.Organization.Identity
			id.AccountID, id.SAMLProviderName, id.MFAMaxAgeSeconds = tt.accountID, tt.saml, 900
			f.spec.OrganizationID = "o-exampleorg"
			f.spec.Account.ID = "333333333333"
			if got, want := humanTrust(f.spec).JSON(), newIAMPolicy(tt.want).JSON(); !iamPoliciesEquivalent(got, want) {
				t.Fatalf("trust = %s\nwant %s", got, want)
			}
		})
	}
}

// TestHumanRolesTrustTheAccountsOwnSAMLProvider: a role can federate only
// a SAML provider of its own account, so the human roles of every account
// trust that account's provider of the configured name, and are not
// written while the account has none: the error says what to create.
func TestHumanRolesTrustTheAccountsOwnSAMLProvider(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := &f.spec.Config.Organization.Identity
	id.AccountID, id.SAMLProviderName = "", "okta"
	createProvider := func(cfg aws.Config) {
		t.Helper()
		_, err := iam.NewFromConfig(cfg).CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
			Name: aws.String("okta"), SAMLMetadataDocument: aws.String(awslocal.SAMLMetadata("https://idp.example/app"))})
		if err != nil {
			t.Fatal(err)
		}
	}
	asLandfall := executionRole(t, f)
	// The management account's provider is no use to the member's roles.
	createProvider(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)))
	_, err := itemEngine("human-roles").Plan(ctx, f.spec, asLandfall, ScopeGlobal)
	var terminal *awsx.TerminalError
	want := "account " + f.member + ` has no IAM SAML provider "okta" (organization.identity.samlProviderName)`
	if err == nil || !strings.Contains(err.Error(), want) || errors.As(err, &terminal) {
		t.Fatalf("plan without the member's provider = %v, want a retryable error containing %q", err, want)
	}

	createProvider(f.cfg)
	mustApplyGlobal(t, f, itemEngine("human-roles"), asLandfall)
	got := readRoleBack(t, f.cfg, "acme-admin").Trust
	if want := newIAMPolicy(iamStatement{
		Effect: "Allow", Principal: map[string][]string{"Federated": {"arn:aws:iam::" + f.member + ":saml-provider/okta"}}, Action: []string{"sts:AssumeRoleWithSAML"},
		Condition: map[string]map[string][]string{"StringEquals": {"SAML:aud": {"https://signin.aws.amazon.com/saml"}}},
	}).JSON(); !iamPoliciesEquivalent(got, want) {
		t.Fatalf("admin role trust = %s\nwant %s", got, want)
	}
	if plan := mustPlanGlobal(t, f, itemEngine("human-roles"), asLandfall); plan.HasChanges() {
		t.Fatalf("second plan has changes:\n%s", plan)
	}
}

// TestHumanRolesNeedAnIdentityAccountOfTheOrganization: the human roles
// name the identity account in their trust only while it is an active
// member of the organization, and even then admit its principals only
// from inside the organization, so a typo in identity.accountId hands no
// role to whoever owns the account it names.
func TestHumanRolesNeedAnIdentityAccountOfTheOrganization(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	const stranger = "999999999999" // no member of the organization
	f.spec.Config.Organization.Identity.AccountID = stranger
	for _, status := range []string{"", "SUSPENDED"} {
		f.spec.IdentityAccountStatus = status
		_, err := itemEngine("human-roles").Plan(ctx, f.spec, f.cfg, ScopeGlobal)
		var terminal *awsx.TerminalError
		if !errors.As(err, &terminal) || !strings.Contains(err.Error(), "refusing to trust identity account "+stranger+" (organization.identity.accountId)") {
			t.Errorf("status %q: plan = %v, want a terminal refusal naming the account", status, err)
		}
	}
	roles, err := iam.NewFromConfig(f.cfg).ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil || slices.ContainsFunc(roles.Roles, func(r iamtypes.Role) bool { return Owned(tagMap(r.Tags, iamTagKV)) }) {
		t.Fatalf("roles after the refusal: %v %v", err, roles)
	}

	// Were the status read wrong, the trust itself still admits no one
	// from outside the organization.
	f.spec.IdentityAccountStatus = "ACTIVE"
	mustApplyGlobal(t, f, itemEngine("human-roles"), f.cfg)
	f.srv.SettleIAM()
	outsider := awsx.AssumeRole(mustConfig(t, f.url, f.srv.AdminCredentials(stranger)), awsx.RoleARN(f.member, "acme-admin"), "mallory")
	if _, err := outsider.Credentials.Retrieve(ctx); !awsx.IsCode(err, "AccessDenied") {
		t.Fatalf("a principal of %s, outside the organization, assuming acme-admin: %v", stranger, err)
	}
}

// TestHumanRolesGrant plays each person through the role they assume, with
// the AWS managed policies' published documents: what each role may do,
// what its guard takes away, and who may not assume it at all.
func TestHumanRolesGrant(t *testing.T) {
	const identity = "222222222222"
	ctx := context.Background()
	f := newFixture(t)
	mustApplyGlobal(t, f, itemEngine("human-roles"), f.cfg)
	person := mustConfig(t, f.url, f.srv.AdminCredentials(identity)) // signed in with MFA

	iamCreateUser := func(c aws.Config) error {
		_, err := iam.NewFromConfig(c).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")})
		return err
	}
	iamListRoles := func(c aws.Config) error {
		_, err := iam.NewFromConfig(c).ListRoles(ctx, &iam.ListRolesInput{})
		return err
	}
	snsCreateTopic := func(c aws.Config) error {
		_, err := sns.NewFromConfig(c).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders")})
		return err
	}
	snsListTopics := func(c aws.Config) error {
		_, err := sns.NewFromConfig(c).ListTopics(ctx, &sns.ListTopicsInput{})
		return err
	}
	stopTrail := func(c aws.Config) error {
		_, err := cloudtrail.NewFromConfig(c).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("acme-trail")})
		return err
	}
	describeVpcs := func(c aws.Config) error {
		_, err := ec2.NewFromConfig(c).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		return err
	}
	describeBudgets := func(c aws.Config) error {
		_, err := budgets.NewFromConfig(c).DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: aws.String(f.member)})
		return err
	}
	type attempt struct {
		what    string
		call    func(aws.Config) error
		allowed bool
	}
	tests := []struct {
		role     string
		attempts []attempt
	}{
		{"acme-admin", []attempt{{"iam:CreateUser", iamCreateUser, true}, {"sns:CreateTopic", snsCreateTopic, true}}},
		{"acme-operator", []attempt{
			{"sns:CreateTopic", snsCreateTopic, true}, {"iam:ListRoles", iamListRoles, true},
			{"iam:CreateUser", iamCreateUser, false}, {"cloudtrail:StopLogging (the guard)", stopTrail, false},
		}},
		{"acme-developer", []attempt{
			{"ec2:DescribeVpcs", describeVpcs, true},
			{"sns:CreateTopic (not a listed service)", snsCreateTopic, false}, {"iam:ListRoles", iamListRoles, false},
		}},
		{"acme-read-only", []attempt{
			{"iam:ListRoles", iamListRoles, true}, {"sns:ListTopics", snsListTopics, true}, {"ec2:DescribeVpcs", describeVpcs, true},
			{"sns:CreateTopic", snsCreateTopic, false}, {"iam:CreateUser", iamCreateUser, false}, {"cloudtrail:StopLogging", stopTrail, false},
		}},
		{"acme-billing", []attempt{
			{"budgets:ViewBudget", describeBudgets, true},
			{"sns:ListTopics", snsListTopics, false}, {"iam:ListRoles", iamListRoles, false},
		}},
	}
	// People sign in after the roles have propagated.
	f.srv.SettleIAM()
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			cfg := awsx.AssumeRole(person, awsx.RoleARN(f.member, tt.role), "alice")
			for _, a := range tt.attempts {
				err := a.call(cfg)
				if a.allowed && err != nil {
					t.Errorf("%s: %v", a.what, err)
				}
				if !a.allowed && !isAccessDenied(err) {
					t.Errorf("%s: want access denied, got %v", a.what, err)
				}
			}
		})
	}

	t.Run("no MFA", func(t *testing.T) {
		idAdmin := iam.NewFromConfig(person)
		if _, err := idAdmin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
		if _, err := idAdmin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(managedPolicyARN("AdministratorAccess"))}); err != nil {
			t.Fatal(err)
		}
		key, err := idAdmin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		bob := mustConfig(t, f.url, awslocal.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)})
		if err := iamListRoles(awsx.AssumeRole(bob, awsx.RoleARN(f.member, "acme-read-only"), "bob")); !isAccessDenied(err) {
			t.Fatalf("assuming without MFA: want access denied, got %v", err)
		}
	})
	t.Run("another account", func(t *testing.T) {
		outsider := mustConfig(t, f.url, f.srv.AdminCredentials("333333333333"))
		if err := iamListRoles(awsx.AssumeRole(outsider, awsx.RoleARN(f.member, "acme-read-only"), "eve")); !isAccessDenied(err) {
			t.Fatalf("assuming from another account: want access denied, got %v", err)
		}
	})
}

// isAccessDenied reports whether err is a denial, in any service's wording.
func isAccessDenied(err error) bool {
	return awsx.IsCode(err, "AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation")
}
