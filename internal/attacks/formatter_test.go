package attacks

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/ledger"
)

// TestAttackAlertFormatterToAdminEverywhere plays whoever runs code as the
// alert formatter: with notifications.centralAlerts: security, any
// administrator of the security account can. The formatter reads what it
// is sent and must never hold more than reading an alarm's trail: the
// attacker tries every role it could chain through towards a member
// account's administrator role (OrganizationAccountAccessRole) and
// landfall's execution role there.
func TestAttackAlertFormatterToAdminEverywhere(t *testing.T) {
	o := newOrganization(t)
	ctx := context.Background()
	cfg := o.cfg
	mgmt := cfg.Organization.ManagementAccountID
	formatter := o.asFunction(t, cfg.AlertFormatterRoleARN())
	pipeline := awsx.RoleARN(mgmt, cfg.PipelineRoleName())
	bridge := awsx.RoleARN(mgmt, cfg.AlertsBridgeRoleName())
	targets := []string{awsx.RoleARN(o.member, cfg.Organization.EntryRoleName), awsx.RoleARN(o.member, cfg.Organization.ExecutionRoleName)}

	// The roles the formatter might reach, by every chain of its hops.
	reached := map[string]aws.Config{"the formatter's role": formatter}
	for _, hop := range []struct{ from, name, arn string }{
		{"the formatter's role", "the alerts bridge", bridge},
		{"the formatter's role", "the pipeline role", pipeline},
		{"the alerts bridge", "the pipeline role", pipeline},
	} {
		from, ok := reached[hop.from]
		if !ok {
			continue
		}
		next := awsx.AssumeRole(from, hop.arn, "attacker")
		if _, err := next.Credentials.Retrieve(ctx); err == nil {
			if _, seen := reached[hop.name]; !seen {
				reached[hop.name] = next
			}
		}
	}
	if _, ok := reached["the alerts bridge"]; !ok {
		t.Fatal("the formatter cannot assume the alerts bridge; the test no longer plays the deployed roles")
	}
	for name, from := range reached {
		for _, target := range targets {
			admin := awsx.AssumeRole(from, target, "attacker")
			_, err := iam.NewFromConfig(admin).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("backdoor")})
			if err == nil {
				t.Errorf("from %s the formatter reached %s and created an IAM user in %s", name, target, o.member)
			}
		}
	}
}

// TestAttackAlertFormatterRewritesTheLedger plays the same attacker against
// the ledger, which the formatter reaches through the alerts bridge to
// record receipts. It tries to mark a member's baseline as succeeded (or
// take its lock), to plant a receipt-keyed row that the ledger lists as an
// account, to read a receipt back through the row it replaces, and to
// delete a member's row. Only a receipt as the formatter writes it goes in.
func TestAttackAlertFormatterRewritesTheLedger(t *testing.T) {
	o := newOrganization(t)
	ctx := context.Background()
	fanIn := o.alertFanIn(t)
	owner := ledger.New(o.admin, o.cfg.LedgerTableName())
	if err := owner.Put(ctx, ledger.Row{AccountID: o.member, Status: ledger.StatusFailed, LastRun: time.Now()}); err != nil {
		t.Fatal(err)
	}
	attacker := fanIn.formatter.Ledger
	if err := attacker.PutReceipt(ctx, ledger.Receipt{AccountID: o.member, AlarmName: "acme-root-use", State: "ALARM", DeliveredAt: time.Now()}); err != nil {
		t.Fatalf("the formatter cannot record a receipt; the test no longer plays the deployed roles: %v", err)
	}
	put := func(item map[string]ddbtypes.AttributeValue, rv ddbtypes.ReturnValue) error {
		_, err := attacker.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(attacker.Table), Item: item, ReturnValues: rv})
		return err
	}
	s := func(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
	forged := ledger.ReceiptKey(o.member, "forged")
	_, deleteErr := attacker.Client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(attacker.Table),
		Key: map[string]ddbtypes.AttributeValue{"accountId": s(o.member)}})
	_, lockErr := attacker.Client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(attacker.Table),
		Key: map[string]ddbtypes.AttributeValue{"accountId": s(o.member)}, UpdateExpression: aws.String("SET lockOwner = :o"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":o": s("attacker")}})
	for name, err := range map[string]error{
		"marks the member's baseline succeeded":     put(map[string]ddbtypes.AttributeValue{"accountId": s(o.member), "status": s("succeeded")}, ""),
		"plants a receipt row listed as an account": put(map[string]ddbtypes.AttributeValue{"accountId": s(forged), "status": s("succeeded")}, ""),
		"reads the receipt it replaces":             put(map[string]ddbtypes.AttributeValue{"accountId": s(forged)}, ddbtypes.ReturnValueAllOld),
		"deletes the member's row":                  deleteErr,
		"takes the member's lock":                   lockErr,
	} {
		if !isAccessDenied(err) {
			t.Errorf("the formatter %s: %v", name, err)
		}
	}
	rows, err := owner.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].AccountID != o.member || rows[0].Status != ledger.StatusFailed {
		t.Errorf("the ledger lists %+v, want only %s as failed", rows, o.member)
	}
}

// TestAttackAlertFormatterMapsTheOrganization plays the same attacker
// reading the organization through the alerts bridge, which needs only to
// describe the account an alarm comes from. It tries to read the service
// control policies that guard the baseline (to find what they leave open),
// to list every account with its root email, and to list the roots, OUs and
// the policies of an account.
func TestAttackAlertFormatterMapsTheOrganization(t *testing.T) {
	o := newOrganization(t)
	o.applySCPs(t)
	ctx := context.Background()
	org := organizations.NewFromConfig(o.alertFanIn(t).formatter.AWS)
	if _, err := accounts.Describe(ctx, org, o.member); err != nil {
		t.Fatalf("the formatter cannot describe a member; the test no longer plays the deployed roles: %v", err)
	}
	_, listPolicies := org.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: orgtypes.PolicyTypeServiceControlPolicy})
	_, policiesOf := org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(o.member), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	_, listAccounts := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	_, listRoots := org.ListRoots(ctx, &organizations.ListRootsInput{})
	for name, err := range map[string]error{
		"lists the service control policies":   listPolicies,
		"lists the policies guarding a member": policiesOf,
		"lists every account":                  listAccounts,
		"lists the roots":                      listRoots,
	} {
		if !isAccessDenied(err) {
			t.Errorf("the formatter %s: %v", name, err)
		}
	}
}
