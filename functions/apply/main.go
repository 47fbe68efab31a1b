// Command apply applies the global baseline items, or one region's items,
// to an account.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/pipeline"
)

func main() { lambda.Start(pipeline.MustFromEnv().Apply) }
