package bench

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
)

// slot names one run of one item: the item in a region ("" for global).
type slot struct{ item, region string }

// attempt is one HTTP attempt of a call, in real time.
type attempt struct {
	start, end time.Time
	throttled  bool
}

// recorder collects, per slot, every attempt's timing (after the SDK's
// retryer, so a retried call shows as several attempts) and every logical
// call's read/write class.
type recorder struct {
	mu       sync.Mutex
	attempts map[slot][]attempt
	reads    map[slot]int
	writes   map[slot]int
}

func newRecorder() *recorder {
	return &recorder{attempts: map[slot][]attempt{}, reads: map[slot]int{}, writes: map[slot]int{}}
}

// attach returns a copy of cfg whose calls are recorded under s.
func (r *recorder) attach(cfg aws.Config, s slot) aws.Config {
	out := cfg.Copy()
	out.APIOptions = append(slices.Clone(cfg.APIOptions), func(st *middleware.Stack) error {
		err := st.Initialize.Add(middleware.InitializeMiddlewareFunc("benchCountCall",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				read := awsx.IsRead(middleware.GetOperationName(ctx)) || middleware.GetServiceID(ctx) == "STS"
				r.mu.Lock()
				if read {
					r.reads[s]++
				} else {
					r.writes[s]++
				}
				r.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
		if err != nil {
			return err
		}
		// The retry middleware sits in Finalize; adding after it times
		// each attempt on its own.
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("benchTimeAttempt",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				start := time.Now()
				out, md, err := next.HandleFinalize(ctx, in)
				a := attempt{start: start, end: time.Now(), throttled: isThrottle(err)}
				r.mu.Lock()
				r.attempts[s] = append(r.attempts[s], a)
				r.mu.Unlock()
				return out, md, err
			}), middleware.After)
	})
	return out
}

// isThrottle classifies err the way the SDK's retryer does.
func isThrottle(err error) bool {
	return err != nil && retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}

// instrument returns an engine running e's items with every call recorded
// under its item and region. Plan receives the Env whose AWS config every
// change's writes are built from, so wrapping Plan covers the writes too.
func instrument(e *baseline.Engine, r *recorder) (*baseline.Engine, error) {
	var items []baseline.Item
	for _, it := range e.Items() {
		plan := it.Plan
		regional := it.Regional
		name := it.Name
		it.Plan = func(ctx context.Context, env *baseline.Env) ([]baseline.Change, error) {
			s := slot{item: name}
			if regional {
				s.region = env.Region
			}
			env.AWS = r.attach(env.AWS, s)
			return plan(ctx, env)
		}
		items = append(items, it)
	}
	out, err := baseline.NewEngine(items)
	if err != nil {
		return nil, err
	}
	out.Concurrency = e.Concurrency
	return out, nil
}

// busy is the time an item spent in calls: the union of its attempts'
// intervals, so concurrent calls within an item are not counted twice.
func busy(as []attempt) time.Duration {
	sorted := slices.Clone(as)
	slices.SortFunc(sorted, func(a, b attempt) int { return a.start.Compare(b.start) })
	var total time.Duration
	var cur attempt
	for i, a := range sorted {
		switch {
		case i == 0:
			cur = a
		case !a.start.After(cur.end):
			if a.end.After(cur.end) {
				cur.end = a.end
			}
		default:
			total += cur.end.Sub(cur.start)
			cur = a
		}
	}
	if len(sorted) > 0 {
		total += cur.end.Sub(cur.start)
	}
	return total
}

// timings sums up a recorded run in real time.
type timings struct {
	// sequential is the sum of every attempt's duration: a run making one
	// call at a time.
	sequential time.Duration
	// critical is the longest chain of dependent calls: within an item calls
	// follow one another; an item follows its needs; regions run in
	// parallel, after the global items (the engine's order: regional items
	// use the global roles).
	critical  time.Duration
	attempts  int
	throttled int
	// calls is the logical calls the attempts belong to; attempts - calls
	// is the retries.
	calls int
}

func (r *recorder) timings(items []baseline.Item) timings {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t timings
	for _, as := range r.attempts {
		for _, a := range as {
			t.sequential += a.end.Sub(a.start)
			t.attempts++
			if a.throttled {
				t.throttled++
			}
		}
	}
	for _, n := range r.reads {
		t.calls += n
	}
	for _, n := range r.writes {
		t.calls += n
	}
	regions := map[string]bool{}
	for s := range r.attempts {
		if s.region != "" {
			regions[s.region] = true
		}
	}
	global := r.chain(items, "", false)
	var regional time.Duration
	for region := range regions {
		regional = max(regional, r.chain(items, region, true))
	}
	t.critical = global + regional
	return t
}

// chain is the longest dependency chain of one scope's items.
func (r *recorder) chain(items []baseline.Item, region string, regional bool) time.Duration {
	memo := map[string]time.Duration{}
	byName := map[string]baseline.Item{}
	for _, it := range items {
		if it.Regional == regional {
			byName[it.Name] = it
		}
	}
	var path func(name string) time.Duration
	path = func(name string) time.Duration {
		if d, ok := memo[name]; ok {
			return d
		}
		var before time.Duration
		for _, n := range byName[name].Needs {
			if _, ok := byName[n.Item.Name]; ok {
				before = max(before, path(n.Item.Name))
			}
		}
		d := before + busy(r.attempts[slot{item: name, region: region}])
		memo[name] = d
		return d
	}
	var longest time.Duration
	for name := range byName {
		longest = max(longest, path(name))
	}
	return longest
}

// ItemCalls counts one item's logical calls (not attempts), summed over
// regions.
type ItemCalls struct {
	Item   string `json:"item"`
	Reads  int    `json:"reads"`
	Writes int    `json:"writes"`
}

func (r *recorder) perItem() []ItemCalls {
	r.mu.Lock()
	defer r.mu.Unlock()
	sum := map[string]*ItemCalls{}
	add := func(m map[slot]int, write bool) {
		for s, n := range m {
			c, ok := sum[s.item]
			if !ok {
				c = &ItemCalls{Item: s.item}
				sum[s.item] = c
			}
			if write {
				c.Writes += n
			} else {
				c.Reads += n
			}
		}
	}
	add(r.reads, false)
	add(r.writes, true)
	out := make([]ItemCalls, 0, len(sum))
	for _, c := range sum {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b ItemCalls) int {
		if a.Item < b.Item {
			return -1
		}
		if a.Item > b.Item {
			return 1
		}
		return 0
	})
	return out
}
