package pipeline

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

// Environment variables the Lambdas read; infra/functions.go sets them.
const (
	EnvConfig          = "CONFIG"
	EnvLedgerTable     = "LEDGER_TABLE"
	EnvOperationsTopic = "OPERATIONS_TOPIC_ARN"
	EnvAlertsTopic     = "ALERTS_TOPIC_ARN"
	EnvLogLevel        = "LOG_LEVEL"
	EnvPipelineRole    = "PIPELINE_ROLE_ARN"
	// EnvManagementRole is set only for a formatter deployed outside the
	// management account: the role it works through there.
	EnvManagementRole = "MANAGEMENT_ROLE_ARN"
)

// FromEnv builds the steps' dependencies from a Lambda's environment: the
// config file bundled with the function, the standard AWS configuration
// chain (and the management role, for a formatter in another account), the
// ledger table and the operations topic.
func FromEnv(ctx context.Context) (*Deps, error) {
	log := NewLogger(os.Getenv(EnvLogLevel))
	path := os.Getenv(EnvConfig)
	if path == "" {
		return nil, fmt.Errorf("reading config: %s is not set", EnvConfig)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	own, err := awsx.Load(ctx)
	if err != nil {
		return nil, err
	}
	aws := own
	if role := os.Getenv(EnvManagementRole); role != "" {
		aws = awsx.AssumeRole(own, role, "landfall-alert-formatter")
	}
	d := &Deps{
		Config: cfg, AWS: aws, Own: own, OperationsTopicARN: os.Getenv(EnvOperationsTopic), PipelineRoleARN: os.Getenv(EnvPipelineRole),
		Engine: baseline.NewEngine(), Now: time.Now, Log: log, Metrics: os.Stdout,
	}
	if table := os.Getenv(EnvLedgerTable); table != "" {
		d.Ledger = ledger.New(aws, table)
	}
	return d, nil
}

// MustFromEnv is FromEnv for a Lambda's main: a function that cannot build
// its dependencies fails its initialisation, which Lambda reports and
// retries, so there is nothing better to do than say why and exit.
func MustFromEnv() *Deps {
	d, err := FromEnv(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	return d
}

// NewLogger is the Lambdas' logger: JSON lines, which CloudWatch Logs
// Insights reads, at the level LOG_LEVEL names (default info).
func NewLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
