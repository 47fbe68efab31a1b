package ledger

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/pkg/awsx"
)

const mgmt = "111111111111"

func newLedger(t *testing.T) (*Ledger, *time.Time) {
	t.Helper()
	l, now, _ := newLedgerAndAdmin(t)
	return l, now
}

// newLedgerAndAdmin is newLedger with the management account
// administrator's config.
func newLedgerAndAdmin(t *testing.T) (*Ledger, *time.Time, aws.Config) {
	t.Helper()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	simulator, err := iamsim.Shared("../..")
	if err != nil {
		t.Fatal(err)
	}
	srv := awslocal.New(awslocal.Options{Seed: 3, Authorizer: simulator})
	url := srv.Start(t)
	cfg, err := awslocal.SDKConfig(context.Background(), url, srv.AdminCredentials(mgmt), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	l := New(cfg, "landfall-ledger")
	l.Now = func() time.Time { return now }
	_, err = l.Client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(l.Table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("accountId"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("accountId"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	return l, &now, cfg
}

func TestLockSerializesRuns(t *testing.T) {
	l, now := newLedger(t)
	ctx := context.Background()
	const acct = "444455556666"

	// Two triggers for the same account race for the lock: exactly one wins.
	var wg sync.WaitGroup
	results := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = l.Lock(ctx, acct, "event/"+string(rune('a'+i)), time.Hour)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ErrLocked):
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d runs took the lock, want 1", won)
	}

	// The winner's retry finds its own lock; others stay out until release.
	var winner string
	for i, err := range results {
		if err == nil {
			winner = "event/" + string(rune('a'+i))
		}
	}
	if err := l.Lock(ctx, acct, winner, time.Hour); err != nil {
		t.Fatalf("owner re-locking: %v", err)
	}
	if err := l.Unlock(ctx, acct, "event/someone-else"); err != nil {
		t.Fatalf("unlocking a lock one does not hold is not an error: %v", err)
	}
	if err := l.Lock(ctx, acct, "event/late", time.Hour); !errors.Is(err, ErrLocked) {
		t.Fatalf("lock after a foreign unlock = %v, want ErrLocked", err)
	}
	if err := l.Unlock(ctx, acct, winner); err != nil {
		t.Fatal(err)
	}
	if err := l.Lock(ctx, acct, "event/late", time.Hour); err != nil {
		t.Fatalf("lock after release: %v", err)
	}

	// A lock whose holder died expires.
	*now = now.Add(2 * time.Hour)
	if err := l.Lock(ctx, acct, "event/after-expiry", time.Hour); err != nil {
		t.Fatalf("lock after expiry: %v", err)
	}
}

func TestPutGetList(t *testing.T) {
	l, now := newLedger(t)
	ctx := context.Background()

	if _, err := l.Get(ctx, "444455556666"); !awsx.NotFound(err) {
		t.Fatalf("missing row: %v", err)
	}
	// A row that only holds a lock is not a ledger entry yet.
	if err := l.Lock(ctx, "444455556666", "event/x", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Get(ctx, "444455556666"); !awsx.NotFound(err) {
		t.Fatalf("lock-only row: %v", err)
	}
	want := Row{AccountID: "444455556666", AccountName: "workload", Profile: "workloads", Version: "1",
		Status: StatusSucceeded, Reason: "account-created", LastRun: *now, DurationMs: 4200, Created: 31, Updated: 2, Deleted: 1,
		Drift: 0, Findings: []string{"iam-findings: root user has no MFA"}, LastError: "TerminalError: refusing to baseline",
		Terminal: true, ConfigDigest: "0123456789abcdef01234567", ExecutionARN: "arn:aws:states:us-east-1:111111111111:execution:acme-baseline-account:x"}
	if err := l.Put(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := l.Get(ctx, want.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.LastRun.Equal(want.LastRun) {
		t.Fatalf("lastRun = %v, want %v", got.LastRun, want.LastRun)
	}
	got.LastRun = want.LastRun
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("row = %+v\nwant  %+v", got, want)
	}
	// Put keeps the lock: a run records its row before it releases.
	if err := l.Lock(ctx, want.AccountID, "event/y", time.Hour); !errors.Is(err, ErrLocked) {
		t.Fatalf("Put dropped the lock: %v", err)
	}
	for i := range 12 { // more than one scan page
		id := "10000000000" + string(rune('0'+i%10))
		if i >= 10 {
			id = "2000000000" + string(rune('0'+i/10)) + string(rune('0'+i%10))
		}
		if err := l.Put(ctx, Row{AccountID: id, Status: StatusSkipped, LastRun: *now}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 {
		t.Fatalf("listed %d rows, want 13", len(rows))
	}
}
