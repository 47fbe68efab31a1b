package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestEntryTrustKeepsTheFirst(t *testing.T) {
	l, now := newLedger(t)
	ctx := context.Background()
	const acct, role = "444455556666", "OrganizationAccountAccessRole"
	const original = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
	const later = `{"Version":"2012-10-17","Statement":[{"Sid":"LandfallPipeline","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/acme-pipeline"},"Action":"sts:AssumeRole"}]}`
	if err := l.Put(ctx, Row{AccountID: acct, Status: StatusSucceeded, LastRun: *now}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.GetEntryTrust(ctx, acct); !awsx.NotFound(err) {
		t.Fatalf("GetEntryTrust before any save = %v, want not found", err)
	}
	savedAt := *now
	if err := l.SaveEntryTrust(ctx, acct, role, original); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Hour)
	// A later tightening (the door was put back, say) finds landfall's
	// statements: what it saves must not replace the original.
	if err := l.SaveEntryTrust(ctx, acct, role, later); err != nil {
		t.Fatalf("saving a second time = %v, want no error", err)
	}
	got, err := l.GetEntryTrust(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccountID != acct || got.RoleName != role || got.Policy != original || !got.SavedAt.Equal(savedAt) {
		t.Fatalf("GetEntryTrust = %+v, want the first save (%s at %s)", got, original, savedAt)
	}
	if _, err := l.GetEntryTrust(ctx, "999988887777"); !awsx.NotFound(err) {
		t.Fatalf("GetEntryTrust of another account = %v, want not found", err)
	}

	// The saved trust is not an account: List and Get see only the account's row.
	rows, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].AccountID != acct {
		t.Fatalf("List = %+v, want only %s", rows, acct)
	}
	if _, err := l.Get(ctx, EntryTrustKey(acct)); !awsx.NotFound(err) {
		t.Fatalf("Get of an entry trust key = %v, want not found", err)
	}
}
