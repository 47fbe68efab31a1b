package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

// TestEndToEnd runs the whole demo scenario against the template `make
// synth` wrote, and checks each step's outcome in the accounts, the ledger
// and the outbox, not only the demo's own verdicts.
func TestEndToEnd(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	template := filepath.Join(root, "cdk.out", "landfall.template.json")
	if _, err := os.Stat(template); err != nil {
		t.Fatalf("the synthesized template is missing (%v): run `make synth` (make test does)", err)
	}
	var out bytes.Buffer
	rep, err := Run(context.Background(), Options{
		ModuleDir: root, ConfigPath: filepath.Join(root, "infra", "landfall.yaml"), TemplatePath: template,
		Out: &out, FunctionLogs: &bytes.Buffer{}, BuildDir: filepath.Join(root, "build", "host"),
	})
	if err != nil {
		t.Fatalf("demo machinery: %v\n%s", err, out.String())
	}
	for _, s := range rep.Steps {
		if !s.OK {
			t.Errorf("step %q did not hold: %s", s.Name, s.Detail)
		}
	}
	if len(rep.Steps) < 12 {
		t.Errorf("only %d steps ran", len(rep.Steps))
	}
	rows := map[string]ledger.Row{}
	for _, r := range rep.Ledger {
		rows[r.AccountID] = r
	}
	// Every account of the story has a ledger row with the right outcome.
	for name, want := range map[string]ledger.Status{
		"payments-prod": ledger.StatusSucceeded, "analytics-dev": ledger.StatusSucceeded, "sandbox-alice": ledger.StatusSucceeded,
		"legacy-shop": ledger.StatusSucceeded, "security": ledger.StatusSucceeded, "log-archive": ledger.StatusSucceeded,
	} {
		if got := rows[rep.Accounts[name]]; got.Status != want {
			t.Errorf("%s: ledger status %q, want %q (%s)", name, got.Status, want, got.LastError)
		}
	}
	if got := rows[rep.Accounts["payments-prod"]].Profile; got != "workloads" {
		t.Errorf("payments-prod was selected by profile %q, want workloads (its tag)", got)
	}
	if got := rows[rep.Accounts["sandbox-alice"]].Profile; got != "sandbox" {
		t.Errorf("sandbox-alice was selected by profile %q, want the default sandbox", got)
	}
	// The alert: the formatted email names the account and the alarm.
	if rep.AlertEmail == nil || !strings.Contains(rep.AlertEmail.Subject, "payments-prod") || !strings.Contains(rep.AlertEmail.Body, "root") {
		t.Errorf("alert email = %+v", rep.AlertEmail)
	}
	// It was fanned in and formatted where the config says: the central
	// alerts topic that sent it is in that account.
	cfg, err := config.Load(filepath.Join(root, "infra", "landfall.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.AlertEmail != nil && !strings.Contains(rep.AlertEmail.TopicARN, ":"+cfg.AlertFanInAccountID()+":") {
		t.Errorf("the alert email came from %s, want a topic in the fan-in account %s", rep.AlertEmail.TopicARN, cfg.AlertFanInAccountID())
	}
	// Drift: exactly the two changes made out of band, then nothing.
	if len(rep.DriftBefore) != 2 || len(rep.DriftAfter) != 0 {
		t.Errorf("drift before %q, after %q", rep.DriftBefore, rep.DriftAfter)
	}
	if t.Failed() {
		t.Logf("demo output:\n%s", out.String())
	}
}

// The demo's organization takes its id from cdk.json, and a malformed or
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
		id, err := synthesizedOrganizationID(dir)
		switch {
		case tt.want == "" && (err != nil || id != "o-exampleorgid"):
			t.Errorf("%s: got %q, %v; want o-exampleorgid", tt.context, id, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %q, %v; want an error saying %s", tt.context, id, err, tt.want)
		}
	}
}
