package awslocal

import (
	"time"

	"github.com/landfall/landfall/pkg/awsx"
)

// hooks connect services: an alarm publishes to SNS, SNS delivers to SQS or
// Lambda, Organizations emits events to EventBridge, Logs emits metrics to
// CloudWatch. Each service sets the hooks it provides when it registers; a
// hook that no service provides drops the delivery. Callers hold s.mu.
type hooks struct {
	putEvent func(accountID, region string, event doc)
	// publish delivers a message to a topic on behalf of an AWS service
	// (its principal, e.g. cloudwatch.amazonaws.com) and the resource that
	// sent it, so the topic policy decides as it does in AWS.
	publish    func(service, sourceAccount, sourceARN, topicARN, subject, message string) error
	putMetric  func(accountID, region string, m metricDatum)
	invokeFunc func(functionARN string, payload []byte) error
	confirm    func(topicARN, token string) (subscriptionARN string, err error)
}

// metricDatum is one data point, as PutMetricData or a metric filter
// produces it.
type metricDatum struct {
	Namespace  string
	Name       string
	Dimensions map[string]string
	Value      float64
	Time       time.Time
}

// job is work the endpoint does later, such as finishing an asynchronous
// account creation.
type job struct {
	at  time.Time
	run func()
}

// afterLocked schedules fn to run once the clock passes now+d.
func (s *Server) afterLocked(d time.Duration, fn func()) {
	s.jobs = append(s.jobs, job{at: s.now().Add(d), run: fn})
}

// runDueLocked runs due jobs; every request calls it first, so state moves
// on with the clock even without a background goroutine.
func (s *Server) runDueLocked() {
	now := s.now()
	for {
		ran := false
		for i, j := range s.jobs {
			if !j.at.After(now) {
				s.jobs = append(s.jobs[:i], s.jobs[i+1:]...)
				j.run()
				ran = true
				break
			}
		}
		if !ran {
			return
		}
	}
}

// Tick runs whatever is due now. The standalone server calls it on a timer;
// tests call it after moving a manual clock.
func (s *Server) Tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runDueLocked()
}

// Email is one message in the outbox: what an email subscriber would get.
type Email struct {
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Body     string    `json:"body"`
	TopicARN string    `json:"topicArn"`
	Kind     string    `json:"kind"` // "confirmation" | "notification"
	Time     time.Time `json:"time"`
}

// Outbox returns every email delivered so far, oldest first.
func (s *Server) Outbox() []Email {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Email(nil), s.outbox...)
}

// CallKey identifies calls for counting.
type CallKey struct {
	Account   string `json:"account"`
	Service   string `json:"service"`
	Operation string `json:"operation"`
}

// Write reports whether an operation changes state, by the verbs AWS uses
// for read-only operations (awsx.IsRead, which landfall's own call counts
// use too). STS changes no resources.
func (k CallKey) Write() bool {
	return k.Service != "sts" && !awsx.IsRead(k.Operation)
}

// Calls returns how often each operation was called, per account.
func (s *Server) Calls() map[CallKey]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[CallKey]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// ResetCalls zeroes the call counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[CallKey]int{}
}
