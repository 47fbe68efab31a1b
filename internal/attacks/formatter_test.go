package attacks

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
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
