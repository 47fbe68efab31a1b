package pipeline

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/landfall/landfall/pkg/accounts"
)

// AccountNotReady is the error WaitReady returns while a new account cannot
// be entered yet. Its type name is the error name Step Functions sees, and
// the state machine retries exactly this name with backoff.
type AccountNotReady struct{ Reason string }

func (e *AccountNotReady) Error() string { return "account not ready: " + e.Reason }

func (d *Deps) enter(ctx context.Context, accountID string) (aws.Config, string, error) {
	return accounts.Enter(ctx, d.pipelineConfig(), d.Config, accountID, d.Log)
}

// pipelineConfig acts as the pipeline role. It is built once, so a warm
// Lambda reuses the role's cached session instead of assuming it again for
// every account it enters.
func (d *Deps) pipelineConfig() aws.Config {
	d.pipelineOnce.Do(func() { d.pipelineAWS = accounts.ThroughPipelineRole(d.AWS, d.PipelineRoleARN) })
	return d.pipelineAWS
}

// WaitReady succeeds once the account can be entered (its role assumed and
// IAM answering it); until then it returns *AccountNotReady so the state
// machine waits and retries. New accounts take minutes before their roles
// can be assumed.
func (d *Deps) WaitReady(ctx context.Context, st State) error {
	_, role, err := d.enter(ctx, st.Account.ID)
	if err != nil {
		return &AccountNotReady{Reason: err.Error()}
	}
	d.Log.Info("account ready", "account", st.Account.ID, "role", role)
	return nil
}
