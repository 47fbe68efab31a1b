// Command formatter is the central alert fan-in: it turns alarms, GuardDuty
// findings and budget alerts from every account into messages people read,
// and publishes them to the central alerts topic.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	deps := pipeline.MustFromEnv()
	topic := os.Getenv(pipeline.EnvAlertsTopic)
	if topic == "" {
		log.Fatalf("%s is not set", pipeline.EnvAlertsTopic)
	}
	lambda.Start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return deps.FanIn(ctx, topic, ev), nil
	})
}
