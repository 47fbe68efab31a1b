package awslocal

import (
	"fmt"
	"net/http"
)

// APIError is an error the endpoint returns the way AWS does: a service error
// code (the one the SDK surfaces as smithy.APIError.ErrorCode), a message, and
// the HTTP status AWS uses for it.
type APIError struct {
	Code    string
	Message string
	Status  int
	// QueryCode is the legacy query-protocol code a JSON service that is
	// "query compatible" (SQS) also reports, e.g. AWS.SimpleQueueService.NonExistentQueue.
	QueryCode string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// sender reports whether the fault is the caller's (4xx), which the query
// protocols spell out as <Type>Sender</Type>.
func (e *APIError) sender() bool { return e.Status < 500 }

// errorf builds a 400 error with the given code.
func errorf(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// statusErrorf builds an error with an explicit HTTP status, for codes AWS
// answers with something other than 400 (404 for REST not-found, 403 for
// AccessDenied, 409 for conflicts, 429/503 for throttling).
func statusErrorf(status int, code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}
