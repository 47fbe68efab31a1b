package awsx

import (
	"errors"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
)

// ErrorCode returns the AWS error code of err ("NoSuchEntity",
// "ResourceNotFoundException" ...), or "" when err is not an API error.
func ErrorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// IsCode reports whether err is an API error with one of the codes.
func IsCode(err error, codes ...string) bool {
	c := ErrorCode(err)
	return c != "" && slices.Contains(codes, c)
}

// IsA reports whether err is, or wraps, an error of type T (an SDK
// exception type such as *iamtypes.NoSuchEntityException).
func IsA[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// InvalidPrincipal reports IAM rejecting a trust policy because a principal
// it names is not visible yet (IAM propagation). MalformedPolicyDocument
// also covers real syntax errors, so the message is the only way to tell
// them apart.
func InvalidPrincipal(err error) bool {
	return IsCode(err, "MalformedPolicyDocument") && strings.Contains(err.Error(), "Invalid principal in policy")
}

// NotFoundError says a finder found nothing. Plans read it as "create";
// deletes read it as "already gone". Each finder decides it: it knows which
// error its service answers for "no such thing" (AsNotFound), and nothing
// else is read as not-found, so an error another call gives with the same
// code, or an HTTP 404 from a wrong endpoint, is never taken for an absence.
type NotFoundError struct {
	What string // e.g. "IAM role (landfall-execution)"
	Err  error  // the service's own error, if any
}

func (e *NotFoundError) Error() string {
	if e.Err != nil {
		return e.What + " not found: " + e.Err.Error()
	}
	return e.What + " not found"
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// NotFound reports whether err is, or wraps, a NotFoundError.
func NotFound(err error) bool { return IsA[*NotFoundError](err) }

// AsNotFound is how a finder owns its not-found: it converts err into a
// NotFoundError naming what was looked for when err is an API error with one
// of codes, the error codes the finder's API documents for "does not
// exist", and passes other errors through.
func AsNotFound(err error, what string, codes ...string) error {
	if IsCode(err, codes...) {
		return &NotFoundError{What: what, Err: err}
	}
	return err
}

// TerminalError marks an error that retrying will not fix (a bad config,
// AccessDenied in the target account). The pipeline fails such a run at once
// instead of retrying it.
type TerminalError struct{ Err error }

func (e *TerminalError) Error() string { return e.Err.Error() }
func (e *TerminalError) Unwrap() error { return e.Err }

// Terminal wraps err as terminal.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return &TerminalError{Err: err}
}
