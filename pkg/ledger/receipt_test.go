package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestReceipts(t *testing.T) {
	l, now := newLedger(t)
	ctx := context.Background()
	const acct = "444455556666"
	if err := l.Put(ctx, Row{AccountID: acct, Status: StatusSucceeded, LastRun: *now}); err != nil {
		t.Fatal(err)
	}

	first := Receipt{AccountID: acct, AlarmName: "acme-root-use", State: "ALARM", Reason: "Threshold Crossed", DeliveredAt: now.Add(time.Second)}
	second := Receipt{AccountID: acct, AlarmName: "acme-root-use", State: "ALARM", Reason: "landfall alerts test 5eed", DeliveredAt: now.Add(1500 * time.Millisecond)}
	other := Receipt{AccountID: acct, AlarmName: "acme-iam-changes", State: "OK", Reason: "back to normal", DeliveredAt: now.Add(2 * time.Second)}
	for _, r := range []Receipt{first, second, other} {
		if err := l.PutReceipt(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name, account, alarm string
		want                 *Receipt // nil: not found
	}{
		{"the latest delivery replaces the previous one", acct, "acme-root-use", &second},
		{"each alarm has its own receipt", acct, "acme-iam-changes", &other},
		{"an alarm never delivered has none", acct, "acme-console-no-mfa", nil},
		{"receipts are per account", "999988887777", "acme-root-use", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := l.GetReceipt(ctx, tt.account, tt.alarm)
			if tt.want == nil {
				if !awsx.NotFound(err) {
					t.Fatalf("GetReceipt = %+v, %v; want not found", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AccountID != tt.want.AccountID || got.AlarmName != tt.want.AlarmName || got.State != tt.want.State ||
				got.Reason != tt.want.Reason || !got.DeliveredAt.Equal(tt.want.DeliveredAt) {
				t.Fatalf("GetReceipt = %+v, want %+v", got, *tt.want)
			}
		})
	}

	// Receipts are not accounts: List and Get see only the account's row.
	rows, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].AccountID != acct {
		t.Fatalf("List = %+v, want only %s", rows, acct)
	}
	if _, err := l.Get(ctx, ReceiptKey(acct, "acme-root-use")); !awsx.NotFound(err) {
		t.Fatalf("Get of a receipt key = %v, want not found", err)
	}
}
