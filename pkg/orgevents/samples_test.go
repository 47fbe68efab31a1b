package orgevents

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// sampleDirs returns the directories of real-shaped trigger samples this package owns, relative to the
// package directory.
func sampleDirs() []string {
	return []string{
		"../../events/organizations",
		"../../events/controltower",
		"../../events/scheduler",
		"../../events/manual",
	}
}

// samplePaths lists every JSON sample, sorted.
func samplePaths(t testing.TB) []string {
	t.Helper()
	var paths []string
	for _, dir := range sampleDirs() {
		matches, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			t.Fatalf("listing samples (%s): %v", dir, err)
		}
		paths = append(paths, matches...)
	}
	if len(paths) == 0 {
		t.Fatalf("listing samples: none found under %v", sampleDirs())
	}
	sort.Strings(paths)
	return paths
}

func readSample(t testing.TB, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading sample (%s): %v", path, err)
	}
	return raw
}

// sampleObject reads a sample as a generic JSON object, for mutation and pattern matching.
func sampleObject(t testing.TB, path string) map[string]any {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(readSample(t, path), &obj); err != nil {
		t.Fatalf("parsing sample (%s): %v", path, err)
	}
	return obj
}

// assertJSONEq fails the test unless want and got are the same JSON value, ignoring layout and key order.
func assertJSONEq(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("parsing expected JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("parsing actual JSON: %v", err)
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("JSON differs\nwant: %s\n got: %s", want, got)
	}
}
