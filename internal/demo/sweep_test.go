package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/pipeline"
)

// A full batch of the sweep fits Step Functions' quotas (25,000 history events, 256 KiB of state), which
// the local runner keeps, whether every account's baseline succeeds or fails; and a sweep that was handed
// a full batch continues after it in a new execution. The synthesized Sweep definition runs as it is,
// except that its Sweep task returns a batch of the longest entries, and BaselineAccount is a stub that
// succeeds or fails at once.
func TestSweepBatchFitsTheQuotas(t *testing.T) {
	tpl, root := synthesized(t)
	node, driver, err := localrun.Toolchain(root)
	if err != nil {
		t.Fatal(err)
	}
	sweep, err := tpl.StateMachine("-sweep")
	if err != nil {
		t.Fatal(err)
	}
	baseline, err := tpl.StateMachine("-baseline-account")
	if err != nil {
		t.Fatal(err)
	}
	sweep.Definition = withBatches(t, sweep.Definition)
	creds := awslocal.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "unused: no task calls AWS"}

	for name, outcome := range map[string]string{
		"baselines succeed": `{"Type": "Succeed"}`,
		"baselines fail":    `{"Type": "Fail", "Error": "AccountNotReady", "Cause": "stub"}`,
	} {
		t.Run(name, func(t *testing.T) {
			stub := baseline
			stub.Definition = []byte(`{"StartAt": "Outcome", "States": {"Outcome": ` + outcome + `}}`)
			var continued []string
			runner := &localrun.Runner{Node: node, Driver: driver, Region: "us-east-1",
				Credentials: map[string]awslocal.Credentials{sweep.ARN: creds, baseline.ARN: creds},
				Machines:    []localrun.StateMachine{sweep, stub},
				OnEvent: func(e localrun.Event) {
					if e.Type == "StateEntered" && e.State == "LastBatch" {
						continued = append(continued, e.Execution)
					}
				}}
			got, err := runner.Execute(context.Background(), sweep, []byte(`{"detail-type": "Scheduled Event"}`))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != "SUCCEEDED" {
				t.Fatalf("a sweep of %d accounts: %s %s: %.300s", pipeline.SweepBatch, got.Status, got.Error, got.Cause)
			}
			var out struct {
				Results     []json.RawMessage `json:"results"`
				ContinuedAs struct {
					ExecutionARN string `json:"executionArn"`
				} `json:"continuedAs"`
			}
			if err := json.Unmarshal(got.Output, &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Results) != pipeline.SweepBatch || len(continued) != 1 || out.ContinuedAs.ExecutionARN != continued[0] {
				t.Fatalf("%d results; continued as %q, the continuation ran as %q", len(out.Results), out.ContinuedAs.ExecutionARN, continued)
			}
		})
	}
}

// withBatches replaces the Sweep task of the Sweep definition with what the function returns for an
// organization of one full batch and one more account: a full batch the first time, and the rest when
// the execution continues after it.
func withBatches(t *testing.T, definition []byte) []byte {
	t.Helper()
	var asl map[string]any
	if err := json.Unmarshal(definition, &asl); err != nil {
		t.Fatal(err)
	}
	states := asl["States"].(map[string]any)
	next := states["Sweep"].(map[string]any)["Next"]
	full := pipeline.SweepOutput{Checked: pipeline.SweepBatch}
	for i := range pipeline.SweepBatch {
		// "drift-check" is the longest reason, so the batch is as large as a real one can be.
		full.Accounts = append(full.Accounts, pipeline.SweepAccount{AccountID: fmt.Sprintf("%012d", 100000000000+i), Why: "drift-check"})
	}
	full.Next = full.Accounts[len(full.Accounts)-1].AccountID
	rest := pipeline.SweepOutput{Checked: 1, Accounts: []pipeline.SweepAccount{{AccountID: "999999999999", Why: "missing"}}}
	states["Sweep"] = map[string]any{"Type": "Choice",
		"Choices": []any{map[string]any{"Variable": "$.after", "IsPresent": true, "Next": "LastBatch"}},
		"Default": "FirstBatch"}
	states["FirstBatch"] = map[string]any{"Type": "Pass", "Result": full, "Next": next}
	states["LastBatch"] = map[string]any{"Type": "Pass", "Result": rest, "Next": next}
	out, err := json.Marshal(asl)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
