package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// toolchainNode is the pinned Node 22 that `make tools` installs; cdk-nag
// and aws-cdk-lib are installed beside it.
func toolchainNode(t *testing.T) string {
	t.Helper()
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	node := filepath.Join("toolchain", "node_modules", "node-linux-"+arch, "bin", "node")
	if _, err := os.Stat(node); err != nil {
		t.Fatalf("the pinned Node toolchain is missing (%v): run `make tools`", err)
	}
	return node
}

// TestCdkNag runs the cdk-nag AwsSolutions checks over every synthesized
// template (the management stack in both alert fan-in placements, the
// forwarder and the security account's stack, of the test configs, the
// example and the all-options config); any finding without a written
// acknowledgement fails it.
func TestCdkNag(t *testing.T) {
	if len(synthesized.files) != 2 {
		t.Fatalf("want the landfall and forwarder templates, got %v", synthesized.files)
	}
	synthesizeSecurityFanIn(t)
	if len(securitySynth.files) != 3 {
		t.Fatalf("want the landfall, forwarder and central alerts templates, got %v", securitySynth.files)
	}
	files := append(append(append([]string{}, synthesized.files...), securitySynth.files...), lintedTemplates(t)...)
	cmd := exec.Command(toolchainNode(t), append([]string{filepath.Join("toolchain", "nag.cjs")}, files...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cdk-nag: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "no unacknowledged findings") {
		t.Fatalf("cdk-nag did not finish:\n%s", out)
	}
	t.Logf("%s", out)
}
