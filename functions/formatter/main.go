// Command formatter is the central alert fan-in: it turns alarms, GuardDuty
// findings and budget alerts from every account into messages people read,
// and publishes them to the central alerts topic.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/formatter"
	"github.com/landfall/landfall/pkg/lambdaenv"
)

func main() {
	f := lambdaenv.Must(formatter.FromEnv(context.Background()))
	// A batch never fails as a whole: FanIn reports each message it could
	// not deliver, and SQS retries only those.
	lambda.Start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return f.FanIn(ctx, ev), nil
	})
}
