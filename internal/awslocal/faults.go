package awslocal

import (
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// FaultKind is what an injected fault does to a matching call.
type FaultKind string

const (
	// Throttle answers with the service's own throttling error (Throttling,
	// ThrottlingException, TooManyRequestsException, RequestLimitExceeded ...).
	Throttle FaultKind = "throttle"
	// ServerError answers 500 InternalFailure.
	ServerError FaultKind = "server-error"
	// Unavailable answers 503 ServiceUnavailable.
	Unavailable FaultKind = "unavailable"
)

// Fault makes matching calls fail. Empty Service, Operation or Account match
// any. With FirstN > 0 the first N matching calls fail; otherwise each
// matching call fails with probability Fraction, drawn from the server's
// seeded generator so a run is repeatable.
type Fault struct {
	Kind      FaultKind `json:"kind"`
	Service   string    `json:"service,omitempty"` // signing name: iam, logs, monitoring, ...
	Operation string    `json:"operation,omitempty"`
	Account   string    `json:"account,omitempty"`
	Fraction  float64   `json:"fraction,omitempty"`
	FirstN    int       `json:"firstN,omitempty"`
}

// Latency delays matching calls by Fixed plus a uniformly drawn extra of up
// to Jitter, before the call takes the state lock (so delays overlap as they
// do against AWS).
type Latency struct {
	Service   string        `json:"service,omitempty"`
	Operation string        `json:"operation,omitempty"`
	Fixed     time.Duration `json:"fixed"`
	Jitter    time.Duration `json:"jitter,omitempty"`
}

type activeFault struct {
	Fault
	hits int
}

type faults struct {
	mu          sync.Mutex
	rng         *rand.Rand
	active      []*activeFault
	latencies   []Latency
	unreachable map[string]time.Time // account -> until
	// nextAccountDelay, when set, applies to the next created account.
	nextAccountDelay *time.Duration
	// injected counts faults served, for reports.
	injected map[FaultKind]int
}

func newFaults(seed int64) *faults {
	return &faults{
		rng:         rand.New(rand.NewPCG(uint64(seed), 0x6661756c7473)),
		unreachable: map[string]time.Time{},
		injected:    map[FaultKind]int{},
	}
}

// InjectFault adds a fault and returns a function that removes it.
func (s *Server) InjectFault(f Fault) (remove func()) {
	fs := s.faults
	fs.mu.Lock()
	defer fs.mu.Unlock()
	a := &activeFault{Fault: f}
	fs.active = append(fs.active, a)
	return func() {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		for i, x := range fs.active {
			if x == a {
				fs.active = append(fs.active[:i], fs.active[i+1:]...)
				return
			}
		}
	}
}

// AddLatency delays matching calls from now on.
func (s *Server) AddLatency(l Latency) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.latencies = append(s.faults.latencies, l)
}

// MakeUnreachable makes AssumeRole into the account fail with AccessDenied
// for d, which is how a just-created account looks until its roles
// propagate. A negative d makes it unreachable for good.
func (s *Server) MakeUnreachable(accountID string, d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	until := s.now().Add(d)
	if d < 0 {
		until = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	s.faults.unreachable[accountID] = until
}

// DelayNextAccount makes the next account CreateAccount finishes refuse
// AssumeRole for d after it is created (for good when d < 0): new accounts
// are not usable at once, and an event arrives before they are.
func (s *Server) DelayNextAccount(d time.Duration) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.nextAccountDelay = &d
}

// FaultsInjected reports how many calls each kind of fault failed.
func (s *Server) FaultsInjected() map[FaultKind]int {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	out := map[FaultKind]int{}
	for k, v := range s.faults.injected {
		out[k] = v
	}
	return out
}

func (fs *faults) isUnreachable(accountID string, now time.Time) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	until, ok := fs.unreachable[accountID]
	return ok && now.Before(until)
}

func (fs *faults) latency(service, op string) time.Duration {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var d time.Duration
	for _, l := range fs.latencies {
		if matches(l.Service, service) && matches(l.Operation, op) {
			d += l.Fixed
			if l.Jitter > 0 {
				d += time.Duration(fs.rng.Int64N(int64(l.Jitter)))
			}
		}
	}
	return d
}

// inject fails the call if an active fault matches it.
func (fs *faults) inject(c *call) error {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, f := range fs.active {
		if !matches(f.Service, c.svc.name) || !matches(f.Operation, c.op) || !matches(f.Account, c.principal.AccountID) {
			continue
		}
		fire := false
		if f.FirstN > 0 {
			fire = f.hits < f.FirstN
			f.hits++
		} else {
			fire = fs.rng.Float64() < f.Fraction
		}
		if !fire {
			continue
		}
		fs.injected[f.Kind]++
		switch f.Kind {
		case Throttle:
			t := c.svc.throttle
			return &t
		case Unavailable:
			return statusErrorf(http.StatusServiceUnavailable, "ServiceUnavailable", "Service is unavailable (injected fault)")
		default:
			return statusErrorf(http.StatusInternalServerError, "InternalFailure", "internal failure (injected fault)")
		}
	}
	return nil
}

func matches(want, got string) bool { return want == "" || want == got }
