package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mergeBomb is a config of a few hundred bytes whose profiles each merge
// the previous profile's items nine times: 9^6 values to decode.
func mergeBomb() string {
	var b strings.Builder
	b.WriteString("version: 1\nprofiles:\n- name: p0\n  items: &i0 {budget: {amount: 1}}\n")
	for i := 1; i <= 6; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*i%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "- name: p%d\n  items: &i%d {<<: [%s]}\n", i, i, refs)
	}
	return b.String()
}

// TestParseBoundsWhatAFileCanMake: a file cannot make Parse decode without
// end, however it uses aliases and merge keys, and says what it stopped at.
func TestParseBoundsWhatAFileCanMake(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"merge keys that multiply", mergeBomb(), fmt.Sprintf("expands to more than %d values", maxDecodedValues)},
		{"a mapping that merges itself", "version: 1\nnotifications: &a {<<: *a}\n", fmt.Sprintf("nests more than %d levels deep", maxDecodeDepth)},
		{"a file over the limit", "version: 1\n#" + strings.Repeat("x", MaxConfigBytes), "larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.data) > 1000 && !strings.Contains(tt.name, "over the limit") {
				t.Fatalf("the file is %d bytes; the point is that it is small", len(tt.data))
			}
			cfg, err := Parse("bomb.yaml", []byte(tt.data))
			var es Errors
			if cfg != nil || !errors.As(err, &es) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, %v; want an error saying %q", cfg, err, tt.want)
			}
			if len(es) > maxErrors+1 {
				t.Errorf("%d problems reported, want at most %d", len(es), maxErrors+1)
			}
		})
	}
}

// TestLoadReadsAtMostTheLimit: Load does not read a file past the limit
// (a device or a log given by mistake) before refusing it.
func TestLoadReadsAtMostTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "landfall.yaml")
	if err := os.WriteFile(path, []byte("version: 1\n#"+strings.Repeat("x", 2*MaxConfigBytes)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "larger than 1048576 bytes") {
		t.Fatalf("Load of a file over the limit = %v", err)
	}
}

// TestParseReportsAtMostMaxErrors: a file with many problems gets the first
// maxErrors of them and a count of the rest, not a wall of text.
func TestParseReportsAtMostMaxErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\n")
	for i := range 3 * maxErrors {
		fmt.Fprintf(&b, "unknown%d: x\n", i)
	}
	_, err := Parse("many.yaml", []byte(b.String()))
	var es Errors
	if !errors.As(err, &es) || len(es) != maxErrors+1 {
		t.Fatalf("Parse reported %d problems, want %d and a count of the rest: %v", len(es), maxErrors+1, err)
	}
	if last := es[len(es)-1].Message; !strings.HasPrefix(last, "and ") || !strings.Contains(last, "more problems") {
		t.Fatalf("last problem = %q, want a count of the rest", last)
	}
}
