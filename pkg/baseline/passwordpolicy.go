package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var passwordPolicyItem = Item{
	Name:    "password-policy",
	Enabled: func(*Spec) bool { return true },
	Plan:    planPasswordPolicy,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{
			allow("IAMRead", anyResource, "iam:GetAccountPasswordPolicy"),
			allow("IAMAccount", anyResource, "iam:UpdateAccountPasswordPolicy"),
		}
	},
}

// The account's IAM password policy. IAM has one per account and
// UpdateAccountPasswordPolicy replaces all of it, so there is no ownership
// to check: the baseline owns the account's policy.

// passwordPolicyFields are the settings compared, as IAM names them.
type passwordPolicy struct {
	MinimumLength      int32
	ReusePrevention    int32
	MaxAgeDays         int32
	RequireSymbols     bool
	RequireNumbers     bool
	RequireUppercase   bool
	RequireLowercase   bool
	AllowUsersToChange bool
	HardExpiry         bool
}

func desiredPasswordPolicy(s *Spec) passwordPolicy {
	p := s.Profile.Items.PasswordPolicy
	return passwordPolicy{
		MinimumLength: int32(p.MinimumLength), ReusePrevention: int32(p.ReusePrevention), MaxAgeDays: int32(p.MaxAgeDays),
		RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers, RequireUppercase: p.RequireUppercase,
		RequireLowercase: p.RequireLowercase, AllowUsersToChange: p.AllowUsersToChange, HardExpiry: p.HardExpiry,
	}
}

func planPasswordPolicy(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	want := desiredPasswordPolicy(env.Spec)
	apply := func(ctx context.Context) error {
		_, err := client.UpdateAccountPasswordPolicy(ctx, expandPasswordPolicy(want))
		if err != nil {
			return fmt.Errorf("updating IAM password policy (%s): %w", env.Spec.Account.ID, err)
		}
		return nil
	}
	have, err := findPasswordPolicy(ctx, client)
	if awsx.NotFound(err) {
		return []Change{{Resource: "password-policy", Action: Create, Apply: apply}}, nil
	}
	if err != nil {
		return nil, err
	}
	diffs := diffPasswordPolicy(have, want)
	if len(diffs) == 0 {
		return []Change{{Resource: "password-policy", Action: Unchanged}}, nil
	}
	return []Change{{Resource: "password-policy", Action: Update, Diffs: diffs, Apply: apply}}, nil
}

func findPasswordPolicy(ctx context.Context, client *iam.Client) (passwordPolicy, error) {
	out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil {
		return passwordPolicy{}, awsx.AsNotFound(err, "IAM password policy", "NoSuchEntity")
	}
	return flattenPasswordPolicy(out.PasswordPolicy), nil
}

func diffPasswordPolicy(have, want passwordPolicy) []Diff {
	var d []Diff
	diffField(&d, "MinimumPasswordLength", have.MinimumLength, want.MinimumLength)
	diffField(&d, "PasswordReusePrevention", have.ReusePrevention, want.ReusePrevention)
	diffField(&d, "MaxPasswordAge", have.MaxAgeDays, want.MaxAgeDays)
	diffField(&d, "RequireSymbols", have.RequireSymbols, want.RequireSymbols)
	diffField(&d, "RequireNumbers", have.RequireNumbers, want.RequireNumbers)
	diffField(&d, "RequireUppercaseCharacters", have.RequireUppercase, want.RequireUppercase)
	diffField(&d, "RequireLowercaseCharacters", have.RequireLowercase, want.RequireLowercase)
	diffField(&d, "AllowUsersToChangePassword", have.AllowUsersToChange, want.AllowUsersToChange)
	diffField(&d, "HardExpiry", have.HardExpiry, want.HardExpiry)
	return d
}

// expandPasswordPolicy maps to the API. Zero reuse prevention and max age
// mean "off", which IAM expresses by omitting the member.
func expandPasswordPolicy(p passwordPolicy) *iam.UpdateAccountPasswordPolicyInput {
	in := &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength:      aws.Int32(p.MinimumLength),
		RequireSymbols:             p.RequireSymbols,
		RequireNumbers:             p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercase,
		RequireLowercaseCharacters: p.RequireLowercase,
		AllowUsersToChangePassword: p.AllowUsersToChange,
	}
	if p.ReusePrevention > 0 {
		in.PasswordReusePrevention = aws.Int32(p.ReusePrevention)
	}
	if p.MaxAgeDays > 0 {
		in.MaxPasswordAge = aws.Int32(p.MaxAgeDays)
		in.HardExpiry = aws.Bool(p.HardExpiry)
	}
	return in
}

func flattenPasswordPolicy(p *iamtypes.PasswordPolicy) passwordPolicy {
	return passwordPolicy{
		MinimumLength: aws.ToInt32(p.MinimumPasswordLength), ReusePrevention: aws.ToInt32(p.PasswordReusePrevention),
		MaxAgeDays: aws.ToInt32(p.MaxPasswordAge), RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		RequireUppercase: p.RequireUppercaseCharacters, RequireLowercase: p.RequireLowercaseCharacters,
		AllowUsersToChange: p.AllowUsersToChangePassword, HardExpiry: aws.ToBool(p.HardExpiry),
	}
}
