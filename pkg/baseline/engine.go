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

// Item is one baseline item: a reconciler. Plan reads what exists and
// returns the changes that would make it match the spec, each carrying the
// writes that apply it; Plan itself never writes.
type Item struct {
	Name string
	// Regional items run once per region of the spec; the others once per
	// account, in the home region.
	Regional bool
	// DependsOn names items of the same scope that must be applied first.
	DependsOn []string
	// Enabled says whether the profile asks for the item.
	Enabled func(*Spec) bool
	Plan    func(context.Context, *Env) ([]Change, error)
}

// Env is what a reconciler works with.
type Env struct {
	Spec   *Spec
	Region string     // the region the item runs in
	AWS    aws.Config // credentials in the target account, in Region
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
	Items []Item
	// Concurrency bounds how many independent items of one scope run at once.
	Concurrency int
}

// NewEngine returns an engine over the standard catalogue.
func NewEngine() *Engine { return &Engine{Items: Catalogue(), Concurrency: 4} }

// Plan reads the account and returns what Apply would change.
func (e *Engine) Plan(ctx context.Context, spec *Spec, cfg aws.Config, scope Scope) (Plan, error) {
	rep, err := e.run(ctx, spec, cfg, scope, false)
	plan := Plan{AccountID: spec.Account.ID, Profile: spec.Profile.Name, Version: spec.Version}
	for _, it := range rep.Items {
		plan.Changes = append(plan.Changes, it.Changes...)
	}
	return plan, err
}

// Apply plans and applies the account's baseline within scope.
func (e *Engine) Apply(ctx context.Context, spec *Spec, cfg aws.Config, scope Scope) (Report, error) {
	return e.run(ctx, spec, cfg, scope, true)
}

// Bootstrap applies the execution-role item alone, with cfg acting as the
// entry role in a member account: it creates the role, or updates it when
// this version wants it otherwise. That is the entry role's one change: the
// protect-baseline SCP leaves every other change of the baseline to the
// execution role, so the rest is applied through it
// (accounts.EnterAsExecutionRole) once it can be used.
func (e *Engine) Bootstrap(ctx context.Context, spec *Spec, cfg aws.Config) (Report, error) {
	bootstrap := e.only(executionRoleItem)
	if len(bootstrap.Items) == 0 {
		return Report{}, fmt.Errorf("bootstrapping %s: the catalogue has no %s item", spec.Account.ID, executionRoleItem)
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
	plan, err := e.only(executionRoleItem).Plan(ctx, spec, cfg, ScopeGlobal)
	if err != nil {
		return false, err
	}
	return !plan.HasChanges(), nil
}

// only returns an engine over the named items of e's, in e's order.
func (e *Engine) only(names ...string) *Engine {
	out := &Engine{Concurrency: e.Concurrency}
	for _, it := range e.Items {
		if slices.Contains(names, it.Name) {
			out.Items = append(out.Items, it)
		}
	}
	return out
}

func (e *Engine) run(ctx context.Context, spec *Spec, cfg aws.Config, scope Scope, apply bool) (Report, error) {
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
// e.Concurrency at once. An item whose dependency failed is not run.
func (e *Engine) runScope(ctx context.Context, spec *Spec, cfg aws.Config, region string, regional, apply bool) ([]ItemResult, error) {
	var todo []Item
	for _, it := range e.Items {
		if it.Regional == regional && it.Enabled(spec) {
			todo = append(todo, it)
		}
	}
	results := make([]ItemResult, len(todo))
	done := make(map[string]chan struct{}, len(todo))
	failed := make(map[string]bool)
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
			for _, dep := range it.DependsOn {
				if ch, ok := done[dep]; ok {
					<-ch
				}
				mu.Lock()
				depFailed := failed[dep]
				mu.Unlock()
				if depFailed {
					err := fmt.Errorf("not run: %s failed", dep)
					mu.Lock()
					failed[it.Name] = true
					results[i] = ItemResult{Item: it.Name, Region: regionIf(regional, region), Error: err.Error()}
					errs = append(errs, fmt.Errorf("%s: %w", it.Name, err))
					mu.Unlock()
					return
				}
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			res, err := runItem(ctx, it, &Env{Spec: spec, Region: region, AWS: cfg}, apply)
			res.Region = regionIf(regional, region)
			mu.Lock()
			results[i] = res
			if err != nil {
				failed[it.Name] = true
				errs = append(errs, fmt.Errorf("%s: %w", it.Name, err))
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

func regionIf(regional bool, region string) string {
	if regional {
		return region
	}
	return ""
}

func runItem(ctx context.Context, it Item, env *Env, apply bool) (ItemResult, error) {
	start := time.Now()
	var calls awsx.Calls
	env.AWS = calls.Count(env.AWS)
	res := ItemResult{Item: it.Name}
	changes, err := it.Plan(ctx, env)
	if err == nil && apply {
		for _, c := range changes {
			if c.Apply == nil {
				continue
			}
			if err = c.Apply(ctx); err != nil {
				break
			}
		}
	}
	for i := range changes {
		changes[i].Item = it.Name
		changes[i].Region = regionIf(it.Regional, env.Region)
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
