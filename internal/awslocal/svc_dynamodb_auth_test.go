package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbt "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// A role limited by DynamoDB's condition keys reaches only the items whose
// partition key it names, writes and reads only the attributes it lists,
// reads nothing back through ReturnValues and scans nothing whole, as in the
// Developer Guide's fine-grained access control examples.
func TestAuthorizeDynamoDBFineGrainedAccess(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	admin := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	newLedger(t, admin, "ledger")
	for _, pk := range []string{"receipt/a", "123456789012"} {
		mustNoErr(t, errOf(admin.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"),
			Item: avs{"pk": sv(pk), "sk": sv("x"), "state": sv("old"), "status": sv("succeeded")}})))
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["dynamodb:PutItem","dynamodb:UpdateItem","dynamodb:GetItem","dynamodb:Query","dynamodb:Scan"],` +
		`"Resource":"arn:aws:dynamodb:us-east-1:` + mgmt + `:table/ledger",` +
		`"Condition":{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["receipt/*"]},` +
		`"ForAllValues:StringEquals":{"dynamodb:Attributes":["pk","sk","state"]},` +
		`"StringEqualsIfExists":{"dynamodb:ReturnValues":"NONE","dynamodb:Select":"SPECIFIC_ATTRIBUTES"}}}]}`
	db := dynamodb.NewFromConfig(roleSession(t, s, u, mgmt, "receipts", map[string]string{"receipts": policy}))

	put := func(item avs, edit func(*dynamodb.PutItemInput)) error {
		in := &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: item}
		if edit != nil {
			edit(in)
		}
		_, err := db.PutItem(ctx, in)
		return err
	}
	receipt := func(pk string) avs { return avs{"pk": sv(pk), "sk": sv("x"), "state": sv("ok")} }
	mustNoErr(t, put(receipt("receipt/a"), nil))
	const denied = "AccessDeniedException"
	for name, err := range map[string]error{
		"another partition":     put(receipt("123456789012"), nil),
		"an unlisted attribute": put(avs{"pk": sv("receipt/b"), "sk": sv("x"), "status": sv("succeeded")}, nil),
		"the old item back":     put(receipt("receipt/a"), func(in *dynamodb.PutItemInput) { in.ReturnValues = ddbt.ReturnValueAllOld }),
		"a condition on an unlisted attribute": put(receipt("receipt/a"), func(in *dynamodb.PutItemInput) {
			in.ConditionExpression = aws.String("attribute_not_exists(#s)")
			in.ExpressionAttributeNames = map[string]string{"#s": "status"}
		}),
	} {
		t.Run("PutItem of "+name, func(t *testing.T) { wantDeniedAs(t, err, denied, "dynamodb:PutItem") })
	}

	update := func(pk, expr string, names map[string]string) error {
		_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("ledger"), Key: avs{"pk": sv(pk), "sk": sv("x")},
			UpdateExpression: aws.String(expr), ExpressionAttributeNames: names, ExpressionAttributeValues: avs{":v": sv("new")}})
		return err
	}
	mustNoErr(t, update("receipt/a", "SET #a = :v", map[string]string{"#a": "state"}))
	wantDeniedAs(t, update("receipt/a", "SET #a = :v", map[string]string{"#a": "status"}), denied, "dynamodb:UpdateItem")
	wantDeniedAs(t, update("123456789012", "SET #a = :v", map[string]string{"#a": "state"}), denied, "dynamodb:UpdateItem")

	get := func(pk string) error {
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ledger"), Key: avs{"pk": sv(pk), "sk": sv("x")},
			ProjectionExpression: aws.String("#a"), ExpressionAttributeNames: map[string]string{"#a": "state"}})
		return err
	}
	mustNoErr(t, get("receipt/a"))
	wantDeniedAs(t, get("123456789012"), denied, "dynamodb:GetItem")

	query := func(pk string, projection *string) error {
		in := &dynamodb.QueryInput{TableName: aws.String("ledger"), KeyConditionExpression: aws.String("pk = :p"),
			ExpressionAttributeValues: avs{":p": sv(pk)}, ProjectionExpression: projection}
		_, err := db.Query(ctx, in)
		return err
	}
	specific := aws.String("pk, sk")
	mustNoErr(t, query("receipt/a", specific))
	wantDeniedAs(t, query("123456789012", specific), denied, "dynamodb:Query")
	wantDeniedAs(t, query("receipt/a", nil), denied, "dynamodb:Query")
	_, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("ledger")})
	wantDeniedAs(t, err, denied, "dynamodb:Scan")
}
