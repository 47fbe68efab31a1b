// Command record finishes a BaselineAccount run: Record verifies and writes
// the ledger row; RecordFailure (the same function, with status FAILED)
// records a failed run. Both release the lock and tell operations.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	lambda.Start(pipeline.Handler(lambdaenv.Must(pipeline.FromEnv(context.Background())).RecordOutcome))
}
