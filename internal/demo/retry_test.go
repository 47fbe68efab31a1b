package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/pipeline"
)

// The synthesized BaselineAccount state machine runs a step again when AWS
// failed it in a way that passes, and never when the step failed
// terminally: that goes once to RecordFailure, named TerminalError, which
// is what the ledger and the sweep read. The definition runs as it is; its
// functions are stubs served through pipeline.Handler, so each error
// reaches Step Functions named as the real functions name it.
func TestBaselineAccountRetriesOnlyWhatCanPass(t *testing.T) {
	tpl, root := synthesized(t)
	node, driver, err := localrun.Toolchain(root)
	if err != nil {
		t.Fatal(err)
	}
	machine, err := tpl.StateMachine("-baseline-account")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv := awslocal.New(awslocal.Options{})
	url := srv.Start(t)
	creds := srv.AdminCredentials("111111111111")

	// A real 503, after the SDK's own retries.
	cfg, err := awslocal.SDKConfig(ctx, url, creds, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.RetryMaxAttempts = 2
	stop := srv.InjectFault(awslocal.Fault{Kind: awslocal.Unavailable, Service: "sts", Fraction: 1})
	_, unavailable := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	stop()
	if unavailable == nil {
		t.Fatal("the call to an unavailable service succeeded")
	}
	terminal := awsx.Terminal(errors.New("refusing to baseline: credentials act in account 999999999999, not the target"))

	tests := []struct {
		name string
		// fail is the error of the apply step's attempt n (from 1) in scope, or nil.
		fail          func(scope string, attempt int) error
		wantStatus    string
		wantApplies   int    // apply invocations, global and regions
		wantRecorded  string // the error RecordFailure received, or "" for Record
		wantExecError string
	}{
		{name: "transient twice, then it passes", fail: func(scope string, n int) error {
			if scope == "global" && n <= 2 {
				return fmt.Errorf("applying global baseline: %w", unavailable)
			}
			return nil
		}, wantStatus: "SUCCEEDED", wantApplies: 3 + 2},
		{name: "terminal in the global scope", fail: func(scope string, n int) error {
			if scope == "global" {
				return fmt.Errorf("applying global baseline: %w", terminal)
			}
			return nil
		}, wantStatus: "FAILED", wantApplies: 1, wantRecorded: pipeline.TerminalName, wantExecError: pipeline.TerminalName},
		{name: "terminal in one region", fail: func(scope string, n int) error {
			if scope == "eu-west-1" {
				return fmt.Errorf("applying eu-west-1 baseline: %w", terminal)
			}
			return nil
		}, wantStatus: "FAILED", wantApplies: 1 + 2, wantRecorded: pipeline.TerminalName, wantExecError: pipeline.TerminalName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			attempts := map[string]int{}
			applies := 0
			var recorded []string
			stubs := map[string]lambda.Handler{
				"./functions/describe": pipeline.Handler(func(ctx context.Context, in pipeline.DescribeInput) (pipeline.State, error) {
					return pipeline.State{Decision: pipeline.DecideBaseline, Account: config.Account{ID: "222222222222"},
						Profile: "workloads", Regions: []string{"us-east-1", "eu-west-1"}}, nil
				}),
				"./functions/waitready": pipeline.Handler(func(ctx context.Context, st pipeline.State) error { return nil }),
				"./functions/apply": pipeline.Handler(func(ctx context.Context, in pipeline.ApplyInput) (pipeline.ApplySummary, error) {
					scope := in.Scope
					if scope == "region" {
						scope = in.Region
					}
					mu.Lock()
					applies++
					attempts[scope]++
					n := attempts[scope]
					mu.Unlock()
					return pipeline.ApplySummary{Scope: scope, Counts: map[string]int{}}, tt.fail(scope, n)
				}),
				"./functions/record": pipeline.Handler(func(ctx context.Context, raw json.RawMessage) error {
					var in pipeline.FailureInput
					if err := json.Unmarshal(raw, &in); err != nil {
						return err
					}
					mu.Lock()
					recorded = append(recorded, in.Error)
					mu.Unlock()
					return nil
				}),
			}
			for _, fn := range tpl.Functions {
				if h, ok := stubs[fn.Package]; ok {
					if err := srv.RegisterFunction(fn.ARN, invokeOf(h)); err != nil {
						t.Fatal(err)
					}
				}
			}
			runner := &localrun.Runner{Node: node, Driver: driver, EndpointURL: url, Region: "us-east-1",
				Credentials: map[string]awslocal.Credentials{machine.ARN: creds}}
			got, err := runner.Execute(ctx, machine, []byte(`{"accountId": "222222222222", "reason": "manual", "requestedBy": "arn:aws:iam::111111111111:user/alice"}`))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || got.Error != tt.wantExecError {
				t.Fatalf("execution %s %s (%.300s), want %s %s", got.Status, got.Error, got.Cause, tt.wantStatus, tt.wantExecError)
			}
			if applies != tt.wantApplies {
				t.Errorf("apply ran %d times (%v), want %d", applies, attempts, tt.wantApplies)
			}
			if len(recorded) != 1 || recorded[0] != tt.wantRecorded {
				t.Errorf("record received errors %q, want one, %q", recorded, tt.wantRecorded)
			}
		})
	}
}

// invokeOf serves a Lambda handler as the endpoint's function: an error
// goes out as the function error aws-lambda-go reports, named by its type.
func invokeOf(h lambda.Handler) awslocal.InvokeFunc {
	return func(ctx context.Context, payload []byte) ([]byte, string, string, error) {
		out, err := h.Invoke(ctx, payload)
		if err != nil {
			return nil, pipeline.ErrorName(err), err.Error(), nil
		}
		return out, "", "", nil
	}
}
