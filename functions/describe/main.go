// Command describe is the BaselineAccount state machine's first step: it
// decodes the trigger, describes the account, chooses its profile and takes
// the account's ledger lock.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	lambda.Start(pipeline.Handler(lambdaenv.Must(pipeline.FromEnv(context.Background())).Describe))
}
