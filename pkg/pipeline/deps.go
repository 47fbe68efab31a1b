package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/notify"
)

// Deps are what the steps work with. The Lambdas build them once per cold
// start from the environment.
type Deps struct {
	Config *config.Config
	// AWS acts in the management account, home region.
	AWS    aws.Config
	Ledger *ledger.Ledger
	// PipelineRoleARN is the role member accounts trust; the functions that
	// enter accounts chain through it. Empty: d.AWS already acts as it.
	PipelineRoleARN string
	// OperationsTopicARN receives pipeline outcomes; empty disables them.
	OperationsTopicARN string
	Engine             *baseline.Engine
	Now                func() time.Time
	Log                *slog.Logger
	// Metrics receives embedded-metric-format lines (stdout in Lambda).
	Metrics io.Writer

	// pipelineAWS is AWS acting as PipelineRoleARN, built once.
	pipelineOnce sync.Once
	pipelineAWS  aws.Config
}

// ApplyTimeout is the Apply function's timeout: the longest one apply step
// may act in an account.
const ApplyTimeout = 5 * time.Minute

// applyBudget is a run's time, once it holds the lock and the account is
// ready, to apply the global scope and every region (in parallel, in waves of
// pipeline.maxConcurrentRegions, each step up to ApplyTimeout and retried
// when throttled) and to record the outcome.
const applyBudget = time.Hour

// LockTTL is how long a run holds an account's lock, given how long it may
// wait for a new account to be ready (pipeline.readinessTimeout): the wait,
// then applyBudget. A run that dies without releasing the lock holds it that
// long. A run never acts on an account past its lock: Apply refuses a step
// that could end after the lock expires (checkLock), so two runs never change
// one account at once, however slow the first one is.
func LockTTL(readiness time.Duration) time.Duration { return readiness + applyBudget }

// notifyOperations publishes a pipeline message, formatted for people, to
// the operations topic. A failure to notify is logged, not returned: the
// ledger row already records the outcome, and failing the run over a
// notification would lose more than it saves.
func (d *Deps) notifyOperations(ctx context.Context, message any) {
	raw, err := json.Marshal(message)
	if err != nil {
		d.Log.Error("encoding operations message", "error", err)
		return
	}
	m := notify.Format(raw, notify.Context{})
	if d.OperationsTopicARN == "" {
		d.Log.Info("operations message (no topic configured)", "subject", m.Subject)
		return
	}
	_, err = sns.NewFromConfig(d.AWS).Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(d.OperationsTopicARN), Subject: aws.String(m.Subject), Message: aws.String(m.Text),
	})
	if err != nil {
		d.Log.Error("publishing to the operations topic", "topic", d.OperationsTopicARN, "error", err)
	}
}

// profileByName finds a profile of the config.
func (d *Deps) profileByName(name string) (*config.Profile, error) {
	if p := d.Config.ProfileNamed(name); p != nil {
		return p, nil
	}
	return nil, fmt.Errorf("profile %q is not in the config: was the config changed during the run?", name)
}
