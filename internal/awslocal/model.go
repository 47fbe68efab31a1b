package awslocal

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Model makes the endpoint answer like AWS in time: every call waits a
// latency drawn from a per-service (and per-operation) distribution, and
// every call spends a token from a per-API bucket per account and region;
// an empty bucket answers the service's own throttling error. The endpoint
// has no model unless Options.Model sets one, so ordinary tests stay fast.
//
// The model speaks simulated time. Scale maps it to real time, so that a
// 1,000-account sweep finishes on a laptop: with Scale 0.01 one simulated
// second lasts 10 real milliseconds, for latencies and bucket refills alike.
// A caller converts real durations it measures back with Simulated.
//
// Sources of DefaultModel's numbers. AWS publishes no latency figures, so
// every latency is an assumption, chosen from the order of magnitude AWS
// SDK traces show (tens of milliseconds for regional reads, hundreds for IAM
// writes, which replicate globally from us-east-1). Rate limits are per
// account and region unless marked global:
//   - CloudWatch: DescribeAlarms 9 TPS, PutMetricAlarm 3 TPS, DeleteAlarms
//     3 TPS, as AWS lists them under "API requests" in cloudwatch_limits.html
//     (recalled from that page: the documentation search available when
//     this was written returned the page without its table, so verify with
//     `aws service-quotas list-aws-default-service-quotas --service-code
//     monitoring`). Other CloudWatch operations: assumed 10 TPS.
//   - CloudWatch Logs: control-plane TPS quotas are published per operation
//     in Service Quotas (service code logs) but could not be retrieved here;
//     assumed 5 TPS for every Logs operation landfall calls.
//   - IAM and STS: AWS states they throttle with token buckets per API and
//     per account (AWS Security Blog, "How to monitor and query IAM
//     resources at scale, part 2") and publishes no rates, nor can they be
//     raised (re:Post knowledge-center/iam-sts-throttling-error). Assumed:
//     IAM reads 20/s, IAM writes 5/s, both global to the account; STS 100/s
//     per region.
//   - Organizations: throttles per account with TooManyRequestsException;
//     no published rate. Assumed 10/s, global.
//   - CloudTrail, GuardDuty, SNS, Config, Security Hub, Access Analyzer,
//     EC2, S3: no published per-API rate for the operations landfall calls
//     (CloudTrail states it has no adjustable quotas). Assumed 10/s per API;
//     Budgets 5/s and Account 10/s, both global. Bursts are twice the rate
//     (the CloudWatch and Logs buckets: once), the shape of AWS's buckets.
//
// A Model's exported fields must not change once a server uses it.
type Model struct {
	// Scale is real time per unit of simulated time; 0 means 1 (real time).
	Scale float64
	// Latencies are matched in order; the first match draws the delay. A
	// call no rule matches has none.
	Latencies []LatencyRule
	// Limits are matched in order; the first match is the call's bucket. A
	// call no rule matches is never throttled.
	Limits []RateLimit
	// Seed makes latency draws repeatable.
	Seed int64

	// now is the real clock buckets refill on; tests replace it.
	now func() time.Time

	once    sync.Once
	mu      sync.Mutex
	rng     *rand.Rand
	buckets map[bucketKey]*bucket
	stats   ModelStats
}

// OpKind narrows a rule to reads or writes, by AWS's verb convention
// (CallKey.Write).
type OpKind string

const (
	AnyOp   OpKind = ""      // reads and writes
	ReadOp  OpKind = "read"  // Get, List, Describe ... and STS
	WriteOp OpKind = "write" // everything else
)

// Dist is a log-normal latency given by its median and 99th percentile,
// the two numbers a latency graph shows. P99 below the median is read as
// no spread.
type Dist struct {
	Median time.Duration `json:"median"`
	P99    time.Duration `json:"p99"`
}

// z99 is the standard normal quantile at 0.99.
const z99 = 2.3263478740408408

// sample draws one latency, given a standard normal draw.
func (d Dist) sample(normal float64) time.Duration {
	if d.Median <= 0 {
		return 0
	}
	sigma := 0.0
	if d.P99 > d.Median {
		sigma = math.Log(float64(d.P99)/float64(d.Median)) / z99
	}
	return time.Duration(float64(d.Median) * math.Exp(sigma*normal))
}

// LatencyRule gives matching calls a latency. Empty Service or Operation
// match any.
type LatencyRule struct {
	Service   string `json:"service,omitempty"` // signing name
	Operation string `json:"operation,omitempty"`
	Kind      OpKind `json:"kind,omitempty"`
	Dist
}

// RateLimit is a token bucket, one per API (service and operation) per
// account, and per region unless Global. Rate is tokens per simulated
// second; Burst the bucket's size (at least 1).
type RateLimit struct {
	Service   string  `json:"service,omitempty"`
	Operation string  `json:"operation,omitempty"`
	Kind      OpKind  `json:"kind,omitempty"`
	Rate      float64 `json:"rate"`
	Burst     float64 `json:"burst"`
	Global    bool    `json:"global,omitempty"`
}

// ModelStats counts what the model did.
type ModelStats struct {
	Calls int `json:"calls"`
	// Throttled counts throttled calls by "service:Operation".
	Throttled map[string]int `json:"throttled"`
	// Latency is the sum of the simulated latencies drawn.
	Latency time.Duration `json:"latencyNs"`
}

// ThrottledTotal sums Throttled.
func (st ModelStats) ThrottledTotal() int {
	n := 0
	for _, v := range st.Throttled {
		n += v
	}
	return n
}

type bucketKey struct{ account, region, service, op string }

type bucket struct {
	tokens float64
	last   time.Time
}

func (r LatencyRule) matches(service, op string, write bool) bool {
	return matches(r.Service, service) && matches(r.Operation, op) && r.Kind.matches(write)
}

func (r RateLimit) matches(service, op string, write bool) bool {
	return matches(r.Service, service) && matches(r.Operation, op) && r.Kind.matches(write)
}

func (k OpKind) matches(write bool) bool {
	switch k {
	case ReadOp:
		return !write
	case WriteOp:
		return write
	}
	return true
}

func (m *Model) init() {
	m.once.Do(func() {
		m.rng = rand.New(rand.NewPCG(uint64(m.Seed), 0x6d6f64656c))
		m.buckets = map[bucketKey]*bucket{}
		m.stats.Throttled = map[string]int{}
		if m.now == nil {
			m.now = time.Now
		}
	})
}

func (m *Model) scale() float64 {
	if m.Scale <= 0 {
		return 1
	}
	return m.Scale
}

// Real converts a simulated duration to real time.
func (m *Model) Real(simulated time.Duration) time.Duration {
	return time.Duration(float64(simulated) * m.scale())
}

// Simulated converts a real duration, measured while the model ran, to
// simulated time.
func (m *Model) Simulated(real time.Duration) time.Duration {
	return time.Duration(float64(real) / m.scale())
}

// latency draws a call's simulated latency.
func (m *Model) latency(service, op string) time.Duration {
	m.init()
	write := CallKey{Service: service, Operation: op}.Write()
	for _, r := range m.Latencies {
		if r.matches(service, op, write) {
			m.mu.Lock()
			d := r.sample(m.rng.NormFloat64())
			m.stats.Latency += d
			m.mu.Unlock()
			return d
		}
	}
	return 0
}

// wait sleeps a call's latency, scaled to real time.
func (m *Model) wait(ctx context.Context, service, op string) error {
	d := m.Real(m.latency(service, op))
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// admit spends a token for the call and reports whether one was there.
func (m *Model) admit(account, region, service, op string) bool {
	m.init()
	write := CallKey{Service: service, Operation: op}.Write()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.Calls++
	for _, r := range m.Limits {
		if !r.matches(service, op, write) {
			continue
		}
		key := bucketKey{account: account, region: region, service: service, op: op}
		if r.Global {
			key.region = ""
		}
		now := m.now()
		burst := max(r.Burst, 1)
		b, ok := m.buckets[key]
		if !ok {
			b = &bucket{tokens: burst, last: now}
			m.buckets[key] = b
		}
		elapsed := m.Simulated(now.Sub(b.last)).Seconds()
		b.tokens = min(burst, b.tokens+r.Rate*elapsed)
		b.last = now
		if b.tokens < 1 {
			m.stats.Throttled[service+":"+op]++
			return false
		}
		b.tokens--
		return true
	}
	return true
}

// Stats returns a copy of the counts so far.
func (m *Model) Stats() ModelStats {
	m.init()
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.stats
	out.Throttled = make(map[string]int, len(m.stats.Throttled))
	for k, v := range m.stats.Throttled {
		out.Throttled[k] = v
	}
	return out
}

// SetModel replaces the endpoint's model from the next call on; nil turns
// it off. A harness sets up state without one and measures with one.
func (s *Server) SetModel(m *Model) { s.model.Store(m) }

// DefaultModel returns the model documented on Model, at the given scale.
func DefaultModel(scale float64, seed int64) *Model {
	ms := time.Millisecond
	return &Model{
		Scale: scale,
		Seed:  seed,
		Latencies: []LatencyRule{
			{Service: "iam", Kind: WriteOp, Dist: Dist{Median: 250 * ms, P99: 1200 * ms}},
			{Service: "iam", Dist: Dist{Median: 60 * ms, P99: 300 * ms}},
			{Service: "sts", Dist: Dist{Median: 30 * ms, P99: 150 * ms}},
			{Service: "organizations", Dist: Dist{Median: 80 * ms, P99: 400 * ms}},
			{Service: "cloudtrail", Operation: "CreateTrail", Dist: Dist{Median: 400 * ms, P99: 1500 * ms}},
			{Service: "guardduty", Operation: "CreateDetector", Dist: Dist{Median: 300 * ms, P99: 1200 * ms}},
			{Kind: WriteOp, Dist: Dist{Median: 80 * ms, P99: 400 * ms}},
			{Dist: Dist{Median: 30 * ms, P99: 150 * ms}},
		},
		Limits: []RateLimit{
			{Service: "monitoring", Operation: "DescribeAlarms", Rate: 9, Burst: 9},
			{Service: "monitoring", Operation: "PutMetricAlarm", Rate: 3, Burst: 3},
			{Service: "monitoring", Operation: "DeleteAlarms", Rate: 3, Burst: 3},
			{Service: "monitoring", Rate: 10, Burst: 10},
			{Service: "logs", Rate: 5, Burst: 5},
			{Service: "iam", Kind: WriteOp, Rate: 5, Burst: 10, Global: true},
			{Service: "iam", Rate: 20, Burst: 40, Global: true},
			{Service: "sts", Rate: 100, Burst: 200},
			{Service: "organizations", Rate: 10, Burst: 20, Global: true},
			{Service: "budgets", Rate: 5, Burst: 10, Global: true},
			{Service: "account", Rate: 10, Burst: 20, Global: true},
			{Rate: 10, Burst: 20},
		},
	}
}
