// Package ledgertest creates landfall's ledger table on the local endpoint,
// keyed as the CDK app's (infra/ledger.go), for tests outside the ledger
// package that need a real one.
package ledgertest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/landfall/landfall/pkg/ledger"
)

// New creates the table in admin's account and region and returns the
// ledger over it.
func New(t testing.TB, admin aws.Config, table string) *ledger.Ledger {
	t.Helper()
	l := ledger.New(admin, table)
	if _, err := l.Client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("accountId"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("accountId"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatalf("creating the ledger table (%s): %v", table, err)
	}
	return l
}
