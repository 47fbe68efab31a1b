package ledger

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

// A principal granted PutItem under Receipts' and EntryTrusts' conditions
// writes receipts and saved trusts as the ledger writes them, and nothing
// else: not an account's row, not a row of its own kind that List would read
// as an account, not the row it replaces.
func TestKeyedRowsPutCondition(t *testing.T) {
	admin, now, cfg := newLedgerAndAdmin(t)
	ctx := context.Background()
	const acct = "444455556666"
	if err := admin.Put(ctx, Row{AccountID: acct, Status: StatusSucceeded, LastRun: *now}); err != nil {
		t.Fatal(err)
	}
	var statements []map[string]any
	for _, rows := range []KeyedRows{Receipts, EntryTrusts} {
		statements = append(statements, map[string]any{"Effect": "Allow", "Action": "dynamodb:PutItem",
			"Resource": "arn:aws:dynamodb:us-east-1:" + mgmt + ":table/" + admin.Table, "Condition": rows.PutCondition()})
	}
	policy, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	if err != nil {
		t.Fatal(err)
	}
	roles := iam.NewFromConfig(cfg)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := roles.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("rows"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("rows"), PolicyName: aws.String("rows"), PolicyDocument: aws.String(string(policy))}); err != nil {
		t.Fatal(err)
	}
	writer := New(awsx.AssumeRole(cfg, awsx.RoleARN(mgmt, "rows"), "writer"), admin.Table)
	writer.Now = admin.Now

	if err := writer.PutReceipt(ctx, Receipt{AccountID: acct, AlarmName: "acme-root-use", State: "ALARM", Reason: "test", DeliveredAt: now.Add(time.Second)}); err != nil {
		t.Fatalf("putting a receipt = %v", err)
	}
	if err := writer.SaveEntryTrust(ctx, acct, "OrganizationAccountAccessRole", `{"Version":"2012-10-17","Statement":[]}`); err != nil {
		t.Fatalf("saving an entry trust = %v", err)
	}
	put := func(item map[string]types.AttributeValue, rv types.ReturnValue) error {
		_, err := writer.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(writer.Table), Item: item, ReturnValues: rv})
		return err
	}
	receipt := func(extra ...string) map[string]types.AttributeValue {
		item := map[string]types.AttributeValue{"accountId": str(ReceiptKey(acct, "acme-forged"))}
		for _, k := range extra {
			item[k] = str("succeeded")
		}
		return item
	}
	for name, err := range map[string]error{
		"an account's row":                      put(map[string]types.AttributeValue{"accountId": str(acct), "status": str("succeeded")}, ""),
		"a receipt with a status":               put(receipt("status"), ""),
		"a receipt reading the row it replaces": put(receipt(), types.ReturnValueAllOld),
	} {
		if !awsx.IsCode(err, "AccessDeniedException") {
			t.Errorf("putting %s = %v, want access denied", name, err)
		}
	}
	rows, err := admin.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].AccountID != acct || rows[0].Status != StatusSucceeded {
		t.Errorf("List = %+v, want only %s, succeeded", rows, acct)
	}
}
