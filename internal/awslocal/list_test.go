package awslocal

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// The listing operations a person uses to look around (DynamoDB ListTables,
// Step Functions ListStateMachines, Lambda ListFunctions, KMS ListKeys)
// list the account's resources in the region, in pages the SDK's paginators
// follow, and refuse a page size out of the documented range.
func TestListOperations(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	const n = 7 // more than a page (Options.PageSize)
	var want []string
	for i := range n {
		name := fmt.Sprintf("thing-%d", i)
		want = append(want, name)
		s.RegisterStateMachine(mgmt, "us-east-1", name)
		mustNoErr(t, s.RegisterFunction("arn:aws:lambda:us-east-1:"+mgmt+":function:"+name, nil))
		mustNoErr(t, errOf(dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(name),
			AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
			KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
			BillingMode:          ddbtypes.BillingModePayPerRequest})))
		mustNoErr(t, errOf(kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})))
	}
	// Another region's resources are not listed.
	s.RegisterStateMachine(mgmt, "eu-west-1", "elsewhere")
	mustNoErr(t, s.RegisterFunction("arn:aws:lambda:eu-west-1:"+mgmt+":function:elsewhere", nil))

	var tables []string
	for p := dynamodb.NewListTablesPaginator(dynamodb.NewFromConfig(cfg), &dynamodb.ListTablesInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		tables = append(tables, out.TableNames...)
	}
	var machines []string
	for p := sfn.NewListStateMachinesPaginator(sfn.NewFromConfig(cfg), &sfn.ListStateMachinesInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, m := range out.StateMachines {
			machines = append(machines, aws.ToString(m.Name))
		}
	}
	var functions []string
	for p := lambda.NewListFunctionsPaginator(lambda.NewFromConfig(cfg), &lambda.ListFunctionsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, f := range out.Functions {
			functions = append(functions, aws.ToString(f.FunctionName))
		}
	}
	keys := 0
	for p := kms.NewListKeysPaginator(kms.NewFromConfig(cfg), &kms.ListKeysInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		keys += len(out.Keys)
	}
	for what, got := range map[string][]string{"tables": tables, "state machines": machines, "functions": functions} {
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	if keys != n {
		t.Errorf("%d keys, want %d", keys, n)
	}

	wantCode(t, errOf(dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(101)})), "ValidationException")
	wantCode(t, errOf(sfn.NewFromConfig(cfg).ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 1001})), "ValidationException")
	wantCode(t, errOf(lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{MaxItems: aws.Int32(0)})), "ValidationException")
	wantCode(t, errOf(kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1001)})), "ValidationException")
}
