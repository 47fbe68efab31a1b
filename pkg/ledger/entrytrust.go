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

// The entry role's trust policy, as it was before landfall first tightened
// it, is kept here in the management account, where no member account's
// administrator can rewrite it, so that `landfall restore-trust` can put it
// back. Like receipts, these rows share the table under a key prefix no
// account id has, without a status attribute, and the Apply function may
// put only such rows (EntryTrusts.PutCondition).
const EntryTrustKeyPrefix = "entry-trust/"

// EntryTrust is an entry role's trust policy as landfall first found it.
type EntryTrust struct {
	AccountID string `json:"accountId"`
	RoleName  string `json:"roleName"`
	// Policy is the document as IAM returned it, decoded and in the
	// baseline's canonical JSON (keys and lists sorted, a one-element list
	// as its element, booleans and numbers as strings): the same policy to
	// IAM, not the same bytes.
	Policy  string    `json:"policy"`
	SavedAt time.Time `json:"savedAt"`
}

// EntryTrustKey is the ledger key of an account's saved entry trust:
// entry-trust/<accountId>.
func EntryTrustKey(accountID string) string { return EntryTrustKeyPrefix + accountID }

// SaveEntryTrust keeps policy as the original trust policy of the account's
// entry role, unless one is kept already: the first one saved is the one
// from before landfall changed anything, and a later run, which finds
// landfall's own statements, must not replace it.
func (l *Ledger) SaveEntryTrust(ctx context.Context, accountID, roleName, policy string) error {
	k := EntryTrustKey(accountID)
	_, err := l.Client.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.Table),
		Item: map[string]types.AttributeValue{
			"accountId": str(k), "trustAccountId": str(accountID), "roleName": str(roleName), "policy": str(policy),
			"savedAt": str(l.Now().UTC().Format(time.RFC3339Nano)),
		},
		ConditionExpression: aws.String("attribute_not_exists(accountId)"),
	})
	if err != nil && !awsx.IsA[*types.ConditionalCheckFailedException](err) {
		return fmt.Errorf("saving the original entry role trust (%s): %w", k, err)
	}
	return nil
}

// GetEntryTrust reads the account's saved entry trust; an account whose
// entry role landfall never tightened is an awsx.NotFound error.
func (l *Ledger) GetEntryTrust(ctx context.Context, accountID string) (EntryTrust, error) {
	k := EntryTrustKey(accountID)
	out, err := l.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.Table), Key: key(k), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return EntryTrust{}, fmt.Errorf("reading the original entry role trust (%s): %w", k, err)
	}
	if out.Item == nil {
		return EntryTrust{}, &awsx.NotFoundError{What: "original entry role trust (" + k + ")"}
	}
	t := EntryTrust{AccountID: stringAttr(out.Item, "trustAccountId"), RoleName: stringAttr(out.Item, "roleName"), Policy: stringAttr(out.Item, "policy")}
	if t.SavedAt, err = time.Parse(time.RFC3339Nano, stringAttr(out.Item, "savedAt")); err != nil {
		return EntryTrust{}, fmt.Errorf("reading the original entry role trust (%s): savedAt: %w", k, err)
	}
	if t.AccountID != accountID || t.RoleName == "" || t.Policy == "" {
		return EntryTrust{}, fmt.Errorf("reading the original entry role trust (%s): the row lacks its account, role or policy", k)
	}
	return t, nil
}
