// Package toolchain finds the pinned Node tools that `make tools` installs
// in infra/toolchain (from its lockfile): the Node 22 binary and the
// scripts and packages the instruments run on it.
package toolchain

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Find returns the pinned Node in the module rooted at moduleDir and the
// paths of files (relative to infra/toolchain), after checking that each
// exists. what names the tool for the error, which says to run `make tools`.
// The paths are absolute, so that they hold for a command run in another
// directory.
func Find(moduleDir, what string, files ...string) (node string, paths []string, err error) {
	arch := "x64"
	if runtime.GOARCH == "arm64" {
		arch = "arm64"
	}
	root, err := filepath.Abs(moduleDir)
	if err != nil {
		return "", nil, fmt.Errorf("finding %s: %w", what, err)
	}
	dir := filepath.Join(root, "infra", "toolchain")
	node = filepath.Join(dir, "node_modules", "node-linux-"+arch, "bin", "node")
	for _, f := range files {
		paths = append(paths, filepath.Join(dir, filepath.FromSlash(f)))
	}
	for _, p := range append([]string{node}, paths...) {
		if _, err := os.Stat(p); err != nil {
			return "", nil, fmt.Errorf("finding %s (%s): %w; run `make tools`", what, p, err)
		}
	}
	return node, paths, nil
}
