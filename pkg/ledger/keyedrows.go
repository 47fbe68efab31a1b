package ledger

// KeyedRows are rows of one kind that share the table with the account rows:
// every key starts with a prefix no account id has, and none has a status
// attribute, so Get and List never take them for accounts.
type KeyedRows struct {
	// Prefix starts every key.
	Prefix string
	// Attributes are every attribute such a row has, its key included.
	Attributes []string
}

var (
	// Receipts are the alert delivery receipts the formatter writes.
	Receipts = KeyedRows{Prefix: ReceiptKeyPrefix,
		Attributes: []string{"accountId", "receiptAccountId", "alarmName", "alarmState", "stateReason", "deliveredAt"}}
	// EntryTrusts are the entry roles' trust policies the Apply function saves.
	EntryTrusts = KeyedRows{Prefix: EntryTrustKeyPrefix,
		Attributes: []string{"accountId", "trustAccountId", "roleName", "policy", "savedAt"}}
)

// PutCondition is the IAM condition on dynamodb:PutItem for a principal that
// writes only these rows (DynamoDB's fine-grained access control): keys
// with the prefix (dynamodb:LeadingKeys), these attributes and no other
// (dynamodb:Attributes), and nothing read back (dynamodb:ReturnValues). So
// it can neither overwrite an account's row nor give a row of its own the
// status that would make List report it as an account.
func (k KeyedRows) PutCondition() map[string]any {
	return map[string]any{
		"ForAllValues:StringLike":   map[string]any{"dynamodb:LeadingKeys": []string{k.Prefix + "*"}},
		"ForAllValues:StringEquals": map[string]any{"dynamodb:Attributes": k.Attributes},
		"StringEquals":              map[string]any{"dynamodb:ReturnValues": "NONE"},
	}
}
