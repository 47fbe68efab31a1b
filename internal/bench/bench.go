package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/landfall/landfall/internal/awslocal"
)

// Options size a benchmark run. Zero values take the defaults `make bench`
// uses; a figure whose input is missing (Starts 0, no Synth command, no
// Exe) is left out of the report.
type Options struct {
	// ModuleDir is the repository root (functions/, build/, infra/).
	ModuleDir string
	// Config is the config file; default <ModuleDir>/infra/landfall.yaml.
	Config string
	// Profile is the profile every benchmark account gets; default workloads.
	Profile string
	// Runs repeats figure 1 on fresh accounts; default 5.
	Runs int
	// SingleScale is figure 1's time scale; default 0.1 (1 s = 100 ms).
	SingleScale float64
	// RegionConcurrencies are the pipeline.maxConcurrentRegions settings of
	// figure 1; default the config's and every region at once.
	RegionConcurrencies []int
	// SweepAccounts is figure 3's organization size; default 1000.
	SweepAccounts int
	// SweepScale is figure 3's time scale; default 0.25.
	SweepScale float64
	// DriftEvery drifts one account in so many; default 20 (5 %).
	DriftEvery int
	// Concurrencies are the pipeline.maxConcurrentAccounts settings figure
	// 3 schedules; default 1, 5, 10, 20, 40 (40 is the config's maximum).
	Concurrencies []int
	// Starts is how often figure 4 starts each function; 0 leaves it out.
	Starts int
	// WorkDir receives the host builds of the functions; default a
	// temporary directory.
	WorkDir string
	// Synth is the command figure 5 times (make synth); nil leaves it out.
	Synth []string
	// Exe is the landfall-dev binary figure 6 runs as the endpoint; "" leaves
	// it out.
	Exe string
	// ThroughputClients and ThroughputDuration size figure 6; defaults 4
	// and 3 s per operation.
	ThroughputClients  int
	ThroughputDuration time.Duration
	// Log receives progress; nil discards it.
	Log *slog.Logger
}

// Report holds every figure; a figure left out is nil or empty.
type Report struct {
	Machine    Machine          `json:"machine"`
	Single     []SingleAccount  `json:"singleAccount"`
	Calls      *CallsPerAccount `json:"callsPerAccount,omitempty"`
	Sweep      *Sweep           `json:"sweep,omitempty"`
	Artifacts  []Artifact       `json:"artifacts,omitempty"`
	Synth      time.Duration    `json:"synthNs,omitempty"`
	Throughput *Throughput      `json:"throughput,omitempty"`
}

// Machine says where the figures came from.
type Machine struct {
	CPUs      int       `json:"cpus"`
	GoVersion string    `json:"goVersion"`
	Platform  string    `json:"platform"`
	Date      time.Time `json:"date"`
}

func (o *Options) defaults() {
	// Functions start in their own directory: every path must be absolute.
	if abs, err := filepath.Abs(o.ModuleDir); err == nil {
		o.ModuleDir = abs
	}
	if o.Config == "" {
		o.Config = filepath.Join(o.ModuleDir, "infra", "landfall.yaml")
	}
	if o.Profile == "" {
		o.Profile = "workloads"
	}
	if o.Runs <= 0 {
		o.Runs = 5
	}
	if o.SingleScale <= 0 {
		o.SingleScale = 0.1
	}
	if o.SweepAccounts <= 0 {
		o.SweepAccounts = 1000
	}
	if o.SweepScale <= 0 {
		o.SweepScale = 0.25
	}
	if o.DriftEvery <= 0 {
		o.DriftEvery = 20
	}
	if len(o.Concurrencies) == 0 {
		o.Concurrencies = []int{1, 5, 10, 20, 40}
	}
	if o.ThroughputClients <= 0 {
		o.ThroughputClients = 4
	}
	if o.ThroughputDuration <= 0 {
		o.ThroughputDuration = 3 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Run measures every figure opts asks for.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts.defaults()
	rep := &Report{Machine: Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH, Date: time.Now().UTC()}}

	concurrencies := opts.RegionConcurrencies
	if len(concurrencies) == 0 {
		concurrencies = []int{0, len(GovernedRegions)} // 0: the config's own
	}
	for i, rc := range concurrencies {
		opts.Log.Info("figure 1: one account, every region", "regionConcurrency", rc, "runs", opts.Runs)
		w, err := newWorld(opts.Config, opts.Profile, awslocal.DefaultModel(opts.SingleScale, int64(i+1)), rc)
		if err != nil {
			return rep, err
		}
		single, calls, err := measureSingle(ctx, w, opts.Runs)
		w.close()
		if err != nil {
			return rep, err
		}
		rep.Single = append(rep.Single, single)
		if rep.Calls == nil {
			rep.Calls = &calls
		}
	}

	opts.Log.Info("figure 3: sweep", "accounts", opts.SweepAccounts)
	w, err := newWorld(opts.Config, opts.Profile, awslocal.DefaultModel(opts.SweepScale, 7), 0)
	if err != nil {
		return rep, err
	}
	sweep, err := measureSweep(ctx, w, opts.SweepAccounts, opts.DriftEvery, opts.Concurrencies)
	w.close()
	if err != nil {
		return rep, err
	}
	rep.Sweep = &sweep

	if opts.Starts > 0 {
		opts.Log.Info("figure 4: Lambda artifacts", "starts", opts.Starts)
		dir := opts.WorkDir
		if dir == "" {
			if dir, err = os.MkdirTemp("", "landfall-bench-"); err != nil {
				return rep, fmt.Errorf("creating a work directory: %w", err)
			}
			defer os.RemoveAll(dir)
		}
		if rep.Artifacts, err = measureArtifacts(ctx, opts.ModuleDir, dir, opts.Starts); err != nil {
			return rep, err
		}
	}
	if len(opts.Synth) > 0 {
		opts.Log.Info("figure 5: cdk synth", "command", opts.Synth)
		if rep.Synth, err = timeCommand(ctx, opts.ModuleDir, opts.Synth); err != nil {
			return rep, err
		}
	}
	if opts.Exe != "" {
		opts.Log.Info("figure 6: endpoint throughput", "clients", opts.ThroughputClients)
		t, err := measureThroughput(ctx, opts.Exe, opts.ThroughputClients, opts.ThroughputDuration)
		if err != nil {
			return rep, err
		}
		rep.Throughput = &t
	}
	return rep, nil
}
