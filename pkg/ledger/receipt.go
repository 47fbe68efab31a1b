package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// Alert delivery receipts share the ledger table with the account rows, so
// the formatter needs one table grant and the operator one table to read.
// A receipt's key starts with ReceiptKeyPrefix, which no account id does,
// and it has no status attribute: Get and List never mistake it for an
// account. The formatter may put only such rows (Receipts.PutCondition).
const ReceiptKeyPrefix = "alert-receipt/"

// Receipt proves that one alarm notification travelled from an account's
// alerts topic through the central fan-in to the formatter, which delivered
// it. There is one per alarm; the latest delivery replaces the previous one.
type Receipt struct {
	AccountID string `json:"accountId"`
	AlarmName string `json:"alarmName"`
	// State and Reason are the alarm's NewStateValue and NewStateReason;
	// `landfall alerts test` finds its nonce in Reason.
	State       string    `json:"state"`
	Reason      string    `json:"reason"`
	DeliveredAt time.Time `json:"deliveredAt"`
}

// ReceiptKey is the ledger key of an alarm's receipt:
// alert-receipt/<accountId>/<alarmName>.
func ReceiptKey(accountID, alarmName string) string {
	return ReceiptKeyPrefix + accountID + "/" + alarmName
}

// PutReceipt records a delivered alarm notification, replacing the alarm's
// previous receipt.
func (l *Ledger) PutReceipt(ctx context.Context, r Receipt) error {
	key := ReceiptKey(r.AccountID, r.AlarmName)
	_, err := l.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.Table),
		Item: map[string]types.AttributeValue{
			"accountId": str(key), "receiptAccountId": str(r.AccountID), "alarmName": str(r.AlarmName),
			"alarmState": str(r.State), "stateReason": str(r.Reason),
			"deliveredAt": str(r.DeliveredAt.UTC().Format(time.RFC3339Nano)),
		},
	})
	if err != nil {
		return fmt.Errorf("writing alert receipt (%s): %w", key, err)
	}
	return nil
}

// GetReceipt reads an alarm's latest receipt; an alarm never delivered is
// an awsx.NotFound error.
func (l *Ledger) GetReceipt(ctx context.Context, accountID, alarmName string) (Receipt, error) {
	key := ReceiptKey(accountID, alarmName)
	out, err := l.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.Table), Key: map[string]types.AttributeValue{"accountId": str(key)}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Receipt{}, fmt.Errorf("reading alert receipt (%s): %w", key, err)
	}
	if out.Item == nil {
		return Receipt{}, &awsx.NotFoundError{What: "alert receipt (" + key + ")"}
	}
	s := func(k string) string { return stringAttr(out.Item, k) }
	r := Receipt{AccountID: s("receiptAccountId"), AlarmName: s("alarmName"), State: s("alarmState"), Reason: s("stateReason")}
	if r.DeliveredAt, err = time.Parse(time.RFC3339Nano, s("deliveredAt")); err != nil {
		return Receipt{}, fmt.Errorf("reading alert receipt (%s): deliveredAt: %w", key, err)
	}
	return r, nil
}
