package pipelinetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

// CreateRole creates a role at path in admin's account that the account's
// root may assume, with one inline policy of statements (each a JSON
// object), and returns its ARN. Tests give it the grants the CDK app gives
// the role it stands for.
func CreateRole(t testing.TB, admin aws.Config, path, name string, statements ...string) string {
	t.Helper()
	id, err := sts.NewFromConfig(admin).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + aws.ToString(id.Account) + `:root"},"Action":"sts:AssumeRole"}]}`
	return CreateRoleTrusting(t, admin, path, name, trust, statements...)
}

// CreateRoleTrusting is CreateRole with the trust policy given.
func CreateRoleTrusting(t testing.TB, admin aws.Config, path, name, trust string, statements ...string) string {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(admin)
	role, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("creating role (%s): %v", name, err)
	}
	if len(statements) > 0 {
		policy := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
		if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(GrantsPolicy), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatalf("granting role (%s): %v", name, err)
		}
	}
	return aws.ToString(role.Role.Arn)
}

// GrantsPolicy names the one inline policy CreateRole gives a role.
const GrantsPolicy = "grants"

// CreatePipelineRole creates the pipeline role in admin's (the management)
// account and returns its ARN. In AWS the functions' roles assume it; here
// the account's admin does. Its grant is the CDK app's (infra/functions.go
// assumeRoleStatement): entering landfall's roles in accounts of the
// organization orgID.
func CreatePipelineRole(t testing.TB, admin aws.Config, cfg *config.Config, orgID string) string {
	t.Helper()
	return CreateRole(t, admin, "/", cfg.PipelineRoleName(), `{"Effect":"Allow","Action":"sts:AssumeRole","Resource":["arn:aws:iam::*:role/`+
		cfg.Organization.ExecutionRoleName+`","arn:aws:iam::*:role/`+cfg.Organization.EntryRoleName+`"],`+
		`"Condition":{"StringEquals":{"aws:ResourceOrgID":"`+orgID+`"}}}`)
}

// FormatterGrants are the formatter role's own grants wherever it runs
// (infra/functions.go grantAccess for formatterSpec, and the central alerts
// stack): publishing to the central alerts topic, confirming member
// alerts topics' subscriptions, and assuming the alerts reader role of
// accounts of organization orgID.
func FormatterGrants(cfg *config.Config, centralTopicARN, orgID string) []string {
	return []string{
		`{"Effect":"Allow","Action":"sns:Publish","Resource":"` + centralTopicARN + `"}`,
		`{"Effect":"Allow","Action":"sns:ConfirmSubscription","Resource":"arn:aws:sns:*:*:` + cfg.AlertsTopicName() + `"}`,
		`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/` + cfg.AlertsReaderRoleName() + `",` +
			`"Condition":{"StringEquals":{"aws:ResourceOrgID":"` + orgID + `"}}}`,
	}
}

// ManagementGrants are what the formatter reaches in the management
// account: putting receipts in the ledger table, as ledger.Receipts'
// condition allows, and describing the accounts of organization orgID.
// They are its role's own in the management layout and the alerts bridge
// role's in the security layout (infra/functions.go, infra/alertsbridge.go).
func ManagementGrants(cfg *config.Config, ledgerTable, orgID string) []string {
	condition, err := json.Marshal(ledger.Receipts.PutCondition())
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return []string{
		`{"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:` + cfg.Organization.HomeRegion + `:` + cfg.Organization.ManagementAccountID + `:table/` + ledgerTable + `",` +
			`"Condition":` + string(condition) + `}`,
		`{"Effect":"Allow","Action":["organizations:DescribeAccount","organizations:ListParents","organizations:DescribeOrganizationalUnit",` +
			`"organizations:ListTagsForResource"],"Resource":["arn:aws:organizations::` + cfg.Organization.ManagementAccountID + `:account/` + orgID + `/*",` +
			`"arn:aws:organizations::` + cfg.Organization.ManagementAccountID + `:ou/` + orgID + `/*"]}`,
	}
}

// CreateFormatterRole creates the formatter's role, with the name and path
// member alerts topics admit, in admin's account with statements, and
// returns its ARN.
func CreateFormatterRole(t testing.TB, admin aws.Config, cfg *config.Config, statements ...string) string {
	t.Helper()
	return CreateRole(t, admin, cfg.AlertFormatterRolePath(), cfg.AlertFormatterRoleName(), statements...)
}
