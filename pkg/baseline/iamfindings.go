package baseline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var iamFindingsItem = Item{
	Name: "iam-findings",
	Needs: []Need{{&humanRolesItem,
		"deleting the bootstrap user removes a way in for people; it is done only once the roles they should use instead exist"}},
	Enabled: func(*Spec) bool { return true },
	Plan:    planIAMFindings,
	Permissions: func(s *Spec) []iamStatement {
		out := []iamStatement{allow("IAMRead", anyResource, "iam:GetAccountSummary",
			"iam:ListUsers", "iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies")}
		if f := s.Profile.Items.Findings; f.BootstrapUser != "" && f.DeleteBootstrapUser {
			out = append(out, allow("IAMBootstrapUser", []string{"arn:aws:iam::*:user/" + f.BootstrapUser},
				"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteUserPolicy", "iam:DetachUserPolicy", "iam:DeleteUser"))
		}
		return out
	},
}

// IAM findings: what no API can fix, or what the config says to report
// rather than change. The root user's access keys and MFA can only be
// handled by signing in as root; IAM users with console passwords are
// people who should come in through organization.identity. Findings are
// recomputed on every run, so a second run reports the same ones until
// someone fixes them. The one thing this item changes is the configured
// bootstrap user, deleted only when findings.deleteBootstrapUser says so.

// deleteConflictTimeout bounds retrying DeleteUser right after its login
// profile, keys and policies were removed, which IAM may not see yet.
const deleteConflictTimeout = 30 * time.Second

func planIAMFindings(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	f := env.Spec.Profile.Items.Findings
	changes, err := rootFindings(ctx, client)
	if err != nil {
		return nil, err
	}
	if !f.AllowIAMUsers {
		users, err := consoleUserFindings(ctx, client, f.BootstrapUser)
		if err != nil {
			return nil, err
		}
		changes = append(changes, users...)
	}
	if f.BootstrapUser != "" && f.DeleteBootstrapUser {
		_, err := findUserByName(ctx, client, f.BootstrapUser)
		if err != nil && !awsx.NotFound(err) {
			return nil, err
		}
		if err == nil {
			changes = append(changes, Change{
				Resource: "user/" + f.BootstrapUser, Action: Delete,
				Detail: fmt.Sprintf("the bootstrap user is to go: profile %s sets findings.deleteBootstrapUser", env.Spec.Profile.Name),
				Apply:  func(ctx context.Context) error { return deleteUser(ctx, client, f.BootstrapUser) },
			})
		}
	}
	return changes, nil
}

// rootFindings reads the root user's state from the account summary.
func rootFindings(ctx context.Context, client *iam.Client) ([]Change, error) {
	out, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return nil, fmt.Errorf("reading IAM account summary: %w", err)
	}
	var changes []Change
	if out.SummaryMap[string(iamtypes.SummaryKeyTypeAccountAccessKeysPresent)] > 0 {
		changes = append(changes, Change{Resource: "root/access-keys", Action: Finding,
			Detail: "the root user has access keys: sign in as root and delete them (Security credentials); use roles for automation"})
	}
	if out.SummaryMap[string(iamtypes.SummaryKeyTypeAccountMFAEnabled)] == 0 {
		changes = append(changes, Change{Resource: "root/mfa", Action: Finding,
			Detail: "the root user has no MFA device: reset the root password, sign in as root and assign an MFA device (Security credentials)"})
	}
	return changes, nil
}

// consoleUserFindings reports every IAM user with a console password,
// except the bootstrap user, which the config expects.
func consoleUserFindings(ctx context.Context, client *iam.Client, bootstrap string) ([]Change, error) {
	var changes []Change
	pages := iam.NewListUsersPaginator(client, &iam.ListUsersInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing IAM users: %w", err)
		}
		for _, u := range page.Users {
			name := aws.ToString(u.UserName)
			if name == bootstrap {
				continue
			}
			hasPassword, err := hasLoginProfile(ctx, client, name)
			if err != nil {
				return nil, err
			}
			if hasPassword {
				changes = append(changes, Change{Resource: "user/" + name, Action: Finding,
					Detail: "IAM user " + name + " has a console password: people should sign in through the identity account or SSO; remove its login profile, or set findings.allowIamUsers: true"})
			}
		}
	}
	return changes, nil
}

func hasLoginProfile(ctx context.Context, client *iam.Client, user string) (bool, error) {
	_, err := client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String(user)})
	if awsx.IsCode(err, "NoSuchEntity") {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading login profile of IAM user (%s): %w", user, err)
	}
	return true, nil
}

// deleteUser removes what IAM requires gone before a user can be deleted:
// the login profile, access keys, inline and attached policies; then the
// user. Anything else (MFA devices, SSH keys, certificates, groups) makes
// DeleteUser fail with DeleteConflict, which is reported with what to do.
func deleteUser(ctx context.Context, client *iam.Client, user string) error {
	name := aws.String(user)
	_, err := client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: name})
	if err != nil && !awsx.IsCode(err, "NoSuchEntity") {
		return fmt.Errorf("deleting login profile of IAM user (%s): %w", user, err)
	}
	var errs []error
	keys := iam.NewListAccessKeysPaginator(client, &iam.ListAccessKeysInput{UserName: name})
	for keys.HasMorePages() {
		page, err := keys.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing access keys of IAM user (%s): %w", user, err)
		}
		for _, k := range page.AccessKeyMetadata {
			_, err := client.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: name, AccessKeyId: k.AccessKeyId})
			if err != nil && !awsx.IsCode(err, "NoSuchEntity") {
				errs = append(errs, fmt.Errorf("deleting access key %s of IAM user (%s): %w", aws.ToString(k.AccessKeyId), user, err))
			}
		}
	}
	inline := iam.NewListUserPoliciesPaginator(client, &iam.ListUserPoliciesInput{UserName: name})
	for inline.HasMorePages() {
		page, err := inline.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing inline policies of IAM user (%s): %w", user, err)
		}
		for _, p := range page.PolicyNames {
			_, err := client.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: name, PolicyName: aws.String(p)})
			if err != nil && !awsx.IsCode(err, "NoSuchEntity") {
				errs = append(errs, fmt.Errorf("deleting inline policy %s of IAM user (%s): %w", p, user, err))
			}
		}
	}
	attached := iam.NewListAttachedUserPoliciesPaginator(client, &iam.ListAttachedUserPoliciesInput{UserName: name})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing managed policies of IAM user (%s): %w", user, err)
		}
		for _, p := range page.AttachedPolicies {
			_, err := client.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: name, PolicyArn: p.PolicyArn})
			if err != nil && !awsx.IsCode(err, "NoSuchEntity") {
				errs = append(errs, fmt.Errorf("detaching %s from IAM user (%s): %w", aws.ToString(p.PolicyArn), user, err))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	err = awsx.Retry(ctx, deleteConflictTimeout, awsx.OnCodes("DeleteConflict"), func() error {
		_, err := client.DeleteUser(ctx, &iam.DeleteUserInput{UserName: name})
		return err
	})
	switch {
	case err == nil || awsx.IsCode(err, "NoSuchEntity"):
		return nil
	case awsx.IsCode(err, "DeleteConflict"):
		return awsx.Terminal(fmt.Errorf("deleting IAM user (%s): it still has MFA devices, SSH keys, signing certificates, service credentials or group memberships; remove them by hand: %w", user, err))
	}
	return fmt.Errorf("deleting IAM user (%s): %w", user, err)
}

func findUserByName(ctx context.Context, client *iam.Client, name string) (*iamtypes.User, error) {
	out, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if err != nil {
		return nil, awsx.AsNotFound(err, "IAM user ("+name+")", "NoSuchEntity")
	}
	return out.User, nil
}
