// Command apply applies the global baseline items, or one region's items,
// to an account.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	lambda.Start(pipeline.Handler(lambdaenv.Must(pipeline.FromEnv(context.Background())).Apply))
}
