// Package lambdaenv is the contract between the CDK app and landfall's
// Lambdas: the environment variables infra sets and the functions read, and
// what every function builds from them at a cold start (its logger, its
// config file, its AWS configuration).
package lambdaenv

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// Environment variables the Lambdas read; infra/functions.go sets them.
const (
	ConfigFile      = "CONFIG"
	LedgerTable     = "LEDGER_TABLE"
	OperationsTopic = "OPERATIONS_TOPIC_ARN"
	AlertsTopic     = "ALERTS_TOPIC_ARN"
	LogLevel        = "LOG_LEVEL"
	PipelineRole    = "PIPELINE_ROLE_ARN"
	// ManagementRole is set only for a formatter deployed outside the
	// management account: the role it works through there.
	ManagementRole = "MANAGEMENT_ROLE_ARN"
)

// Common is what every function builds first.
type Common struct {
	// Config is the config file bundled with the function (CONFIG).
	Config *config.Config
	// AWS is the function's own credentials, from the SDK's standard chain.
	AWS aws.Config
	// Log writes JSON lines at LOG_LEVEL.
	Log *slog.Logger
}

// Load reads the config file CONFIG names and the SDK's configuration.
func Load(ctx context.Context) (Common, error) {
	path := os.Getenv(ConfigFile)
	if path == "" {
		return Common{}, fmt.Errorf("reading config: %s is not set", ConfigFile)
	}
	cfg, err := config.Load(path)
	if err != nil {
		return Common{}, err
	}
	own, err := awsx.Load(ctx)
	if err != nil {
		return Common{}, err
	}
	return Common{Config: cfg, AWS: own, Log: newLogger(os.Getenv(LogLevel))}, nil
}

// Must is for a Lambda's main: a function that cannot build its
// dependencies fails its initialisation, which Lambda reports and retries,
// so there is nothing better to do than say why and exit.
func Must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// newLogger is the Lambdas' logger: JSON lines, which CloudWatch Logs
// Insights reads, at the level LOG_LEVEL names (default info).
func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}
