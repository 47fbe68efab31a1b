package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/ledger"
)

// ledgerPartitionKey is the ledger's only key: one row per account, which is also the lock the pipeline
// takes so that two executions never baseline the same account at once.
const ledgerPartitionKey = "accountId"

// LedgerProps configures NewLedger.
type LedgerProps struct {
	// TableName is fixed so the operator command line finds the ledger from the config file alone.
	TableName string
}

// NewLedger creates the DynamoDB table that records the baseline status of every account.
//
// The table is on-demand (a few writes per account per day never justify provisioned capacity), has
// point-in-time recovery (it is the only record of what was applied where), AWS-managed encryption, deletion
// protection and RemovalPolicy RETAIN: losing it would make every account look new. Its logical ID is
// pinned by a test because a changed ID would make CloudFormation replace the table.
func NewLedger(scope constructs.Construct, id *string, props *LedgerProps) awsdynamodb.Table {
	if props == nil {
		panic("NewLedger: props are required")
	}
	construct := constructs.NewConstruct(scope, id)
	return awsdynamodb.NewTable(construct, jsii.String("Table"), &awsdynamodb.TableProps{
		TableName: jsii.String(props.TableName),
		PartitionKey: &awsdynamodb.Attribute{
			Name: jsii.String(ledgerPartitionKey),
			Type: awsdynamodb.AttributeType_STRING,
		},
		BillingMode: awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:         awsdynamodb.TableEncryption_AWS_MANAGED,
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	})
}

// ledgerPutRowsStatement lets a principal put only the ledger rows of its one job, with their attributes only:
// never an account's baseline status.
func ledgerPutRowsStatement(table awsdynamodb.ITable, rows ledger.KeyedRows) awsiam.PolicyStatement {
	condition := rows.PutCondition()
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:    jsii.Strings("dynamodb:PutItem"),
		Resources:  jsii.Strings(*table.TableArn()),
		Conditions: &condition,
	})
}
