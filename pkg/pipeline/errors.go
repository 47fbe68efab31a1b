package pipeline

import (
	"context"
	"errors"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/landfall/landfall/pkg/awsx"
)

// Step Functions matches a function's error by name in Retry and Catch, and
// aws-lambda-go names the error a Go handler returns by the type of the
// value returned: its type name, without the pointer (errorType; "Function
// errors (Go)", Lambda Developer Guide, and aws-lambda-go's lambda/errors.go).
// A wrapped error arrives as
// "wrapError" and an SDK error as "OperationError", names no state machine
// can mean. So every error the state machines branch on is a type of this
// package, and Handler returns it as the function's error, unwrapped,
// wherever it is in the chain. ErrorName gives the CDK app the same names.
//
// A step's error falls in one of three classes:
//   - retryable: the waits (AccountNotReady, AccountBusy, InvitationPending)
//     and AWS failing in a way that passes (Throttled, Transient). The state
//     machines run the step again later.
//   - terminal (awsx.TerminalError, named "TerminalError"): a refusal or a
//     configuration that running again cannot change. The state machines do
//     not retry it, RecordFailure marks the ledger row terminal, and the
//     sweep holds the account until the config or the baseline version
//     changes (an operator's rerun or an account event still runs it).
//   - anything else (AccessDenied, a bug): not retried within the run,
//     recorded, and run again by the next sweep.

// Throttled is a step's error when AWS still throttled its calls after the
// SDK's own retries: the state machines run the step again later.
type Throttled struct{ Err error }

func (e *Throttled) Error() string { return "throttled by AWS after retrying: " + e.Err.Error() }
func (e *Throttled) Unwrap() error { return e.Err }

// Transient is a step's error when AWS failed in a way that passes (a 5xx
// answer, a dropped connection, a request timeout) and still did after the
// SDK's own retries: the state machines run the step again later, as they
// do a Throttled one.
type Transient struct{ Err error }

func (e *Transient) Error() string { return "AWS failed after retrying: " + e.Err.Error() }
func (e *Transient) Unwrap() error { return e.Err }

// TerminalName is the name Step Functions sees for a terminal error.
var TerminalName = ErrorName(&awsx.TerminalError{})

// ErrorName is the name Step Functions sees for err, as aws-lambda-go
// reports it.
func ErrorName(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// Handler is the Lambda handler of a step (a method of Deps), with its
// errors named for Step Functions.
func Handler(step any) lambda.Handler { return namedErrors{lambda.NewHandler(step)} }

type namedErrors struct{ lambda.Handler }

func (h namedErrors) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := h.Handler.Invoke(ctx, payload)
	return out, named(err)
}

// named is the terminal error err is or wraps, else the error of this
// package it is or wraps, else a Throttled or Transient for an error the SDK
// counts as throttling or retryable, or else err itself. Terminal comes
// first: when regions fail together, one terminal failure makes running the
// step again pointless, whatever else failed beside it.
func named(err error) error {
	if err == nil {
		return nil
	}
	for _, find := range []func(error) error{
		find[*awsx.TerminalError], find[*AccountNotReady], find[*AccountBusy], find[*InvitationPending], find[*Throttled], find[*Transient],
	} {
		if n := find(err); n != nil {
			return n
		}
	}
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool() {
		return &Throttled{Err: err}
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err).Bool() {
		return &Transient{Err: err}
	}
	return err
}

// find returns the error of type T in err's chain, or nil.
func find[T error](err error) error {
	var t T
	if errors.As(err, &t) {
		return t
	}
	return nil
}
