package orgevents

import (
	"errors"
	"fmt"
)

var (
	// ErrMalformed classifies input that is not the shape AWS or the landfall CLI sends: invalid JSON,
	// missing fields, wrong types, an account ID that is not 12 digits.
	ErrMalformed = errors.New("malformed event")
	// ErrUnsupportedEvent classifies a well-formed event that landfall does not act on: an unknown source,
	// detail-type or eventName, a CreateAccountResult still IN_PROGRESS, a handshake that is not an
	// accepted invitation, an API call that failed.
	ErrUnsupportedEvent = errors.New("unsupported event")
)

// DecodeError says what was wrong with an input and where. It wraps ErrMalformed or ErrUnsupportedEvent,
// so callers route it with errors.Is and log it whole.
type DecodeError struct {
	// Field is the JSON path of the offending value, such as
	// "detail.serviceEventDetails.createAccountStatus.accountId"; empty when the input as a whole is at
	// fault.
	Field string
	// Reason describes the problem in words, quoting the offending value.
	Reason string
	// Err is ErrMalformed or ErrUnsupportedEvent.
	Err error
}

func (e *DecodeError) Error() string {
	field := e.Field
	if field == "" {
		field = "input"
	}
	return fmt.Sprintf("decoding trigger event (%s): %v: %s", field, e.Err, e.Reason)
}

func (e *DecodeError) Unwrap() error { return e.Err }

func malformed(field, format string, args ...any) *DecodeError {
	return &DecodeError{Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrMalformed}
}

func unsupported(field, format string, args ...any) *DecodeError {
	return &DecodeError{Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrUnsupportedEvent}
}

// maxQuoted bounds how much of an offending value goes into an error message, so a hostile or corrupt
// input cannot flood the logs.
const maxQuoted = 64

// quote renders an input value for an error message, truncated to maxQuoted bytes.
func quote(s string) string {
	if len(s) > maxQuoted {
		return fmt.Sprintf("%q...", s[:maxQuoted])
	}
	return fmt.Sprintf("%q", s)
}
