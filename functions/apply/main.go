// Command apply applies the global baseline items, or one region's items,
// to an account.
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
	lambda.Start(func(ctx context.Context, in pipeline.ApplyInput) (pipeline.ApplySummary, error) {
		return deps.Apply(ctx, in)
	})
}
