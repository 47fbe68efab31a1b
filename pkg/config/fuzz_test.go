package config

import (
	"errors"
	"os"
	"slices"
	"testing"
)

// FuzzParse checks that any input yields either a config or well-formed
// problems (never a panic), and the same answer every time.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example), baseYAML, precedenceYAML, "", "version: [",
		"profiles: &a [*a]", "organization: {identity: {accountId: 1}}",
		"tags: {aws:x: y, landfall:y: z}\nprofiles: [{name: A, select: {ous: [\"/Root/[\"]}}]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.yaml", data)
		again, err2 := Parse("f.yaml", data)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("Parse is not deterministic:\n%v\n---\n%v", err, err2)
		}
		if err == nil {
			if cfg == nil || again == nil {
				t.Fatal("Parse returned neither a config nor an error")
			}
			if _, err := cfg.SelectProfile(Account{ID: "123456789012", OUPath: "/Root/Workloads/Prod"}); err != nil {
				t.Fatalf("SelectProfile on a valid config: %v", err)
			}
			return
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("error %v is not a non-empty config.Errors", err)
		}
		for _, e := range es {
			if e.File != "f.yaml" || e.Line < 1 || e.Message == "" {
				t.Errorf("malformed problem %#v", e)
			}
		}
		if !slices.IsSortedFunc(es, func(a, b *FieldError) int { return a.Line - b.Line }) {
			t.Errorf("problems not sorted by line:\n%v", err)
		}
	})
}
