package baseline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestAccountAlias(t *testing.T) {
	f := newFixture(t)
	mustApplyGlobal(t, f, itemEngine("account-alias"), f.cfg)
	if got := aliasOf(t, f.cfg); got != "acme-workload" {
		t.Fatalf("alias = %q, want acme-workload", got)
	}
}

func TestAccountAliasExisting(t *testing.T) {
	tests := []struct {
		name       string
		existing   string
		adopt      bool
		wantAction Action
		wantAlias  string
	}{
		{"landfall's old alias is replaced", "acme-old-name", false, Update, "acme-workload"},
		{"someone else's alias is a conflict", "corp-workload", false, Conflict, "corp-workload"},
		{"adopt replaces someone else's alias", "corp-workload", true, Update, "acme-workload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.spec.Profile.Adopt = tt.adopt
			setAlias(t, f.cfg, tt.existing)
			e := itemEngine("account-alias")
			c := planEntry(t, mustPlanGlobal(t, f, e, f.cfg), "account-alias", "account-alias/acme-workload")
			if c.Action != tt.wantAction || len(c.Diffs) != 1 || c.Diffs[0].Have != tt.existing || c.Diffs[0].Want != "acme-workload" {
				t.Fatalf("plan: %s", c)
			}
			mustApplyGlobal(t, f, e, f.cfg)
			if got := aliasOf(t, f.cfg); got != tt.wantAlias {
				t.Fatalf("alias after apply = %q, want %q", got, tt.wantAlias)
			}
		})
	}
}

// An alias another account holds is reported, not a failed run.
func TestAccountAliasTaken(t *testing.T) {
	f := newFixture(t)
	setAlias(t, mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)), "acme-workload")
	rep := mustApplyGlobal(t, f, itemEngine("account-alias"), f.cfg)
	if c := rep.Items[0].Changes[0]; c.Action != Finding || c.Detail == "" {
		t.Fatalf("report entry: %s", c)
	}
	if got := aliasOf(t, f.cfg); got != "" {
		t.Fatalf("alias = %q, want none", got)
	}
}

func setAlias(t *testing.T, cfg aws.Config, alias string) {
	t.Helper()
	if _, err := iam.NewFromConfig(cfg).CreateAccountAlias(context.Background(), &iam.CreateAccountAliasInput{AccountAlias: aws.String(alias)}); err != nil {
		t.Fatalf("setting alias %s: %v", alias, err)
	}
}

func aliasOf(t *testing.T, cfg aws.Config) string {
	t.Helper()
	out, err := iam.NewFromConfig(cfg).ListAccountAliases(context.Background(), &iam.ListAccountAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.AccountAliases) == 0 {
		return ""
	}
	return out.AccountAliases[0]
}
