package baseline

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// humanRolesItem is always planned: with every role disabled it still
// removes the ones landfall created earlier.
var humanRolesItem = Item{
	Name:    "human-roles",
	Needs:   []Need{needBoundary},
	Enabled: func(*Spec) bool { return true },
	Plan:    planHumanRoles,
	// Every role, enabled or not: a role turned off is deleted if landfall
	// made it.
	Permissions: func(s *Spec) []iamStatement {
		var roles []ownedRole
		for _, h := range desiredHumanRoles(s) {
			roles = append(roles, h.role)
		}
		return append(ownedRolePermissions(roles...), allow("IAMRead", anyResource, "iam:GetSAMLProvider"))
	},
}

// The roles people assume into the account: admin, operator, developer,
// read-only and billing. Who may assume them is organization.identity:
// principals of an identity account with recent MFA, or a SAML provider
// (whose sessions carry no MFA context, so MFA is the provider's job).
// A role the profile turns off is deleted if landfall created it; a role
// landfall did not create is never touched.

// humanRole is one of the roles, with whether the profile wants it.
type humanRole struct {
	role    ownedRole
	enabled bool
}

func desiredHumanRoles(s *Spec) []humanRole {
	hr := s.Profile.Items.HumanRoles
	mk := func(suffix, description string, managed []string, inline map[string]iamPolicy) ownedRole {
		return ownedRole{
			Name: s.Name(suffix), Description: description, Trust: humanTrust(s),
			MaxSession: int32(hr.MaxSessionSeconds), Managed: managed, Inline: inline, Boundary: boundaryARN(s),
		}
	}
	services := hr.Developer.Services
	return []humanRole{
		{mk("admin", "Administrators of the account", []string{managedPolicyARN("AdministratorAccess")}, nil), hr.Admin},
		{mk("operator", "Operators: everything but IAM, Organizations and CloudTrail changes",
			[]string{managedPolicyARN("PowerUserAccess")}, map[string]iamPolicy{"landfall-operator-guard": operatorGuard(s.Config)}), hr.Operator},
		{mk("developer", "Developers: the services the profile lists, never IAM",
			nil, map[string]iamPolicy{"landfall-developer": developerPolicy(services, s.Config)}), len(services) > 0},
		{mk("read-only", "Read-only access to the account", []string{managedPolicyARN("ReadOnlyAccess")}, nil), hr.ReadOnly},
		{mk("billing", "Billing and cost management", []string{managedPolicyARN("job-function/Billing")}, nil), hr.Billing},
	}
}

// samlAudience is the audience AWS sign-in puts in SAML assertions.
const samlAudience = "https://signin.aws.amazon.com/saml"

func humanTrust(s *Spec) iamPolicy {
	id := s.Config.Organization.Identity
	if id.SAMLProviderName != "" {
		return newIAMPolicy(iamStatement{
			Effect:    "Allow",
			Principal: map[string][]string{"Federated": {samlProviderARN(s)}},
			Action:    []string{"sts:AssumeRoleWithSAML"},
			Condition: map[string]map[string][]string{"StringEquals": {"SAML:aud": {samlAudience}}},
		})
	}
	return newIAMPolicy(iamStatement{
		Effect:    "Allow",
		Principal: accountPrincipal(id.AccountID),
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{
			"Bool":            {"aws:MultiFactorAuthPresent": {"true"}},
			"NumericLessThan": {"aws:MultiFactorAuthAge": {strconv.Itoa(id.MFAMaxAgeSeconds)}},
			// Should the account ever leave the organization, or be another
			// than meant, its principals are no one's people.
			"StringEquals": {"aws:PrincipalOrgID": {s.OrganizationID}},
		},
	})
}

// samlProviderARN is the account's own SAML provider of the configured
// name: a role can federate only a provider of its own account.
func samlProviderARN(s *Spec) string {
	return "arn:aws:iam::" + s.Account.ID + ":saml-provider/" + s.Config.Organization.Identity.SAMLProviderName
}

// identityTrustable refuses a trust naming an identity account that is not
// an active member of the organization: a typo in identity.accountId would
// otherwise hand every human role, admin included, to whoever owns the
// account the typo names. A SAML provider must exist in the account, or
// IAM refuses the trust; that error is not terminal, because the next
// sweep succeeds once someone has created the provider.
func identityTrustable(ctx context.Context, client *iam.Client, s *Spec) error {
	id := s.Config.Organization.Identity
	if id.SAMLProviderName != "" {
		_, err := client.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(samlProviderARN(s))})
		if awsx.IsCode(err, "NoSuchEntity") {
			return fmt.Errorf("account %s has no IAM SAML provider %q (organization.identity.samlProviderName), which its human roles trust: "+
				"create it there from your identity provider's metadata, under the name every account uses", s.Account.ID, id.SAMLProviderName)
		}
		if err != nil {
			return fmt.Errorf("reading SAML provider (%s): %w", samlProviderARN(s), err)
		}
		return nil
	}
	if s.OrganizationID == "" {
		return awsx.Terminal(fmt.Errorf("refusing to trust identity account %s (organization.identity.accountId): the organization is not known", id.AccountID))
	}
	if s.IdentityAccountStatus != string(orgtypes.AccountStatusActive) {
		status := "not a member"
		if s.IdentityAccountStatus != "" {
			status = s.IdentityAccountStatus
		}
		return awsx.Terminal(fmt.Errorf("refusing to trust identity account %s (organization.identity.accountId): it is %s of organization %s, "+
			"and only an active member may hold the human roles; check the account id", id.AccountID, status, s.OrganizationID))
	}
	return nil
}

// operatorGuard takes from PowerUserAccess what an operator must not do:
// change IAM (PowerUserAccess still allows service-linked roles), the
// audit trail or the alert path. An explicit deny wins over any allow
// added later.
func operatorGuard(cfg *config.Config) iamPolicy {
	return newIAMPolicy(append([]iamStatement{{
		Sid:    "DenyIAMAndCloudTrailWrites",
		Effect: "Deny",
		Action: []string{
			"iam:Add*", "iam:Attach*", "iam:Change*", "iam:Create*", "iam:Deactivate*", "iam:Delete*", "iam:Detach*",
			"iam:Enable*", "iam:PassRole", "iam:Put*", "iam:Remove*", "iam:Reset*", "iam:Resync*", "iam:Set*",
			"iam:Tag*", "iam:Untag*", "iam:Update*", "iam:Upload*",
			"cloudtrail:AddTags", "cloudtrail:Create*", "cloudtrail:Delete*", "cloudtrail:Put*", "cloudtrail:RemoveTags",
			"cloudtrail:StartLogging", "cloudtrail:StopLogging", "cloudtrail:Update*",
		},
		Resource: []string{"*"},
	}}, guardStatements(AlertPathDenials(cfg))...)...)
}

// developerPolicy allows the listed services in full and denies IAM and
// Organizations outright, so no service grant can be turned into more, and
// the alert path, so that a grant of logs, cloudwatch, sns, events or kms
// cannot silence the account.
func developerPolicy(services []string, cfg *config.Config) iamPolicy {
	actions := make([]string, len(services))
	for i, svc := range services {
		actions[i] = svc + ":*"
	}
	return newIAMPolicy(append([]iamStatement{
		{Sid: "ProfileServices", Effect: "Allow", Action: actions, Resource: []string{"*"}},
		{Sid: "DenyIAMAndOrganizations", Effect: "Deny", Action: []string{"iam:*", "organizations:*"}, Resource: []string{"*"}},
	}, guardStatements(AlertPathDenials(cfg))...)...)
}

func planHumanRoles(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	var changes []Change
	roles := desiredHumanRoles(env.Spec)
	if slices.ContainsFunc(roles, func(hr humanRole) bool { return hr.enabled }) {
		if err := identityTrustable(ctx, client, env.Spec); err != nil {
			return nil, err
		}
	}
	for _, hr := range roles {
		if hr.enabled {
			c, err := planOwnedRole(ctx, client, env.Spec, hr.role)
			if err != nil {
				return nil, err
			}
			changes = append(changes, c)
			continue
		}
		c, ok, err := planRetired(ctx, iamRole(client, hr.role.Name), fmt.Sprintf("the role is landfall's, and profile %s turns it off", env.Spec.Profile.Name))
		if err != nil {
			return nil, err
		}
		if ok {
			changes = append(changes, c)
		}
	}
	return changes, nil
}

// deleteOwnedRole removes a role landfall created: policies first, because
// IAM refuses to delete a role that still has any. Gone already is success.
func deleteOwnedRole(ctx context.Context, client *iam.Client, role string) error {
	managed, inline, err := findRolePolicies(ctx, client, role)
	if awsx.NotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, arn := range managed {
		_, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String(role), PolicyArn: aws.String(arn)})
		if err := wrapIAMErr("detaching "+arn+" from IAM role", role, err); err != nil && !awsx.IsCode(err, "NoSuchEntity") {
			return err
		}
	}
	for pname := range inline {
		_, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(pname)})
		if err := wrapIAMErr("deleting inline policy "+pname+" of IAM role", role, err); err != nil && !awsx.IsCode(err, "NoSuchEntity") {
			return err
		}
	}
	_, err = client.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(role)})
	if awsx.IsCode(err, "NoSuchEntity") {
		return nil
	}
	return wrapIAMErr("deleting IAM role", role, err)
}
