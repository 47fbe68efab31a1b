package baseline

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestCatalogue(t *testing.T) {
	if _, err := NewEngine(Catalogue()); err != nil {
		t.Fatal(err)
	}
}

// TestCheckCatalogueRefuses: a catalogue the engine could not run as
// declared is an error when the engine is made, not a silent skip later.
func TestCheckCatalogueRefuses(t *testing.T) {
	plan := func(context.Context, *Env) ([]Change, error) { return nil, nil }
	on := func(*Spec) bool { return true }
	item := func(name string, regional bool, needs ...*Item) *Item {
		it := &Item{Name: name, Regional: regional, Enabled: on, Plan: plan, Permissions: noPermissions}
		for _, n := range needs {
			it.Needs = append(it.Needs, Need{n, "a reason"})
		}
		return it
	}
	list := func(items ...*Item) []Item {
		var out []Item
		for _, it := range items {
			out = append(out, *it)
		}
		return out
	}
	detector := item("guardduty", true)
	account := item("alerts-topic", false)
	first, second := item("first", false), item("second", false)
	first.Needs = []Need{{second, "a reason"}}
	second.Needs = []Need{{first, "a reason"}}
	unexplained := item("findings-rule", true)
	unexplained.Needs = []Need{{Item: detector}}
	noPlan := item("no-plan", false)
	noPlan.Plan = nil
	noPermissionsItem := item("no-permissions", false)
	noPermissionsItem.Permissions = nil
	tests := []struct {
		name  string
		items []Item
		want  string
	}{
		{"misspelled need", list(detector, item("findings-rule", true, item("gaurdduty", true))),
			`item findings-rule needs "gaurdduty", which the catalogue does not hold`},
		{"need of the other scope", list(account, item("findings-rule", true, account)),
			"item findings-rule (regional) needs alerts-topic (account): an item can only need items of its own scope"},
		{"need listed after", list(item("findings-rule", true, detector), detector),
			"item findings-rule needs guardduty, which the catalogue lists after it"},
		{"cycle", list(first, second), "item first needs second, which the catalogue lists after it: needs come first, and never in a cycle"},
		{"need of itself", list(item("loop", false, item("loop", false))), "item loop needs itself"},
		{"need without a reason", list(detector, unexplained), "item findings-rule needs guardduty without saying why"},
		{"name listed twice", list(detector, detector), "item guardduty is listed twice"},
		{"no reconciler", list(noPlan), "item no-plan lacks its switch (Enabled), reconciler (Plan) or permissions (Permissions)"},
		{"no permissions", list(noPermissionsItem), "item no-permissions lacks its switch (Enabled), reconciler (Plan) or permissions (Permissions)"},
		{"no name", list(item("", false)), "item 1 has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewEngine(tt.items)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "checking the baseline catalogue: ") {
				t.Fatalf("NewEngine = %v, %v; want an error with %q", e, err, tt.want)
			}
		})
	}
}

// TestNeedsNotMet: an item whose need is switched off, did not run or
// failed is not run; the plan says why for the first two, and the run
// fails for the third. The independent item runs whatever the others do.
func TestNeedsNotMet(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	ran := map[string]bool{}
	item := func(name string, enabled bool, fail error, needs ...*Item) *Item {
		it := &Item{Name: name, Enabled: func(*Spec) bool { return enabled }, Permissions: noPermissions,
			Plan: func(context.Context, *Env) ([]Change, error) {
				mu.Lock()
				ran[name] = true
				mu.Unlock()
				return []Change{{Resource: "thing/" + name, Action: Unchanged}}, fail
			}}
		for _, n := range needs {
			it.Needs = append(it.Needs, Need{n, "it uses what " + n.Name + " makes"})
		}
		return it
	}
	off := item("off", false, nil)
	blocked := item("blocked", true, nil, off)
	chained := item("chained", true, nil, blocked)
	failing := item("failing", true, errors.New("throttled"))
	afterFailure := item("after-failure", true, nil, failing)
	independent := item("independent", true, nil)
	e, err := NewEngine([]Item{*off, *blocked, *chained, *failing, *afterFailure, *independent})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(context.Background(), f.spec, f.cfg, ScopeGlobal)
	if err == nil || !strings.Contains(err.Error(), "after-failure: not run: failing failed") {
		t.Errorf("plan error = %v, want after-failure not run for failing", err)
	}
	for name, want := range map[string]bool{"off": false, "blocked": false, "chained": false, "failing": true, "after-failure": false, "independent": true} {
		if ran[name] != want {
			t.Errorf("%s ran: %v, want %v", name, ran[name], want)
		}
	}
	want := map[string]string{
		"blocked": "blocked is not run: it needs off (it uses what off makes), and profile " + f.spec.Profile.Name + " turns off off",
		"chained": "chained is not run: it needs blocked (it uses what blocked makes), and blocked did not run either",
	}
	for _, c := range plan.Changes {
		if detail, ok := want[c.Item]; ok {
			if c.Action != Finding || c.Resource != itemResource(c.Item) || c.Detail != detail {
				t.Errorf("%s in the plan: %s %s %q, want finding item/%s %q", c.Item, c.Action, c.Resource, c.Detail, c.Item, detail)
			}
			delete(want, c.Item)
		}
	}
	if len(want) != 0 {
		t.Errorf("the plan does not show %v:\n%s", want, plan)
	}
}

// TestSecurityHubWithoutConfig: a profile that asks for Security Hub
// without AWS Config (one the config's validation refuses) gets a finding
// that says so, and Security Hub is not touched.
func TestSecurityHubWithoutConfig(t *testing.T) {
	f := newFixture(t)
	p := *f.spec.Profile
	p.Items.SecurityHub.Enabled, p.Items.AWSConfig.Enabled = true, false
	f.spec.Profile = &p
	f.srv.ResetCalls()
	rep, err := itemEngine("aws-config", "security-hub").Apply(context.Background(), f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	var regions []string
	for _, it := range rep.Items {
		for _, c := range it.Changes {
			if c.Item != "security-hub" || c.Action != Finding || !strings.Contains(c.Detail, "it needs aws-config (Security Hub's controls are AWS Config rules") {
				t.Errorf("unexpected entry: %s", c)
			}
			regions = append(regions, c.Region)
		}
	}
	if len(regions) != len(f.spec.Regions) {
		t.Errorf("findings in %v, want one in each of %v", regions, f.spec.Regions)
	}
	for k := range f.srv.Calls() {
		if k.Service == "securityhub" || k.Service == "config" {
			t.Errorf("called %s %s", k.Service, k.Operation)
		}
	}
}

func noPermissions(*Spec) []iamStatement { return nil }
