package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/landfall/landfall/pkg/baseline"
)

// Apply applies the global items (in.Scope "global") or one region's items.
func (d *Deps) Apply(ctx context.Context, in ApplyInput) (ApplySummary, error) {
	if err := d.checkLock(in.Request); err != nil {
		return ApplySummary{}, err
	}
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
	cfg, boot, err := d.enterToApply(ctx, spec, scope)
	if err != nil {
		return ApplySummary{}, err
	}
	rep, err := d.Engine.Apply(ctx, spec, cfg, scope)
	rep.Items = append(boot.Items, rep.Items...)
	rep.Reads, rep.Writes, rep.Duration = rep.Reads+boot.Reads, rep.Writes+boot.Writes, rep.Duration+boot.Duration
	sum := summarize(rep)
	// The log keeps every change; the summary, which travels in the execution's state, may omit some.
	for _, it := range rep.Items {
		for _, c := range it.Changes {
			if c.Action != baseline.Unchanged {
				d.Log.Info("change", "account", spec.Account.ID, "scope", rep.Scope, "change", c.String())
			}
		}
	}
	d.Log.Info("applied", "account", spec.Account.ID, "scope", rep.Scope, "counts", sum.Counts, "writes", rep.Writes,
		"changesOmitted", sum.ChangesOmitted, "error", err)
	if err != nil {
		return sum, fmt.Errorf("applying %s baseline to %s: %w", rep.Scope, spec.Account.ID, err)
	}
	return sum, nil
}

// checkLock refuses a step that could still be acting on the account after
// the run's lock lapses: the next run may take the lock then, and two runs
// must never change one account at once. The state machine does not retry
// the refusal (no retrier names it), and it is not terminal either: the
// account's next run starts over with a lock of its own, so the sweep must
// not hold the account.
func (d *Deps) checkLock(st State) error {
	if st.LockOwner == "" || st.LockExpires.IsZero() {
		return fmt.Errorf("applying to %s: the run holds no lock on the account", st.Account.ID)
	}
	if end := d.Now().Add(ApplyTimeout); end.After(st.LockExpires) {
		return fmt.Errorf("applying to %s: the run's lock lapses at %s, before this step could end (%s): not starting it",
			st.Account.ID, st.LockExpires.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	}
	return nil
}

func (d *Deps) spec(st State) (*baseline.Spec, error) {
	p, err := d.profileByName(st.Profile)
	if err != nil {
		return nil, err
	}
	spec, err := baseline.NewSpec(d.Config, p, st.Account, st.OrganizationID)
	if err != nil {
		return nil, err
	}
	spec.IdentityAccountStatus = st.IdentityAccountStatus
	// The Apply function's ledger keeps the entry role's trust as landfall
	// found it; a function without one leaves the entry role as it is.
	if d.Ledger != nil {
		spec.TrustArchive = d.Ledger
	}
	return spec, nil
}

// summaryChangeBytes bounds the JSON of the changes one ApplySummary carries. The summaries of the global
// scope and of every governed region (34 at most) travel together in the BaselineAccount execution's
// state, which Step Functions caps at 256 KiB ("Step Functions service quotas"); at 4 KiB each they take
// about 150 KiB. An account with thousands of IAM users can have thousands of findings in one scope.
const summaryChangeBytes = 4 << 10

// summarize counts every change of the report and keeps the ones that are not "unchanged", in order,
// while they fit summaryChangeBytes; it counts the rest in ChangesOmitted.
func summarize(rep baseline.Report) ApplySummary {
	sum := ApplySummary{Scope: rep.Scope, Counts: map[string]int{}, Duration: rep.Duration.Milliseconds(), Reads: rep.Reads, Writes: rep.Writes}
	for a, n := range rep.Count() {
		sum.Counts[string(a)] = n
	}
	size := 0
	for _, it := range rep.Items {
		for _, c := range it.Changes {
			if c.Action == baseline.Unchanged {
				continue
			}
			encoded, err := json.Marshal(c)
			if sum.ChangesOmitted > 0 || err != nil || size+len(encoded)+1 > summaryChangeBytes {
				sum.ChangesOmitted++
				continue
			}
			size += len(encoded) + 1 // and a comma
			sum.Changes = append(sum.Changes, c)
		}
	}
	return sum
}
