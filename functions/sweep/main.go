// Command sweep lists the organization's accounts and returns those whose
// baseline is missing, outdated, failed or due for a drift check.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	lambda.Start(pipeline.Handler(lambdaenv.Must(pipeline.FromEnv(context.Background())).Sweep))
}
