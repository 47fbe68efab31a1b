// Command record finishes a BaselineAccount run: Record verifies and writes
// the ledger row; RecordFailure (the same function, with status FAILED)
// records a failed run. Both release the lock and tell operations.
package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/landfall/landfall/pkg/pipeline"
)

func main() {
	deps := pipeline.MustFromEnv()
	lambda.Start(func(ctx context.Context, raw json.RawMessage) error {
		var probe struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil {
			return fmt.Errorf("decoding record input: %w", err)
		}
		if probe.Status == "FAILED" {
			var in pipeline.FailureInput
			if err := json.Unmarshal(raw, &in); err != nil {
				return fmt.Errorf("decoding RecordFailure input: %w", err)
			}
			return deps.RecordFailure(ctx, in)
		}
		var st pipeline.State
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("decoding Record input: %w", err)
		}
		return deps.Record(ctx, st)
	})
}
