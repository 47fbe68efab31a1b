package baseline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Action is what a plan entry does, in the one word the plan shows.
type Action string

const (
	// Unchanged: the resource already matches.
	Unchanged Action = "unchanged"
	// Create: the resource does not exist and will be created.
	Create Action = "create"
	// Update: the resource exists and differs in the listed fields.
	Update Action = "update"
	// Delete: the resource exists and will be deleted; Detail says why
	// (landfall's own, which the profile now turns off, or one the config
	// asks to remove).
	Delete Action = "delete"
	// Conflict: a resource with landfall's name exists but is not landfall's;
	// it is left alone (the profile's adopt setting takes it over instead).
	Conflict Action = "conflict"
	// Finding: something no API can fix (root MFA, root keys) or that the
	// config says to report rather than change.
	Finding Action = "finding"
)

// Diff is one field that differs between what exists and what is wanted.
type Diff struct {
	Field string `json:"field"`
	Have  string `json:"have"`
	Want  string `json:"want"`
}

// diffField adds field to d when have and want differ, each shown as text.
func diffField[T comparable](d *[]Diff, field string, have, want T) {
	if have != want {
		*d = append(*d, Diff{Field: field, Have: fmt.Sprint(have), Want: fmt.Sprint(want)})
	}
}

// Change is one plan entry. Apply holds the writes that make it true; it is
// nil for Unchanged, Conflict and Finding.
type Change struct {
	Item     string `json:"item"`             // reconciler name, e.g. "password-policy"
	Region   string `json:"region,omitempty"` // "" for global items
	Resource string `json:"resource"`         // what exactly, e.g. "role/landfall-execution"
	Action   Action `json:"action"`
	Diffs    []Diff `json:"diffs,omitempty"`
	Detail   string `json:"detail,omitempty"` // for deletes: why; for conflicts and findings: what and what to do

	Apply func(context.Context) error `json:"-"`
}

// Changing reports whether applying the change writes anything.
func (c Change) Changing() bool {
	return c.Action == Create || c.Action == Update || c.Action == Delete
}

func (c Change) String() string {
	where := c.Resource
	if c.Region != "" {
		where += " (" + c.Region + ")"
	}
	s := fmt.Sprintf("%-9s %s: %s", c.Action, c.Item, where)
	for _, d := range c.Diffs {
		s += fmt.Sprintf("\n            %s: %s -> %s", d.Field, d.Have, d.Want)
	}
	if c.Detail != "" {
		s += "\n            " + c.Detail
	}
	return s
}

// Plan is every change for one account, in apply order.
type Plan struct {
	AccountID string   `json:"accountId"`
	Profile   string   `json:"profile"`
	Version   string   `json:"version"`
	Changes   []Change `json:"changes"`
}

// Count returns how many changes have each action.
func (p Plan) Count() map[Action]int {
	out := map[Action]int{}
	for _, c := range p.Changes {
		out[c.Action]++
	}
	return out
}

// HasChanges reports whether applying the plan would write anything.
func (p Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Changing() {
			return true
		}
	}
	return false
}

// approves returns an error naming the first of changes (one item's, in
// one scope, planned again) that writes what the plan did not show: a
// resource or action it does not hold, or other fields or values. Writing
// less than the plan showed is approved (what someone else repaired in the
// meantime needs no write), and what does not write (unchanged, conflicts,
// findings) may differ.
func (p Plan) approves(changes []Change) error {
	for _, c := range changes {
		if !c.Changing() {
			continue
		}
		i := slices.IndexFunc(p.Changes, func(s Change) bool {
			return s.Item == c.Item && s.Region == c.Region && s.Resource == c.Resource && s.Action == c.Action
		})
		switch {
		case i < 0:
			return staleError(fmt.Sprintf("it would now %s %s, which the plan did not show", c.Action, c.Resource))
		case !slices.Equal(p.Changes[i].Diffs, c.Diffs):
			return staleError(fmt.Sprintf("%s %s would now change %s, not what the plan showed", c.Action, c.Resource, diffsText(c.Diffs)))
		}
	}
	return nil
}

// staleError says that an item's changes are not the approved ones.
func staleError(what string) error {
	return fmt.Errorf("nothing applied: the account changed since the plan was approved (%s); plan and approve again", what)
}

func diffsText(diffs []Diff) string {
	fields := make([]string, 0, len(diffs))
	for _, d := range diffs {
		fields = append(fields, d.Field)
	}
	if len(fields) == 0 {
		return "nothing"
	}
	return strings.Join(fields, ", ")
}

// String renders the plan for a person: changes first, then conflicts and
// findings, unchanged items summarised in one line.
func (p Plan) String() string {
	var b strings.Builder
	unchanged := 0
	for _, c := range p.Changes {
		if c.Action == Unchanged {
			unchanged++
			continue
		}
		b.WriteString(c.String() + "\n")
	}
	n := p.Count()
	fmt.Fprintf(&b, "account %s, profile %s: %d to create, %d to update, %d to delete, %d unchanged, %d conflicts, %d findings\n",
		p.AccountID, p.Profile, n[Create], n[Update], n[Delete], unchanged, n[Conflict], n[Finding])
	return b.String()
}

// ItemResult is how applying one reconciler went.
type ItemResult struct {
	Item     string        `json:"item"`
	Region   string        `json:"region,omitempty"`
	Changes  []Change      `json:"changes"`
	Duration time.Duration `json:"durationNs"`
	Calls    int           `json:"calls"`
	Error    string        `json:"error,omitempty"`
}

// Report is the outcome of an apply: per item, with timings and call counts.
// It is JSON-encodable for the ledger and the Step Functions output.
type Report struct {
	AccountID string        `json:"accountId"`
	Profile   string        `json:"profile"`
	Version   string        `json:"version"`
	Scope     string        `json:"scope"` // "global" or a region
	Items     []ItemResult  `json:"items"`
	Duration  time.Duration `json:"durationNs"`
	Reads     int           `json:"reads"`
	Writes    int           `json:"writes"`
}

// Count returns how many changes of each action the report holds.
func (r Report) Count() map[Action]int {
	out := map[Action]int{}
	for _, it := range r.Items {
		for _, c := range it.Changes {
			out[c.Action]++
		}
	}
	return out
}

// Failed returns the items that failed.
func (r Report) Failed() []ItemResult {
	var out []ItemResult
	for _, it := range r.Items {
		if it.Error != "" {
			out = append(out, it)
		}
	}
	return out
}
