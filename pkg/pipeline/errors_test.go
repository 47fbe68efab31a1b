package pipeline

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/awsx"
)

// A step's error reaches Step Functions named by the type of the value
// the handler returns, so Handler returns the pipeline's own error types
// however deeply they are wrapped, and names the SDK's throttling errors.
func TestHandlerNamesErrors(t *testing.T) {
	ctx := context.Background()
	srv := awslocal.New(awslocal.Options{})
	url := srv.Start(t)
	cfg, err := awslocal.SDKConfig(ctx, url, srv.AdminCredentials("111111111111"), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.RetryMaxAttempts = 2
	stopThrottling := srv.InjectFault(awslocal.Fault{Kind: awslocal.Throttle, Service: "sts", Fraction: 1})
	_, throttled := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if throttled == nil {
		t.Fatal("the throttled call succeeded")
	}
	stopThrottling()
	srv.InjectFault(awslocal.Fault{Kind: awslocal.Unavailable, Service: "sts", Fraction: 1})
	_, unavailable := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if unavailable == nil {
		t.Fatal("the call to an unavailable service succeeded")
	}
	terminal := awsx.Terminal(errors.New("refusing to baseline"))

	tests := []struct {
		name string
		err  error
		want string
	}{
		{"wrapped AccountBusy", fmt.Errorf("describing: %w", &AccountBusy{AccountID: "222222222222", Reason: "moved"}), "AccountBusy"},
		{"wrapped twice AccountNotReady", fmt.Errorf("a: %w", fmt.Errorf("b: %w", &AccountNotReady{Reason: "no role"})), "AccountNotReady"},
		{"InvitationPending in a join", errors.Join(errors.New("first"), &InvitationPending{AccountID: "333333333333"}), "InvitationPending"},
		{"the SDK's throttling, wrapped", fmt.Errorf("applying: %w", throttled), "Throttled"},
		{"a 503 after the SDK's retries, wrapped", fmt.Errorf("applying: %w", unavailable), "Transient"},
		{"terminal, wrapped", fmt.Errorf("applying: %w", terminal), "TerminalError"},
		{"terminal wins over what failed beside it", errors.Join(fmt.Errorf("us-east-1: %w", throttled), fmt.Errorf("eu-west-1: %w", terminal)), "TerminalError"},
		{"a terminal refusal that wraps AWS's error", awsx.Terminal(fmt.Errorf("putting: %w", unavailable)), "TerminalError"},
		{"anything else keeps its own name", fmt.Errorf("applying: %w", errors.New("boom")), "wrapError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step := func(context.Context, State) (State, error) { return State{}, tt.err }
			_, err := Handler(step).Invoke(ctx, []byte(`{}`))
			if err == nil || ErrorName(err) != tt.want {
				t.Fatalf("error %v named %q, want %q", err, ErrorName(err), tt.want)
			}
		})
	}
	if _, err := Handler(func(context.Context) error { return nil }).Invoke(ctx, nil); err != nil {
		t.Fatalf("a step without error: %v", err)
	}
}
