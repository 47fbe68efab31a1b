package accounts

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// Enter returns credentials in the account: landfall's own execution role
// once the baseline has created it, otherwise the entry role. Which one
// worked is returned for the logs. The pipeline's readiness check, the alert
// formatter and the operator command line enter accounts this way; the
// entry role may read anything, but with the protect-baseline SCP it may
// change only landfall's roles (see EnterAsExecutionRole).
func Enter(ctx context.Context, base aws.Config, c *config.Config, accountID string, log *slog.Logger) (aws.Config, string, error) {
	cfg, role, err := EnterAsExecutionRole(ctx, base, c, accountID, log)
	if err == nil {
		return cfg, role, nil
	}
	org := c.Organization
	cfg, entryErr := Assume(ctx, base, accountID, org.EntryRoleName)
	if entryErr == nil {
		return cfg, org.EntryRoleName, nil
	}
	log.Debug("role not usable", "account", accountID, "role", org.EntryRoleName, "error", entryErr)
	return aws.Config{}, "", fmt.Errorf("%w; nor through %s: %v", err, org.EntryRoleName, entryErr)
}

// EnterAsExecutionRole returns credentials of landfall's execution role in
// the account, the one role the protect-baseline SCP lets change the
// baseline: the pipeline applies it only so, once the entry role has
// created the role (baseline.Engine.Bootstrap).
//
// The management account has no entry role (Organizations creates it only
// in the accounts it creates); landfall's deploy creates the execution role
// there. Until it is deployed, the caller's own credentials, which already
// act in the management account (where SCPs never apply), are the way in.
func EnterAsExecutionRole(ctx context.Context, base aws.Config, c *config.Config, accountID string, log *slog.Logger) (aws.Config, string, error) {
	org := c.Organization
	cfg, err := Assume(ctx, base, accountID, org.ExecutionRoleName)
	if err == nil {
		return cfg, org.ExecutionRoleName, nil
	}
	log.Debug("role not usable", "account", accountID, "role", org.ExecutionRoleName, "error", err)
	if accountID == org.ManagementAccountID {
		log.Debug("entering the management account with the caller's own credentials", "account", accountID)
		return base, callersOwnCredentials, nil
	}
	return aws.Config{}, "", fmt.Errorf("entering account %s through %s: %w", accountID, org.ExecutionRoleName, err)
}

// callersOwnCredentials is how Enter names the way into the management
// account when landfall's execution role is not usable there.
const callersOwnCredentials = "the caller's own credentials"

// Assume returns credentials of role in accountID, checked to act there
// and to be allowed a read every role landfall enters by may make. A role
// just created can be assumed before its policies take effect (IAM
// propagation), and in a new account IAM is the last service to answer:
// until the read succeeds, the role is not a way in. Credentials acting in
// another account are a terminal error: retrying will not change them.
func Assume(ctx context.Context, base aws.Config, accountID, role string) (aws.Config, error) {
	cfg := awsx.AssumeRole(base, awsx.RoleARN(accountID, role), "landfall")
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return aws.Config{}, err
	}
	if got := aws.ToString(id.Account); got != accountID {
		return aws.Config{}, awsx.Terminal(fmt.Errorf("the role's credentials act in account %s", got))
	}
	if _, err := iam.NewFromConfig(cfg).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{MaxItems: aws.Int32(1)}); err != nil {
		return aws.Config{}, fmt.Errorf("reading IAM in %s: %w", accountID, err)
	}
	return cfg, nil
}

// ThroughPipelineRole acts as the pipeline role, the one principal member
// accounts' roles trust, that landfall's functions chain through to enter
// them. An empty roleARN means base already acts as it.
func ThroughPipelineRole(base aws.Config, roleARN string) aws.Config {
	if roleARN == "" {
		return base
	}
	return awsx.AssumeRole(base, roleARN, "landfall-pipeline")
}
