// Command waitready succeeds once a new account can be entered; until then
// it fails with AccountNotReady, which the state machine retries with
// backoff.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	deps, err := pipeline.FromEnv(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	lambda.Start(func(ctx context.Context, st pipeline.State) error {
		return deps.WaitReady(ctx, st)
	})
}
