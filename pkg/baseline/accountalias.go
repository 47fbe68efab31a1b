package baseline

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

var accountAliasItem = Item{
	Name:    "account-alias",
	Enabled: func(s *Spec) bool { return s.Profile.Items.AccountAlias },
	Plan:    planAccountAlias,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{
			allow("IAMRead", anyResource, "iam:ListAccountAliases"),
			allow("IAMAccount", anyResource, "iam:CreateAccountAlias"),
		}
	},
}

// The IAM account alias, which names the account in its sign-in URL. An
// account has at most one alias, and creating another replaces it. Aliases
// cannot be tagged, so ownership goes by name: an alias starting with
// "<prefix>-" is landfall's. Aliases are unique across all of AWS; one
// taken by another account is reported as a finding, not a failure.

func desiredAccountAlias(s *Spec) string { return s.Config.AccountAlias(s.Account) }

func planAccountAlias(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	s := env.Spec
	want := desiredAccountAlias(s)
	resource := "account-alias/" + want
	have, err := findAccountAlias(ctx, client)
	if err != nil && !awsx.NotFound(err) {
		return nil, err
	}
	switch {
	case have == want:
		return []Change{{Resource: resource, Action: Unchanged}}, nil
	case have != "" && !strings.HasPrefix(have, s.Prefix+"-") && !s.Profile.Adopt:
		return []Change{{Resource: resource, Action: Conflict, Diffs: []Diff{{Field: "AccountAlias", Have: have, Want: want}},
			Detail: fmt.Sprintf("the account already has the alias %s, which landfall did not set; delete it, or set adopt: true in profile %s to replace it", have, s.Profile.Name)}}, nil
	}
	changes := []Change{{Resource: resource, Action: Create}}
	if have != "" {
		changes[0].Action = Update
		changes[0].Diffs = []Diff{{Field: "AccountAlias", Have: have, Want: want}}
	}
	changes[0].Apply = func(ctx context.Context) error {
		_, err := client.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(want)})
		if awsx.IsCode(err, "EntityAlreadyExists") {
			// No read can tell beforehand that another account holds the
			// alias. Record the outcome in this run's plan entry (the
			// engine reports the slice it got from Plan) instead of failing
			// the run over a name.
			changes[0].Action = Finding
			changes[0].Detail = fmt.Sprintf("the alias %s is taken by another AWS account; change naming.accountAlias so it renders a unique alias", want)
			return nil
		}
		if err != nil {
			return fmt.Errorf("creating IAM account alias (%s): %w", want, err)
		}
		return nil
	}
	return changes, nil
}

// findAccountAlias returns the account's alias; an account has at most one.
func findAccountAlias(ctx context.Context, client *iam.Client) (string, error) {
	out, err := client.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	if err != nil {
		return "", fmt.Errorf("listing IAM account aliases: %w", err)
	}
	if len(out.AccountAliases) == 0 {
		return "", &awsx.NotFoundError{What: "IAM account alias"}
	}
	return out.AccountAliases[0], nil
}
