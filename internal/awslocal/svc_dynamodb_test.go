package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbt "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type avs = map[string]ddbt.AttributeValue

func sv(s string) ddbt.AttributeValue { return &ddbt.AttributeValueMemberS{Value: s} }
func nv(n string) ddbt.AttributeValue { return &ddbt.AttributeValueMemberN{Value: n} }

// newLedger creates the table landfall's ledger uses: pk (S) + sk (S).
func newLedger(t *testing.T, db *dynamodb.Client, name string) {
	t.Helper()
	_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String(name), BillingMode: ddbt.BillingModePayPerRequest,
		AttributeDefinitions: []ddbt.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: ddbt.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: ddbt.ScalarAttributeTypeS}},
		KeySchema: []ddbt.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: ddbt.KeyTypeRange}},
	})
	mustNoErr(t, err)
}

func TestDynamoDBTableLifecycle(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	newLedger(t, db, "ledger")

	d, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("ledger")})
	mustNoErr(t, err)
	if d.Table.TableStatus != ddbt.TableStatusActive || d.Table.BillingModeSummary.BillingMode != ddbt.BillingModePayPerRequest ||
		aws.ToString(d.Table.TableArn) != "arn:aws:dynamodb:us-east-1:"+mgmt+":table/ledger" || len(d.Table.KeySchema) != 2 {
		t.Fatalf("table = %+v", d.Table)
	}

	tests := []struct {
		name string
		in   dynamodb.CreateTableInput
		code string
	}{
		{"duplicate", dynamodb.CreateTableInput{TableName: aws.String("ledger"), BillingMode: ddbt.BillingModePayPerRequest,
			AttributeDefinitions: []ddbt.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbt.ScalarAttributeTypeS}},
			KeySchema:            []ddbt.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash}}}, "ResourceInUseException"},
		{"undefined key attribute", dynamodb.CreateTableInput{TableName: aws.String("t2"), BillingMode: ddbt.BillingModePayPerRequest,
			AttributeDefinitions: []ddbt.AttributeDefinition{{AttributeName: aws.String("x"), AttributeType: ddbt.ScalarAttributeTypeS}},
			KeySchema:            []ddbt.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash}}}, "ValidationException"},
		{"extra attribute definition", dynamodb.CreateTableInput{TableName: aws.String("t3"), BillingMode: ddbt.BillingModePayPerRequest,
			AttributeDefinitions: []ddbt.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbt.ScalarAttributeTypeS},
				{AttributeName: aws.String("other"), AttributeType: ddbt.ScalarAttributeTypeS}},
			KeySchema: []ddbt.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash}}}, "ValidationException"},
		{"provisioned without throughput", dynamodb.CreateTableInput{TableName: aws.String("t4"),
			AttributeDefinitions: []ddbt.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbt.ScalarAttributeTypeS}},
			KeySchema:            []ddbt.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbt.KeyTypeHash}}}, "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := db.CreateTable(ctx, &tc.in)
			wantCode(t, err, tc.code)
		})
	}

	// Tables are per account and per region.
	other := dynamodb.NewFromConfig(sdkConfig(t, s, u, "222222222222", "us-east-1"))
	_, err = other.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("ledger")})
	wantCode(t, err, "ResourceNotFoundException")
	elsewhere := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "eu-west-1"))
	_, err = elsewhere.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("ledger")})
	wantCode(t, err, "ResourceNotFoundException")

	_, err = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("ledger")})
	mustNoErr(t, err)
	_, err = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("ledger")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: avs{"pk": sv("a"), "sk": sv("b")}})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestDynamoDBConditionExpressions(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	newLedger(t, db, "ledger")
	seed := avs{"pk": sv("lock#1"), "sk": sv("lock"), "owner": sv("run-a"), "expires": nv("100"), "count": nv("3"), "tags": &ddbt.AttributeValueMemberSS{Value: []string{"x", "y"}}}
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: seed})
	mustNoErr(t, err)

	n := map[string]string{"#o": "owner", "#e": "expires", "#c": "count"}
	tests := []struct {
		name   string
		expr   string
		names  map[string]string
		values avs
		code   string // "" means the write succeeds
	}{
		{"not exists on existing", "attribute_not_exists(pk)", nil, nil, "ConditionalCheckFailedException"},
		{"exists", "attribute_exists(pk)", nil, nil, ""},
		{"exists missing attribute", "attribute_exists(nope)", nil, nil, "ConditionalCheckFailedException"},
		{"equal", "#o = :v", map[string]string{"#o": "owner"}, avs{":v": sv("run-a")}, ""},
		{"equal other", "#o = :v", map[string]string{"#o": "owner"}, avs{":v": sv("run-b")}, "ConditionalCheckFailedException"},
		{"equal type mismatch", "#e = :v", map[string]string{"#e": "expires"}, avs{":v": sv("100")}, "ConditionalCheckFailedException"},
		{"number equal normalised", "#e = :v", map[string]string{"#e": "expires"}, avs{":v": nv("100.0")}, ""},
		{"not equal", "#o <> :v", map[string]string{"#o": "owner"}, avs{":v": sv("run-b")}, ""},
		{"not equal same", "#o <> :v", map[string]string{"#o": "owner"}, avs{":v": sv("run-a")}, "ConditionalCheckFailedException"},
		{"less numeric", "#e < :v", map[string]string{"#e": "expires"}, avs{":v": nv("1000")}, ""},
		{"less numeric not lexical", "#e < :v", map[string]string{"#e": "expires"}, avs{":v": nv("99")}, "ConditionalCheckFailedException"},
		{"less or equal", "#e <= :v", map[string]string{"#e": "expires"}, avs{":v": nv("100")}, ""},
		{"greater", "#e > :v", map[string]string{"#e": "expires"}, avs{":v": nv("100")}, "ConditionalCheckFailedException"},
		{"greater or equal", "#e >= :v", map[string]string{"#e": "expires"}, avs{":v": nv("100")}, ""},
		{"compare across types is false", "#e < :v", map[string]string{"#e": "expires"}, avs{":v": sv("zzz")}, "ConditionalCheckFailedException"},
		{"lock free or expired", "attribute_not_exists(pk) OR #e < :now", map[string]string{"#e": "expires"}, avs{":now": nv("150")}, ""},
		{"lock held", "attribute_not_exists(pk) OR #e < :now", map[string]string{"#e": "expires"}, avs{":now": nv("50")}, "ConditionalCheckFailedException"},
		{"and", "#o = :a AND #e = :e", map[string]string{"#o": "owner", "#e": "expires"}, avs{":a": sv("run-a"), ":e": nv("100")}, ""},
		{"and one false", "#o = :a AND #e = :e", map[string]string{"#o": "owner", "#e": "expires"}, avs{":a": sv("run-a"), ":e": nv("1")}, "ConditionalCheckFailedException"},
		{"not", "NOT #o = :a", map[string]string{"#o": "owner"}, avs{":a": sv("run-a")}, "ConditionalCheckFailedException"},
		{"precedence and over or", "#o = :b OR #o = :a AND #e = :x", map[string]string{"#o": "owner", "#e": "expires"}, avs{":a": sv("run-a"), ":b": sv("run-b"), ":x": nv("1")}, "ConditionalCheckFailedException"},
		{"parentheses", "(#o = :b OR #o = :a) AND NOT (#e = :x)", map[string]string{"#o": "owner", "#e": "expires"}, avs{":a": sv("run-a"), ":b": sv("run-b"), ":x": nv("1")}, ""},
		{"begins_with", "begins_with(pk, :p)", nil, avs{":p": sv("lock#")}, ""},
		{"begins_with no", "begins_with(pk, :p)", nil, avs{":p": sv("ledger#")}, "ConditionalCheckFailedException"},
		{"between", "#e BETWEEN :lo AND :hi", map[string]string{"#e": "expires"}, avs{":lo": nv("50"), ":hi": nv("100")}, ""},
		{"in", "#o IN (:a, :b)", map[string]string{"#o": "owner"}, avs{":a": sv("run-z"), ":b": sv("run-a")}, ""},
		{"contains set", "contains(tags, :t)", nil, avs{":t": sv("y")}, ""},
		{"size", "size(tags) = :two", nil, avs{":two": nv("2")}, ""},
		{"reserved word bare", "owner = :v", nil, avs{":v": sv("run-a")}, "ValidationException"},
		{"reserved word count", "count > :v", nil, avs{":v": nv("1")}, "ValidationException"},
		{"unused value", "attribute_exists(pk)", nil, avs{":v": sv("x")}, "ValidationException"},
		{"unused name", "attribute_exists(pk)", n, nil, "ValidationException"},
		{"undefined value", "#o = :missing", map[string]string{"#o": "owner"}, nil, "ValidationException"},
		{"undefined name", "#nope = :v", nil, avs{":v": sv("x")}, "ValidationException"},
		{"syntax error", "#o = = :v", map[string]string{"#o": "owner"}, avs{":v": sv("x")}, "ValidationException"},
		{"unknown function", "exists(pk)", nil, nil, "ValidationException"},
		{"dangling and", "attribute_exists(pk) AND", nil, nil, "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: seed, ConditionExpression: aws.String(tc.expr),
				ExpressionAttributeNames: tc.names, ExpressionAttributeValues: tc.values}
			_, err := db.PutItem(ctx, in)
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}

	// The same conditions guard DeleteItem; a failed check leaves the item.
	_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("ledger"), Key: avs{"pk": sv("lock#1"), "sk": sv("lock")},
		ConditionExpression: aws.String("#o = :me"), ExpressionAttributeNames: map[string]string{"#o": "owner"}, ExpressionAttributeValues: avs{":me": sv("run-b")}})
	wantCode(t, err, "ConditionalCheckFailedException")
	del, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("ledger"), Key: avs{"pk": sv("lock#1"), "sk": sv("lock")},
		ConditionExpression: aws.String("#o = :me"), ExpressionAttributeNames: map[string]string{"#o": "owner"}, ExpressionAttributeValues: avs{":me": sv("run-a")},
		ReturnValues: ddbt.ReturnValueAllOld})
	mustNoErr(t, err)
	if del.Attributes["owner"].(*ddbt.AttributeValueMemberS).Value != "run-a" {
		t.Fatalf("ALL_OLD = %v", del.Attributes)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ledger"), Key: avs{"pk": sv("lock#1"), "sk": sv("lock")}})
	mustNoErr(t, err)
	if got.Item != nil {
		t.Fatalf("item survived delete: %v", got.Item)
	}
}

func TestDynamoDBItemValidation(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	newLedger(t, db, "ledger")
	tests := []struct {
		name string
		call func() error
	}{
		{"put missing sort key", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: avs{"pk": sv("a")}})
			return err
		}},
		{"put key of wrong type", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: avs{"pk": nv("1"), "sk": sv("b")}})
			return err
		}},
		{"put empty key", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: avs{"pk": sv(""), "sk": sv("b")}})
			return err
		}},
		{"put bad number", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: avs{"pk": sv("a"), "sk": sv("b"), "n": nv("abc")}})
			return err
		}},
		{"put ALL_NEW not allowed", func() error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: avs{"pk": sv("a"), "sk": sv("b")}, ReturnValues: ddbt.ReturnValueAllNew})
			return err
		}},
		{"get key with extra attribute", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ledger"), Key: avs{"pk": sv("a"), "sk": sv("b"), "x": sv("c")}})
			return err
		}},
		{"get partial key", func() error {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ledger"), Key: avs{"pk": sv("a")}})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), "ValidationException") })
	}
}

func TestDynamoDBUpdateItem(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	db := dynamodb.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	newLedger(t, db, "ledger")
	key := avs{"pk": sv("acct#1"), "sk": sv("state")}
	update := func(expr string, names map[string]string, values avs, cond string, rv ddbt.ReturnValue) (avs, error) {
		in := &dynamodb.UpdateItemInput{TableName: aws.String("ledger"), Key: key, UpdateExpression: aws.String(expr),
			ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: rv}
		if cond != "" {
			in.ConditionExpression = aws.String(cond)
		}
		out, err := db.UpdateItem(ctx, in)
		if err != nil {
			return nil, err
		}
		return out.Attributes, nil
	}

	// Acquire the lock on a missing item: UpdateItem creates it.
	got, err := update("SET #o = :me, #e = :exp ADD attempts :one", map[string]string{"#o": "owner", "#e": "expires"},
		avs{":me": sv("run-a"), ":exp": nv("100"), ":one": nv("1")}, "attribute_not_exists(pk)", ddbt.ReturnValueAllNew)
	mustNoErr(t, err)
	if got["owner"].(*ddbt.AttributeValueMemberS).Value != "run-a" || got["attempts"].(*ddbt.AttributeValueMemberN).Value != "1" || got["pk"] == nil {
		t.Fatalf("ALL_NEW = %v", got)
	}
	// A second acquirer fails while the lock is held.
	_, err = update("SET #o = :me", map[string]string{"#o": "owner"}, avs{":me": sv("run-b")}, "attribute_not_exists(pk)", "")
	wantCode(t, err, "ConditionalCheckFailedException")

	tests := []struct {
		name   string
		expr   string
		names  map[string]string
		values avs
		rv     ddbt.ReturnValue
		attr   string
		want   string // the attribute's S or N value in the response; "" = absent
		code   string
	}{
		{"add increments", "ADD attempts :one", nil, avs{":one": nv("2")}, ddbt.ReturnValueUpdatedNew, "attempts", "3", ""},
		{"set arithmetic", "SET attempts = attempts + :d", nil, avs{":d": nv("0.5")}, ddbt.ReturnValueUpdatedNew, "attempts", "3.5", ""},
		{"set minus", "SET attempts = attempts - :d", nil, avs{":d": nv("1.5")}, ddbt.ReturnValueUpdatedOld, "attempts", "3.5", ""},
		{"if_not_exists keeps", "SET #o = if_not_exists(#o, :x)", map[string]string{"#o": "owner"}, avs{":x": sv("other")}, ddbt.ReturnValueAllNew, "owner", "run-a", ""},
		{"if_not_exists sets", "SET started = if_not_exists(started, :x)", nil, avs{":x": sv("t0")}, ddbt.ReturnValueAllNew, "started", "t0", ""},
		{"remove", "REMOVE started", nil, nil, ddbt.ReturnValueAllNew, "started", "", ""},
		{"all old", "SET #e = :e", map[string]string{"#e": "expires"}, avs{":e": nv("200")}, ddbt.ReturnValueAllOld, "expires", "100", ""},
		{"key is immutable", "SET pk = :v", nil, avs{":v": sv("x")}, "", "", "", "ValidationException"},
		{"overlapping paths", "SET a = :v REMOVE a", nil, avs{":v": sv("x")}, "", "", "", "ValidationException"},
		{"clause twice", "SET a = :v SET b = :v", nil, avs{":v": sv("x")}, "", "", "", "ValidationException"},
		{"add to string", "ADD #o :v", map[string]string{"#o": "owner"}, avs{":v": sv("x")}, "", "", "", "ValidationException"},
		{"arithmetic on missing", "SET x = nothing + :v", nil, avs{":v": nv("1")}, "", "", "", "ValidationException"},
		{"reserved word", "SET status = :v", nil, avs{":v": sv("x")}, "", "", "", "ValidationException"},
		{"bad return values", "SET a = :v", nil, avs{":v": sv("x")}, "EVERYTHING", "", "", "ValidationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := update(tc.expr, tc.names, tc.values, "", tc.rv)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			mustNoErr(t, err)
			v := ""
			switch x := got[tc.attr].(type) {
			case *ddbt.AttributeValueMemberS:
				v = x.Value
			case *ddbt.AttributeValueMemberN:
				v = x.Value
			}
			if v != tc.want {
				t.Fatalf("%s = %q, want %q (attributes %v)", tc.attr, v, tc.want, got)
			}
		})
	}

	// Release with the owner check, then the lock can be taken again.
	_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("ledger"), Key: key, ConditionExpression: aws.String("#o = :me"),
		ExpressionAttributeNames: map[string]string{"#o": "owner"}, ExpressionAttributeValues: avs{":me": sv("run-a")}})
	mustNoErr(t, err)
	_, err = update("SET #o = :me", map[string]string{"#o": "owner"}, avs{":me": sv("run-b")}, "attribute_not_exists(pk)", "")
	mustNoErr(t, err)
}

// FuzzDynamoDBExpressions checks that no condition or update expression
// makes the parser or evaluator panic.
func FuzzDynamoDBExpressions(f *testing.F) {
	for _, seed := range []string{
		"attribute_not_exists(pk) OR #e < :v", "(#e = :v AND NOT begins_with(pk, :v))", "a.b[1].c BETWEEN :v AND :v",
		"size(l) >= :v", "x IN (:v, :v)", "SET a = if_not_exists(a, :v) + :v REMOVE b[0] ADD c :v DELETE d :v",
		"SET l = list_append(l, :v)", "((((", "#", ":", "a[", "NOT NOT NOT",
	} {
		f.Add(seed)
	}
	item := doc{"pk": doc{"S": "lock#1"}, "e": doc{"N": "5"}, "l": doc{"L": []any{doc{"S": "x"}}},
		"a": doc{"M": map[string]any{"b": doc{"L": []any{doc{"N": "1"}, doc{"M": map[string]any{"c": doc{"N": "2"}}}}}}}}
	f.Fuzz(func(t *testing.T, expr string) {
		in := doc{"ExpressionAttributeNames": map[string]any{"#e": "e"}, "ExpressionAttributeValues": map[string]any{":v": doc{"N": "3"}}}
		if c, err := parseCondition(newExprEnv(in), "ConditionExpression", expr); err == nil {
			c(cloneItem(item))
		}
		if actions, err := parseUpdate(newExprEnv(in), expr, []string{"pk"}); err == nil {
			next := cloneItem(item)
			for _, a := range actions {
				_ = a.apply(item, next)
			}
		}
	})
}
