// Command sweep lists the organization's accounts and returns those whose
// baseline is missing, outdated, failed or due for a drift check.
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
	lambda.Start(func(ctx context.Context) (pipeline.SweepOutput, error) {
		return deps.Sweep(ctx)
	})
}
