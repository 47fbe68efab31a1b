package pipeline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/landfall/landfall/pkg/accounts"
)

// AccountNotReady is the error WaitReady returns while a new account cannot
// be entered yet. Its type name is the error name Step Functions sees, and
// the state machine retries exactly this name with backoff.
type AccountNotReady struct{ Reason string }

func (e *AccountNotReady) Error() string { return "account not ready: " + e.Reason }

// enter returns credentials of landfall's execution role in the account,
// the only role the baseline is applied and verified with.
func (d *Deps) enter(ctx context.Context, accountID string) (aws.Config, error) {
	cfg, _, err := accounts.EnterAsExecutionRole(ctx, d.pipelineConfig(), d.Config, accountID, d.Log)
	return cfg, err
}

// pipelineConfig acts as the pipeline role. It is built once, so a warm
// Lambda reuses the role's cached session instead of assuming it again for
// every account it enters.
func (d *Deps) pipelineConfig() aws.Config {
	d.pipelineOnce.Do(func() { d.pipelineAWS = accounts.ThroughPipelineRole(d.AWS, d.PipelineRoleARN) })
	return d.pipelineAWS
}

// WaitReady succeeds once the account can be entered through landfall's
// execution role, with IAM answering it; until then it returns
// *AccountNotReady so the state machine waits and retries. New accounts take
// minutes before their roles can be assumed. An account without a usable
// execution role is entered through the entry role, which creates it
// (baseline.Engine.Bootstrap); the account is ready once a later attempt
// can use it, after IAM has propagated the new role.
func (d *Deps) WaitReady(ctx context.Context, st State) error {
	cfg, role, err := accounts.Enter(ctx, d.pipelineConfig(), d.Config, st.Account.ID, d.Log)
	if err != nil {
		return &AccountNotReady{Reason: err.Error()}
	}
	if role != d.Config.Organization.EntryRoleName {
		d.Log.Info("account ready", "account", st.Account.ID, "role", role)
		return nil
	}
	spec, err := d.spec(st)
	if err != nil {
		return err
	}
	rep, err := d.Engine.Bootstrap(ctx, spec, cfg)
	d.Log.Info("bootstrapped", "account", st.Account.ID, "role", role, "counts", rep.Count(), "writes", rep.Writes, "error", err)
	if err != nil {
		return fmt.Errorf("creating landfall's execution role in %s through %s: %w", st.Account.ID, role, err)
	}
	return &AccountNotReady{Reason: "landfall's execution role is in place but cannot be used yet"}
}
