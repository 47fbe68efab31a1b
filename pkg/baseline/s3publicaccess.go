package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var s3PublicAccessBlockItem = Item{
	Name:    "s3-public-access-block",
	Enabled: func(s *Spec) bool { return s.Profile.Items.S3BlockPublicAccess },
	Plan:    planS3PublicAccessBlock,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{allow("S3AccountPublicAccessBlock", anyResource, "s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock")}
	},
}

// The account-level S3 Block Public Access configuration. An account has
// exactly one and it cannot be tagged, so, as with the password policy, the
// baseline owns it: there is no conflict to report.

// publicAccessBlock is the four account-level settings.
type publicAccessBlock struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// desiredPublicAccessBlock turns on all four settings: there is no partial
// setting a baseline should want, and buckets that must be public belong in
// an account whose profile disables the item.
func desiredPublicAccessBlock(*Spec) publicAccessBlock {
	return publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
}

func planS3PublicAccessBlock(ctx context.Context, env *Env) ([]Change, error) {
	client := s3control.NewFromConfig(env.AWS)
	account := env.Spec.Account.ID
	want := desiredPublicAccessBlock(env.Spec)
	const resource = "s3-public-access-block"
	apply := func(ctx context.Context) error {
		_, err := client.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{
			AccountId:                      aws.String(account),
			PublicAccessBlockConfiguration: expandPublicAccessBlock(want),
		})
		if err != nil {
			return fmt.Errorf("putting S3 account public access block (%s): %w", account, err)
		}
		return nil
	}
	have, err := findPublicAccessBlockByAccount(ctx, client, account)
	if awsx.NotFound(err) {
		return []Change{{Resource: resource, Action: Create, Apply: apply}}, nil
	}
	if err != nil {
		return nil, err
	}
	if diffs := diffPublicAccessBlock(have, want); len(diffs) > 0 {
		return []Change{{Resource: resource, Action: Update, Diffs: diffs, Apply: apply}}, nil
	}
	return []Change{{Resource: resource, Action: Unchanged}}, nil
}

func findPublicAccessBlockByAccount(ctx context.Context, client *s3control.Client, account string) (publicAccessBlock, error) {
	out, err := client.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
	if err != nil {
		err = awsx.AsNotFound(err, "S3 account public access block ("+account+")", "NoSuchPublicAccessBlockConfiguration")
		return publicAccessBlock{}, fmt.Errorf("reading S3 account public access block (%s): %w", account, err)
	}
	return flattenPublicAccessBlock(out.PublicAccessBlockConfiguration), nil
}

func diffPublicAccessBlock(have, want publicAccessBlock) []Diff {
	var d []Diff
	diffField(&d, "BlockPublicAcls", have.BlockPublicAcls, want.BlockPublicAcls)
	diffField(&d, "IgnorePublicAcls", have.IgnorePublicAcls, want.IgnorePublicAcls)
	diffField(&d, "BlockPublicPolicy", have.BlockPublicPolicy, want.BlockPublicPolicy)
	diffField(&d, "RestrictPublicBuckets", have.RestrictPublicBuckets, want.RestrictPublicBuckets)
	return d
}

func expandPublicAccessBlock(p publicAccessBlock) *s3ctypes.PublicAccessBlockConfiguration {
	return &s3ctypes.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(p.BlockPublicAcls), IgnorePublicAcls: aws.Bool(p.IgnorePublicAcls),
		BlockPublicPolicy: aws.Bool(p.BlockPublicPolicy), RestrictPublicBuckets: aws.Bool(p.RestrictPublicBuckets),
	}
}

func flattenPublicAccessBlock(c *s3ctypes.PublicAccessBlockConfiguration) publicAccessBlock {
	if c == nil {
		return publicAccessBlock{}
	}
	return publicAccessBlock{
		BlockPublicAcls: aws.ToBool(c.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(c.IgnorePublicAcls),
		BlockPublicPolicy: aws.ToBool(c.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets),
	}
}
