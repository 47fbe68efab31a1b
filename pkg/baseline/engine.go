package baseline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/pkg/awsx"
)

// Item is one baseline item, declared in its own file and listed once in
// the catalogue: a reconciler, and what the engine must know to run it.
// Plan reads what exists and returns the changes that would make it match
// the spec, each carrying the writes that apply it; Plan itself never
// writes.
type Item struct {
	Name string
	// Regional items run once per region of the spec; the others once per
	// account, in the home region, before any region.
	Regional bool
	// Needs are the items of the same scope that must be applied first.
	Needs []Need
	// Enabled is the item's switch: whether the spec asks for it.
	Enabled func(*Spec) bool
	Plan    func(context.Context, *Env) ([]Change, error)
	// Permissions are what landfall's execution role needs to reconcile
	// the item, switched on or off (an item switched off may still remove
	// what it made): the actions it calls and, where the service allows,
	// the resources. The role's policy is built from every item's
	// (executionPolicy).
	Permissions func(*Spec) []iamStatement
}

// Need is an item's dependency on another item, and why. The item does not
// run when the other failed or is switched off, and the plan says so with
// the reason.
type Need struct {
	Item *Item
	Why  string
}

// Env is what a reconciler works with.
type Env struct {
	Spec   *Spec
	Region string     // the region the item runs in
	AWS    aws.Config // credentials in the target account, in Region
	// Catalogue is every item of the engine, run or not: the execution
	// role's policy is built from it.
	Catalogue []Item
}

// Scope selects which part of the baseline a run covers, so the pipeline can
// apply the global items in one Lambda and each region in another.
type Scope string

const (
	ScopeAll    Scope = "all"
	ScopeGlobal Scope = "global"
)

// ScopeRegion is the scope of one region's items.
func ScopeRegion(region string) Scope { return Scope("region:" + region) }

// Engine runs a catalogue of items against one account.
type Engine struct {
	catalogue []Item // every item, as NewEngine checked them
	items     []Item // the ones this engine runs (Only)
	// Concurrency bounds how many independent items of one scope run at once.
	Concurrency int
}

// NewEngine returns an engine over items, in their order, once it has
// checked that it can run them as declared (checkCatalogue). The standard
// items are Catalogue().
func NewEngine(items []Item) (*Engine, error) {
	if err := checkCatalogue(items); err != nil {
		return nil, fmt.Errorf("checking the baseline catalogue: %w", err)
	}
	return &Engine{catalogue: items, items: items, Concurrency: 4}, nil
}

// Items returns the engine's items in apply order.
func (e *Engine) Items() []Item { return slices.Clone(e.items) }

// checkCatalogue refuses items the engine could not run as declared: an
// item without a name, a switch, a reconciler or its permissions; a name
// listed twice; and a need of an item the list does not hold, of an item
// of the other scope, of an item listed after it (the list is the apply
// order), or in a cycle.
// A region's items cannot wait for the account's: the account scope runs
// first, in the pipeline in a Lambda of its own, and a regional item relies
// on that order, not on a need.
func checkCatalogue(items []Item) error {
	var errs []error
	index := make(map[string]int, len(items))
	for i, it := range items {
		switch {
		case it.Name == "":
			errs = append(errs, fmt.Errorf("item %d has no name", i+1))
			continue
		case it.Enabled == nil || it.Plan == nil || it.Permissions == nil:
			errs = append(errs, fmt.Errorf("item %s lacks its switch (Enabled), reconciler (Plan) or permissions (Permissions)", it.Name))
		}
		if _, twice := index[it.Name]; twice {
			errs = append(errs, fmt.Errorf("item %s is listed twice", it.Name))
			continue
		}
		index[it.Name] = i
	}
	for i, it := range items {
		for _, n := range it.Needs {
			if n.Item == nil {
				errs = append(errs, fmt.Errorf("item %s has a need that names no item", it.Name))
				continue
			}
			j, ok := index[n.Item.Name]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("item %s needs %q, which the catalogue does not hold", it.Name, n.Item.Name))
			case items[j].Regional != it.Regional:
				errs = append(errs, fmt.Errorf("item %s (%s) needs %s (%s): an item can only need items of its own scope",
					it.Name, scopeWord(it.Regional), n.Item.Name, scopeWord(items[j].Regional)))
			case j > i:
				// The list is the apply order, so this also refuses
				// every cycle: one of its needs points forward.
				errs = append(errs, fmt.Errorf("item %s needs %s, which the catalogue lists after it: needs come first, and never in a cycle", it.Name, n.Item.Name))
			case j == i:
				errs = append(errs, fmt.Errorf("item %s needs itself", it.Name))
			}
			if n.Why == "" {
				errs = append(errs, fmt.Errorf("item %s needs %s without saying why", it.Name, n.Item.Name))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return nil
}

func scopeWord(regional bool) string {
	if regional {
		return "regional"
	}
	return "account"
}

// Plan reads the account and returns what Apply would change.
func (e *Engine) Plan(ctx context.Context, spec *Spec, cfg aws.Config, scope Scope) (Plan, error) {
	rep, err := e.run(ctx, spec, cfg, scope, nil)
	plan := Plan{AccountID: spec.Account.ID, Profile: spec.Profile.Name, Version: spec.Version}
	for _, it := range rep.Items {
		plan.Changes = append(plan.Changes, it.Changes...)
	}
	return plan, err
}

// Apply plans and applies the account's baseline within scope.
func (e *Engine) Apply(ctx context.Context, spec *Spec, cfg aws.Config, scope Scope) (Report, error) {
	return e.run(ctx, spec, cfg, scope, func([]Change) error { return nil })
}

// ApplyPlan applies the account's baseline within scope as a person
// approved it in plan: each item plans again, and writes only when its
// changes are those plan showed. One whose changes differ (the account
// changed since, or an item it needs made it see more) writes nothing and
// fails with the first difference, so nothing is changed that nobody
// approved; a new plan shows it.
func (e *Engine) ApplyPlan(ctx context.Context, spec *Spec, cfg aws.Config, scope Scope, plan Plan) (Report, error) {
	return e.run(ctx, spec, cfg, scope, func(changes []Change) error { return plan.approves(changes) })
}

// Bootstrap applies the execution-role item alone, with cfg acting as the
// entry role in a member account: it creates the role, or updates it when
// this version wants it otherwise. That is the entry role's one change: the
// protect-baseline SCP leaves every other change of the baseline to the
// execution role, so the rest is applied through it
// (accounts.EnterAsExecutionRole) once it can be used.
func (e *Engine) Bootstrap(ctx context.Context, spec *Spec, cfg aws.Config) (Report, error) {
	bootstrap := e.Only(executionRoleItem.Name)
	if len(bootstrap.items) == 0 {
		return Report{}, fmt.Errorf("bootstrapping %s: the catalogue has no %s item", spec.Account.ID, executionRoleItem.Name)
	}
	rep, err := bootstrap.Apply(ctx, spec, cfg, ScopeGlobal)
	for _, it := range rep.Items {
		for _, c := range it.Changes {
			if c.Action == Conflict {
				// The role will never become landfall's by waiting.
				err = errors.Join(err, awsx.Terminal(fmt.Errorf("bootstrapping %s: %s: %s", spec.Account.ID, c.Resource, c.Detail)))
			}
		}
	}
	return rep, err
}

// ExecutionRoleCurrent reports whether the account's execution role is the
// one spec wants, reading it with cfg (the role itself may). The role may
// not change itself, so when it is not, Bootstrap through the entry role
// updates it, as it created it.
func (e *Engine) ExecutionRoleCurrent(ctx context.Context, spec *Spec, cfg aws.Config) (bool, error) {
	plan, err := e.Only(executionRoleItem.Name).Plan(ctx, spec, cfg, ScopeGlobal)
	if err != nil {
		return false, err
	}
	return !plan.HasChanges(), nil
}

// Only returns an engine over the named items of e's, in e's order, for
// applying part of the baseline. It does not wait for the needs it leaves
// out: those are the caller's to have applied.
func (e *Engine) Only(names ...string) *Engine {
	out := &Engine{catalogue: e.catalogue, Concurrency: e.Concurrency}
	for _, it := range e.items {
		if slices.Contains(names, it.Name) {
			out.items = append(out.items, it)
		}
	}
	return out
}

// run plans the items of scope and, unless apply is nil, applies each
// item's changes once apply lets it.
func (e *Engine) run(ctx context.Context, spec *Spec, cfg aws.Config, scope Scope, apply func([]Change) error) (Report, error) {
	start := time.Now()
	rep := Report{AccountID: spec.Account.ID, Profile: spec.Profile.Name, Version: spec.Version, Scope: string(scope)}
	var calls awsx.Calls
	cfg = calls.Count(cfg)
	if err := guard(ctx, spec, cfg); err != nil {
		return rep, err
	}
	var errs []error
	if scope == ScopeAll || scope == ScopeGlobal {
		items, err := e.runScope(ctx, spec, awsx.InRegion(cfg, spec.HomeRegion()), spec.HomeRegion(), false, apply)
		rep.Items = append(rep.Items, items...)
		errs = append(errs, err)
	}
	var regions []string
	if scope == ScopeAll {
		regions = spec.Regions
	} else if r, ok := regionOf(scope); ok {
		if !slices.Contains(spec.Regions, r) {
			return rep, awsx.Terminal(fmt.Errorf("region %s is not governed by profile %s", r, spec.Profile.Name))
		}
		regions = []string{r}
	}
	var mu sync.Mutex
	errs = append(errs, awsx.ForEach(ctx, regions, spec.Config.Pipeline.MaxConcurrentRegions, func(ctx context.Context, region string) error {
		items, err := e.runScope(ctx, spec, awsx.InRegion(cfg, region), region, true, apply)
		mu.Lock()
		rep.Items = append(rep.Items, items...)
		mu.Unlock()
		return err
	}))
	rep.Duration = time.Since(start)
	rep.Reads, rep.Writes = calls.Totals()
	return rep, errors.Join(errs...)
}

func regionOf(s Scope) (string, bool) {
	r, ok := strings.CutPrefix(string(s), "region:")
	return r, ok && r != ""
}

// guard refuses to touch anything unless the credentials act in the target
// account, and never the management account unless a profile names it.
func guard(ctx context.Context, spec *Spec, cfg aws.Config) error {
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("checking caller identity: %w", err)
	}
	if got := aws.ToString(id.Account); got != spec.Account.ID {
		return awsx.Terminal(fmt.Errorf("refusing to baseline: credentials act in account %s, not the target %s", got, spec.Account.ID))
	}
	if spec.InManagementAccount() && !slices.Contains(spec.Profile.Select.Accounts, spec.Account.ID) {
		return awsx.Terminal(fmt.Errorf("refusing to baseline the management account %s: profile %s does not list it in select.accounts", spec.Account.ID, spec.Profile.Name))
	}
	return nil
}

// runScope runs the enabled items of one scope in dependency order, at most
// e.Concurrency at once. An item whose need failed, is switched off or was
// not run is not run either: it fails with the first, and the plan shows
// the others as a finding that says why (notRun).
func (e *Engine) runScope(ctx context.Context, spec *Spec, cfg aws.Config, region string, regional bool, apply func([]Change) error) ([]ItemResult, error) {
	var todo []Item
	for _, it := range e.items {
		if it.Regional == regional && it.Enabled(spec) {
			todo = append(todo, it)
		}
	}
	results := make([]ItemResult, len(todo))
	done := make(map[string]chan struct{}, len(todo))
	outcome := make(map[string]itemOutcome, len(todo))
	for _, it := range todo {
		done[it.Name] = make(chan struct{})
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		sem  = make(chan struct{}, max(1, e.Concurrency))
		errs []error
	)
	for i, it := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(done[it.Name])
			for _, n := range it.Needs {
				if ch, ok := done[n.Item.Name]; ok {
					<-ch
				}
				mu.Lock()
				need := outcome[n.Item.Name]
				switch {
				case need == itemFailed:
					err := fmt.Errorf("not run: %s failed", n.Item.Name)
					outcome[it.Name] = itemFailed
					results[i] = ItemResult{Item: it.Name, Region: regionIf(regional, region), Error: err.Error()}
					errs = append(errs, fmt.Errorf("%s: %w", it.Name, err))
				case need == itemNotRun || !n.Item.Enabled(spec):
					outcome[it.Name] = itemNotRun
					results[i] = ItemResult{Item: it.Name, Region: regionIf(regional, region),
						Changes: []Change{notRun(spec, it, n, regionIf(regional, region), need == itemNotRun)}}
				}
				stop := outcome[it.Name] != itemDone
				mu.Unlock()
				if stop {
					return
				}
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			res, err := runItem(ctx, it, &Env{Spec: spec, Region: region, AWS: cfg, Catalogue: e.catalogue}, apply)
			res.Region = regionIf(regional, region)
			mu.Lock()
			defer mu.Unlock()
			results[i] = res
			if err != nil {
				outcome[it.Name] = itemFailed
				errs = append(errs, fmt.Errorf("%s: %w", it.Name, err))
			}
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// itemOutcome is how an item of a running scope ended, as its dependents
// see it: the zero value is done (or, for an item outside the engine, the
// caller's to have done).
type itemOutcome int

const (
	itemDone itemOutcome = iota
	itemFailed
	itemNotRun
)

// itemResource is what the plan entry of an item that did not run names.
func itemResource(name string) string { return "item/" + name }

// notRun is the plan entry of an item that does not run because what it
// needs is switched off, or itself did not run. It is a finding: the
// profile asks for the item without what makes it work, which is a person's
// to settle (the config's validation refuses the combinations it knows).
func notRun(spec *Spec, it Item, n Need, region string, needNotRun bool) Change {
	why := fmt.Sprintf("profile %s turns %s off", spec.Profile.Name, n.Item.Name)
	if needNotRun {
		why = n.Item.Name + " did not run either"
	}
	return Change{Item: it.Name, Region: region, Resource: itemResource(it.Name), Action: Finding, Detail: fmt.Sprintf(
		"%s is not run: it needs %s (%s), and %s", it.Name, n.Item.Name, n.Why, why)}
}

func regionIf(regional bool, region string) string {
	if regional {
		return region
	}
	return ""
}

func runItem(ctx context.Context, it Item, env *Env, apply func([]Change) error) (ItemResult, error) {
	start := time.Now()
	var calls awsx.Calls
	env.AWS = calls.Count(env.AWS)
	res := ItemResult{Item: it.Name}
	changes, err := it.Plan(ctx, env)
	for i := range changes {
		changes[i].Item = it.Name
		changes[i].Region = regionIf(it.Regional, env.Region)
	}
	if err == nil && apply != nil {
		err = apply(changes)
		for _, c := range changes {
			if err != nil {
				break
			}
			if c.Apply != nil {
				err = c.Apply(ctx)
			}
		}
	}
	res.Changes = changes
	res.Duration = time.Since(start)
	r, w := calls.Totals()
	res.Calls = r + w
	if err != nil {
		res.Error = err.Error()
	}
	return res, err
}
