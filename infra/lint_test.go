package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// lintedApps are the example config and a config with every option on, synthesized once for the template
// linters (cdk-nag and cfn-lint), beside the test configs the other template tests use.
var lintedApps struct {
	once  sync.Once
	files []string
	err   error
}

// allOptions turns every option of the example config on that changes what is synthesized or what the
// baseline does: a home region other than us-east-1 (the forwarder stack), a region allow-list, Control
// Tower, both chat services, and AWS Config, Security Hub and default VPC removal in the default profile.
var allOptions = [][2]string{
	{"  homeRegion: us-east-1 #", "  homeRegion: eu-west-1 #"},
	{"    allowedRegions: [] #", "    allowedRegions: [eu-west-1, us-east-1] #"},
	{"  controlTower: false #", "  controlTower: true #"},
	{"    # teamsWebhookUrlSecret: landfall/teams-webhook", "    teamsWebhookUrlSecret: landfall/teams-webhook"},
	{"      awsConfig: { enabled: false } #", "      awsConfig: { enabled: true } #"},
	{"      securityHub: { enabled: false, standards: [fsbp, cis] } #", "      securityHub: { enabled: true, standards: [fsbp, cis] } #"},
	{"      defaultVpcs: { remove: false } #", "      defaultVpcs: { remove: true } #"},
}

// lintedTemplates synthesizes the example config (infra/landfall.yaml, which has manage: true and
// centralAlerts: security) and the same with allOptions, and returns their template files.
func lintedTemplates(t *testing.T) []string {
	t.Helper()
	a := &lintedApps
	a.once.Do(func() {
		raw, err := os.ReadFile("landfall.yaml")
		if err != nil {
			a.err = err
			return
		}
		example, everything := string(raw), string(raw)
		for _, r := range allOptions {
			if !strings.Contains(everything, r[0]) {
				a.err = fmt.Errorf("infra/landfall.yaml no longer has the line %q: update allOptions", r[0])
				return
			}
			everything = strings.Replace(everything, r[0], r[1], 1)
		}
		for _, config := range []string{example, everything} {
			// Not t.TempDir: the files must outlive the first test that asks.
			dir, err := os.MkdirTemp("", "landfall-lint-test")
			if err != nil {
				a.err = err
				return
			}
			_, assembly, err := synthesizeApp(dir, config)
			if err != nil {
				a.err = err
				return
			}
			a.files = append(a.files, templateFiles(assembly)...)
		}
	})
	if a.err != nil {
		t.Fatalf("synthesizing the example and all-options configs: %v", a.err)
	}
	// The example's landfall and central alerts stacks; the all-options config's also the forwarder.
	if len(a.files) != 5 {
		t.Fatalf("want 2 + 3 templates, got %v", a.files)
	}
	return a.files
}

// TestCfnLint runs cfn-lint over every template the tests synthesize: the test configs', the example's
// and the all-options config's. Any finding fails it.
func TestCfnLint(t *testing.T) {
	linter, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatalf("cfn-lint is not on the PATH (%v): the templates are checked with cfn-lint 1.51.0", err)
	}
	synthesizeSecurityFanIn(t)
	files := append(append(append([]string{}, synthesized.files...), securitySynth.files...), lintedTemplates(t)...)
	out, err := exec.Command(linter, files...).CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint over %d templates: %v\n%s", len(files), err, out)
	}
	t.Logf("cfn-lint: %d templates, no findings", len(files))
}
