package awsx

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
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

// notFoundCodes are the codes AWS services use for "that does not exist".
// Each service has its own; finders turn all of them into one NotFoundError.
var notFoundCodes = []string{
	"NoSuchEntity", "ResourceNotFoundException", "NotFoundException", "TrailNotFoundException",
	"NoSuchBucket", "NoSuchBucketPolicy", "NoSuchPublicAccessBlockConfiguration", "NoSuchTagSet",
	"ServerSideEncryptionConfigurationNotFoundError", "ResourceNotFound", "NotFound",
	"NoSuchConfigurationRecorderException", "NoSuchDeliveryChannelException", "AccountNotFoundException",
	"InvalidVpcID.NotFound", "InvalidAccessException",
}

// NotFoundError says a finder found nothing. Plans read it as "create";
// deletes read it as "already gone".
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

// NotFound reports whether err means the thing does not exist, either as a
// NotFoundError or as one of the services' own not-found codes, or as a bare
// 404 from a REST service.
func NotFound(err error) bool {
	if err == nil {
		return false
	}
	if IsA[*NotFoundError](err) || IsCode(err, notFoundCodes...) {
		return true
	}
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// AsNotFound converts a service's not-found error into a NotFoundError
// naming what was looked for, and passes other errors through.
func AsNotFound(err error, what string) error {
	if err != nil && NotFound(err) {
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
