package attacks

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

// TestAttackMemberAdminTakesOverTheEntryRole plays an administrator of a
// member account who wants the trail off. The protect-baseline SCP denies
// it to everyone but landfall, so the attacker tries to become landfall:
// make the entry role (OrganizationAccountAccessRole) trust them, by
// rewriting its trust where Organizations created it, or by creating it
// in an account that joined by invitation and has none, then stop the
// trail through it. Nor may the people who enter members through the
// entry role, from the management account with MFA, stop it in one step.
func TestAttackMemberAdminTakesOverTheEntryRole(t *testing.T) {
	o := newOrganization(t)
	ctx := context.Background()
	const invited = "222233334444"
	o.invite(t, invited)
	o.baseline(t, o.member)
	o.baseline(t, invited)
	o.applySCPs(t)
	entryRole := o.cfg.Organization.EntryRoleName
	trail := aws.String(o.cfg.TrailName())

	// stopTrail tries to stop the trail as who and checks that it still logs.
	stopTrail := func(t *testing.T, who aws.Config, account string) {
		t.Helper()
		_, err := cloudtrail.NewFromConfig(who).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: trail})
		if err == nil {
			t.Errorf("the trail of %s was stopped", account)
		} else if !isAccessDenied(err) {
			t.Errorf("stopping the trail of %s: %v, want access denied", account, err)
		}
		status, err := cloudtrail.NewFromConfig(o.adminOf(t, account)).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: trail})
		if err != nil || !aws.ToBool(status.IsLogging) {
			t.Errorf("the trail of %s: logging %v, %v", account, status != nil && aws.ToBool(status.IsLogging), err)
		}
	}
	trustMe := func(account string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
			`:root"},"Action":"sts:AssumeRole"}]}`)
	}

	// First, while the entry role is as landfall leaves it.
	t.Run("stop the trail through the entry role", func(t *testing.T) {
		stopTrail(t, awsx.AssumeRole(o.admin, awsx.RoleARN(o.member, entryRole), "break-glass"), o.member)
	})
	t.Run("rewrite the entry role's trust", func(t *testing.T) {
		admin := o.adminOf(t, o.member)
		_, err := iam.NewFromConfig(admin).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(entryRole), PolicyDocument: trustMe(o.member)})
		if !isAccessDenied(err) {
			t.Errorf("the member's administrator rewrote the trust of %s: %v", entryRole, err)
		}
		stopTrail(t, awsx.AssumeRole(admin, awsx.RoleARN(o.member, entryRole), "attacker"), o.member)
	})
	t.Run("create the entry role in an invited account", func(t *testing.T) {
		admin := o.adminOf(t, invited)
		_, err := iam.NewFromConfig(admin).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(entryRole), AssumeRolePolicyDocument: trustMe(invited)})
		if !isAccessDenied(err) {
			t.Errorf("the invited account's administrator created %s: %v", entryRole, err)
		}
		stopTrail(t, awsx.AssumeRole(admin, awsx.RoleARN(invited, entryRole), "attacker"), invited)
	})
}

// isAccessDenied reports a refusal by IAM, in the wording of IAM and STS
// (AccessDenied), of the JSON services (AccessDeniedException) or of SNS
// (AuthorizationError).
func isAccessDenied(err error) bool {
	return awsx.IsCode(err, "AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation")
}
