package demo

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/eventpattern"
	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/orgevents"
)

// synthesized reads the template `make synth` wrote, with its state
// machine definitions resolved to local ARNs.
func synthesized(t *testing.T) (*localrun.Template, string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "cdk.out", "landfall.template.json")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the synthesized template is missing (%v): run `make synth` (make test does)", err)
	}
	tpl, err := localrun.ReadTemplate(path, localrun.TemplateOptions{Region: "us-east-1", Account: "111111111111"})
	if err != nil {
		t.Fatal(err)
	}
	return tpl, root
}

// Both synthesized state machine definitions are valid Amazon States
// Language, as asl-validator (the pinned npm tool) judges it.
func TestStateMachinesPassASLValidator(t *testing.T) {
	tpl, root := synthesized(t)
	node, _, err := localrun.Toolchain(root)
	if err != nil {
		t.Fatal(err)
	}
	validator := filepath.Join(root, "infra", "toolchain", "node_modules", "asl-validator", "dist", "bin", "asl-validator.js")
	if _, err := os.Stat(validator); err != nil {
		t.Fatalf("asl-validator is missing (%v): run `make tools`", err)
	}
	if len(tpl.StateMachines) != 2 {
		t.Fatalf("want BaselineAccount and Sweep, got %d state machines", len(tpl.StateMachines))
	}
	for _, m := range tpl.StateMachines {
		path := filepath.Join(t.TempDir(), m.Name+".json")
		if err := os.WriteFile(path, m.Definition, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(node, validator, "--json-path", path).CombinedOutput()
		if err != nil { // it exits non-zero on an invalid definition
			t.Errorf("%s: asl-validator: %v\n%s", m.Name, err, out)
		} else if !strings.Contains(string(out), "is valid") {
			t.Errorf("%s: asl-validator: %v\n%s", m.Name, err, out)
		}
	}
}

// The synthesized rules' event patterns, read back from the template, are
// the ones pkg/orgevents defines, match every trigger sample landfall acts
// on, and match none of the near misses (unsupported events).
func TestSynthesizedRulesMatchTheSamples(t *testing.T) {
	tpl, root := synthesized(t)
	var patterns []*eventpattern.Pattern
	for _, r := range tpl.Rules {
		if r.EventPattern == nil {
			continue // the sweep's schedule
		}
		p, err := eventpattern.Parse(r.EventPattern)
		if err != nil {
			t.Fatalf("rule %s: %v", r.Name, err)
		}
		patterns = append(patterns, p)
	}
	if len(patterns) != len(orgevents.Rules()) {
		t.Fatalf("%d rules with patterns in the template, %d in pkg/orgevents", len(patterns), len(orgevents.Rules()))
	}
	for _, dir := range []string{"organizations", "controltower"} {
		files, _ := filepath.Glob(filepath.Join(root, "events", dir, "*.json"))
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			matched := 0
			for _, p := range patterns {
				ok, err := p.Match(raw)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if ok {
					matched++
				}
			}
			name := filepath.Base(f)
			_, decodeErr := orgevents.Decode(raw)
			switch {
			case strings.HasPrefix(name, "unsupported-") && matched != 0:
				t.Errorf("%s/%s: a near miss matched %d rules", dir, name, matched)
			case decodeErr == nil && matched != 1:
				t.Errorf("%s/%s: a trigger landfall acts on matched %d rules, want 1", dir, name, matched)
			}
		}
	}
}
