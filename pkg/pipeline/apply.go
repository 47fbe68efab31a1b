package pipeline

import (
	"context"
	"fmt"

	"github.com/landfall/landfall/pkg/baseline"
)

// Apply applies the global items (in.Scope "global") or one region's items.
func (d *Deps) Apply(ctx context.Context, in ApplyInput) (ApplySummary, error) {
	spec, err := d.spec(in.Request)
	if err != nil {
		return ApplySummary{}, err
	}
	scope := baseline.ScopeGlobal
	if in.Scope == "region" {
		scope = baseline.ScopeRegion(in.Region)
	} else if in.Scope != "global" {
		return ApplySummary{}, fmt.Errorf("apply scope %q is neither global nor region", in.Scope)
	}
	cfg, _, err := d.enter(ctx, spec.Account.ID)
	if err != nil {
		return ApplySummary{}, err
	}
	rep, err := d.Engine.Apply(ctx, spec, cfg, scope)
	sum := summarize(rep)
	d.Log.Info("applied", "account", spec.Account.ID, "scope", rep.Scope, "counts", sum.Counts, "writes", rep.Writes, "error", err)
	if err != nil {
		return sum, fmt.Errorf("applying %s baseline to %s: %w", rep.Scope, spec.Account.ID, err)
	}
	return sum, nil
}

func (d *Deps) spec(st State) (*baseline.Spec, error) {
	p, err := d.profileByName(st.Profile)
	if err != nil {
		return nil, err
	}
	return baseline.NewSpec(d.Config, p, st.Account, st.OrganizationID)
}

func summarize(rep baseline.Report) ApplySummary {
	sum := ApplySummary{Scope: rep.Scope, Counts: map[string]int{}, Duration: rep.Duration.Milliseconds(), Reads: rep.Reads, Writes: rep.Writes}
	for a, n := range rep.Count() {
		sum.Counts[string(a)] = n
	}
	for _, it := range rep.Items {
		for _, c := range it.Changes {
			if c.Action != baseline.Unchanged {
				sum.Changes = append(sum.Changes, c)
			}
		}
	}
	return sum
}
