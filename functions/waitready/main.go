// Command waitready succeeds once a new account can be entered; until then
// it fails with AccountNotReady, which the state machine retries with
// backoff.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	lambda.Start(pipeline.Handler(lambdaenv.Must(pipeline.FromEnv(context.Background())).WaitReady))
}
