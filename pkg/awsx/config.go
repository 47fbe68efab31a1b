package awsx

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// MaxAttempts is how often the SDK tries a call before giving up. Adaptive
// retry spaces attempts by a client-side rate limiter, so a generous number
// rides out a throttled burst (an organization-wide sweep) instead of failing.
const MaxAttempts = 10

// MaxBackoff caps the SDK's exponential backoff between attempts.
const MaxBackoff = 20 * time.Second

// Load reads AWS configuration from the standard chain and applies
// landfall's retry policy. Extra options (a region, a base endpoint, an HTTP
// client) are applied after the defaults, so callers can override them.
func Load(ctx context.Context, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts := append([]func(*config.LoadOptions) error{
		config.WithRetryer(NewRetryer),
	}, optFns...)
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return cfg, nil
}

// NewRetryer is landfall's retry policy: the SDK's adaptive mode, which
// paces calls with a client-side rate limiter once throttling starts, with
// MaxAttempts and MaxBackoff.
func NewRetryer() aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = MaxAttempts
			so.MaxBackoff = MaxBackoff
		})
	})
}

// SessionDuration is how long assumed-role credentials last. One hour is the
// most a chained role session may have, and longer than any baseline run.
const SessionDuration = time.Hour

// AssumeRole returns a copy of cfg whose credentials come from assuming
// roleARN with cfg's credentials, refreshed before they expire.
func AssumeRole(cfg aws.Config, roleARN, sessionName string) aws.Config {
	out := cfg.Copy()
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName
		o.Duration = SessionDuration
	})
	out.Credentials = aws.NewCredentialsCache(provider)
	return out
}

// AccountRootARN is the ARN that stands for a whole account as a
// principal: IAM writes an account id principal this way.
func AccountRootARN(accountID string) string {
	return "arn:aws:iam::" + accountID + ":root"
}

// RoleARN builds the ARN of a role in an account. landfall's roles live at
// the root path.
func RoleARN(accountID, roleName string) string {
	return "arn:aws:iam::" + accountID + ":role/" + roleName
}

// InRegion returns a copy of cfg for another region.
func InRegion(cfg aws.Config, region string) aws.Config {
	out := cfg.Copy()
	out.Region = region
	return out
}
