package localrun

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
)

// testBuilder builds each test binary once for the whole package.
var testBuilder *Builder

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	root, err := FindModuleRoot(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "localrun-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	testBuilder = NewBuilder(root, dir)
	return m.Run()
}

// buildEcho returns the test function's binary.
func buildEcho(t *testing.T) string {
	t.Helper()
	bin, err := testBuilder.Build(context.Background(), "./internal/localrun/testdata/echofn")
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// syncBuffer collects log lines written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
