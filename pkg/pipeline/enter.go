package pipeline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/baseline"
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

// WaitReady succeeds once the account can be entered (landfall's execution
// role or the entry role assumed, and IAM answering it); until then it
// returns *AccountNotReady so the state machine waits and retries. New
// accounts take minutes before their roles can be assumed.
func (d *Deps) WaitReady(ctx context.Context, st State) error {
	_, role, err := accounts.Enter(ctx, d.pipelineConfig(), d.Config, st.Account.ID, d.Log)
	if err != nil {
		return &AccountNotReady{Reason: err.Error()}
	}
	d.Log.Info("account ready", "account", st.Account.ID, "role", role)
	return nil
}

// enterToApply returns credentials of the execution role for applying
// spec's baseline within scope. In an account where that role cannot be
// used yet, or is not the role this version wants (it may not change
// itself), the global scope, which runs first, creates or updates it
// through the entry role (Engine.Bootstrap, the entry role's one change)
// and waits until IAM lets it in; what that changed is returned to be
// reported with the run.
func (d *Deps) enterToApply(ctx context.Context, spec *baseline.Spec, scope baseline.Scope) (aws.Config, baseline.Report, error) {
	id := spec.Account.ID
	cfg, err := d.enter(ctx, id)
	if scope != baseline.ScopeGlobal {
		return cfg, baseline.Report{}, err
	}
	if err == nil {
		current, readErr := d.Engine.ExecutionRoleCurrent(ctx, spec, cfg)
		switch {
		case readErr != nil:
			err = readErr
		case current:
			return cfg, baseline.Report{}, nil
		default:
			err = fmt.Errorf("%s is not the role this version wants, and it may not change itself", d.Config.Organization.ExecutionRoleName)
		}
	}
	entry, entryErr := accounts.Assume(ctx, d.pipelineConfig(), id, d.Config.Organization.EntryRoleName)
	if entryErr != nil {
		return aws.Config{}, baseline.Report{}, fmt.Errorf("%w; nor through %s to create or update it: %v", err, d.Config.Organization.EntryRoleName, entryErr)
	}
	boot, err := d.Engine.Bootstrap(ctx, spec, entry)
	d.Log.Info("bootstrapped", "account", id, "role", d.Config.Organization.EntryRoleName, "counts", boot.Count(), "writes", boot.Writes, "error", err)
	if err != nil {
		return aws.Config{}, boot, fmt.Errorf("creating landfall's execution role in %s through %s: %w", id, d.Config.Organization.EntryRoleName, err)
	}
	cfg, err = baseline.VerifyExecutionRole(ctx, d.pipelineConfig(), id, d.Config.Organization.ExecutionRoleName)
	return cfg, boot, err
}
