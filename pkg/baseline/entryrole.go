package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

// The entry role (OrganizationAccountAccessRole by default) is how the
// management account first gets into an account AWS Organizations created.
// Out of the box anyone in the management account with sts:AssumeRole may
// use it, without MFA. The baseline rewrites its trust policy so people
// need MFA, while the pipeline role keeps using it without: it stays the
// break-glass door, and landfall keeps a way in.
//
// The role is NOT landfall's: AWS created it and people rely on it. It is
// an explicitly managed exception to the ownership rule: landfall changes
// only its trust policy, marks that with the tag landfall:managed-trust, and
// never deletes it, detaches its policies or takes it over otherwise.

// TagManagedTrust marks a role whose trust policy landfall manages without
// owning the role.
const TagManagedTrust = "landfall:managed-trust"

// desiredEntryTrust admits the pipeline role as it is, and principals of
// the management account only with MFA.
func desiredEntryTrust(s *Spec) iamPolicy {
	return newIAMPolicy(
		iamStatement{
			Sid:       "LandfallPipeline",
			Effect:    "Allow",
			Principal: map[string][]string{"AWS": {s.PipelineRoleARN}},
			Action:    []string{"sts:AssumeRole"},
		},
		iamStatement{
			Sid:       "ManagementAccountWithMFA",
			Effect:    "Allow",
			Principal: map[string][]string{"AWS": {"arn:aws:iam::" + s.Config.Organization.ManagementAccountID + ":root"}},
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}},
		},
	)
}

func planEntryRole(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	s := env.Spec
	name := s.EntryRoleName()
	resource := "role/" + name
	role, err := findRoleByName(ctx, client, name)
	if awsx.NotFound(err) {
		// Accounts that joined by invitation have no such role: no door to
		// tighten, and nothing landfall should create.
		return []Change{{Resource: resource, Action: Unchanged, Detail: "the entry role does not exist; nothing to tighten"}}, nil
	}
	if err != nil {
		return nil, err
	}
	want := desiredEntryTrust(s)
	var edits []roleEdit
	if have := aws.ToString(role.AssumeRolePolicyDocument); !iamPoliciesEquivalent(have, want.JSON()) {
		edits = append(edits, roleEdit{[]Diff{{"AssumeRolePolicyDocument", displayIAMPolicy(have), want.JSON()}}, func(ctx context.Context) error {
			// Re-check at apply time, not at plan time: on a new account the
			// execution role is created by this same run.
			if err := executionRoleInPlace(ctx, client, s); err != nil {
				return fmt.Errorf("refusing to tighten IAM role (%s) before landfall's own role is in place: %w", name, err)
			}
			return updateTrust(ctx, client, name, want)
		}})
	}
	if e, ok := tagRoleEdit(client, name, flattenIAMTags(role.Tags), map[string]string{TagManagedTrust: "true"}); ok {
		edits = append(edits, e)
	}
	return []Change{editsChange(resource, edits)}, nil
}
