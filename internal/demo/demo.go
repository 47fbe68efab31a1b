package demo

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

// The demo's time scale. Step Functions waits 10 s and more between
// WaitReady attempts; the demo waits retryInterval between every retry,
// so a slow account (slowAccountDelay) is waited for within its 12 attempts
// and an unreachable one gives up in about 12 × retryInterval.
const (
	retryInterval    = 750 * time.Millisecond
	slowAccountDelay = 4 * time.Second
)

// Options configure a demo run.
type Options struct {
	// ModuleDir is the repository root: the functions are built from it and
	// the Node toolchain is found in it.
	ModuleDir string
	// ConfigPath is the config file the template was synthesized from.
	ConfigPath string
	// TemplatePath is cdk.out/landfall.template.json.
	TemplatePath string
	// Out receives the report a person reads.
	Out io.Writer
	// FunctionLogs receives the Lambdas' own log lines (io.Discard to hide).
	FunctionLogs io.Writer
	// BuildDir caches the host builds of the functions between runs.
	BuildDir string
	// Explore, when set, is called once the story has run, with the
	// endpoint's URL and server and the report, before the endpoint stops:
	// everything landfall created can be read there, with the SDK or the
	// AWS CLI. `landfall-dev demo --explore` waits there for a person.
	Explore func(ctx context.Context, url string, srv *awslocal.Server, rep *Report)
}

// Step is one claim the demo checks; the run passes only if all hold.
type Step struct {
	Name   string
	OK     bool
	Detail string
}

// Report is what happened, for the summary and the end-to-end test.
type Report struct {
	Steps      []Step
	Ledger     []ledger.Row
	Executions []Execution
	Emails     []awslocal.Email
	// AlertEmail is the formatted alert the central topic delivered.
	AlertEmail *awslocal.Email
	// DriftBefore and DriftAfter are the plans of the drifted account before
	// and after the sweep.
	DriftBefore, DriftAfter []string
	Accounts                map[string]string // name -> id
	Management              string            // the management account's id
	Calls                   int
	Writes                  int
	Wall                    time.Duration
}

// Execution is one state machine run the demo saw.
type Execution struct {
	Machine, Account, Status, Error string
	States                          []string
	Duration                        time.Duration
}

// OK reports whether every step held.
func (r *Report) OK() bool {
	for _, s := range r.Steps {
		if !s.OK {
			return false
		}
	}
	return len(r.Steps) > 0
}

// run is one demo in progress.
type run struct {
	opts   Options
	srv    *awslocal.Server
	url    string
	cfg    *config.Config
	mgmt   string
	home   string
	orgID  string
	admin  aws.Config
	dep    *deployment
	runner *localrun.Runner
	// mgmtTemplate is the management account's stack, read by the
	// organization setup, which sets the attributes it creates.
	mgmtTemplate *localrun.Template
	rep          *Report
	start        time.Time

	mu    sync.Mutex
	execs sync.WaitGroup
	// invitationChecks counts, by account, the times a baseline run retried
	// Describe (guarded by mu). For an invited account that is the run
	// finding the invitation still open: the runner's retry events do not
	// name the error.
	invitationChecks map[string]int
}

// Run plays the whole story and returns its report. The error is for the
// machinery failing (a missing toolchain, a template that cannot be read);
// a claim that does not hold is a failed Step, and Report.OK is false.
func Run(ctx context.Context, opts Options) (*Report, error) {
	cfg, err := config.Load(opts.ConfigPath)
	if err != nil {
		return nil, err
	}
	// The functions run with their asset directory as working directory, so
	// every path handed to them must be absolute.
	for _, p := range []*string{&opts.TemplatePath, &opts.ModuleDir, &opts.BuildDir} {
		if *p, err = filepath.Abs(*p); err != nil {
			return nil, err
		}
	}
	if cfg.Organization.HomeRegion != "us-east-1" {
		return nil, fmt.Errorf("the demo runs the example organization, whose home region is us-east-1; %s names %s", opts.ConfigPath, cfg.Organization.HomeRegion)
	}
	if !cfg.Organization.Manage {
		return nil, fmt.Errorf("the demo runs the example organization, which landfall sets up (organization.manage: true); %s says false", opts.ConfigPath)
	}
	r := &run{opts: opts, cfg: cfg, mgmt: cfg.Organization.ManagementAccountID, home: cfg.Organization.HomeRegion,
		rep: &Report{Accounts: map[string]string{}, Management: cfg.Organization.ManagementAccountID}, start: time.Now(), invitationChecks: map[string]int{}}
	stop, err := r.startEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	defer stop()

	r.heading("1. An organization on the local AWS endpoint")
	if err := r.organization(ctx); err != nil {
		return r.rep, err
	}
	r.heading("2. Deploy what `cdk synth` produced")
	if err := r.deploy(ctx, opts.TemplatePath); err != nil {
		return r.rep, err
	}
	closeFns, err := r.startPipeline(ctx)
	if err != nil {
		return r.rep, err
	}
	defer closeFns()
	r.confirmSubscriptions(ctx, "platform@acme.example", "secops@acme.example")

	r.heading("3. New accounts: vended, one slow to become reachable, one invited")
	if err := r.newAccounts(ctx); err != nil {
		return r.rep, err
	}
	r.waitExecutions()
	r.heading("4. The ledger")
	r.printLedger(ctx)
	r.checkBaselined(ctx)

	r.heading("5. A root console sign-in in payments-prod")
	r.alert(ctx)

	r.heading("6. Drift, found and repaired by the sweep")
	r.drift(ctx)

	r.heading("7. Failure paths")
	r.failures(ctx)

	r.summary(ctx)
	if opts.Explore != nil {
		opts.Explore(ctx, r.url, r.srv, r.rep)
	}
	return r.rep, nil
}

// startEndpoint serves the local endpoint on a loopback port, moving its
// clock-driven work (account creation, alarm periods) along.
func (r *run) startEndpoint(ctx context.Context) (func(), error) {
	orgID, err := localrun.SynthesizedOrganizationID(r.opts.ModuleDir)
	if err != nil {
		return nil, err
	}
	// Every request is decided as IAM would decide it, so the demo shows
	// that landfall's roles and policies allow what it does and no more.
	authorizer, err := iamsim.Start(r.opts.ModuleDir)
	if err != nil {
		return nil, err
	}
	// IAM changes take a second to take effect, as they take seconds in
	// AWS, so the demo shows landfall waiting for them.
	r.srv = awslocal.New(awslocal.Options{ManagementAccountID: r.mgmt, Seed: 2026, OrganizationID: orgID, Authorizer: authorizer,
		IAMPropagation: time.Second})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		authorizer.Close()
		return nil, err
	}
	hs := &http.Server{Handler: r.srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	tickCtx, cancel := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-t.C:
				r.srv.Tick()
			}
		}
	}()
	r.url = fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	r.admin, err = awslocal.SDKConfig(ctx, r.url, r.srv.AdminCredentials(r.mgmt), r.home)
	if err != nil {
		cancel()
		_ = hs.Close()
		authorizer.Close()
		return nil, err
	}
	r.printf("local AWS endpoint on %s (management account %s)\n", r.url, r.mgmt)
	return func() { cancel(); _ = hs.Close(); authorizer.Close() }, nil
}

// adminOf acts as the administrator of an account, as its owner would.
func (r *run) adminOf(ctx context.Context, account string) aws.Config {
	cfg, err := awslocal.SDKConfig(ctx, r.url, r.srv.AdminCredentials(account), r.home)
	if err != nil {
		panic(err) // only malformed URLs fail here, and r.url is ours
	}
	return cfg
}

func (r *run) check(name string, ok bool, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	r.mu.Lock()
	r.rep.Steps = append(r.rep.Steps, Step{Name: name, OK: ok, Detail: detail})
	r.mu.Unlock()
	mark := "ok  "
	if !ok {
		mark = "FAIL"
	}
	r.printf("  [%s] %s: %s\n", mark, name, detail)
}

func (r *run) heading(s string) { r.printf("\n== %s\n", s) }

func (r *run) printf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.opts.Out, format, args...)
}

// waitExecutions waits for every execution the events started.
func (r *run) waitExecutions() { r.execs.Wait() }

func (r *run) executions(machine string) []Execution {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Execution
	for _, e := range r.rep.Executions {
		if e.Machine == machine {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}
