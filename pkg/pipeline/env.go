package pipeline

import (
	"context"
	"os"
	"time"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/ledger"
)

// FromEnv builds the steps' dependencies from a Lambda's environment (see
// package lambdaenv): the config file bundled with the function, the
// standard AWS configuration chain, the ledger table, the operations topic
// and the pipeline role.
func FromEnv(ctx context.Context) (*Deps, error) {
	c, err := lambdaenv.Load(ctx)
	if err != nil {
		return nil, err
	}
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		return nil, err
	}
	d := &Deps{
		Config: c.Config, AWS: c.AWS, Log: c.Log, Now: time.Now, Metrics: os.Stdout, Engine: engine,
		OperationsTopicARN: os.Getenv(lambdaenv.OperationsTopic), PipelineRoleARN: os.Getenv(lambdaenv.PipelineRole),
	}
	if table := os.Getenv(lambdaenv.LedgerTable); table != "" {
		d.Ledger = ledger.New(c.AWS, table)
	}
	return d, nil
}
