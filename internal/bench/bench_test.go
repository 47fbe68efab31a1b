package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunSmall runs the harness at tiny sizes and checks the report's shape
// and the invariants every run must keep.
func TestRunSmall(t *testing.T) {
	rep, err := Run(context.Background(), Options{
		ModuleDir: "../..", Runs: 1, SingleScale: 0.01, RegionConcurrencies: []int{6, 17},
		SweepAccounts: 4, SweepScale: 0.01, DriftEvery: 2, Concurrencies: []int{1, 2, 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Single) != 2 {
		t.Fatalf("figure 1 has %d rows, want 2", len(rep.Single))
	}
	for _, s := range rep.Single {
		if s.Critical <= 0 || s.Critical > s.Wall || s.Wall > s.Sequential {
			t.Errorf("at %d regions at once: want 0 < critical (%v) <= wall (%v) <= sequential (%v)", s.RegionConcurrency, s.Critical, s.Wall, s.Sequential)
		}
	}
	c := rep.Calls
	if c == nil || c.FirstWrites == 0 || len(c.First) == 0 {
		t.Fatalf("figure 2 is empty: %+v", c)
	}
	if c.ReapplyWrites != 0 {
		t.Errorf("re-apply wrote %d times, want 0", c.ReapplyWrites)
	}
	sum := 0
	for _, it := range c.Reapply {
		sum += it.Reads
	}
	if sum != c.ReapplyReads {
		t.Errorf("re-apply reads per item sum to %d, total is %d", sum, c.ReapplyReads)
	}
	s := rep.Sweep
	if s == nil || s.Accounts != 4 || s.Drifted != 2 {
		t.Fatalf("figure 3: %+v, want 4 accounts, 2 drifted", s)
	}
	if s.Measured.Failures != 0 || s.Measured.Writes < s.Drifted {
		t.Errorf("sweep: %+v, want no failures and at least one write per drifted account", s.Measured)
	}
	if len(s.Settings) != 3 || s.Settings[0].Wall < s.Settings[2].Wall {
		t.Errorf("sweep settings %+v: one at a time must not beat four at a time", s.Settings)
	}

	dir := t.TempDir()
	if err := rep.WriteJSON(dir); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(raw, &back); err != nil || back.Calls.ReapplyReads != c.ReapplyReads {
		t.Errorf("report.json does not round-trip: %v", err)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1. One account", "2. API calls per account", "3. Sweep"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q", want)
		}
	}
}

func TestSchedule(t *testing.T) {
	s := time.Second
	tests := []struct {
		name      string
		durations []time.Duration
		slots     int
		want      time.Duration
	}{
		{"one slot is the sum", []time.Duration{s, 2 * s, 3 * s}, 1, 6 * s},
		{"enough slots is the longest", []time.Duration{s, 2 * s, 3 * s}, 3, 3 * s},
		{"greedy in order", []time.Duration{3 * s, s, s, s}, 2, 3 * s},
		{"zero slots act as one", []time.Duration{s, s}, 0, 2 * s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := schedule(tt.durations, tt.slots); got != tt.want {
				t.Errorf("schedule = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBusy(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(from, to int) attempt {
		return attempt{start: t0.Add(time.Duration(from) * time.Second), end: t0.Add(time.Duration(to) * time.Second)}
	}
	tests := []struct {
		name string
		as   []attempt
		want time.Duration
	}{
		{"none", nil, 0},
		{"sequential", []attempt{at(0, 1), at(1, 3)}, 3 * time.Second},
		{"gap", []attempt{at(0, 1), at(2, 3)}, 2 * time.Second},
		{"overlap counted once", []attempt{at(0, 4), at(1, 2), at(3, 6)}, 6 * time.Second},
		{"unsorted", []attempt{at(5, 6), at(0, 1)}, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := busy(tt.as); got != tt.want {
				t.Errorf("busy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5}}
	for _, tt := range tests {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestSubtract(t *testing.T) {
	tests := []struct {
		a, b, want map[string]int
	}{
		{map[string]int{"x": 3, "y": 1}, map[string]int{"x": 1, "y": 1}, map[string]int{"x": 2}},
		{map[string]int{"x": 3}, nil, map[string]int{"x": 3}},
		{nil, nil, map[string]int{}},
	}
	for _, tt := range tests {
		got := subtract(tt.a, tt.b)
		if len(got) != len(tt.want) {
			t.Errorf("subtract(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("subtract(%v, %v)[%s] = %d, want %d", tt.a, tt.b, k, got[k], v)
			}
		}
	}
}

func TestReadCredentials(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    string
		wantErr bool
	}{
		{"serve banner", "landfall local endpoint on http://127.0.0.1:4566\n\nexport AWS_ENDPOINT_URL=http://localhost:4566\nexport AWS_ACCESS_KEY_ID=AKIAX AWS_SECRET_ACCESS_KEY=secret AWS_REGION=us-east-1\n", "AKIAX", false},
		{"no keys", "landfall local endpoint on http://127.0.0.1:4566\n", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := readCredentials(strings.NewReader(tt.out))
			if (err != nil) != tt.wantErr || c.AccessKeyID != tt.want {
				t.Errorf("readCredentials = %+v, %v; want key %q, error %v", c, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestMachineTicks(t *testing.T) {
	busy, total := machineTicks()
	if total == 0 || busy > total {
		t.Errorf("machineTicks = %d busy of %d, want a busy share of a positive total", busy, total)
	}
}
