package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Restoring the entry role's trust is the operator's, not the pipeline's:
// `landfall restore-trust` runs it with the operator's credentials through
// the entry role, so its calls are not the execution role's and its policy
// does not grant them.

// PlanEntryTrustRestore returns the change that gives the entry role
// roleName its trust policy back as landfall found it (policy, as the
// TrustArchive kept it) and takes landfall's landfall:managed-trust tag off,
// reading and writing through cfg in the role's account. It is Unchanged
// when the role is so already. Restoring is for taking landfall off an
// account: while a profile tightens the entry role, its next run tightens
// it again.
func PlanEntryTrustRestore(ctx context.Context, cfg aws.Config, roleName, policy string) (Change, error) {
	client := iam.NewFromConfig(cfg)
	if _, err := canonicalIAMPolicy(policy); err != nil {
		return Change{}, fmt.Errorf("the saved trust policy of IAM role (%s) is not a policy document: %w", roleName, err)
	}
	role, err := findRoleByName(ctx, client, roleName)
	if err != nil {
		return Change{}, err
	}
	have := aws.ToString(role.AssumeRolePolicyDocument)
	var edits []edit
	if !iamPoliciesEquivalent(have, policy) {
		edits = append(edits, edit{[]Diff{{"AssumeRolePolicyDocument", displayIAMPolicy(have), displayIAMPolicy(policy)}}, func(ctx context.Context) error {
			return updateTrust(ctx, client, roleName, policy)
		}})
	}
	if v, ok := tagMap(role.Tags, iamTagKV)[TagManagedTrust]; ok {
		edits = append(edits, edit{[]Diff{{"Tag " + TagManagedTrust, v, ""}}, func(ctx context.Context) error {
			_, err := client.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String(roleName), TagKeys: []string{TagManagedTrust}})
			return wrapIAMErr("untagging IAM role", roleName, err)
		}})
	}
	c := editsChange("role/"+roleName, edits)
	c.Item = "entry-role"
	return c, nil
}
