package baseline

import (
	"context"
	"strings"
	"testing"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

func TestGuardRefusesTheWrongAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := itemEngine("password-policy")

	// Credentials that act in the management account, aimed at the member.
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	f.srv.ResetCalls()
	_, err := e.Apply(ctx, f.spec, admin, ScopeAll)
	if !awsx.IsA[*awsx.TerminalError](err) || !strings.Contains(err.Error(), "credentials act in account 111111111111, not the target") {
		t.Fatalf("apply with the wrong account's credentials = %v, want a terminal refusal", err)
	}
	if w := countedWrites(f, ""); len(w) > 0 {
		t.Fatalf("the guard let writes through: %v", w)
	}

	// The management account itself, selected by a profile that does not
	// name it, is refused too.
	spec := *f.spec
	spec.Account = config.Account{ID: mgmt, Name: "management"}
	_, err = e.Apply(ctx, &spec, admin, ScopeAll)
	if !awsx.IsA[*awsx.TerminalError](err) || !strings.Contains(err.Error(), "refusing to baseline the management account") {
		t.Fatalf("apply to the management account = %v, want a terminal refusal", err)
	}
}
