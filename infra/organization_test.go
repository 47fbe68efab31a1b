package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/config"
)

// organizationEdit turns testConfig into one that manages the organization: a security account to
// delegate to, an OU tree two levels deep, the default suspended OU and a region allow-list.
const organizationEdit = `  identity: { accountId: "222222222222" }
  securityAccountId: "333333333333"
  manage: true
  ous: [/Root/Security, /Root/Workloads, /Root/Workloads/Prod]
  scps: { allowedRegions: [eu-west-1, us-east-1, eu-central-1] }
`

func organizationTestConfig(t *testing.T) string {
	t.Helper()
	const anchor = "  identity: { accountId: \"222222222222\" }\n"
	if strings.Count(testConfig, anchor) != 1 {
		t.Fatalf("testConfig no longer has %q", anchor)
	}
	return strings.Replace(testConfig, anchor, organizationEdit, 1)
}

// organizationSynth is the one extra synthesis the organization tests share: each costs seconds.
var organizationSynth struct {
	once     sync.Once
	err      error
	template orgTemplate
	file     string
}

// orgTemplate is the template decoded with the DependsOn the ordering checks need.
type orgTemplate struct {
	Resources map[string]orgResource `json:"Resources"`
}

type orgResource struct {
	Type       string         `json:"Type"`
	Properties map[string]any `json:"Properties"`
	DependsOn  []string       `json:"DependsOn"`
	// DeletionPolicy is what CloudFormation does with the resource when the stack goes.
	DeletionPolicy string `json:"DeletionPolicy"`
}

// ofType returns the logical IDs and resources of one type.
func (t orgTemplate) ofType(typ string) map[string]orgResource {
	out := map[string]orgResource{}
	for id, r := range t.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

func synthesizeOrganization(t *testing.T) (orgTemplate, string) {
	t.Helper()
	organizationSynth.once.Do(func() {
		// Not t.TempDir: the directory must outlive the first test that asks.
		dir, err := os.MkdirTemp("", "landfall-organization-test")
		if err != nil {
			organizationSynth.err = err
			return
		}
		app, assembly, err := synthesizeApp(dir, organizationTestConfig(t))
		if err != nil {
			organizationSynth.err = err
			return
		}
		stack := app.Node().FindChild(jsii.String(stackName)).(awscdk.Stack)
		organizationSynth.file = filepath.Join(*assembly.Directory(), *stack.TemplateFile())
		organizationSynth.err = decodeTemplate(assertions.Template_FromStack(stack, nil), &organizationSynth.template)
	})
	if organizationSynth.err != nil {
		t.Fatalf("synthesizing the organization app: %v", organizationSynth.err)
	}
	return organizationSynth.template, organizationSynth.file
}

func TestOrganizationNag(t *testing.T) {
	// GIVEN the template of an app that manages the organization
	_, file := synthesizeOrganization(t)
	// WHEN cdk-nag's AwsSolutions checks run over it
	out, err := exec.Command(toolchainNode(t), filepath.Join("toolchain", "nag.cjs"), file).CombinedOutput()
	// THEN every finding is acknowledged with a reason
	if err != nil || !strings.Contains(string(out), "no unacknowledged findings") {
		t.Fatalf("cdk-nag: %v\n%s", err, out)
	}
}

// jsonEqual reports whether two JSON documents hold the same value, whatever their key order.
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("decoding %s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestServiceControlPolicyStatements(t *testing.T) {
	// GIVEN the organization test config (prefix acme, execution role acme-execution, default entry role)
	cfg := loadTestConfig(t, organizationTestConfig(t))
	// WHEN its SCPs are rendered
	policies, err := serviceControlPolicies(cfg)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]ServiceControlPolicy{}
	for _, p := range policies {
		byName[p.Name] = p
	}
	// THEN each holds exactly these statements
	const exceptLandfall = `"Condition":{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/acme-execution"]}}`
	const exceptBoth = `"Condition":{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/acme-execution","arn:aws:iam::*:role/OrganizationAccountAccessRole"]}}`
	const roleWrites = `["iam:Attach*","iam:CreateRole","iam:Delete*","iam:Detach*","iam:Put*","iam:Tag*","iam:Untag*","iam:Update*"]`
	tests := []struct {
		name, document string
	}{
		{"acme-deny-root-user", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyRootUser","Effect":"Deny","Action":["*"],"Resource":["*"],
			"Condition":{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::*:root"]}}}]}`},
		{"acme-deny-leave-organization", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyLeaveOrganization","Effect":"Deny",
			"Action":["organizations:LeaveOrganization"],"Resource":["*"]}]}`},
		{"acme-protect-baseline", `{"Version":"2012-10-17","Statement":[
			{"Sid":"ProtectGuardDuty","Effect":"Deny","Resource":["*"],
			 "Condition":{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/acme-execution"]},"StringNotEquals":{"aws:PrincipalAccount":["333333333333"]}},
			 "Action":["guardduty:DeleteDetector","guardduty:DisassociateFromAdministratorAccount","guardduty:DisassociateFromMasterAccount","guardduty:UpdateDetector"]},
			{"Sid":"ProtectConfig","Effect":"Deny","Resource":["*"],` + exceptLandfall + `,
			 "Action":["config:DeleteConfigurationRecorder","config:DeleteDeliveryChannel","config:StopConfigurationRecorder"]},
			{"Sid":"ProtectLandfallRoles","Effect":"Deny","Resource":["arn:aws:iam::*:role/acme-*"],` + exceptBoth + `,"Action":` + roleWrites + `},
			{"Sid":"ProtectEntryRole","Effect":"Deny","Resource":["arn:aws:iam::*:role/OrganizationAccountAccessRole"],` + exceptLandfall + `,
			 "Action":` + roleWrites + `},
			{"Sid":"ProtectLandfallAlertPath","Effect":"Deny",` + exceptLandfall + `,
			 "Action":["cloudtrail:DeleteTrail","cloudtrail:PutEventSelectors","cloudtrail:StopLogging","cloudtrail:UpdateTrail",
			  "cloudwatch:DeleteAlarms","cloudwatch:DisableAlarmActions","cloudwatch:PutMetricAlarm",
			  "events:DeleteRule","events:DisableRule","events:PutRule","events:PutTargets","events:RemoveTargets",
			  "kms:DeleteAlias","kms:UpdateAlias",
			  "logs:AssociateKmsKey","logs:DeleteLogGroup","logs:DeleteMetricFilter","logs:DeleteRetentionPolicy",
			  "logs:DisassociateKmsKey","logs:PutMetricFilter","logs:PutRetentionPolicy",
			  "sns:AddPermission","sns:DeleteTopic","sns:RemovePermission","sns:SetSubscriptionAttributes","sns:SetTopicAttributes",
			  "sns:Unsubscribe","sqs:DeleteQueue","sqs:PurgeQueue","sqs:SetQueueAttributes"],
			 "Resource":["arn:aws:cloudwatch:*:*:alarm:acme-root-usage","arn:aws:cloudwatch:*:*:alarm:acme-unauthorized-api-calls",
			  "arn:aws:cloudwatch:*:*:alarm:acme-console-signin-without-mfa","arn:aws:cloudwatch:*:*:alarm:acme-iam-policy-changes",
			  "arn:aws:cloudwatch:*:*:alarm:acme-cloudtrail-changes","arn:aws:cloudwatch:*:*:alarm:acme-console-auth-failures",
			  "arn:aws:cloudwatch:*:*:alarm:acme-kms-key-deletion","arn:aws:cloudwatch:*:*:alarm:acme-s3-bucket-policy-changes",
			  "arn:aws:cloudwatch:*:*:alarm:acme-config-changes","arn:aws:cloudwatch:*:*:alarm:acme-security-group-changes",
			  "arn:aws:cloudwatch:*:*:alarm:acme-nacl-changes","arn:aws:cloudwatch:*:*:alarm:acme-network-gateway-changes",
			  "arn:aws:cloudwatch:*:*:alarm:acme-route-table-changes","arn:aws:cloudwatch:*:*:alarm:acme-vpc-changes",
			  "arn:aws:cloudwatch:*:*:alarm:acme-organizations-changes","arn:aws:cloudwatch:*:*:alarm:acme-alert-path-changes",
			  "arn:aws:cloudwatch:*:*:alarm:acme-alerts-dead-letters","arn:aws:cloudtrail:*:*:trail/acme-trail",
			  "arn:aws:events:*:*:rule/acme-guardduty-findings","arn:aws:kms:*:*:alias/acme-alerts","arn:aws:kms:*:*:alias/acme-cloudtrail",
			  "arn:aws:logs:*:*:log-group:acme-cloudtrail*","arn:aws:sns:*:*:acme-alerts","arn:aws:sqs:*:*:acme-alerts-dlq",
			  "arn:aws:sqs:*:*:acme-findings-dlq"]},
			{"Sid":"ProtectLandfallKeys","Effect":"Deny","Resource":["*"],
			 "Condition":{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/acme-execution"]},
			  "ForAnyValue:StringEquals":{"kms:ResourceAliases":["alias/acme-alerts","alias/acme-cloudtrail"]}},
			 "Action":["kms:DisableKey","kms:PutKeyPolicy","kms:ScheduleKeyDeletion"]}]}`},
		{"acme-deny-all", `{"Version":"2012-10-17","Statement":[{"Sid":"DenyAll","Effect":"Deny","Action":["*"],"Resource":["*"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := byName[tt.name]
			if !ok {
				t.Fatalf("no SCP %s among %v", tt.name, policies)
			}
			if !jsonEqual(t, p.Document, tt.document) {
				t.Errorf("document =\n%s\nwant\n%s", p.Document, tt.document)
			}
		})
	}
	// AND the region allow-list denies everything outside the allowed regions but global services
	regions, ok := byName["acme-allowed-regions"]
	if !ok {
		t.Fatal("no SCP acme-allowed-regions")
	}
	var doc scpDocument
	if err := json.Unmarshal([]byte(regions.Document), &doc); err != nil || len(doc.Statement) != 1 {
		t.Fatalf("allowed-regions document %s: %v", regions.Document, err)
	}
	s := doc.Statement[0]
	wantCondition := map[string]map[string][]string{"StringNotEquals": {"aws:RequestedRegion": {"eu-west-1", "us-east-1", "eu-central-1"}}}
	if s.Effect != "Deny" || len(s.Action) != 0 || !reflect.DeepEqual(s.Resource, []string{"*"}) || !reflect.DeepEqual(s.Condition, wantCondition) {
		t.Errorf("allowed-regions statement = %+v, want a Deny of NotAction on * with condition %v", s, wantCondition)
	}
	for _, global := range []string{"iam:*", "sts:*", "organizations:*", "account:*", "support:*", "budgets:*", "cloudfront:*", "route53:*"} {
		if !slices.Contains(s.NotAction, global) {
			t.Errorf("global service action %s is not exempt from the region allow-list", global)
		}
	}
	for _, regional := range []string{"ec2:*", "guardduty:*", "cloudtrail:*", "lambda:*", "s3:*", "sns:*", "logs:*"} {
		if slices.Contains(s.NotAction, regional) {
			t.Errorf("regional service action %s is exempt from the region allow-list", regional)
		}
	}
}

func TestServiceControlPolicySelection(t *testing.T) {
	root := []string{rootPath}
	tests := []struct {
		name string
		edit string // replaces the scps line of organizationEdit
		want map[string][]string
	}{
		{
			name: "defaults",
			edit: "",
			want: map[string][]string{"acme-deny-root-user": root, "acme-deny-leave-organization": root, "acme-protect-baseline": root,
				"acme-deny-all": {"/Root/Suspended"}},
		},
		{
			name: "region allow-list",
			edit: "  scps: { allowedRegions: [eu-west-1, us-east-1] }\n",
			want: map[string][]string{"acme-deny-root-user": root, "acme-deny-leave-organization": root, "acme-protect-baseline": root,
				"acme-allowed-regions": root, "acme-deny-all": {"/Root/Suspended"}},
		},
		{
			name: "a suspended OU of another name",
			edit: "  suspendedOu: /Root/Workloads/Quarantine\n  scps: { denyRootUser: false }\n",
			want: map[string][]string{"acme-deny-leave-organization": root, "acme-protect-baseline": root,
				"acme-deny-all": {"/Root/Workloads/Quarantine"}},
		},
		{
			name: "everything off",
			edit: "  suspendedOu: \"\"\n  scps: { denyRootUser: false, denyLeaveOrganization: false, protectBaseline: false }\n",
			want: map[string][]string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN the organization config with tt's SCP settings
			yaml := strings.Replace(organizationTestConfig(t), "  scps: { allowedRegions: [eu-west-1, us-east-1, eu-central-1] }\n", tt.edit, 1)
			// WHEN its SCPs are rendered
			policies, err := serviceControlPolicies(loadTestConfig(t, yaml))
			if err != nil {
				t.Fatal(err)
			}
			// THEN exactly the selected policies exist, attached where they belong
			got := map[string][]string{}
			for _, p := range policies {
				got[p.Name] = p.Targets
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("policies and targets = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestServiceControlPoliciesFitTheSizeLimit(t *testing.T) {
	// GIVEN the config that makes every SCP longest: the longest prefix and role names, every region,
	// Control Tower's exemptions and the delegated administrator's
	long := func(c byte, n int) string { return strings.Repeat(string(c), n) }
	regions := "[" + strings.Join(config.CommercialRegions(), ", ") + "]"
	yaml := strings.NewReplacer(
		"naming: { prefix: acme }", "naming: { prefix: "+long('p', 24)+" }",
		"executionRoleName: acme-execution", "executionRoleName: "+long('e', 64)+"\n  entryRoleName: "+long('n', 64),
		"governedRegions: [eu-west-1, us-east-1]", "governedRegions: "+regions,
		"allowedRegions: [eu-west-1, us-east-1, eu-central-1]", "allowedRegions: "+regions,
		"  manage: true\n", "  manage: true\n  controlTower: true\n",
	).Replace(organizationTestConfig(t))
	cfg := loadTestConfig(t, yaml)
	if !cfg.Organization.ControlTower || !cfg.Organization.DelegatesAdministration() {
		t.Fatal("the longest config lacks Control Tower or the delegated administrator")
	}
	// WHEN they are rendered
	policies, err := serviceControlPolicies(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(policies) != 5 {
		t.Fatalf("got %d policies, want all 5", len(policies))
	}
	// THEN each document, as uploaded, is within the 5,120 characters AWS Organizations accepts
	for _, p := range policies {
		t.Logf("%s: %d characters", p.Name, len([]rune(p.Document)))
		if n := len([]rune(p.Document)); n > scpMaxChars {
			t.Errorf("%s is %d characters, over %d", p.Name, n, scpMaxChars)
		}
	}
}

func TestOrganizationSetupFromConfig(t *testing.T) {
	tests := []struct {
		name          string
		from, to      string
		wantNil       bool
		wantOUs       []string
		wantAdmin     string
		wantGDRegions []string
	}{
		{
			name: "organization managed elsewhere",
			from: "  manage: true\n", to: "",
			wantNil: true,
		},
		{
			name:    "managed, with a security account",
			wantOUs: []string{"/Root/Security", "/Root/Workloads", "/Root/Workloads/Prod", "/Root/Suspended"},
			// GuardDuty's delegated administrator is per region: every governed region.
			wantAdmin: "333333333333", wantGDRegions: []string{"eu-west-1", "us-east-1"},
		},
		{
			name: "the suspended OU also listed",
			from: "/Root/Workloads/Prod]", to: "/Root/Suspended, /Root/Workloads/Prod]",
			wantOUs:   []string{"/Root/Security", "/Root/Workloads", "/Root/Suspended", "/Root/Workloads/Prod"},
			wantAdmin: "333333333333", wantGDRegions: []string{"eu-west-1", "us-east-1"},
		},
		{
			name: "delegation turned off",
			from: "  manage: true\n", to: "  manage: true\n  delegatedAdmin: false\n",
			wantOUs: []string{"/Root/Security", "/Root/Workloads", "/Root/Workloads/Prod", "/Root/Suspended"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN the organization config, edited
			yaml := organizationTestConfig(t)
			if tt.from != "" {
				yaml = strings.Replace(yaml, tt.from, tt.to, 1)
			}
			// WHEN it is mapped onto the setup's props
			props, err := organizationSetupFromConfig(loadTestConfig(t, yaml), testOrganizationID)
			if err != nil {
				t.Fatal(err)
			}
			// THEN the props carry exactly what the config asks for
			if tt.wantNil {
				if props != nil {
					t.Fatalf("props = %+v, want nil: nothing is created unless organization.manage is true", props)
				}
				return
			}
			if props == nil {
				t.Fatal("props = nil, want the setup")
			}
			if !slices.Equal(props.OUs, tt.wantOUs) {
				t.Errorf("OUs = %v, want %v (parents first, each once)", props.OUs, tt.wantOUs)
			}
			if props.DelegatedAdminAccountID != tt.wantAdmin || !slices.Equal(props.GuardDutyRegions, tt.wantGDRegions) {
				t.Errorf("delegated admin = %q in %v, want %q in %v", props.DelegatedAdminAccountID, props.GuardDutyRegions, tt.wantAdmin, tt.wantGDRegions)
			}
			if props.OrganizationID != testOrganizationID || !slices.Equal(props.TrustedServices, trustedServicePrincipals()) {
				t.Errorf("organization %q, trusted services %v", props.OrganizationID, props.TrustedServices)
			}
		})
	}
}

// sdkCall is the AWS call a Custom::AWS resource makes on create.
type sdkCall struct {
	Service    string         `json:"service"`
	Action     string         `json:"action"`
	Region     string         `json:"region"`
	Parameters map[string]any `json:"parameters"`
}

// sdkCalls decodes every custom resource's create call, by logical ID.
func sdkCalls(t *testing.T, tmpl orgTemplate) map[string]sdkCall {
	t.Helper()
	out := map[string]sdkCall{}
	for id, r := range tmpl.ofType("Custom::AWS") {
		var c sdkCall
		if err := json.Unmarshal([]byte(flattenJoin(r.Properties["Create"])), &c); err != nil {
			t.Fatalf("%s: decoding its create call: %v", id, err)
		}
		out[id] = c
	}
	return out
}

// callID returns the logical ID of the one custom resource making action (with the parameter key=value
// when key is set).
func callID(t *testing.T, calls map[string]sdkCall, action, key, value string) string {
	t.Helper()
	var ids []string
	for id, c := range calls {
		if c.Action == action && (key == "" || c.Parameters[key] == value) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("custom resources calling %s %s=%s: %v, want exactly one", action, key, value, ids)
	}
	return ids[0]
}

// refName names what an OU or SCP target reference points at: "Root" or the OU's name.
func refName(t *testing.T, tmpl orgTemplate, rootCall string, ref any) string {
	t.Helper()
	att, _ := ref.(map[string]any)["Fn::GetAtt"].([]any)
	switch {
	case len(att) == 2 && att[0] == rootCall && att[1] == "Roots.0.Id":
		return "Root"
	case len(att) == 2 && att[1] == "Id" && tmpl.Resources[att[0].(string)].Type == "AWS::Organizations::OrganizationalUnit":
		return tmpl.Resources[att[0].(string)].Properties["Name"].(string)
	}
	t.Errorf("reference %v is neither the root nor an OU", ref)
	return ""
}

func TestOrganizationalUnits(t *testing.T) {
	// GIVEN the template of an app that manages the organization
	tmpl, _ := synthesizeOrganization(t)
	rootCall := callID(t, sdkCalls(t, tmpl), "listRoots", "", "")
	// THEN every configured OU, and the suspended OU, exists under its parent
	got := map[string]string{}
	for _, ou := range tmpl.ofType("AWS::Organizations::OrganizationalUnit") {
		got[ou.Properties["Name"].(string)] = refName(t, tmpl, rootCall, ou.Properties["ParentId"])
	}
	want := map[string]string{"Security": "Root", "Workloads": "Root", "Prod": "Workloads", "Suspended": "Root"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("OU -> parent = %v, want %v", got, want)
	}
}

func TestServiceControlPoliciesInTemplate(t *testing.T) {
	// GIVEN the template and the SCPs rendered from the same config
	tmpl, _ := synthesizeOrganization(t)
	calls := sdkCalls(t, tmpl)
	rootCall := callID(t, calls, "listRoots", "", "")
	policyType := callID(t, calls, "enablePolicyType", "PolicyType", "SERVICE_CONTROL_POLICY")
	rendered, err := serviceControlPolicies(loadTestConfig(t, organizationTestConfig(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ServiceControlPolicy{}
	for _, p := range rendered {
		want[p.Name] = p
	}
	// THEN each SCP is in the template as rendered, attached to its targets, once the policy type is on
	policies := tmpl.ofType("AWS::Organizations::Policy")
	if len(policies) != len(want) {
		t.Errorf("%d SCPs in the template, want %d", len(policies), len(want))
	}
	for id, p := range policies {
		name, _ := p.Properties["Name"].(string)
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: unexpected SCP %q", id, name)
			continue
		}
		content, _ := json.Marshal(p.Properties["Content"])
		if p.Properties["Type"] != scpType || !jsonEqual(t, string(content), w.Document) {
			t.Errorf("%s: type %v, content %s; want %s, %s", name, p.Properties["Type"], content, scpType, w.Document)
		}
		var targets []string
		for _, ref := range p.Properties["TargetIds"].([]any) {
			targets = append(targets, refName(t, tmpl, rootCall, ref))
		}
		wantTargets := []string{"Root"}
		if name == "acme-deny-all" {
			wantTargets = []string{"Suspended"}
		}
		if !slices.Equal(targets, wantTargets) {
			t.Errorf("%s targets %v, want %v", name, targets, wantTargets)
		}
		if !slices.Contains(p.DependsOn, policyType) {
			t.Errorf("%s does not wait for the SCP policy type (%s): DependsOn %v", name, policyType, p.DependsOn)
		}
	}
}

func TestTrustedAccessAndDelegatedAdmin(t *testing.T) {
	// GIVEN the template's custom resources
	tmpl, _ := synthesizeOrganization(t)
	calls := sdkCalls(t, tmpl)
	// THEN trusted access is enabled for each service the baseline uses, through the Organizations endpoint
	var principals []string
	for _, c := range calls {
		if c.Action == "enableAWSServiceAccess" {
			principals = append(principals, c.Parameters["ServicePrincipal"].(string))
			if c.Service != "Organizations" || c.Region != organizationsRegion {
				t.Errorf("%+v: want Organizations in %s", c, organizationsRegion)
			}
		}
	}
	slices.Sort(principals)
	if want := trustedServicePrincipals(); !slices.Equal(principals, want) {
		t.Errorf("trusted access for %v, want %v", principals, want)
	}
	// AND GuardDuty is delegated to the security account in every governed region
	var gdRegions []string
	for _, c := range calls {
		if c.Service == "GuardDuty" && c.Action == "enableOrganizationAdminAccount" && c.Parameters["AdminAccountId"] == "333333333333" {
			gdRegions = append(gdRegions, c.Region)
		}
	}
	slices.Sort(gdRegions)
	if !slices.Equal(gdRegions, []string{"eu-west-1", "us-east-1"}) {
		t.Errorf("GuardDuty delegated in %v, want eu-west-1 and us-east-1", gdRegions)
	}
	// AND Security Hub with its native resource, once its trusted access is on, kept if the stack goes
	hubs := tmpl.ofType("AWS::SecurityHub::DelegatedAdmin")
	hubAccess := callID(t, calls, "enableAWSServiceAccess", "ServicePrincipal", "securityhub.amazonaws.com")
	for id, hub := range hubs {
		if hub.Properties["AdminAccountId"] != "333333333333" || !slices.Contains(hub.DependsOn, hubAccess) || hub.DeletionPolicy != "Retain" {
			t.Errorf("%s: admin %v, DependsOn %v, DeletionPolicy %q; want 333333333333 after %s, Retain",
				id, hub.Properties["AdminAccountId"], hub.DependsOn, hub.DeletionPolicy, hubAccess)
		}
	}
	// AND no custom resource undoes its call when the stack goes
	for id, r := range tmpl.ofType("Custom::AWS") {
		if _, ok := r.Properties["Delete"]; ok {
			t.Errorf("%s has a delete call", id)
		}
	}
	if len(hubs) != 1 {
		t.Errorf("%d Security Hub delegated admins, want 1", len(hubs))
	}
	// AND the calls that change the organization run one at a time: each waits for a different one, by
	// DependsOn, or the first by reading the root's id (a DependsOn beside it would be redundant)
	predecessor := map[string]string{}
	for id, c := range calls {
		if c.Action == "listRoots" {
			continue
		}
		var before []string
		for _, dep := range tmpl.Resources[id].DependsOn {
			if _, ok := calls[dep]; ok {
				before = append(before, dep)
			}
		}
		if len(before) == 0 {
			props, _ := json.Marshal(tmpl.Resources[id].Properties)
			for other := range calls {
				if strings.Contains(string(props), `{"Fn::GetAtt":["`+other+`"`) {
					before = append(before, other)
				}
			}
		}
		if len(before) != 1 {
			t.Errorf("%s (%s) waits for %v, want exactly one earlier call", id, c.Action, before)
			continue
		}
		predecessor[id] = before[0]
	}
	seen := map[string]string{}
	for id, before := range predecessor {
		if other, ok := seen[before]; ok {
			t.Errorf("%s and %s both run right after %s, so they run concurrently", id, other, before)
		}
		seen[before] = id
	}
}

func TestOrganizationCustomResourcesAreLeastPrivilege(t *testing.T) {
	// GIVEN the role of the custom resources' provider function and every policy attached to it
	tmpl, _ := synthesizeOrganization(t)
	var roleID string
	for id, r := range tmpl.ofType("AWS::IAM::Role") {
		if r.Properties["Description"] == "Runs landfall's organization setup API calls" {
			roleID = id
			if _, ok := r.Properties["ManagedPolicyArns"]; ok {
				t.Errorf("the provider role has managed policies %v", r.Properties["ManagedPolicyArns"])
			}
		}
	}
	if roleID == "" {
		t.Fatal("no provider role")
	}
	for id, fn := range tmpl.ofType("AWS::Lambda::Function") {
		if strings.HasPrefix(id, "AWS679f53fac002430cb0da5b7982bd2287") {
			if role := fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0]; role != roleID {
				t.Errorf("the provider function runs as %v, want %s", role, roleID)
			}
		}
	}
	rootCall := callID(t, sdkCalls(t, tmpl), "listRoots", "", "")
	adminARN := "arn:aws:organizations::111111111111:account/" + testOrganizationID + "/333333333333"
	var enabled []string
	for id, p := range tmpl.ofType("AWS::IAM::Policy") {
		roles := p.Properties["Roles"].([]any)
		if len(roles) != 1 || roles[0].(map[string]any)["Ref"] != roleID {
			continue
		}
		for _, raw := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			s := raw.(map[string]any)
			resources, condition := asSlice(s["Resource"]), s["Condition"]
			// THEN every action is one of the calls made, and each write is limited as far as IAM allows
			for _, action := range asStrings(s["Action"]) {
				principal := func() string {
					m, _ := condition.(map[string]any)["StringEquals"].(map[string]any)
					v, _ := m["organizations:ServicePrincipal"].(string)
					return v
				}
				var ok bool
				switch {
				case strings.HasPrefix(action, "organizations:List"), strings.HasPrefix(action, "organizations:Describe"):
					ok = condition == nil
				case action == "organizations:EnablePolicyType":
					ok = reflect.DeepEqual(resources, []any{map[string]any{"Fn::GetAtt": []any{rootCall, "Roots.0.Arn"}}}) &&
						reflect.DeepEqual(condition, map[string]any{"StringEquals": map[string]any{"organizations:PolicyType": scpType}})
				case action == "organizations:EnableAWSServiceAccess":
					ok = principal() != ""
					if !strings.Contains(id, "GuardDuty") {
						enabled = append(enabled, principal())
					}
				case action == "organizations:RegisterDelegatedAdministrator":
					ok = principal() == guardDutyPrincipal && reflect.DeepEqual(resources, []any{adminARN})
				case action == "guardduty:EnableOrganizationAdminAccount":
					ok = true
				case action == "logs:CreateLogStream", action == "logs:PutLogEvents":
					ok = len(resources) == 1 && resources[0] != "*"
				}
				if !ok {
					t.Errorf("%s: %s on %v with %v is not allowed", id, action, resources, condition)
				}
			}
		}
	}
	// AND each trusted-access call may enable only its own service
	slices.Sort(enabled)
	if want := trustedServicePrincipals(); !slices.Equal(enabled, want) {
		t.Errorf("EnableAWSServiceAccess granted for %v, want each of %v once", enabled, want)
	}
}
