// Command waitready succeeds once a new account can be entered; until then
// it fails with AccountNotReady, which the state machine retries with
// backoff.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/pipeline"
)

func main() { lambda.Start(pipeline.MustFromEnv().WaitReady) }
