package repo

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/landfall/landfall/"

// goList runs `go list` from the repository root and returns its words.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

// TestProductLinksNoInstruments keeps the emulator, its evaluators, the local
// runner, the demo and the bench out of everything that ships: the operator
// binary, the Lambdas and the CDK app. Of internal/, the product may link
// only the command-line package both binaries share.
func TestProductLinksNoInstruments(t *testing.T) {
	var linked int
	for _, pkg := range goList(t, "-deps", "-f", "{{.ImportPath}}", "./cmd/...", "./functions/...", "./infra/...", "./pkg/...") {
		if !strings.HasPrefix(pkg, module) {
			continue
		}
		linked++
		if strings.HasPrefix(pkg, module+"internal/") && pkg != module+"internal/cli" {
			t.Errorf("the product links %s", pkg)
		}
	}
	if linked < 10 {
		t.Fatalf("go list found only %d of landfall's packages", linked)
	}
}

// TestFormatterLinksNoBaseline: the alert formatter may run in another
// account than the pipeline (centralAlerts: security) and changes no
// account, so it carries none of the code that does.
func TestFormatterLinksNoBaseline(t *testing.T) {
	for _, pkg := range goList(t, "-deps", "-f", "{{.ImportPath}}", "./functions/formatter") {
		if pkg == module+"pkg/baseline" || pkg == module+"pkg/pipeline" {
			t.Errorf("the formatter links %s", pkg)
		}
	}
}

// TestReadmeLayoutMatchesTree checks that the README's layout table has one
// row for each package directory and none for a directory that is gone.
func TestReadmeLayoutMatchesTree(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Layout\n")
	if !ok {
		t.Fatal("README.md has no '## Layout' section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var rows []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([^`]+)/` \\|").FindAllStringSubmatch(section, -1) {
		rows = append(rows, m[1])
	}
	var packages []string
	for _, pkg := range goList(t, "-f", "{{.ImportPath}}", "./...") {
		packages = append(packages, strings.TrimPrefix(pkg, module))
	}
	for _, pkg := range packages {
		if !slices.Contains(rows, pkg) {
			t.Errorf("README layout has no row for %s/", pkg)
		}
	}
	for _, row := range rows {
		if _, err := os.Stat("../../" + row); err != nil {
			t.Errorf("README layout names %s/, which is not in the tree", row)
		} else if !slices.Contains(packages, row) && !strings.HasPrefix(row, "events") {
			t.Errorf("README layout names %s/, which is not a Go package", row)
		}
	}
}
