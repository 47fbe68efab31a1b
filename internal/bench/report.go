package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Goals the report checks figures against.
const (
	// GoalWallOverCritical: a run at most half again as long as its
	// dependency chain.
	GoalWallOverCritical = 1.5
)

// WriteJSON writes report.json and one file per figure into dir.
func (r *Report) WriteJSON(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating the output directory (%s): %w", dir, err)
	}
	files := map[string]any{
		"report.json":              r,
		"1-single-account.json":    r.Single,
		"2-calls-per-account.json": r.Calls,
		"3-sweep.json":             r.Sweep,
		"4-artifacts.json":         r.Artifacts,
		"5-synth.json":             map[string]time.Duration{"synthNs": r.Synth},
		"6-throughput.json":        r.Throughput,
	}
	for name, v := range files {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding %s: %w", name, err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	return nil
}

// WriteText prints every figure as a table, with a plain sentence for each
// figure that misses its goal.
func (r *Report) WriteText(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	m := r.Machine
	p("landfall-dev bench — %s, %d CPUs, %s, %s\n\n", m.Platform, m.CPUs, m.GoVersion, m.Date.Format(time.RFC3339))

	p("1. One account, %d regions, first apply (simulated time, medians)\n", len(GovernedRegions))
	p("regions at once\truns\twall\tsequential\tcritical path\twall/critical\tsequential/wall\tthrottled\tCPU ours/machine\n")
	for _, s := range r.Single {
		p("%d\t%d\t%s\t%s\t%s\t%.2f\t%.1f\t%d\t%.0f%%/%.0f%%\n", s.RegionConcurrency, s.Runs, secs(s.Wall), secs(s.Sequential), secs(s.Critical), s.WallOverCritical, s.SequentialOverWall, s.Throttled, 100*s.CPU, 100*s.Machine)
	}
	for _, s := range r.Single {
		if len(s.ThrottledBy) > 0 {
			p("throttled at %d regions at once: %s\n", s.RegionConcurrency, joinCounts(s.ThrottledBy))
		}
	}
	for _, s := range r.Single {
		if s.WallOverCritical > GoalWallOverCritical {
			// The facts that lengthen a run beyond its chain of calls; which
			// one dominated is for the reader of these figures to say.
			p("MISSED: wall/critical %.2f > %.1f at %d regions at once (regions in %d wave(s), %d throttled attempts over %d runs, CPU %.0f%% ours, %.0f%% machine).\n",
				s.WallOverCritical, GoalWallOverCritical, s.RegionConcurrency, (s.Regions+s.RegionConcurrency-1)/s.RegionConcurrency, s.Throttled, s.Runs, 100*s.CPU, 100*s.Machine)
		}
	}
	p("\n")

	if c := r.Calls; c != nil {
		p("2. API calls per account (all regions)\n")
		p("item\tfirst reads\tfirst writes\tre-apply reads\tre-apply writes\n")
		re := map[string]ItemCalls{}
		for _, it := range c.Reapply {
			re[it.Item] = it
		}
		for _, it := range c.First {
			p("%s\t%d\t%d\t%d\t%d\n", it.Item, it.Reads, it.Writes, re[it.Item].Reads, re[it.Item].Writes)
		}
		p("total\t%d\t%d\t%d\t%d\n", c.FirstReads, c.FirstWrites, c.ReapplyReads, c.ReapplyWrites)
		if c.ReapplyWrites != 0 {
			p("MISSED: re-apply wrote %d times; it must write nothing.\n", c.ReapplyWrites)
		}
		p("\n")
	}

	if s := r.Sweep; s != nil {
		mr := s.Measured
		p("3. Sweep: %d accounts x %d regions, %d drifted (scale: 1 simulated s = %s real)\n", s.Accounts, s.Regions, s.Drifted, time.Duration(s.Scale*float64(time.Second)))
		p("accounts at once\twall\tscheduled\tcalls\twrites\tthrottles\tretries\tfailures\tCPU ours/machine\n")
		p("%d (measured)\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.0f%%/%.0f%%\n", mr.Concurrency, secs(mr.Wall), secs(mr.Scheduled), mr.Calls, mr.Writes, mr.Throttles, mr.Retries, mr.Failures, 100*mr.CPU, 100*mr.Machine)
		for _, st := range s.Settings {
			p("%d (scheduled)\t\t%s\t\t\t\t\t\t\n", st.Concurrency, secs(st.Wall))
		}
		if mr.Failures > 0 {
			p("MISSED: %d accounts failed; the goal is none.\n", mr.Failures)
		} else {
			p("fastest without failures: %d accounts at once, %s\n", s.Best.Concurrency, secs(s.Best.Wall))
		}
		p("\n")
	}

	if len(r.Artifacts) > 0 {
		p("4. Lambda artifacts\n")
		p("function\tbinary (linux/arm64)\tstart to ready (median)\tstarts\n")
		for _, a := range r.Artifacts {
			size := "not built"
			if a.Bytes > 0 {
				size = fmt.Sprintf("%.1f MiB", float64(a.Bytes)/(1<<20))
			}
			ready := a.Ready.Round(100 * time.Microsecond).String()
			if a.Error != "" {
				ready = "failed: " + a.Error
			}
			p("%s\t%s\t%s\t%d\n", a.Function, size, ready, a.Starts)
		}
		p("\n")
	}
	if r.Synth > 0 {
		p("5. cdk synth: %s\n\n", secs(r.Synth))
	}
	if t := r.Throughput; t != nil {
		p("6. Local endpoint throughput (one core, %d clients)\n", t.Clients)
		p("sts:GetCallerIdentity\t%.0f requests/s\n", t.Read)
		p("monitoring:PutMetricAlarm\t%.0f requests/s\n\n", t.Write)
	}
	return w.Flush()
}

// joinCounts renders counts as "a=1, b=2", sorted by key.
func joinCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
