package main

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/ledger"
)

// securityAccount hosts the alert fan-in in securityConfig.
const securityAccount = "333333333333"

// securityConfig is testConfig with the alert fan-in in the security account.
var securityConfig = strings.NewReplacer(
	"  homeRegion: eu-west-1\n", "  homeRegion: eu-west-1\n  securityAccountId: \""+securityAccount+"\"\n",
	"notifications:\n", "notifications:\n  centralAlerts: security\n",
).Replace(testConfig)

// securitySynth is the app synthesized from securityConfig, once for every test that asks.
var securitySynth struct {
	once                   sync.Once
	err                    error
	main, alerts           assertions.Template
	mainJSON, alertsJSON   template
	mainStack, alertsStack awscdk.Stack
	files                  []string
}

func synthesizeSecurityFanIn(t *testing.T) {
	t.Helper()
	s := &securitySynth
	s.once.Do(func() {
		// Not t.TempDir: the directory must outlive the first test that asks.
		dir, err := os.MkdirTemp("", "landfall-central-alerts-test")
		if err != nil {
			s.err = err
			return
		}
		app, assembly, err := synthesizeApp(dir, securityConfig)
		if err != nil {
			s.err = err
			return
		}
		s.files = templateFiles(assembly)
		s.mainStack = app.Node().FindChild(jsii.String(stackName)).(awscdk.Stack)
		s.alertsStack = app.Node().FindChild(jsii.String(centralAlertsName)).(awscdk.Stack)
		s.main = assertions.Template_FromStack(s.mainStack, nil)
		s.alerts = assertions.Template_FromStack(s.alertsStack, nil)
		if s.err = decodeTemplate(s.main, &s.mainJSON); s.err == nil {
			s.err = decodeTemplate(s.alerts, &s.alertsJSON)
		}
	})
	if s.err != nil {
		t.Fatalf("synthesizing the app with central alerts in the security account: %v", s.err)
	}
}

func TestCentralAlertsStackIsInTheSecurityAccount(t *testing.T) {
	synthesizeSecurityFanIn(t)
	s := &securitySynth
	// THEN the fan-in stack is in the security account and the home region, deployed after the management
	// account's stack whose roles its formatter uses
	if got := *s.alertsStack.Account() + "/" + *s.alertsStack.Region(); got != securityAccount+"/eu-west-1" {
		t.Errorf("central alerts stack environment = %s, want %s/eu-west-1", got, securityAccount)
	}
	var deps []string
	for _, d := range *s.alertsStack.Dependencies() {
		deps = append(deps, *d.StackName())
	}
	if !slices.Equal(deps, []string{stackName}) {
		t.Errorf("central alerts stack depends on %v, want [%s]", deps, stackName)
	}
	// AND it holds the queue, the formatter, both topics and their alarms
	for typ, n := range map[string]int{
		"AWS::SQS::Queue": 2, "AWS::Lambda::Function": 1, "AWS::Lambda::EventSourceMapping": 1, "AWS::SNS::Topic": 2,
		"AWS::KMS::Key": 1, "AWS::CloudWatch::Alarm": 2, "AWS::DynamoDB::Table": 0, "AWS::Events::Rule": 0,
	} {
		if got := len(s.alertsJSON.resourcesOfType(typ)); got != n {
			t.Errorf("%d resources of type %s, want %d", got, typ, n)
		}
	}
}

func TestCentralAlertsFanIn(t *testing.T) {
	synthesizeSecurityFanIn(t)
	tmpl := securitySynth.alerts
	// THEN the queue has its fixed name, KMS, a DLQ and admits SNS only from topics of our organization
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
			"QueueName":      "acme-alert-fanin",
			"KmsMasterKeyId": assertions.Match_AnyValue(),
			"RedrivePolicy":  map[string]any{"deadLetterTargetArn": assertions.Match_AnyValue(), "maxReceiveCount": fanInMaxReceiveCount},
		})
	})
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Action":    "sqs:SendMessage",
				"Principal": map[string]any{"Service": "sns.amazonaws.com"},
				"Condition": map[string]any{"ArnLike": map[string]any{"aws:SourceArn": memberAlertsTopics}},
			})})},
		})
	})
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
			"BatchSize":             fanInBatchSize,
			"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		})
	})
	// AND the formatter is the same function as in the management account, pointed at the management
	// account's bridge role and ledger, and no pipeline role
	spec := formatterSpec()
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"Description":   spec.description,
			"Runtime":       "provided.al2023",
			"Architectures": []any{"arm64"},
			"MemorySize":    spec.memoryMiB,
			"Timeout":       spec.timeoutSeconds,
			"Environment": map[string]any{"Variables": map[string]any{
				lambdaenv.ConfigFile:     "/var/task/landfall.yaml",
				lambdaenv.LogLevel:       defaultLogLevel,
				lambdaenv.AlertsTopic:    map[string]any{"Ref": "TopicsAlerts790CC8DD"},
				lambdaenv.ManagementRole: "arn:aws:iam::111111111111:role/acme-alerts-bridge",
				lambdaenv.PipelineRole:   assertions.Match_Absent(),
				lambdaenv.LedgerTable:    "acme-ledger",
			}},
		})
	})
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{"RoleName": "acme-alert-formatter", "Path": "/acme/"})
	})
	// AND alert emails subscribe the central alerts topic, operations emails the stack's operations topic,
	// which the formatter's errors and the dead letters alarm to
	for email, topic := range map[string]string{
		"secops@acme.example":   "TopicsAlerts790CC8DD",
		"platform@acme.example": "TopicsOperations73808476",
		"oncall@acme.example":   "TopicsOperations73808476",
	} {
		check(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
				"Protocol": "email", "Endpoint": email, "TopicArn": map[string]any{"Ref": topic},
			})
		})
	}
	check(t, func() {
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmActions": []any{map[string]any{"Ref": "TopicsOperations73808476"}},
		}, jsii.Number(2))
	})
}

func TestCentralAlertsFormatterIsLeastPrivilege(t *testing.T) {
	synthesizeSecurityFanIn(t)
	statements := functionStatements(t, securitySynth.alertsJSON)[formatterSpec().description]
	if len(statements) == 0 {
		t.Fatal("no statements for the formatter")
	}
	// THEN the formatter may assume only the bridge role and the alerts reader roles, publish to the alerts
	// topic and read its chat secrets in its own account, and reaches nothing of the management account
	// directly
	for _, action := range []string{"dynamodb:PutItem", "dynamodb:GetItem", "organizations:DescribeAccount", "sns:Subscribe"} {
		if hasAction(statements, action) {
			t.Errorf("the formatter in the security account is allowed %s", action)
		}
	}
	for _, action := range []string{"sts:AssumeRole", "sns:Publish", "secretsmanager:GetSecretValue", "sqs:ReceiveMessage", "sns:ConfirmSubscription"} {
		if !hasAction(statements, action) {
			t.Errorf("the formatter in the security account is not allowed %s", action)
		}
	}
	for _, s := range statements {
		if slices.Contains(s.actions, "sts:AssumeRole") {
			bridge := []any{"arn:aws:iam::111111111111:role/acme-alerts-bridge"}
			readers := []any{"arn:aws:iam::*:role/acme-alerts-reader"}
			inOrganization := map[string]any{"StringEquals": map[string]any{"aws:ResourceOrgID": testOrganizationID}}
			if !reflect.DeepEqual(s.resources, bridge) && !(reflect.DeepEqual(s.resources, readers) && reflect.DeepEqual(s.condition, inOrganization)) {
				t.Errorf("sts:AssumeRole resources = %v if %v, want %v, or %v if %v", s.resources, s.condition, bridge, readers, inOrganization)
			}
		}
		if slices.Contains(s.actions, "secretsmanager:GetSecretValue") {
			if want := []any{"arn:aws:secretsmanager:eu-west-1:" + securityAccount + ":secret:landfall/slack-??????"}; !reflect.DeepEqual(s.resources, want) {
				t.Errorf("secretsmanager:GetSecretValue resources = %v, want %v", s.resources, want)
			}
		}
	}
}

func TestManagementStackWithCentralAlertsInTheSecurityAccount(t *testing.T) {
	synthesizeSecurityFanIn(t)
	s := &securitySynth
	// THEN the management account has no fan-in, no formatter and no alerts topic of its own
	check(t, func() {
		s.main.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(float64(len(functionSpecs())-1)))
	})
	check(t, func() {
		s.main.ResourcePropertiesCountIs(jsii.String("AWS::SQS::Queue"), map[string]any{"QueueName": "acme-alert-fanin"}, jsii.Number(0))
	})
	check(t, func() { s.main.ResourceCountIs(jsii.String("AWS::SNS::Topic"), jsii.Number(1)) })
	check(t, func() {
		s.main.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{"Description": "Encrypts landfall's operations topic."})
	})
	check(t, func() { s.main.ResourceCountIs(jsii.String("AWS::Lambda::EventSourceMapping"), jsii.Number(0)) })
	// AND the bridge role trusts exactly the security account's formatter role
	bridgeID := ""
	for id, r := range s.mainJSON.resourcesOfType("AWS::IAM::Role") {
		if r.Properties["RoleName"] == "acme-alerts-bridge" {
			bridgeID = id
		}
	}
	if bridgeID == "" {
		t.Fatal("no role named acme-alerts-bridge")
	}
	check(t, func() {
		s.main.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"RoleName": "acme-alerts-bridge",
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action":    "sts:AssumeRole",
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": "arn:aws:iam::" + securityAccount + ":root"},
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + securityAccount + ":role/acme/acme-alert-formatter"}},
			}}},
		})
	})
	// AND it may write only receipts to the ledger and read the organization: it enters no account, and the
	// pipeline role does not trust it
	var bridge []statement
	for _, p := range s.mainJSON.resourcesOfType("AWS::IAM::Policy") {
		if reflect.DeepEqual(p.Properties["Roles"], []any{map[string]any{"Ref": bridgeID}}) {
			for _, raw := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st := raw.(map[string]any)
				bridge = append(bridge, statement{actions: asStrings(st["Action"]), resources: asSlice(st["Resource"]), condition: st["Condition"]})
			}
		}
	}
	var actions []string
	for _, st := range bridge {
		actions = append(actions, st.actions...)
		if slices.Contains(st.actions, "dynamodb:PutItem") {
			if want := putCondition(t, ledger.Receipts); !reflect.DeepEqual(st.condition, want) {
				t.Errorf("the bridge's ledger write condition = %v, want %v", st.condition, want)
			}
		}
	}
	slices.Sort(actions)
	if want := []string{"dynamodb:PutItem", "organizations:DescribeAccount", "organizations:DescribeOrganizationalUnit",
		"organizations:ListParents", "organizations:ListTagsForResource"}; !slices.Equal(actions, want) {
		t.Errorf("bridge actions = %v, want %v", actions, want)
	}
	organizationsReads(t, bridge) // only the organization's accounts and OUs
	for _, r := range s.mainJSON.resourcesOfType("AWS::IAM::Role") {
		if r.Properties["RoleName"] != "acme-pipeline" {
			continue
		}
		if trust, _ := json.Marshal(r.Properties["AssumeRolePolicyDocument"]); strings.Contains(string(trust), bridgeID) {
			t.Errorf("the pipeline role trusts the alerts bridge: %s", trust)
		}
	}
}

// The protect-baseline SCP, as IAM decides it, leaves the central alerts stack deployable: CloudFormation
// creates and updates the formatter's role with the security account's CDK execution role, which the SCP
// does not exempt, while the baseline's roles in that account stay out of its reach.
func TestProtectBaselineLetsTheCentralAlertsStackDeploy(t *testing.T) {
	synthesizeSecurityFanIn(t)
	var formatterARN string
	for _, r := range securitySynth.alertsJSON.resourcesOfType("AWS::IAM::Role") {
		if name, _ := r.Properties["RoleName"].(string); name == "acme-alert-formatter" {
			path, _ := r.Properties["Path"].(string)
			formatterARN = "arn:aws:iam::" + securityAccount + ":role" + path + name
		}
	}
	if formatterARN == "" {
		t.Fatal("no role named acme-alert-formatter in the central alerts stack")
	}
	policies, err := serviceControlPolicies(loadTestConfig(t, securityConfig))
	if err != nil {
		t.Fatal(err)
	}
	protectBaseline := slices.DeleteFunc(slices.Clone(policies), func(p ServiceControlPolicy) bool { return p.Name != "acme-protect-baseline" })
	if len(protectBaseline) != 1 {
		t.Fatalf("no acme-protect-baseline among %v", policies)
	}
	// CDK bootstrap names the execution role cdk-<qualifier>-cfn-exec-role-<account>-<region>.
	cfnExec := "arn:aws:iam::" + securityAccount + ":role/cdk-hnb659fds-cfn-exec-role-" + securityAccount + "-eu-west-1"
	for _, tt := range []struct {
		role  string
		allow bool
	}{
		{formatterARN, true},
		{"arn:aws:iam::" + securityAccount + ":role/acme-execution", false},
		{"arn:aws:iam::" + securityAccount + ":role/acme-alert-formatter", false},
	} {
		for _, action := range []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"} {
			d := decideUnderSCPs(t, protectBaseline, cfnExec, action, tt.role, "us-east-1")
			if d.Allowed() != tt.allow {
				t.Errorf("CloudFormation's %s on %s: %s, want allowed=%v", action, tt.role, d.Result, tt.allow)
			}
		}
	}
}
