package awslocal

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestFaultInjection(t *testing.T) {
	ctx := context.Background()
	t.Run("first N calls throttled with the service's code, then served", func(t *testing.T) {
		s, u, _ := newTestServer(t)
		c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
		remove := s.InjectFault(Fault{Kind: Throttle, Service: "iam", Operation: "ListRoles", FirstN: 2})
		defer remove()
		for range 2 {
			_, err := c.ListRoles(ctx, &iam.ListRolesInput{})
			wantCode(t, err, "Throttling")
		}
		_, err := c.ListRoles(ctx, &iam.ListRolesInput{})
		mustNoErr(t, err)
		// Other operations were never affected.
		_, err = c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		mustNoErr(t, err)
	})
	t.Run("a fraction is deterministic for a seed", func(t *testing.T) {
		count := func() int {
			s, u, _ := newTestServer(t)
			c := sts.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
			s.InjectFault(Fault{Kind: Throttle, Service: "sts", Fraction: 0.3})
			for range 100 {
				_, _ = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			}
			return s.FaultsInjected()[Throttle]
		}
		a, b := count(), count()
		if a != b || a < 15 || a > 45 {
			t.Fatalf("throttled %d and %d of 100 calls; want the same number near 30", a, b)
		}
	})
	t.Run("500 and 503", func(t *testing.T) {
		s, u, _ := newTestServer(t)
		c := sts.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
		remove := s.InjectFault(Fault{Kind: ServerError, Service: "sts", FirstN: 1})
		_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantCode(t, err, "InternalFailure")
		remove()
		s.InjectFault(Fault{Kind: Unavailable, Service: "sts", FirstN: 1})
		_, err = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantCode(t, err, "ServiceUnavailable")
	})
	t.Run("only the named account", func(t *testing.T) {
		s, u, _ := newTestServer(t)
		s.InjectFault(Fault{Kind: Throttle, Account: "222222222222", Fraction: 1})
		_, err := sts.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		mustNoErr(t, err)
		_, err = sts.NewFromConfig(sdkConfig(t, s, u, "222222222222", "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		wantCode(t, err, "Throttling")
	})
	t.Run("latency delays the call", func(t *testing.T) {
		s, u, _ := newTestServer(t)
		s.AddLatency(Latency{Service: "sts", Fixed: 50 * time.Millisecond})
		start := time.Now()
		_, err := sts.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		mustNoErr(t, err)
		// A lower bound only: the call cannot finish before its latency.
		if d := time.Since(start); d < 50*time.Millisecond {
			t.Fatalf("call took %s, less than the injected 50ms", d)
		}
	})
}
