package baseline

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// The permissions boundary of the roles the execution role creates. The
// execution role decides who may assume those roles, the admin role
// included, so whoever holds it could otherwise make one of them the way
// back to more for itself: attach AdministratorAccess to the execution role,
// rewrite the entry role's trust, or lift a boundary. The boundary allows
// everything but that, so the roles keep their meaning.
//
// The execution role may create or edit its roles only with this boundary
// on them (the iam:PermissionsBoundary condition), and may not write the
// boundary itself: the entry role creates and keeps it, with the execution
// role (the execution-role item), and in the management account the deploy
// does. Roles an account's administrator creates without the boundary are
// not held by it; in member accounts the protect-baseline SCP holds them
// off landfall's roles.
//
// "Permissions boundaries for IAM entities" and "Condition keys for AWS
// Identity and Access Management" (iam:PermissionsBoundary), IAM User Guide
// and Service Authorization Reference.

// boundaryMaxVersions is IAM's limit on the versions a managed policy keeps
// ("IAM and AWS STS quotas"); a new version needs a free one.
const boundaryMaxVersions = 5

// BoundaryName names the boundary policy: <prefix>-boundary.
func BoundaryName(s *Spec) string { return s.Name("boundary") }

// needBoundary is the need of an item whose roles carry landfall's
// permissions boundary, which the execution-role item makes (in the
// management account, the deploy).
var needBoundary = Need{&executionRoleItem, "its roles carry the permissions boundary the execution-role item makes"}

// boundaryARN is the boundary policy of the spec's account.
func boundaryARN(s *Spec) string {
	return "arn:aws:iam::" + s.Account.ID + ":policy/" + BoundaryName(s)
}

// BoundaryDescription is the description the policy is created with.
const BoundaryDescription = "landfall: the permissions boundary of the roles its execution role creates"

// BoundaryPolicy is the boundary policy's document, in JSON.
func BoundaryPolicy(s *Spec) string { return boundaryPolicy(s).JSON() }

func boundaryPolicy(s *Spec) iamPolicy {
	doors := []string{roleARN(s.ExecutionRoleName()), roleARN(s.EntryRoleName())}
	var bounded []string
	for _, r := range baselineRoles(s) {
		bounded = append(bounded, roleARN(r.Name))
	}
	return newIAMPolicy(
		iamStatement{Sid: "AllowWhatTheRoleAllows", Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}},
		iamStatement{Sid: "DenyChangingLandfallsDoors", Effect: "Deny", Resource: doors,
			Action: []string{"iam:Attach*", "iam:Create*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Tag*", "iam:Untag*", "iam:Update*"}},
		iamStatement{Sid: "DenyChangingTheBoundary", Effect: "Deny", Resource: []string{boundaryARN(s)},
			Action: []string{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
				"iam:TagPolicy", "iam:UntagPolicy"}},
		iamStatement{Sid: "DenyLiftingTheBoundary", Effect: "Deny", Resource: bounded,
			Action: []string{"iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"}},
	)
}

// planBoundary plans the boundary policy: create it, give it the wanted
// document as a new default version, or report a same-named policy that is
// not landfall's.
func planBoundary(ctx context.Context, client *iam.Client, spec *Spec) (Change, error) {
	arn, want := boundaryARN(spec), boundaryPolicy(spec)
	c, _, err := planOwned(ctx, spec, owned[*iamtypes.Policy]{
		Kind: "IAM policy", Name: BoundaryName(spec), Resource: "policy/" + BoundaryName(spec),
		Find: func(ctx context.Context) (*iamtypes.Policy, error) { return findPolicyByARN(ctx, client, arn) },
		Tags: func(_ context.Context, p *iamtypes.Policy) (map[string]string, error) {
			return tagMap(p.Tags, iamTagKV), nil
		},
		Tag: func(ctx context.Context, _ *iamtypes.Policy, missing, _ map[string]string) error {
			_, err := client.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(arn), Tags: tagList(missing, newIAMTag)})
			return err
		},
		Create: func(ctx context.Context) error {
			_, err := client.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName: aws.String(BoundaryName(spec)), PolicyDocument: aws.String(want.JSON()),
				Description: aws.String(BoundaryDescription), Tags: tagList(spec.Tags, newIAMTag),
			})
			return wrapIAMErr("creating IAM policy", arn, err)
		},
		Edits: func(ctx context.Context, policy *iamtypes.Policy) ([]edit, error) {
			version, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: policy.DefaultVersionId})
			if err != nil {
				return nil, wrapIAMErr("reading the default version of IAM policy", arn, err)
			}
			if have := aws.ToString(version.PolicyVersion.Document); !iamPoliciesEquivalent(have, want.JSON()) {
				return []edit{{[]Diff{{"PolicyDocument", displayIAMPolicy(have), want.JSON()}},
					func(ctx context.Context) error { return replaceDefaultVersion(ctx, client, arn, want) }}}, nil
			}
			return nil, nil
		},
	})
	return c, err
}

// replaceDefaultVersion makes doc the policy's default version, first
// deleting its oldest other version when IAM's limit leaves none free.
func replaceDefaultVersion(ctx context.Context, client *iam.Client, arn string, doc iamPolicy) error {
	out, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return wrapIAMErr("listing the versions of IAM policy", arn, err)
	}
	if len(out.Versions) >= boundaryMaxVersions {
		others := slices.DeleteFunc(slices.Clone(out.Versions), func(v iamtypes.PolicyVersion) bool { return v.IsDefaultVersion })
		oldest := slices.MinFunc(others, func(a, b iamtypes.PolicyVersion) int {
			return aws.ToTime(a.CreateDate).Compare(aws.ToTime(b.CreateDate))
		})
		if _, err := client.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: oldest.VersionId}); err != nil {
			return wrapIAMErr("deleting version "+aws.ToString(oldest.VersionId)+" of IAM policy", arn, err)
		}
	}
	_, err = client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(doc.JSON()), SetAsDefault: true})
	return wrapIAMErr("creating a version of IAM policy", arn, err)
}

func findPolicyByARN(ctx context.Context, client *iam.Client, arn string) (*iamtypes.Policy, error) {
	out, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil {
		return nil, awsx.AsNotFound(err, "IAM policy ("+arn+")", "NoSuchEntity")
	}
	return out.Policy, nil
}
