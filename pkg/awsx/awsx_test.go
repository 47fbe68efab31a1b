package awsx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }

// Only a finder decides not-found: a service's code counts only where the
// finder names it, and nothing else does, not even an HTTP 404.
func TestNotFound(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{&NotFoundError{What: "thing"}, true},
		{fmt.Errorf("reading role: %w", &NotFoundError{What: "IAM role (x)"}), true},
		{apiErr("NoSuchEntity"), false},
		{&awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 404}}, Err: errors.New("404")}}, false},
		{errors.New("plain"), false},
	}
	for _, tt := range tests {
		if got := NotFound(tt.err); got != tt.want {
			t.Errorf("NotFound(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	err := AsNotFound(fmt.Errorf("getting: %w", apiErr("TrailNotFoundException")), "trail (x)", "TrailNotFoundException")
	if !NotFound(err) || err.Error() != "trail (x) not found: getting: api error TrailNotFoundException: m" {
		t.Errorf("AsNotFound of the finder's own code = %v", err)
	}
	if err := AsNotFound(apiErr("NoSuchEntity"), "trail (x)", "TrailNotFoundException"); NotFound(err) {
		t.Errorf("AsNotFound took another service's not-found: %v", err)
	}
	if err := AsNotFound(apiErr("Throttling"), "trail (x)", "TrailNotFoundException"); NotFound(err) || ErrorCode(err) != "Throttling" {
		t.Errorf("AsNotFound changed a throttle: %v", err)
	}
}

func TestRetryOnlyNamedErrors(t *testing.T) {
	var calls int
	err := Retry(context.Background(), time.Second, OnCodes("MalformedPolicyDocument"), func() error {
		calls++
		if calls < 3 {
			return apiErr("MalformedPolicyDocument")
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Fatalf("err %v after %d calls, want success on the third", err, calls)
	}
	calls = 0
	err = Retry(context.Background(), time.Second, OnCodes("MalformedPolicyDocument"), func() error {
		calls++
		return apiErr("AccessDenied")
	})
	if ErrorCode(err) != "AccessDenied" || calls != 1 {
		t.Fatalf("an unnamed error was retried: %v after %d calls", err, calls)
	}
}

func TestRetryGivesUpWithTheLastError(t *testing.T) {
	err := Retry(context.Background(), 0, OnCodes("X"), func() error { return apiErr("X") })
	var te *TimeoutError
	if !errors.As(err, &te) || ErrorCode(err) != "X" {
		t.Fatalf("err = %v, want a TimeoutError wrapping X", err)
	}
}

func TestForEachBoundsConcurrencyAndJoinsErrors(t *testing.T) {
	var running, peak atomic.Int32
	err := ForEach(context.Background(), []int{1, 2, 3, 4, 5, 6}, 2, func(ctx context.Context, i int) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		if i%3 == 0 {
			return fmt.Errorf("item %d broke", i)
		}
		return nil
	})
	if peak.Load() > 2 {
		t.Errorf("%d ran at once, limit 2", peak.Load())
	}
	var msgs []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		msgs = append(msgs, e.Error())
	}
	sort.Strings(msgs)
	if len(msgs) != 2 || msgs[0] != "3: item 3 broke" || msgs[1] != "6: item 6 broke" {
		t.Errorf("errors = %q, want both failures with their items", msgs)
	}
}

func TestIsRead(t *testing.T) {
	for op, want := range map[string]bool{"GetRole": true, "ListRoles": true, "DescribeAlarms": true, "FilterLogEvents": true,
		"CreateRole": false, "PutMetricAlarm": false, "UpdateTrail": false, "AssumeRole": true} {
		if IsRead(op) != want {
			t.Errorf("IsRead(%s) = %v", op, !want)
		}
	}
}
