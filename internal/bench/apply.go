package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/landfall/landfall/pkg/baseline"
)

// SingleAccount is figure 1: one account, every governed region, first
// apply, medians over Runs fresh accounts. Durations are simulated.
type SingleAccount struct {
	Regions           int `json:"regions"`
	RegionConcurrency int `json:"regionConcurrency"`
	Runs              int `json:"runs"`
	// Wall is the apply's elapsed time.
	Wall time.Duration `json:"wallNs"`
	// Sequential is the sum of every call's latency.
	Sequential time.Duration `json:"sequentialNs"`
	// Critical is the longest chain of dependent calls, the lower bound.
	Critical time.Duration `json:"criticalNs"`
	// WallOverCritical is the median of the runs' ratios (goal ≤ 1.5).
	WallOverCritical float64 `json:"wallOverCritical"`
	// SequentialOverWall is what running in parallel buys.
	SequentialOverWall float64 `json:"sequentialOverWall"`
	// Throttled counts throttled attempts, summed over runs; ThrottledBy
	// splits them by "service:Operation", as the model counted them.
	Throttled   int            `json:"throttled"`
	ThrottledBy map[string]int `json:"throttledBy"`
	// CPU is the median share of the machine's cores this process used
	// while applying; Machine the median share busy by every process. Near
	// 1 the machine, not the model, set the pace.
	CPU     float64 `json:"cpu"`
	Machine float64 `json:"machine"`
}

// CallsPerAccount is figure 2: the API calls of one account's first apply
// and re-apply, in total and per item (summed over regions).
type CallsPerAccount struct {
	FirstReads    int         `json:"firstReads"`
	FirstWrites   int         `json:"firstWrites"`
	ReapplyReads  int         `json:"reapplyReads"`
	ReapplyWrites int         `json:"reapplyWrites"`
	First         []ItemCalls `json:"first"`
	Reapply       []ItemCalls `json:"reapply"`
}

// applyRun is one recorded apply.
type applyRun struct {
	wall     time.Duration // real
	timings  timings       // real
	perItem  []ItemCalls
	reads    int
	writes   int
	failures []string
}

// apply runs the engine once against t, recording every call.
func apply(ctx context.Context, engine *baseline.Engine, t target) (applyRun, error) {
	rec := newRecorder()
	e, err := instrument(engine, rec)
	if err != nil {
		return applyRun{}, err
	}
	start := time.Now()
	rep, err := e.Apply(ctx, t.spec, t.aws, baseline.ScopeAll)
	run := applyRun{wall: time.Since(start), timings: rec.timings(e.Items()), perItem: rec.perItem(), reads: rep.Reads, writes: rep.Writes}
	run.perItem = withEngineCalls(run.perItem, rep.Reads, rep.Writes)
	for _, f := range rep.Failed() {
		run.failures = append(run.failures, f.Item+" "+f.Region+": "+f.Error)
	}
	if err != nil {
		return run, fmt.Errorf("applying the baseline to account (%s): %w", t.spec.Account.ID, err)
	}
	return run, nil
}

// withEngineCalls adds a row for the calls the engine makes outside any item
// (the caller-identity check), so the rows sum to the totals.
func withEngineCalls(items []ItemCalls, reads, writes int) []ItemCalls {
	for _, it := range items {
		reads -= it.Reads
		writes -= it.Writes
	}
	if reads == 0 && writes == 0 {
		return items
	}
	return append(items, ItemCalls{Item: "(engine: caller check)", Reads: reads, Writes: writes})
}

// measureSingle runs figure 1 on runs fresh accounts of w, and figure 2 on
// the first of them (its first apply and a re-apply).
func measureSingle(ctx context.Context, w *world, runs int) (SingleAccount, CallsPerAccount, error) {
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		return SingleAccount{}, CallsPerAccount{}, err
	}
	var walls, seqs, crits, wc, sw, cpus, machine []float64
	out := SingleAccount{Regions: len(GovernedRegions), RegionConcurrency: w.cfg.Pipeline.MaxConcurrentRegions, Runs: runs}
	var calls CallsPerAccount
	var reapplyThrottles map[string]int // not part of figure 1
	for i := range runs {
		t, err := w.newAccount(ctx)
		if err != nil {
			return out, calls, err
		}
		cpu := startCPU()
		run, err := apply(ctx, engine, t)
		if err != nil {
			return out, calls, err
		}
		cpus, machine = append(cpus, cpu.share(run.wall)), append(machine, cpu.machine())
		wall, seq, crit := w.simulated(run.wall), w.simulated(run.timings.sequential), w.simulated(run.timings.critical)
		walls, seqs, crits = append(walls, float64(wall)), append(seqs, float64(seq)), append(crits, float64(crit))
		wc = append(wc, float64(wall)/float64(crit))
		sw = append(sw, float64(seq)/float64(wall))
		out.Throttled += run.timings.throttled
		if i > 0 {
			continue
		}
		before := w.model.Stats().Throttled
		again, err := apply(ctx, engine, t)
		reapplyThrottles = subtract(w.model.Stats().Throttled, before)
		if err != nil {
			return out, calls, err
		}
		calls = CallsPerAccount{
			FirstReads: run.reads, FirstWrites: run.writes, First: run.perItem,
			ReapplyReads: again.reads, ReapplyWrites: again.writes, Reapply: again.perItem,
		}
	}
	out.Wall, out.Sequential, out.Critical = time.Duration(median(walls)), time.Duration(median(seqs)), time.Duration(median(crits))
	out.WallOverCritical, out.SequentialOverWall = median(wc), median(sw)
	out.CPU, out.Machine = median(cpus), median(machine)
	out.ThrottledBy = subtract(w.model.Stats().Throttled, reapplyThrottles)
	return out, calls, nil
}

// subtract returns a - b, leaving out zero counts.
func subtract(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		if d := v - b[k]; d != 0 {
			out[k] = d
		}
	}
	return out
}

// median of xs (0 for none); xs is reordered.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
