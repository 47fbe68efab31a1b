package config

import (
	"strings"
	"testing"
)

func TestAccountAlias(t *testing.T) {
	tests := []struct {
		template string
		account  Account
		want     string
	}{
		{"{prefix}-{accountName}", Account{ID: "444444444444", Name: "Prod"}, "acme-prod"},
		{"{prefix}-{accountName}", Account{ID: "444444444444", Name: "Prod – Payments (EU)"}, "acme-prod-payments-eu"},
		{"{prefix}-{accountId}", Account{ID: "444444444444", Name: "Prod"}, "acme-444444444444"},
		{"{accountName}", Account{ID: "444444444444", Name: "--Sandbox--"}, "sandbox"},
		{"{accountName}", Account{ID: "444444444444", Name: "é"}, "444444444444"},
		{"{accountName}", Account{ID: "444444444444", Name: "QA"}, "qa-444444444444"},
		{"{prefix}-{accountName}", Account{ID: "444444444444", Name: strings.Repeat("a", 70)}, "acme-" + strings.Repeat("a", 58)},
		{"{prefix}-{accountName}", Account{ID: "444444444444", Name: strings.Repeat("a", 57) + " b"}, "acme-" + strings.Repeat("a", 57)},
	}
	for _, tt := range tests {
		c := &Config{Naming: Naming{Prefix: "acme", AccountAlias: tt.template}}
		got := c.AccountAlias(tt.account)
		if got != tt.want {
			t.Errorf("AccountAlias(%q, %q) = %q, want %q", tt.template, tt.account.Name, got, tt.want)
		}
		if len(got) < 3 || len(got) > 63 {
			t.Errorf("AccountAlias(%q, %q) = %q: length %d outside 3..63", tt.template, tt.account.Name, got, len(got))
		}
	}
}
