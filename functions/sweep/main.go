// Command sweep lists the organization's accounts and returns those whose
// baseline is missing, outdated, failed or due for a drift check.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/pipeline"
)

func main() { lambda.Start(pipeline.MustFromEnv().Sweep) }
