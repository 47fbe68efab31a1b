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
	// security account (notifications.centralAlerts: security). The ledger
	// and Organizations go through it.
	AWS aws.Config
	// Own is the function's own credentials in the account it is deployed
	// in, where its alerts topic and chat secrets are, and the role every
	// account's alerts reader role trusts. Zero: the same as AWS.
	Own aws.Config
	// Ledger receives delivery receipts; nil records none.
	Ledger *ledger.Ledger
	// AlertsTopicARN is the central alerts topic every formatted alert is
	// published to.
	AlertsTopicARN string
	Now            func() time.Time
	Log            *slog.Logger
	// HTTP's transport and timeout post to chat webhooks (tests give one
	// that reaches a local server); nil means the default transport and
	// webhookTimeout. Redirects are always checked (httpClient).
	HTTP *http.Client

	// accounts caches account id -> cachedAccount, for the organization's
	// accounts only (see account).
	accounts sync.Map
	// webhooks caches service and secret name -> checked webhook URL
	// likewise.
	webhooks sync.Map
	// readers caches account id -> the account's alerts reader session,
	// made only for accounts an alert came from (sender.go), so no larger
	// than the organization.
	readers sync.Map
}

// FromEnv builds the formatter from its Lambda's environment (see package
// lambdaenv): the alerts topic it publishes to, and in the management
// account the ledger and, for a formatter deployed elsewhere, the bridge
// role it works through there.
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
		Config: c.Config, AWS: mgmt, Own: c.AWS, AlertsTopicARN: topic, Now: time.Now, Log: c.Log,
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

// readerIn returns a session of the account's alerts reader role, which
// may read the trail's log group and nothing else: all the formatter needs
// of an account, and all that code running as the formatter can reach
// there. Each account's session is made once and its credentials cached,
// so a warm Lambda does not assume the role again for every alarm.
func (f *Formatter) readerIn(accountID string) aws.Config {
	if cfg, ok := f.readers.Load(accountID); ok {
		return cfg.(aws.Config)
	}
	cfg := awsx.AssumeRole(f.own(), awsx.RoleARN(accountID, f.Config.AlertsReaderRoleName()), "landfall-alert-formatter")
	actual, _ := f.readers.LoadOrStore(accountID, cfg)
	return actual.(aws.Config)
}
