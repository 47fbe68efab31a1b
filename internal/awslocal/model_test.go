package awslocal

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestModelBucketRefill(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		scale float64
		limit RateLimit
		// steps advance the real clock, then make calls; admitted counts
		// how many of them pass.
		steps []struct {
			advance  time.Duration
			calls    int
			admitted int
		}
	}{
		{
			name: "burst then refill at rate", scale: 1,
			limit: RateLimit{Service: "iam", Rate: 2, Burst: 3},
			steps: []struct {
				advance  time.Duration
				calls    int
				admitted int
			}{
				{0, 5, 3},                      // the burst
				{500 * time.Millisecond, 3, 1}, // half a second at 2/s
				{10 * time.Second, 5, 3},       // refilled, capped at the burst
			},
		},
		{
			name: "scale makes real time count for more", scale: 0.01,
			limit: RateLimit{Service: "iam", Rate: 1, Burst: 1},
			steps: []struct {
				advance  time.Duration
				calls    int
				admitted int
			}{
				{0, 2, 1},
				{20 * time.Millisecond, 3, 1}, // 20 ms real = 2 s simulated, capped at burst 1
				{5 * time.Millisecond, 1, 0},  // 0.5 s simulated: not yet a token
				{5 * time.Millisecond, 1, 1},  // 1 s simulated
			},
		},
		{
			name: "burst below one still admits one", scale: 1,
			limit: RateLimit{Service: "iam", Rate: 1},
			steps: []struct {
				advance  time.Duration
				calls    int
				admitted int
			}{{0, 2, 1}, {time.Second, 2, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := start
			m := &Model{Scale: tt.scale, Limits: []RateLimit{tt.limit}, now: func() time.Time { return now }}
			for i, st := range tt.steps {
				now = now.Add(st.advance)
				got := 0
				for range st.calls {
					if m.admit("222222222222", "us-east-1", "iam", "GetRole") {
						got++
					}
				}
				if got != st.admitted {
					t.Errorf("step %d: admitted %d of %d, want %d", i, got, st.calls, st.admitted)
				}
			}
		})
	}
}

func TestModelBucketsAreSeparate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := &Model{Limits: []RateLimit{
		{Service: "iam", Rate: 1, Burst: 1, Global: true},
		{Rate: 1, Burst: 1},
	}, now: func() time.Time { return now }}
	tests := []struct {
		account, region, service, op string
		want                         bool
	}{
		{"222222222222", "us-east-1", "logs", "DescribeLogGroups", true},
		{"222222222222", "us-east-1", "logs", "DescribeLogGroups", false}, // same bucket, empty
		{"222222222222", "eu-west-1", "logs", "DescribeLogGroups", true},  // another region
		{"333333333333", "us-east-1", "logs", "DescribeLogGroups", true},  // another account
		{"222222222222", "us-east-1", "logs", "PutMetricFilter", true},    // another API
		{"222222222222", "us-east-1", "iam", "GetRole", true},
		{"222222222222", "eu-west-1", "iam", "GetRole", false}, // IAM is global
	}
	for i, tt := range tests {
		if got := m.admit(tt.account, tt.region, tt.service, tt.op); got != tt.want {
			t.Errorf("call %d (%s %s %s:%s): admitted %v, want %v", i, tt.account, tt.region, tt.service, tt.op, got, tt.want)
		}
	}
	if got := m.Stats().ThrottledTotal(); got != 2 {
		t.Errorf("throttled %d, want 2", got)
	}
}

func TestDistSample(t *testing.T) {
	tests := []struct {
		name   string
		d      Dist
		normal float64
		want   time.Duration
	}{
		{"median at z=0", Dist{Median: 100 * time.Millisecond, P99: time.Second}, 0, 100 * time.Millisecond},
		{"p99 at z99", Dist{Median: 100 * time.Millisecond, P99: time.Second}, z99, time.Second},
		{"no spread", Dist{Median: 50 * time.Millisecond}, 3, 50 * time.Millisecond},
		{"zero", Dist{}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.d.sample(tt.normal)
			if diff := got - tt.want; diff < -time.Microsecond || diff > time.Microsecond {
				t.Errorf("sample = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestModelScaleConversions(t *testing.T) {
	tests := []struct {
		scale     float64
		simulated time.Duration
		real      time.Duration
	}{
		{0, time.Second, time.Second},
		{1, time.Second, time.Second},
		{0.01, time.Second, 10 * time.Millisecond},
		{0.25, 4 * time.Second, time.Second},
	}
	for _, tt := range tests {
		m := &Model{Scale: tt.scale}
		if got := m.Real(tt.simulated); got != tt.real {
			t.Errorf("scale %v: Real(%v) = %v, want %v", tt.scale, tt.simulated, got, tt.real)
		}
		if got := m.Simulated(tt.real); got != tt.simulated {
			t.Errorf("scale %v: Simulated(%v) = %v, want %v", tt.scale, tt.real, got, tt.simulated)
		}
	}
}

// TestModelThrottlesWithServiceCode checks that a throttled call answers
// the service's own code, which is what the SDK's retryer recognises.
func TestModelThrottlesWithServiceCode(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		service string
		code    string
		call    func(aws.Config) error
	}{
		{"iam", "Throttling", func(c aws.Config) error {
			_, err := iam.NewFromConfig(c).ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}},
		{"sts", "Throttling", func(c aws.Config) error {
			_, err := sts.NewFromConfig(c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}},
		{"logs", "ThrottlingException", func(c aws.Config) error {
			_, err := cloudwatchlogs.NewFromConfig(c).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			return err
		}},
		{"monitoring", "Throttling", func(c aws.Config) error {
			_, err := cloudwatch.NewFromConfig(c).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
			return err
		}},
		{"guardduty", "TooManyRequestsException", func(c aws.Config) error {
			_, err := guardduty.NewFromConfig(c).ListDetectors(ctx, &guardduty.ListDetectorsInput{})
			return err
		}},
		{"sns", "Throttling", func(c aws.Config) error {
			_, err := sns.NewFromConfig(c).ListTopics(ctx, &sns.ListTopicsInput{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			// A bucket of one token that never refills: the second call throttles.
			m := &Model{Limits: []RateLimit{{Service: tt.service, Rate: 0, Burst: 1}}}
			s := New(Options{Seed: 1, Model: m})
			cfg := sdkConfig(t, s, s.Start(t), mgmt, "us-east-1")
			mustNoErr(t, tt.call(cfg))
			wantCode(t, tt.call(cfg), tt.code)
			st := m.Stats()
			if st.Calls != 2 || st.ThrottledTotal() != 1 {
				t.Errorf("stats = %+v, want 2 calls, 1 throttled", st)
			}
		})
	}
}

// TestModelDelaysCalls checks that a call draws its latency from the first
// matching rule (Real converts it for the sleep; see the scale test).
func TestModelDelaysCalls(t *testing.T) {
	m := &Model{Scale: 0.01, Latencies: []LatencyRule{
		{Service: "iam", Dist: Dist{Median: time.Hour}},
		{Service: "sts", Dist: Dist{Median: 2 * time.Second}},
		{Dist: Dist{Median: time.Hour}},
	}}
	s := New(Options{Seed: 1, Model: m})
	cfg := sdkConfig(t, s, s.Start(t), mgmt, "us-east-1")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if got := m.Stats().Latency; got != 2*time.Second {
		t.Errorf("modelled latency %v, want 2s", got)
	}
}
