package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// Status is where an account's baseline stands.
type Status string

const (
	StatusRunning   Status = "RUNNING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusSkipped   Status = "SKIPPED"
	// StatusClosed: the account was closed or left the organization; the
	// row is kept as history and the sweep ignores it.
	StatusClosed Status = "CLOSED"
)

// Row is one account's entry.
type Row struct {
	AccountID   string    `json:"accountId"`
	AccountName string    `json:"accountName,omitempty"`
	Profile     string    `json:"profile,omitempty"`
	Version     string    `json:"version,omitempty"`
	Status      Status    `json:"status"`
	Reason      string    `json:"reason,omitempty"` // what triggered the run, or why it was skipped
	LastRun     time.Time `json:"lastRun,omitzero"`
	DurationMs  int64     `json:"durationMs"`
	Created     int       `json:"created"`
	Updated     int       `json:"updated"`
	Deleted     int       `json:"deleted"`
	Drift       int       `json:"drift"` // changes found on an account that was already baselined
	Findings    []string  `json:"findings,omitempty"`
	LastError   string    `json:"lastError,omitempty"`
	// Terminal marks a failure that running again cannot mend (a refusal,
	// a configuration that cannot work). The sweep leaves such an account
	// alone while ConfigDigest and Version are those it failed with.
	Terminal     bool   `json:"terminal,omitempty"`
	ConfigDigest string `json:"configDigest,omitempty"`
	ExecutionARN string `json:"executionArn,omitempty"`
}

// ErrLocked says another run holds the account's lock.
var ErrLocked = errors.New("another baseline run holds this account's lock")

// Ledger is the table.
type Ledger struct {
	Client *dynamodb.Client
	Table  string
	Now    func() time.Time
}

// New returns a ledger over the table.
func New(cfg aws.Config, table string) *Ledger {
	return &Ledger{Client: dynamodb.NewFromConfig(cfg), Table: table, Now: time.Now}
}

// Lock takes the account's run lock for owner (the execution name) until
// ttl passes. It succeeds when the lock is free, expired, or already
// owner's (a retried Lambda must not lock itself out), and returns
// ErrLocked otherwise.
func (l *Ledger) Lock(ctx context.Context, accountID, owner string, ttl time.Duration) error {
	now := l.Now()
	_, err := l.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(l.Table),
		Key:                 key(accountID),
		UpdateExpression:    aws.String("SET lockOwner = :owner, lockExpires = :expires"),
		ConditionExpression: aws.String("attribute_not_exists(lockOwner) OR lockExpires < :now OR lockOwner = :owner"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":owner":   &types.AttributeValueMemberS{Value: owner},
			":expires": number(now.Add(ttl).Unix()),
			":now":     number(now.Unix()),
		},
	})
	if awsx.IsA[*types.ConditionalCheckFailedException](err) {
		return ErrLocked
	}
	if err != nil {
		return fmt.Errorf("locking ledger row (%s): %w", accountID, err)
	}
	return nil
}

// Unlock releases owner's lock; releasing a lock owner no longer holds is
// not an error (it expired and someone else took it).
func (l *Ledger) Unlock(ctx context.Context, accountID, owner string) error {
	_, err := l.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.Table),
		Key:                       key(accountID),
		UpdateExpression:          aws.String("REMOVE lockOwner, lockExpires"),
		ConditionExpression:       aws.String("lockOwner = :owner"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}},
	})
	if err != nil && !awsx.IsA[*types.ConditionalCheckFailedException](err) {
		return fmt.Errorf("unlocking ledger row (%s): %w", accountID, err)
	}
	return nil
}

// Put writes the row's status fields, leaving the lock attributes alone.
func (l *Ledger) Put(ctx context.Context, r Row) error {
	values := map[string]types.AttributeValue{
		":name": str(r.AccountName), ":profile": str(r.Profile), ":version": str(r.Version),
		":status": str(string(r.Status)), ":reason": str(r.Reason), ":lastRun": str(r.LastRun.UTC().Format(time.RFC3339)),
		":duration": number(r.DurationMs), ":created": number(int64(r.Created)), ":updated": number(int64(r.Updated)), ":deleted": number(int64(r.Deleted)),
		":drift": number(int64(r.Drift)), ":error": str(r.LastError), ":exec": str(r.ExecutionARN),
		":terminal": &types.AttributeValueMemberBOOL{Value: r.Terminal}, ":digest": str(r.ConfigDigest),
		":findings": &types.AttributeValueMemberL{Value: stringList(r.Findings)},
	}
	_, err := l.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(l.Table),
		Key:       key(r.AccountID),
		UpdateExpression: aws.String("SET accountName = :name, profile = :profile, baselineVersion = :version, #status = :status, " +
			"reason = :reason, lastRun = :lastRun, durationMs = :duration, created = :created, updated = :updated, deleted = :deleted, " +
			"drift = :drift, lastError = :error, terminal = :terminal, configDigest = :digest, executionArn = :exec, findings = :findings"),
		// status is a DynamoDB reserved word.
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	})
	if err != nil {
		return fmt.Errorf("writing ledger row (%s): %w", r.AccountID, err)
	}
	return nil
}

// Get reads one account's row.
func (l *Ledger) Get(ctx context.Context, accountID string) (Row, error) {
	out, err := l.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.Table), Key: key(accountID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Row{}, fmt.Errorf("reading ledger row (%s): %w", accountID, err)
	}
	if out.Item == nil || out.Item["status"] == nil {
		return Row{}, &awsx.NotFoundError{What: "ledger row (" + accountID + ")"}
	}
	return flatten(out.Item), nil
}

// List reads every account's row, following the scan's pages. Lock-only
// rows (a first run in progress) and alert receipts are not accounts and
// are left out.
func (l *Ledger) List(ctx context.Context) ([]Row, error) {
	var rows []Row
	p := dynamodb.NewScanPaginator(l.Client, &dynamodb.ScanInput{TableName: aws.String(l.Table)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing ledger rows (%s): %w", l.Table, err)
		}
		for _, it := range page.Items {
			if it["status"] != nil {
				rows = append(rows, flatten(it))
			}
		}
	}
	return rows, nil
}

func key(accountID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"accountId": str(accountID)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func stringList(ss []string) []types.AttributeValue {
	out := make([]types.AttributeValue, 0, len(ss))
	for _, s := range ss {
		out = append(out, str(s))
	}
	return out
}

// stringAttr is item's string attribute k, or "" when it has none.
func stringAttr(item map[string]types.AttributeValue, k string) string {
	if v, ok := item[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func flatten(it map[string]types.AttributeValue) Row {
	s := func(k string) string { return stringAttr(it, k) }
	n := func(k string) int64 {
		if v, ok := it[k].(*types.AttributeValueMemberN); ok {
			i, _ := strconv.ParseInt(v.Value, 10, 64)
			return i
		}
		return 0
	}
	r := Row{
		AccountID: s("accountId"), AccountName: s("accountName"), Profile: s("profile"), Version: s("baselineVersion"),
		Status: Status(s("status")), Reason: s("reason"), DurationMs: n("durationMs"), Created: int(n("created")),
		Updated: int(n("updated")), Deleted: int(n("deleted")), Drift: int(n("drift")), LastError: s("lastError"), ExecutionARN: s("executionArn"),
	}
	r.LastRun, _ = time.Parse(time.RFC3339, s("lastRun"))
	if b, ok := it["terminal"].(*types.AttributeValueMemberBOOL); ok {
		r.Terminal = b.Value
	}
	r.ConfigDigest = s("configDigest")
	if l, ok := it["findings"].(*types.AttributeValueMemberL); ok {
		for _, v := range l.Value {
			if sv, ok := v.(*types.AttributeValueMemberS); ok {
				r.Findings = append(r.Findings, sv.Value)
			}
		}
	}
	return r
}
