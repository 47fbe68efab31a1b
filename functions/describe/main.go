// Command describe is the BaselineAccount state machine's first step: it
// decodes the trigger, describes the account, chooses its profile and takes
// the account's ledger lock.
package main

import (
	"context"
	"encoding/json"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	deps, err := pipeline.FromEnv(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(func(ctx context.Context, raw json.RawMessage) (pipeline.State, error) {
		return deps.Describe(ctx, raw)
	})
}
