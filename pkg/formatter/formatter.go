// Package formatter is the central alert fan-in, the logic of the formatter
// Lambda: it confirms member alerts topics' subscriptions to the fan-in
// queue, turns each alarm, GuardDuty finding and budget alert into a message
// people read (with the account's name and, for an alarm, the CloudTrail
// records behind it), publishes it to the central alerts topic, posts it to
// chat and records a delivery receipt in the ledger. It shares no code path
// with the baseline steps (package pipeline) and links no baseline item.
package formatter

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/ledger"
)

// Formatter is what the fan-in works with. The Lambda builds it once per
// cold start from the environment (FromEnv).
type Formatter struct {
	Config *config.Config
	// AWS acts in the management account, home region: the function's own
	// credentials, or the alerts bridge role for a formatter deployed in the
	// security account (notifications.centralAlerts: security). The ledger,
	// Organizations and entering member accounts go through it.
	AWS aws.Config
	// Own is the function's own credentials in the account it is deployed
	// in, where its alerts topic and chat secrets are. Zero: the same as AWS.
	Own aws.Config
	// Ledger receives delivery receipts; nil records none.
	Ledger *ledger.Ledger
	// PipelineRoleARN is the role member accounts trust; the formatter
	// chains through it to read an alarm's metric filter and trail. Empty:
	// AWS already acts as it.
	PipelineRoleARN string
	// AlertsTopicARN is the central alerts topic every formatted alert is
	// published to.
	AlertsTopicARN string
	Now            func() time.Time
	Log            *slog.Logger
	// HTTP posts to chat webhooks; nil means a client with webhookTimeout.
	HTTP *http.Client

	// accounts caches account id -> config.Account for the life of a warm
	// Lambda.
	accounts sync.Map
	// webhooks caches secret name -> webhook URL likewise.
	webhooks sync.Map
	// pipelineAWS is AWS acting as PipelineRoleARN, built once.
	pipelineOnce sync.Once
	pipelineAWS  aws.Config
}

// FromEnv builds the formatter from its Lambda's environment (see package
// lambdaenv): the alerts topic it publishes to, and in the management
// account the ledger, the pipeline role and, for a formatter deployed
// elsewhere, the bridge role it works through there.
func FromEnv(ctx context.Context) (*Formatter, error) {
	c, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	topic := os.Getenv(lambdaenv.AlertsTopic)
	if topic == "" {
		return nil, fmt.Errorf("%s is not set: the formatter has no topic to publish to", lambdaenv.AlertsTopic)
	}
	mgmt := c.AWS
	if role := os.Getenv(lambdaenv.ManagementRole); role != "" {
		mgmt = awsx.AssumeRole(c.AWS, role, "landfall-alert-formatter")
	}
	f := &Formatter{
		Config: c.Config, AWS: mgmt, Own: c.AWS, AlertsTopicARN: topic, PipelineRoleARN: os.Getenv(lambdaenv.PipelineRole),
		Now: time.Now, Log: c.Log,
	}
	if table := os.Getenv(lambdaenv.LedgerTable); table != "" {
		f.Ledger = ledger.New(mgmt, table)
	}
	return f, nil
}

// own is the config for the function's own account (see Formatter.Own).
func (f *Formatter) own() aws.Config {
	if f.Own.Credentials == nil {
		return f.AWS
	}
	return f.Own
}

// enter returns credentials in a member account. The pipeline role's
// session is built once, so a warm Lambda reuses it instead of assuming the
// role again for every alarm.
func (f *Formatter) enter(ctx context.Context, accountID string) (aws.Config, error) {
	f.pipelineOnce.Do(func() { f.pipelineAWS = accounts.ThroughPipelineRole(f.AWS, f.PipelineRoleARN) })
	cfg, _, err := accounts.Enter(ctx, f.pipelineAWS, f.Config, accountID, f.Log)
	return cfg, err
}
