package awslocal

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/pkg/config"
)

// maxBody bounds a request body; AWS's own limits are smaller for every
// operation landfall calls (IAM policy documents are at most 10 KB, PutLogEvents 1 MB).
const maxBody = 8 << 20

// Options configure a Server. The zero value is a usable default.
type Options struct {
	// ManagementAccountID owns the organization. Default 111111111111.
	ManagementAccountID string
	// PageSize caps every paginated list. AWS pages at 100 or more; the
	// default here is 5 so that a caller that ignores NextToken fails tests.
	PageSize int
	// Clock returns the current time; tests may pass a manual clock.
	Clock func() time.Time
	// Seed makes fault injection and generated ids deterministic.
	Seed int64
	// Logger receives one line per request at debug level.
	Logger *slog.Logger
	// Model, when set, delays and throttles calls like AWS (see Model). Nil
	// answers at once and never throttles, which is what tests want.
	Model *Model
	// Authorizer, when set, decides every request the way IAM does
	// (authorize.go). Nil admits every authenticated request.
	Authorizer *iamsim.Worker
	// OrganizationID is the id CreateOrganization gives the organization:
	// the one a template was synthesized for, whose policies name it
	// (aws:ResourceOrgID). Empty generates one.
	OrganizationID string
	// IAMPropagation is how long an IAM change takes to take effect
	// (propagation.go). Zero makes every change take effect at once.
	IAMPropagation time.Duration
}

// Server is a stateful, multi-account local AWS endpoint. It is safe for
// concurrent use; every operation runs under one lock, which keeps the
// semantics simple and is fast enough (see make bench).
type Server struct {
	opts     Options
	services map[string]*service // by signing name, plus "s3-control"
	faults   *faults
	// authFaults are service requests the authorizer could not decide.
	authFaults []string
	log        *slog.Logger
	// wall is the wall clock IAM propagation runs on; tests may replace it.
	wall func() time.Time
	// model is Options.Model until SetModel swaps it; dispatch reads it on
	// every call without taking the state lock.
	model atomic.Pointer[Model]

	mu       sync.Mutex
	accounts map[string]*account
	creds    map[string]*credential // by access key id
	org      *organization
	jobs     []job
	outbox   []Email
	calls    map[CallKey]int
	rng      *mrand.Rand
	hooks    hooks
}

// New returns a Server with a management account (and an organization not
// yet created; call CreateOrganization through the SDK or Bootstrap).
func New(opts Options) *Server {
	if opts.ManagementAccountID == "" {
		opts.ManagementAccountID = "111111111111"
	}
	if opts.PageSize == 0 {
		opts.PageSize = 5
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OrganizationID != "" {
		if err := config.CheckOrganizationID(opts.OrganizationID); err != nil {
			panic("awslocal: Options.OrganizationID: " + err.Error())
		}
	}
	s := &Server{
		opts:     opts,
		services: map[string]*service{},
		faults:   newFaults(opts.Seed),
		log:      opts.Logger,
		wall:     time.Now,
		accounts: map[string]*account{},
		creds:    map[string]*credential{},
		calls:    map[CallKey]int{},
		rng:      mrand.New(mrand.NewPCG(uint64(opts.Seed), 0x6c616e6466616c6c)),
	}
	s.model.Store(opts.Model)
	s.addAccount(opts.ManagementAccountID, "management", "management@example.com")
	for _, register := range services {
		register(s)
	}
	return s
}

// services is every service the endpoint speaks, one line each, in the order
// of their files (svc_<name>.go). A service file defines its register
// function; adding a service is that file and one line here. The list is
// explicit, not built by init functions, so that what the endpoint speaks
// is read in one place and does not depend on which files are linked.
var services = []func(*Server){
	registerAccessAnalyzer,
	registerAccount,
	registerBudgets,
	registerCloudTrail,
	registerCloudWatch,
	registerConfig,
	registerDynamoDB,
	registerEC2,
	registerEvents,
	registerGuardDuty,
	registerIAM,
	registerKMS,
	registerLambda,
	registerLogs,
	registerOrganizations,
	registerS3,
	registerS3Control,
	registerSecretsManager,
	registerSecurityHub,
	registerStepFunctions,
	registerSNS,
	registerSQS,
	registerSTS,
}

// Start serves the endpoint on a loopback port for the lifetime of the test
// and returns its URL (for AWS_ENDPOINT_URL or config.WithBaseEndpoint).
// The test fails at its end if a request made for a service could not be
// authorized (AuthorizationFaults): nothing undecided passes unnoticed.
func (s *Server) Start(t interface {
	Cleanup(func())
	Errorf(format string, args ...any)
}) string {
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		ts.Close()
		for _, f := range s.AuthorizationFaults() {
			t.Errorf("awslocal: undecided service request: %s", f)
		}
	})
	return ts.URL
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "request body unreadable or too large", http.StatusRequestEntityTooLarge)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	if s.serveOutOfBand(w, r) {
		return
	}

	scope, sigErr := parseAuthorization(r)
	svc := s.route(r, scope)
	if svc == nil {
		http.Error(w, fmt.Sprintf("awslocal: no service for %s %s (signing name %q)", r.Method, r.URL.Path, scope.service), http.StatusNotFound)
		return
	}
	c := &call{srv: s, svc: svc, proto: svc.protocolFor(r), req: r, body: body, region: scope.region, ctx: r.Context()}
	op, in, err := c.proto.decode(svc, r, body)
	c.op, c.in = op, in
	if err == nil && sigErr != nil {
		err = sigErr
	}
	var out doc
	if err == nil {
		out, err = s.dispatch(c, scope)
	}
	if err == nil {
		out, err = runUnlockedWork(c.ctx, out)
	}
	if err != nil {
		c.proto.encodeError(w, c, asAPIError(err))
		return
	}
	c.proto.encode(w, c, out)
}

// dispatch authenticates the caller, applies injected faults, and runs the
// operation under the state lock.
func (s *Server) dispatch(c *call, scope sigScope) (doc, error) {
	h, ok := c.svc.ops[c.op]
	if !ok {
		return nil, statusErrorf(http.StatusBadRequest, c.svc.unknownOpCode(), "operation %s is not supported by the local endpoint for %s", c.op, c.svc.name)
	}
	m := s.model.Load()
	if m != nil {
		if err := m.wait(c.ctx, c.svc.name, c.op); err != nil {
			return nil, err
		}
	}
	if delay := s.faults.latency(c.svc.name, c.op); delay > 0 {
		select {
		case <-time.After(delay):
		case <-c.ctx.Done():
			return nil, c.ctx.Err()
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.runDueLocked()

	p, err := s.authenticateLocked(c, scope)
	if err != nil {
		return nil, err
	}
	c.principal = p
	c.account = s.accounts[p.AccountID]
	if c.region == "" {
		c.region = "us-east-1"
	}
	s.calls[CallKey{Account: p.AccountID, Service: c.svc.name, Operation: c.op}]++
	if m != nil && !m.admit(p.AccountID, c.region, c.svc.name, c.op) {
		t := c.svc.throttle
		return nil, &t
	}
	if err := s.faults.inject(c); err != nil {
		return nil, err
	}
	if err := s.authorizeLocked(c); err != nil {
		s.log.Debug("awslocal request refused", "service", c.svc.name, "op", c.op, "account", p.AccountID, "region", c.region, "principal", p.ARN, "err", err)
		return nil, err
	}
	s.log.Debug("awslocal request", "service", c.svc.name, "op", c.op, "account", p.AccountID, "region", c.region, "principal", p.ARN)
	return h(c)
}

// unlockedWork is a response member an operation sets when part of its work
// must run without the state lock, typically because it calls back into the
// endpoint (Lambda Invoke runs a function that makes AWS calls). The handler
// validates and looks up under the lock; the work, a
// func(context.Context) (doc, error), runs after dispatch has released the
// lock, and what it returns is the response.
const unlockedWork = "__unlockedWork"

func runUnlockedWork(ctx context.Context, out doc) (doc, error) {
	work, ok := out[unlockedWork].(func(context.Context) (doc, error))
	if !ok {
		return out, nil
	}
	return work(ctx)
}

// call is one request in flight.
type call struct {
	ctx       context.Context
	srv       *Server
	svc       *service
	proto     protocol // the one the request speaks, of the service's
	req       *http.Request
	body      []byte
	op        string
	in        doc
	region    string
	principal principal
	account   *account
}

// now is the server clock, so tests can move time.
func (s *Server) now() time.Time { return s.opts.Clock().UTC() }

// newID returns a random lower-case hex id of n characters, deterministic for
// a given Options.Seed and sequence of calls. Callers hold s.mu.
func (s *Server) newID(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[s.rng.IntN(16)]
	}
	return string(b)
}

// requestID is sent on every response, as AWS does.
func (s *Server) requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return strings.Join([]string{h[:8], h[8:12], h[12:16], h[16:20], h[20:]}, "-")
}

func asAPIError(err error) *APIError {
	if e, ok := err.(*APIError); ok {
		return e
	}
	if err == context.Canceled || err == context.DeadlineExceeded {
		return statusErrorf(http.StatusServiceUnavailable, "RequestTimeout", "%v", err)
	}
	return statusErrorf(http.StatusInternalServerError, "InternalFailure", "%v", err)
}
