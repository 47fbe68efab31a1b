package localrun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// buildTags are the tags `make build` uses: lambda.norpc leaves out the
// legacy RPC mode, so the binary speaks only the Runtime API, as on
// provided.al2023.
const buildTags = "lambda.norpc"

// Builder builds function packages for the host (make build targets
// linux/arm64 for Lambda) with the same tags, and builds each package once.
type Builder struct {
	moduleDir, outDir string

	mu    sync.Mutex
	built map[string]string // package -> binary
}

// NewBuilder returns a Builder for the module rooted at moduleDir that writes
// binaries under outDir.
func NewBuilder(moduleDir, outDir string) *Builder {
	return &Builder{moduleDir: moduleDir, outDir: outDir, built: map[string]string{}}
}

// Build compiles pkg (a package path relative to the module root, such as
// "./functions/waitready") and returns the binary's path. Builds are
// serialised: the go command already uses every core.
func (b *Builder) Build(ctx context.Context, pkg string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bin, ok := b.built[pkg]; ok {
		return bin, nil
	}
	bin := filepath.Join(b.outDir, strings.NewReplacer("/", "_", ".", "_").Replace(strings.TrimPrefix(pkg, "./")), "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", buildTags, "-trimpath", "-o", bin, pkg)
	cmd.Dir = b.moduleDir
	cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building Lambda function for the host (%s): %w\n%s", pkg, err, out)
	}
	b.built[pkg] = bin
	return bin, nil
}

// FindModuleRoot returns the nearest directory at or above dir that holds a
// go.mod file.
func FindModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding the module root (%s): %w", dir, err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("finding the module root (%s): no go.mod at or above it", dir)
		}
	}
}
