package awsx

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Retry calls fn until it succeeds, returns an error retryable does not
// accept, or timeout passes; then it tries once more, because the SDK's own
// retries may have used up the window (terraform-provider-aws does the same).
// Throttling is left to the SDK's retryer; retryable names the eventual-
// consistency errors of one call, such as "Invalid principal in policy"
// right after creating a role.
func Retry(ctx context.Context, timeout time.Duration, retryable func(error) bool, fn func() error) error {
	deadline := time.Now().Add(timeout)
	delay := 500 * time.Millisecond
	for {
		err := fn()
		if err == nil || !retryable(err) {
			return err
		}
		if time.Now().Add(delay).After(deadline) {
			if err := fn(); err != nil {
				return &TimeoutError{After: timeout, LastError: err}
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// TimeoutError says Retry gave up.
type TimeoutError struct {
	After     time.Duration
	LastError error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("still failing after %s: %v", e.After, e.LastError)
}

func (e *TimeoutError) Unwrap() error { return e.LastError }

// OnCodes returns a retryable predicate for the given error codes.
func OnCodes(codes ...string) func(error) bool {
	return func(err error) bool { return IsCode(err, codes...) }
}
