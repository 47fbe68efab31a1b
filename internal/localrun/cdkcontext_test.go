package localrun

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A local organization takes its id from cdk.json, and a malformed or
// missing one is an error naming the file and the key, not a panic of the
// endpoint.
func TestSynthesizedOrganizationID(t *testing.T) {
	for _, tt := range []struct{ context, want string }{
		{`{"landfall:organizationId": "o-exampleorgid"}`, ""},
		{`{"landfall:organizationId": "o-Bad"}`, `context landfall:organizationId: "o-Bad" is not an organization id`},
		{`{}`, `context landfall:organizationId: "" is not an organization id`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte(`{"context": `+tt.context+`}`), 0o644); err != nil {
			t.Fatal(err)
		}
		id, err := SynthesizedOrganizationID(dir)
		switch {
		case tt.want == "" && (err != nil || id != "o-exampleorgid"):
			t.Errorf("%s: got %q, %v; want o-exampleorgid", tt.context, id, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %q, %v; want an error saying %s", tt.context, id, err, tt.want)
		}
	}
}
