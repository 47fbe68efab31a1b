package attacks

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgetstypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/lambdaenv"
)

// TestAttackExecutionRoleMakesItselfAdministrator plays whoever holds
// landfall's execution role in a member account (code running as the
// Apply function, through the pipeline role). The role applies the
// baseline and nothing more: it tries to give itself more, to make a role
// of its own, to give a baseline role a managed policy that is not that
// role's, to make or loosen one without landfall's permissions boundary,
// to loosen the boundary, to delete a VPC where the profile keeps the
// default VPCs, to take someone else's KMS key into landfall's
// ownership (by tag or alias) to rewrite its policy, and to claim or
// rewrite someone else's budget. Then it does what it
// may, make itself the admin role's one trusted principal, and tries, as
// that role, to turn on landfall's own doors: the boundary stops it.
func TestAttackExecutionRoleMakesItselfAdministrator(t *testing.T) {
	o := newOrganization(t)
	ctx := context.Background()
	cfg := *o.cfg
	cfg.Profiles = slices.Clone(cfg.Profiles)
	for i := range cfg.Profiles {
		cfg.Profiles[i].Items.DefaultVPCs.Remove = false
		cfg.Profiles[i].Items.HumanRoles.ReadOnly = true
		cfg.Profiles[i].Items.HumanRoles.Billing = false
	}
	if err := o.apply(t, cfg, o.member); err != nil {
		t.Fatal(err)
	}
	apply := templateFunction(t, o.management, "/apply")
	pipeline := awsx.AssumeRole(o.asFunction(t, apply.RoleARN), apply.Env[lambdaenv.PipelineRole], "landfall-baseline")
	exec := awsx.AssumeRole(pipeline, awsx.RoleARN(o.member, cfg.Organization.ExecutionRoleName), "attacker")
	client := iam.NewFromConfig(exec)
	self := aws.String(cfg.Organization.ExecutionRoleName)
	if _, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: self}); err != nil {
		t.Fatalf("the Apply function cannot use the execution role; the test no longer plays the deployed roles: %v", err)
	}
	vpcs, err := ec2.NewFromConfig(exec).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil || len(vpcs.Vpcs) == 0 {
		t.Fatalf("no default VPC to attack: %v", err)
	}

	// Someone else's key, where landfall's trail key alias is free (the
	// trail's key is in the home region).
	elsewhere := "eu-west-1"
	if elsewhere == cfg.Organization.HomeRegion || !slices.Contains(cfg.Organization.GovernedRegions, elsewhere) {
		t.Fatalf("the example config no longer governs %s outside the home region", elsewhere)
	}
	theirKey, err := kms.NewFromConfig(awsx.InRegion(o.adminOf(t, o.member), elsewhere)).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("payments data")})
	if err != nil {
		t.Fatal(err)
	}
	keys := kms.NewFromConfig(awsx.InRegion(exec, elsewhere))
	// Someone else's budget, which landfall may neither claim nor change.
	theirBudget := &budgetstypes.Budget{BudgetName: aws.String("finance-monthly"), BudgetType: budgetstypes.BudgetTypeCost, TimeUnit: budgetstypes.TimeUnitMonthly,
		BudgetLimit: &budgetstypes.Spend{Amount: aws.String("5000"), Unit: aws.String("USD")}}
	if _, err := budgets.NewFromConfig(awsx.InRegion(o.adminOf(t, o.member), "us-east-1")).CreateBudget(ctx, &budgets.CreateBudgetInput{
		AccountId: aws.String(o.member), Budget: theirBudget}); err != nil {
		t.Fatal(err)
	}
	budgetsClient := budgets.NewFromConfig(awsx.InRegion(exec, "us-east-1"))

	admin := aws.String("arn:aws:iam::aws:policy/AdministratorAccess")
	everything := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	trustStranger := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`)
	readOnly := aws.String(cfg.Naming.Prefix + "-read-only")
	adminRole := aws.String(cfg.Naming.Prefix + "-admin")
	boundary := aws.String("arn:aws:iam::" + o.member + ":policy/" + cfg.Naming.Prefix + "-boundary")
	// In this order: once its trust admits a stranger, it may no longer
	// admit the pipeline.
	allRefused(t, []attempt{
		{"give itself every action", func() error {
			_, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: self, PolicyName: aws.String("more"), PolicyDocument: everything})
			return err
		}},
		{"attach AdministratorAccess to itself", func() error {
			_, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: self, PolicyArn: admin})
			return err
		}},
		{"create a role of its own", func() error {
			_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(cfg.Naming.Prefix + "-backdoor"), AssumeRolePolicyDocument: trustStranger})
			return err
		}},
		{"attach AdministratorAccess to the read-only role", func() error {
			_, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: readOnly, PolicyArn: admin})
			return err
		}},
		{"create a baseline role without the boundary", func() error {
			_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(cfg.Naming.Prefix + "-billing"), AssumeRolePolicyDocument: trustStranger})
			return err
		}},
		{"lift the admin role's boundary", func() error {
			_, err := client.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: adminRole})
			return err
		}},
		{"give the admin role AdministratorAccess for a boundary", func() error {
			_, err := client.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: adminRole, PermissionsBoundary: admin})
			return err
		}},
		{"loosen the boundary", func() error {
			_, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: boundary, PolicyDocument: everything, SetAsDefault: true})
			return err
		}},
		{"delete a default VPC the profile keeps", func() error {
			_, err := ec2.NewFromConfig(exec).DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: vpcs.Vpcs[0].VpcId})
			return err
		}},
		{"tag someone else's key as landfall's", func() error {
			_, err := keys.TagResource(ctx, &kms.TagResourceInput{KeyId: theirKey.KeyMetadata.KeyId,
				Tags: []kmstypes.Tag{{TagKey: aws.String(baseline.TagManaged), TagValue: aws.String("true")}}})
			return err
		}},
		{"give someone else's key landfall's alias", func() error {
			_, err := keys.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(cfg.TrailKeyAlias()), TargetKeyId: theirKey.KeyMetadata.KeyId})
			return err
		}},
		{"rewrite someone else's key policy", func() error {
			_, err := keys.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: theirKey.KeyMetadata.KeyId, PolicyName: aws.String("default"),
				Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
					`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + o.member + `:root"},"Action":"kms:*","Resource":"*"},` +
					`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"kms:Decrypt","Resource":"*"}]}`)})
			return err
		}},
		{"tag someone else's budget as landfall's", func() error {
			_, err := budgetsClient.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: aws.String("arn:aws:budgets::" + o.member + ":budget/finance-monthly"),
				ResourceTags: []budgetstypes.ResourceTag{{Key: aws.String(baseline.TagManaged), Value: aws.String("true")}}})
			return err
		}},
		{"rewrite someone else's budget", func() error {
			theirBudget.BudgetLimit.Amount = aws.String("1")
			_, err := budgetsClient.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(o.member), NewBudget: theirBudget})
			return err
		}},
		{"let a stranger assume it", func() error {
			_, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: self, PolicyDocument: trustStranger})
			return err
		}},
	})

	attached, err := iam.NewFromConfig(o.adminOf(t, o.member)).ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: readOnly})
	if err != nil || len(attached.AttachedPolicies) != 1 {
		t.Errorf("the read-only role has %d managed policies after the attack, want 1: %v", len(attached.AttachedPolicies), err)
	}

	// What the role may do: decide who assumes the admin role.
	trustItself := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` +
		awsx.RoleARN(o.member, cfg.Organization.ExecutionRoleName) + `"},"Action":"sts:AssumeRole"}]}`)
	if _, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: adminRole, PolicyDocument: trustItself}); err != nil {
		t.Fatalf("the execution role no longer decides who assumes the admin role; the test no longer plays its one power: %v", err)
	}
	asAdmin := iam.NewFromConfig(awsx.AssumeRole(exec, awsx.RoleARN(o.member, *adminRole), "attacker"))
	if _, err := asAdmin.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("the execution role cannot act as the admin role it trusts: %v", err)
	}
	allRefused(t, []attempt{
		{"as the admin role, attach AdministratorAccess to the execution role", func() error {
			_, err := asAdmin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: self, PolicyArn: admin})
			return err
		}},
		{"as the admin role, let a stranger assume the entry role", func() error {
			_, err := asAdmin.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(cfg.Organization.EntryRoleName), PolicyDocument: trustStranger})
			return err
		}},
		{"as the admin role, loosen the boundary", func() error {
			_, err := asAdmin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: boundary, PolicyDocument: everything, SetAsDefault: true})
			return err
		}},
		{"as the admin role, lift its own boundary", func() error {
			_, err := asAdmin.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: adminRole})
			return err
		}},
	})
}

// attempt is one thing an attacker tries.
type attempt struct {
	name string
	try  func() error
}

// allRefused makes the attempts in order and reports each that was not
// refused.
func allRefused(t *testing.T, attempts []attempt) {
	t.Helper()
	for _, a := range attempts {
		if err := a.try(); !isAccessDenied(err) {
			t.Errorf("%s: %v, want AccessDenied", a.name, err)
		}
	}
}
