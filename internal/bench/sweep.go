package bench

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
)

// Sweep is figure 3: every account of an organization re-applied, with
// drift in some, at the configured account concurrency; and the sweep's
// time at other concurrencies, scheduled from the measured accounts.
type Sweep struct {
	Accounts int     `json:"accounts"`
	Regions  int     `json:"regions"`
	Drifted  int     `json:"drifted"`
	Scale    float64 `json:"scale"`
	// Measured is the sweep that ran against the endpoint.
	Measured SweepRun `json:"measured"`
	// Settings are the simulated wall times at other concurrencies: the
	// measured per-account durations scheduled onto that many slots, which
	// is exact while accounts share no rate limit (true of the model: every
	// bucket is per account).
	Settings []SweepSetting `json:"settings"`
	// Best is the fastest setting with no failures.
	Best SweepSetting `json:"best"`
}

// SweepRun is what one sweep did. Durations are simulated.
type SweepRun struct {
	Concurrency int           `json:"concurrency"`
	Wall        time.Duration `json:"wallNs"`
	// Scheduled is the wall time the schedule predicts for this run, to
	// check the schedule against the measurement.
	Scheduled time.Duration `json:"scheduledNs"`
	Calls     int           `json:"calls"`
	Writes    int           `json:"writes"`
	Throttles int           `json:"throttles"`
	Retries   int           `json:"retries"`
	Failures  int           `json:"failures"`
	// CPU is the share of the machine's cores the harness and endpoint used;
	// Machine the share busy by every process. Near 1 the machine, not the
	// model, set the pace.
	CPU     float64 `json:"cpu"`
	Machine float64 `json:"machine"`
}

// SweepSetting is one concurrency and its sweep time.
type SweepSetting struct {
	Concurrency int           `json:"concurrency"`
	Wall        time.Duration `json:"wallNs"`
}

// measureSweep baselines n accounts with the model off, drifts every
// driftEvery-th, and sweeps them all with the model on.
func measureSweep(ctx context.Context, w *world, n, driftEvery int, settings []int) (Sweep, error) {
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		return Sweep{}, err
	}
	model := w.model
	w.srv.SetModel(nil)
	targets, drifted, err := setUpSweep(ctx, w, engine, n, driftEvery)
	w.srv.SetModel(model)
	if err != nil {
		return Sweep{}, err
	}
	out := Sweep{Accounts: n, Regions: len(GovernedRegions), Scale: w.scale(), Drifted: drifted}

	c := w.cfg.Pipeline.MaxConcurrentAccounts
	before := model.Stats()
	durations := make([]time.Duration, n)
	var mu sync.Mutex
	run := SweepRun{Concurrency: c}
	cpu := startCPU()
	start := time.Now()
	err = awsx.ForEach(ctx, indexes(n), c, func(ctx context.Context, i int) error {
		rec := newRecorder()
		e, err := instrument(engine, rec)
		if err != nil {
			return err
		}
		t0 := time.Now()
		rep, err := e.Apply(ctx, targets[i].spec, targets[i].aws, baseline.ScopeAll)
		d := time.Since(t0)
		tm := rec.timings(engine.Items())
		mu.Lock()
		defer mu.Unlock()
		durations[i] = w.simulated(d)
		run.Calls += rep.Reads + rep.Writes
		run.Writes += rep.Writes
		run.Retries += tm.attempts - tm.calls
		if err != nil {
			run.Failures++
		}
		return nil // a failed account is counted; the sweep goes on, as the Map does
	})
	if err != nil {
		return Sweep{}, err
	}
	run.Wall = w.simulated(time.Since(start))
	run.CPU, run.Machine = cpu.share(time.Since(start)), cpu.machine()
	run.Throttles = model.Stats().ThrottledTotal() - before.ThrottledTotal()
	run.Scheduled = schedule(durations, c)
	out.Measured = run
	for _, s := range settings {
		setting := SweepSetting{Concurrency: s, Wall: schedule(durations, s)}
		out.Settings = append(out.Settings, setting)
	}
	if run.Failures == 0 {
		out.Best = slices.MinFunc(out.Settings, func(a, b SweepSetting) int { return int(a.Wall - b.Wall) })
	}
	return out, nil
}

// setUpSweep creates and baselines n accounts, flat out (the endpoint has
// no model while it runs), then drifts every driftEvery-th: someone deleted
// its password policy. It returns the accounts and how many drifted.
func setUpSweep(ctx context.Context, w *world, engine *baseline.Engine, n, driftEvery int) ([]target, int, error) {
	targets := make([]target, n)
	for i := range targets {
		t, err := w.newAccount(ctx)
		if err != nil {
			return nil, 0, err
		}
		targets[i] = t
	}
	if err := awsx.ForEach(ctx, indexes(n), 8, func(ctx context.Context, i int) error {
		if _, err := engine.Apply(ctx, targets[i].spec, targets[i].aws, baseline.ScopeAll); err != nil {
			return fmt.Errorf("baselining account (%s): %w", targets[i].spec.Account.ID, err)
		}
		return nil
	}); err != nil {
		return nil, 0, fmt.Errorf("setting up the sweep: %w", err)
	}
	drifted := 0
	for i := 0; i < n; i += max(driftEvery, 1) {
		if _, err := iam.NewFromConfig(targets[i].aws).DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}); err != nil {
			return nil, 0, fmt.Errorf("drifting account (%s): %w", targets[i].spec.Account.ID, err)
		}
		drifted++
	}
	return targets, drifted, nil
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// schedule is the wall time of running durations in order on c slots, each
// account starting as soon as a slot is free: what a Map state with
// MaxConcurrency c does.
func schedule(durations []time.Duration, c int) time.Duration {
	free := make([]time.Duration, max(c, 1))
	for _, d := range durations {
		i := slices.Index(free, slices.Min(free))
		free[i] += d
	}
	return slices.Max(free)
}

// cpuClock measures the process's CPU time and the whole machine's busy
// time: the harness sleeps in real time, so CPU taken by anything else on
// the machine stretches every simulated figure too.
type cpuClock struct {
	start                 time.Duration
	busyStart, totalStart uint64
}

func startCPU() cpuClock {
	busy, total := machineTicks()
	return cpuClock{start: cpuTime(), busyStart: busy, totalStart: total}
}

// share is the CPU this process used since start over what the machine's
// cores offer in wall.
func (c cpuClock) share(wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return float64(cpuTime()-c.start) / float64(wall) / float64(numCPU())
}

// machine is the share of the machine's CPU time that was busy since start,
// by every process; 0 where /proc/stat is not readable.
func (c cpuClock) machine() float64 {
	busy, total := machineTicks()
	if total <= c.totalStart {
		return 0
	}
	return float64(busy-c.busyStart) / float64(total-c.totalStart)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineTicks reads the busy and total CPU ticks of every core from the
// "cpu" line of /proc/stat (user nice system idle iowait irq softirq steal).
func machineTicks() (busy, total uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0
	}
	for i, f := range fields[1:] {
		if i >= 8 { // guest time is already counted in user
			break
		}
		n, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}
