package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/iamsim"
)

// TestServiceControlPoliciesWithAndWithoutControlTower decides requests of member accounts under every
// SCP the organization test config attaches to the root, as IAM would, once without Control Tower and
// once with it: Control Tower's roles may do what its own controls let them (work outside the allowed
// regions, change AWS Config) and nothing more, and the name of its role means nothing without it.
func TestServiceControlPoliciesWithAndWithoutControlTower(t *testing.T) {
	const member, security = "444444444444", "333333333333"
	trail := "arn:aws:cloudtrail:eu-west-1:" + member + ":trail/acme-trail"
	ctExecution := "arn:aws:iam::" + member + ":role/AWSControlTowerExecution"
	detector := "arn:aws:guardduty:eu-west-1:" + member + ":detector/12abc34d567e8fa901bc2d34e56789f0"
	// Control Tower's recorder, by the ARN the Service Authorization Reference gives recorders.
	recorder := "arn:aws:config:eu-west-1:" + member + ":configuration-recorder/aws-controltower-BaselineConfigRecorder/jwzcxrkgi3dvsgoh"
	instance := func(region string) string {
		return "arn:aws:ec2:" + region + ":" + member + ":instance/i-0123456789abcdef0"
	}
	type request struct {
		account, role, action, resource, region string
	}
	tests := []struct {
		name          string
		req           request
		without, with bool // allowed without and with controlTower
	}{
		{"a member's administrator stops the recorder",
			request{member, "Admin", "config:StopConfigurationRecorder", recorder, "eu-west-1"}, false, false},
		{"Control Tower's role stops the recorder",
			request{member, "AWSControlTowerExecution", "config:StopConfigurationRecorder", recorder, "eu-west-1"}, false, true},
		{"Control Tower's role deletes the delivery channel",
			request{member, "AWSControlTowerExecution", "config:DeleteDeliveryChannel", "", "eu-west-1"}, false, true},
		{"the execution role stops the recorder",
			request{member, "acme-execution", "config:StopConfigurationRecorder", recorder, "eu-west-1"}, true, true},
		{"Control Tower's role disables GuardDuty",
			request{member, "AWSControlTowerExecution", "guardduty:UpdateDetector", detector, "eu-west-1"}, false, false},
		{"Control Tower's role stops the trail",
			request{member, "AWSControlTowerExecution", "cloudtrail:StopLogging", trail, "eu-west-1"}, false, false},
		{"a member's administrator stops the trail",
			request{member, "Admin", "cloudtrail:StopLogging", trail, "eu-west-1"}, false, false},
		{"the execution role updates the trail",
			request{member, "acme-execution", "cloudtrail:UpdateTrail", trail, "eu-west-1"}, true, true},
		{"a member's administrator updates a detector",
			request{member, "Admin", "guardduty:UpdateDetector", detector, "eu-west-1"}, false, false},
		{"the security team updates its detector",
			request{security, "SecurityTeam", "guardduty:UpdateDetector", strings.Replace(detector, member, security, 1), "eu-west-1"}, true, true},
		{"the security team deletes a landfall role",
			request{security, "SecurityTeam", "iam:DeleteRole", "arn:aws:iam::" + security + ":role/acme-execution", "us-east-1"}, false, false},
		{"a member's administrator creates Control Tower's role",
			request{member, "Admin", "iam:CreateRole", ctExecution, "us-east-1"}, true, false},
		{"a member's administrator rewrites Control Tower's role's trust",
			request{member, "Admin", "iam:UpdateAssumeRolePolicy", ctExecution, "us-east-1"}, true, false},
		{"the entry role creates Control Tower's role to enroll an invited account",
			request{member, "OrganizationAccountAccessRole", "iam:CreateRole", ctExecution, "us-east-1"}, true, true},
		{"Control Tower's role runs an instance outside the allowed regions",
			request{member, "AWSControlTowerExecution", "ec2:RunInstances", instance("ap-southeast-2"), "ap-southeast-2"}, false, true},
		{"Control Tower's Config recorder reads outside the allowed regions",
			request{member, "aws-controltower-ConfigRecorderRole", "ec2:DescribeInstances", "", "ap-southeast-2"}, false, true},
		{"Control Tower's flow logs role writes outside the allowed regions",
			request{member, "AWSControlTower_VPCFlowLogsRole", "logs:PutLogEvents", "arn:aws:logs:ap-southeast-2:" + member + ":log-group:flow-logs:log-stream:eni-0123", "ap-southeast-2"}, false, true},
		{"a member's administrator runs an instance outside the allowed regions",
			request{member, "Admin", "ec2:RunInstances", instance("ap-southeast-2"), "ap-southeast-2"}, false, false},
		{"a role named like Control Tower's but elsewhere acts outside the allowed regions",
			request{member, "team/AWSControlTowerExecution", "ec2:RunInstances", instance("ap-southeast-2"), "ap-southeast-2"}, false, false},
		{"the execution role acts outside the allowed regions",
			request{member, "acme-execution", "guardduty:CreateDetector", "", "ap-southeast-2"}, false, false},
		{"a member's administrator runs an instance in an allowed region",
			request{member, "Admin", "ec2:RunInstances", instance("eu-central-1"), "eu-central-1"}, true, true},
	}
	for _, controlTower := range []bool{false, true} {
		yaml := organizationTestConfig(t)
		if controlTower {
			yaml = strings.Replace(yaml, "  manage: true\n", "  manage: true\n  controlTower: true\n", 1)
		}
		cfg := loadTestConfig(t, yaml)
		if cfg.Organization.ControlTower != controlTower || cfg.Organization.SecurityAccountID != security || !cfg.Organization.DelegatesAdministration() {
			t.Fatalf("organization test config: controlTower %v, security account %s, delegated admin %v",
				cfg.Organization.ControlTower, cfg.Organization.SecurityAccountID, cfg.Organization.DelegatesAdministration())
		}
		policies, err := serviceControlPolicies(cfg)
		if err != nil {
			t.Fatal(err)
		}
		atRoot := slices.DeleteFunc(policies, func(p ServiceControlPolicy) bool { return !slices.Equal(p.Targets, []string{rootPath}) })
		for _, tt := range tests {
			want := tt.without
			if controlTower {
				want = tt.with
			}
			role := "arn:aws:iam::" + tt.req.account + ":role/" + tt.req.role
			if d := decideUnderSCPs(t, atRoot, role, tt.req.action, tt.req.resource, tt.req.region); d.Allowed() != want {
				t.Errorf("controlTower %v: %s (%s as %s on %s in %s): %s %+v, want allowed=%v",
					controlTower, tt.name, tt.req.action, role, tt.req.resource, tt.req.region, d.Result, d.Denials, want)
			}
		}
	}
}

// fullAWSAccess allows everything: AWS's FullAWSAccess SCP, and AdministratorAccess as an identity policy.
var fullAWSAccess = json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

// decideUnderSCPs decides, as IAM would, a request that a session of role (a role ARN) holding
// AdministratorAccess makes in role's account and in region, with FullAWSAccess and policies attached to
// the root and FullAWSAccess to the account: only the policies can refuse it.
func decideUnderSCPs(t *testing.T, policies []ServiceControlPolicy, role, action, resource, region string) iamsim.Decision {
	t.Helper()
	simulator, err := iamsim.Shared("..")
	if err != nil {
		t.Fatal(err)
	}
	account := strings.Split(role, ":")[4]
	full := iamsim.Policy{Name: "FullAWSAccess", Document: fullAWSAccess}
	root := iamsim.OrgPolicies{Target: "r-root", Policies: []iamsim.Policy{full}}
	for _, p := range policies {
		root.Policies = append(root.Policies, iamsim.Policy{Name: p.Name, Document: json.RawMessage(p.Document)})
	}
	d, err := simulator.Decide(iamsim.Request{
		Principal: "arn:aws:sts::" + account + ":assumed-role/" + role[strings.LastIndex(role, "/")+1:] + "/session",
		Action:    action, Resource: resource, ResourceAccount: account,
		Context: map[string][]string{"aws:PrincipalArn": {role}, "aws:PrincipalAccount": {account},
			"aws:RequestedRegion": {region}},
		IdentityPolicies: []iamsim.Policy{{Name: "AdministratorAccess", Document: fullAWSAccess}},
		SCPs:             []iamsim.OrgPolicies{root, {Target: account, Policies: []iamsim.Policy{full}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
