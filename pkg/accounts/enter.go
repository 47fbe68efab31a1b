package accounts

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// Enter returns credentials in the account: landfall's own execution role
// once the baseline has created it, otherwise the entry role. Which one
// worked is returned for the logs. The pipeline, the alert formatter and the
// operator command line enter accounts the same way.
func Enter(ctx context.Context, base aws.Config, c *config.Config, accountID string, log *slog.Logger) (aws.Config, string, error) {
	org := c.Organization
	if accountID == org.ManagementAccountID {
		// landfall runs in the management account, which has no entry role
		// (Organizations creates it only in the accounts it creates): the
		// caller's own credentials already act there.
		return base, "the caller's own credentials", nil
	}
	var firstErr error
	for _, role := range []string{org.ExecutionRoleName, org.EntryRoleName} {
		cfg := awsx.AssumeRole(base, awsx.RoleARN(accountID, role), "landfall")
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil && aws.ToString(id.Account) != accountID {
			err = fmt.Errorf("the role's credentials act in account %s", aws.ToString(id.Account))
		}
		if err == nil {
			return cfg, role, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		log.Debug("role not usable", "account", accountID, "role", role, "error", err)
	}
	return aws.Config{}, "", fmt.Errorf("entering account %s through %s or %s: %w", accountID, org.ExecutionRoleName, org.EntryRoleName, firstErr)
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
