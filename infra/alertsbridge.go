package main

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/ledger"
)

// AlertsBridgeProps configures the role a formatter in the security account works through in the
// management account (notifications.centralAlerts: security).
type AlertsBridgeProps struct {
	// RoleName is the bridge role's fixed name: the formatter's function names it by ARN.
	RoleName string
	// FormatterAccountID is the security account, whose formatter role (named and placed as the stack's
	// FormatterRoleName and FormatterRolePath say) is the only principal that may assume the bridge.
	FormatterAccountID string
}

// newAlertsBridgeRole creates the management account's side of a security-account fan-in. What the
// formatter needs besides its queue and topic lives here: the ledger it writes delivery receipts to and the
// organization it reads account names, OUs and tags from. It enters no account: the formatter reads an
// alarm's trail through the account's alerts reader role, so the bridge reaches no administrator.
func newAlertsBridgeRole(scope constructs.Construct, b *AlertsBridgeProps, formatterRolePath, formatterRoleName, organizationID string, table awsdynamodb.ITable) awsiam.Role {
	// aws:PrincipalArn is the role's ARN, path included.
	formatterARN := roleARN(scope, b.FormatterAccountID, strings.TrimPrefix(formatterRolePath, "/")+formatterRoleName)
	// The formatter's role is named, not referenced as a principal: it is in another account's stack, and IAM
	// refuses a trust policy whose role principal does not exist yet. The account principal narrowed by
	// aws:PrincipalArn admits exactly that role once it exists, whichever stack is deployed first.
	trust := awsiam.NewAccountPrincipal(jsii.String(b.FormatterAccountID)).WithConditions(&map[string]any{
		"ArnEquals": map[string]any{"aws:PrincipalArn": formatterARN},
	})
	role := awsiam.NewRole(scope, jsii.String("AlertsBridgeRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(b.RoleName),
		AssumedBy:   trust,
		Description: jsii.String("Lets landfall's alert formatter in the security account record receipts and read the organization"),
	})
	// Receipts share the ledger table with the account rows; the condition keeps the formatter from
	// overwriting an account's baseline status or writing a row that reads as one.
	role.AddToPolicy(ledgerPutRowsStatement(table, ledger.Receipts))
	for _, s := range organizationsReadStatements(role, organizationID, readAccounts) {
		role.AddToPolicy(s)
	}
	acknowledgeNag(role, organizationsReadAcks(role, organizationID, readAccounts)...)
	return role
}
