package baseline

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestHumanRoles(t *testing.T) {
	f := newFixture(t)
	conformance(t, f, itemEngine("human-roles"), ScopeGlobal)

	mfaTrust := newIAMPolicy(iamStatement{
		Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::222222222222:root"}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{
			"Bool": {"aws:MultiFactorAuthPresent": {"true"}}, "NumericLessThan": {"aws:MultiFactorAuthAge": {"3600"}}},
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
	if !iamPoliciesEquivalent(dev, developerPolicy([]string{"ec2", "s3", "lambda"}).JSON()) {
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
			retire := slices.ContainsFunc(p.Changes, func(c Change) bool { return c.Resource == "role/acme-operator" && c.Action == Update })
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
		{"identity account with recent MFA", "222222222222", "", iamStatement{
			Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::222222222222:root"}}, Action: []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}, "NumericLessThan": {"aws:MultiFactorAuthAge": {"900"}}},
		}},
		{"SAML provider, no MFA condition", "", "arn:aws:iam::333333333333:saml-provider/okta", iamStatement{
			Effect: "Allow", Principal: map[string][]string{"Federated": {"arn:aws:iam::333333333333:saml-provider/okta"}}, Action: []string{"sts:AssumeRoleWithSAML"},
			Condition: map[string]map[string][]string{"StringEquals": {"SAML:aud": {"https://signin.aws.amazon.com/saml"}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			id := &f.spec.Config.Organization.Identity
			id.AccountID, id.SAMLProviderARN, id.MFAMaxAgeSeconds = tt.accountID, tt.saml, 900
			if got, want := humanTrust(f.spec).JSON(), newIAMPolicy(tt.want).JSON(); !iamPoliciesEquivalent(got, want) {
				t.Fatalf("trust = %s\nwant %s", got, want)
			}
		})
	}
}
