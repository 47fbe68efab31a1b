package baseline

import (
	"context"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// The reconciler of a KMS key landfall owns.

// ownedKey is a customer managed KMS key landfall creates and owns, found by
// its alias: its key policy, rotation and tags.
type ownedKey struct {
	Alias       string // "alias/<prefix>-alerts"
	Description string
	Policy      iamPolicy
}

// keyAdminStatement lets the account's IAM principals manage and use the
// key. Without it only the key policy could grant access, and a mistake in
// it would lock the account out of its own key.
func keyAdminStatement(account string) iamStatement {
	return iamStatement{Sid: "AccountAdministers", Effect: "Allow", Principal: accountPrincipal(account),
		Action: []string{"kms:*"}, Resource: []string{"*"}}
}

// ownedKeyPolicy is the policy of a key landfall owns: the account
// administers it, landfall's execution role manages it, and statements add
// what the key is for.
//
// The execution role's own policy lets it write only keys that already
// carry one of landfall's aliases (kms:ResourceAliases), and it may not tag
// a key: tagging a key is what made it landfall's, and KMS lets a tag be
// set at creation only with kms:TagResource on every key of the account,
// which would let the role tag any key into landfall's ownership. So a new
// key is made landfall's by its own policy: this statement lets the
// execution role tag it, alias it and turn on its rotation, and no other
// key's policy does. (Its new alias would not do: "it might take up to five
// minutes for tag and alias changes to affect KMS key authorization", KMS
// Developer Guide, "Use aliases to control access to KMS keys".) It names
// the role in a condition, not as the principal: KMS refuses a key policy
// whose principal does not exist yet, and the role may be created moments
// before, or (in the management account, before the deploy) not at all.
func ownedKeyPolicy(s *Spec, statements ...iamStatement) iamPolicy {
	return newIAMPolicy(append([]iamStatement{
		keyAdminStatement(s.Account.ID),
		{
			Sid: "LandfallExecutionRoleManages", Effect: "Allow", Principal: map[string][]string{"AWS": {"*"}},
			Action:    []string{"kms:CreateAlias", "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:TagResource"},
			Resource:  []string{"*"},
			Condition: map[string]map[string][]string{"ArnEquals": {"aws:PrincipalArn": {awsx.RoleARN(s.Account.ID, s.ExecutionRoleName())}}},
		},
	}, statements...)...)
}

// ownedKeyPermissions are what the owned-key reconciler (planOwnedKey)
// needs for the key with alias. A key becomes landfall's by its own policy,
// which lets the execution role tag and alias it (ownedKeyPolicy); here the
// role may only create keys, give them landfall's aliases, and write keys
// that carry one.
func ownedKeyPermissions(alias string) []iamStatement {
	return []iamStatement{
		allow("KMSCreateKeys", anyResource, "kms:CreateKey"),
		{
			Sid: "KMSLandfallKeys", Effect: "Allow", Resource: []string{"arn:aws:kms:*:*:key/*"},
			Action: []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
				"kms:ListResourceTags", "kms:TagResource"},
			Condition: map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": {alias}}},
		},
		allow("KMSLandfallAliases", []string{"arn:aws:kms:*:*:" + alias}, "kms:CreateAlias"),
	}
}

// planOwnedKey plans one owned key. A key that is disabled or pending
// deletion is a finding: re-enabling a key someone turned off is a decision
// for a person, and everything encrypted with it fails until then.
func planOwnedKey(ctx context.Context, client *kms.Client, spec *Spec, want ownedKey) (Change, error) {
	c, _, err := planOwned(ctx, spec, owned[*kmstypes.KeyMetadata]{
		Kind: "KMS key", Name: want.Alias, Resource: "kms-key/" + want.Alias,
		Find: func(ctx context.Context) (*kmstypes.KeyMetadata, error) {
			return findKeyByAlias(ctx, client, want.Alias)
		},
		Tags: func(ctx context.Context, key *kmstypes.KeyMetadata) (map[string]string, error) {
			return findKeyTags(ctx, client, aws.ToString(key.KeyId))
		},
		Tag: func(ctx context.Context, key *kmstypes.KeyMetadata, missing, _ map[string]string) error {
			_, err := client.TagResource(ctx, &kms.TagResourceInput{KeyId: key.KeyId, Tags: tagList(missing, newKMSTag)})
			return err
		},
		Create: func(ctx context.Context) error { return createOwnedKey(ctx, client, spec, want) },
		Finding: func(key *kmstypes.KeyMetadata) string {
			if key.KeyState == kmstypes.KeyStateEnabled {
				return ""
			}
			return fmt.Sprintf("KMS key %s (%s) is %s, so nothing encrypted with it can be delivered: enable it (or cancel its deletion) unless it was retired on purpose",
				want.Alias, aws.ToString(key.KeyId), key.KeyState)
		},
		Edits: func(ctx context.Context, key *kmstypes.KeyMetadata) ([]edit, error) {
			return diffOwnedKey(ctx, client, want, aws.ToString(key.KeyId))
		},
	})
	return c, err
}

func diffOwnedKey(ctx context.Context, client *kms.Client, want ownedKey, id string) ([]edit, error) {
	policy, err := client.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default")})
	if err != nil {
		return nil, fmt.Errorf("reading KMS key policy (%s): %w", want.Alias, err)
	}
	rotation, err := client.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("reading KMS key rotation (%s): %w", want.Alias, err)
	}
	var edits []edit
	if have := aws.ToString(policy.Policy); !iamPoliciesEquivalent(have, want.Policy.JSON()) {
		edits = append(edits, edit{[]Diff{{"KeyPolicy", displayIAMPolicy(have), want.Policy.JSON()}}, func(ctx context.Context) error {
			return putKeyPolicy(ctx, client, id, want)
		}})
	}
	if !rotation.KeyRotationEnabled {
		edits = append(edits, edit{[]Diff{{"KeyRotationEnabled", "false", "true"}}, func(ctx context.Context) error {
			return enableKeyRotation(ctx, client, id, want.Alias)
		}})
	}
	return edits, nil
}

// createOwnedKey creates the key with its policy, tags it, then creates
// the alias that names it and turns on rotation; the key's policy lets the
// execution role do each (ownedKeyPolicy). It is tagged before it is
// aliased, so the next plan never finds an untagged key under landfall's
// alias. A failure before the alias leaves a key the next plan cannot
// find: the error says which key, so it can be aliased or deleted by hand.
func createOwnedKey(ctx context.Context, client *kms.Client, spec *Spec, want ownedKey) error {
	out, err := client.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String(want.Description),
		Policy:      aws.String(want.Policy.JSON()),
	})
	if err != nil {
		return fmt.Errorf("creating KMS key (%s): %w", want.Alias, err)
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	if _, err := client.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: tagList(spec.Tags, newKMSTag)}); err != nil {
		return fmt.Errorf("tagging KMS key (%s), created as %s: %w", want.Alias, id, err)
	}
	if _, err := client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(want.Alias), TargetKeyId: aws.String(id)}); err != nil {
		return fmt.Errorf("creating KMS alias (%s) for key %s: %w", want.Alias, id, err)
	}
	return enableKeyRotation(ctx, client, id, want.Alias)
}

func putKeyPolicy(ctx context.Context, client *kms.Client, id string, want ownedKey) error {
	_, err := client.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("default"), Policy: aws.String(want.Policy.JSON())})
	if err != nil {
		return fmt.Errorf("putting KMS key policy (%s): %w", want.Alias, err)
	}
	return nil
}

func enableKeyRotation(ctx context.Context, client *kms.Client, id, alias string) error {
	if _, err := client.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)}); err != nil {
		return fmt.Errorf("enabling KMS key rotation (%s): %w", alias, err)
	}
	return nil
}

func findKeyByAlias(ctx context.Context, client *kms.Client, alias string) (*kmstypes.KeyMetadata, error) {
	out, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
	if err != nil {
		return nil, fmt.Errorf("reading KMS key (%s): %w", alias, awsx.AsNotFound(err, "KMS key ("+alias+")", "NotFoundException"))
	}
	return out.KeyMetadata, nil
}

func findKeyTags(ctx context.Context, client *kms.Client, id string) (map[string]string, error) {
	tags := map[string]string{}
	pages := kms.NewListResourceTagsPaginator(client, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing tags of KMS key (%s): %w", id, err)
		}
		maps.Copy(tags, tagMap(page.Tags, func(t kmstypes.Tag) (k, v *string) { return t.TagKey, t.TagValue }))
	}
	return tags, nil
}

func newKMSTag(k, v *string) kmstypes.Tag { return kmstypes.Tag{TagKey: k, TagValue: v} }
