package baseline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

var ebsEncryptionItem = Item{
	Name:     "ebs-encryption",
	Regional: true,
	Enabled:  func(s *Spec) bool { return s.Profile.Items.EBSEncryption },
	Plan:     planEBSEncryption,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{allow("EC2", anyResource, "ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault")}
	},
}

// EBS encryption by default, per region. It is an account setting, not a
// resource: there is nothing to tag and no owner to check, and the baseline
// only ever turns it on. The default KMS key is left to the account (the AWS
// managed aws/ebs key unless someone chose another).
//
// A fresh account has it off, so turning it on is planned as Create, the way
// a password policy that does not exist yet is: the plan of a new account
// reads as "everything gets created". The diff still says what changes.

const ebsEncryptionResource = "ebs-encryption-by-default"

func planEBSEncryption(ctx context.Context, env *Env) ([]Change, error) {
	client := ec2.NewFromConfig(env.AWS)
	on, err := findEBSEncryptionByDefault(ctx, client, env.Region)
	if err != nil {
		return nil, err
	}
	if on {
		return []Change{{Resource: ebsEncryptionResource, Action: Unchanged}}, nil
	}
	return []Change{{
		Resource: ebsEncryptionResource, Action: Create,
		Diffs: []Diff{{Field: "EbsEncryptionByDefault", Have: strconv.FormatBool(on), Want: "true"}},
		Apply: func(ctx context.Context) error {
			if _, err := client.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{}); err != nil {
				return fmt.Errorf("enabling EBS encryption by default (%s): %w", env.Region, err)
			}
			return nil
		},
	}}, nil
}

func findEBSEncryptionByDefault(ctx context.Context, client *ec2.Client, region string) (bool, error) {
	out, err := client.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		return false, fmt.Errorf("reading EBS encryption by default (%s): %w", region, err)
	}
	return out.EbsEncryptionByDefault != nil && *out.EbsEncryptionByDefault, nil
}
