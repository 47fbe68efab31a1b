package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/internal/awslocal"
)

// testTemplate is shaped like cdk synth's output: a function with a staged
// asset and a role under a path, a state machine whose definition joins in
// the function's ARN, and a rule that starts the state machine.
const testTemplate = `{
  "Resources": {
    "EchoFn1A2B": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Description": "Echoes", "Timeout": 30, "MemorySize": 256, "Runtime": "provided.al2023",
        "Role": {"Fn::GetAtt": ["EchoFnRoleB1C2", "Arn"]},
        "Environment": {"Variables": {
          "CONFIG": "/var/task/landfall.yaml",
          "LEDGER_TABLE": {"Ref": "Ledger3C4D"},
          "OPERATIONS_TOPIC_ARN": {"Ref": "Ops5E6F"},
          "WHERE": {"Fn::Sub": "${AWS::Region}/${AWS::AccountId}"}
        }}
      },
      "Metadata": {"aws:asset:path": "asset.0123abcd", "aws:asset:property": "Code"}
    },
    "LogRetentionAEA1": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs22.x"}, "Metadata": {"aws:asset:path": "asset.node"}},
    "Ledger3C4D": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "landfall-ledger"}},
    "BoundaryA7B8": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "landfall-boundary", "Description": "Bounds",
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:*", "Resource": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/landfall-execution"}}]}}},
    "Ops5E6F": {"Type": "AWS::SNS::Topic", "Properties": {}},
    "EchoFnRoleB1C2": {"Type": "AWS::IAM::Role", "Properties": {"Path": "/landfall/", "AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
    "AlertsBridgeRole0A1B": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "landfall-alerts-bridge",
      "AssumeRolePolicyDocument": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": {"Fn::GetAtt": ["EchoFnRoleB1C2", "Arn"]}}, "Action": "sts:AssumeRole"}]},
      "Policies": [{"PolicyName": "ledger", "PolicyDocument": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": {"Fn::GetAtt": ["Ledger3C4D", "Arn"]}}]}}],
      "ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/ReadOnlyAccess"]]}]}},
    "MachineRole5D6E": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
    "MachineRoleDefaultPolicy7F80": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "MachineRoleDefaultPolicy7F80",
      "Roles": [{"Ref": "MachineRole5D6E"}], "PolicyDocument": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
          "Resource": [{"Fn::GetAtt": ["EchoFn1A2B", "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": ["EchoFn1A2B", "Arn"]}, ":*"]]}]}]}}},
    "RuleRole7A8B": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}},
    "PipelineBaselineAccount9C0D": {
      "Type": "AWS::StepFunctions::StateMachine",
      "Properties": {"RoleArn": {"Fn::GetAtt": ["MachineRole5D6E", "Arn"]}, "DefinitionString": {"Fn::Join": ["", [
        "{\"StartAt\":\"Echo\",\"States\":{\"Echo\":{\"Type\":\"Task\",\"Resource\":\"",
        {"Fn::GetAtt": ["EchoFn1A2B", "Arn"]},
        "\",\"End\":true}}}"
      ]]}}
    },
    "CreatedRuleE1F2": {
      "Type": "AWS::Events::Rule",
      "Properties": {
        "EventPattern": {"source": ["aws.organizations"], "detail": {"eventName": ["CreateAccountResult"]}},
        "State": "ENABLED",
        "Targets": [{"Arn": {"Ref": "PipelineBaselineAccount9C0D"}, "Id": "Target0",
                     "RoleArn": {"Fn::GetAtt": ["RuleRole7A8B", "Arn"]}, "InputPath": "$.detail"}]
      }
    }
  }
}`

// writeCDKOut lays out a cdk.out directory with testTemplate and the echo
// function as its asset.
func writeCDKOut(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	asset := filepath.Join(dir, "asset.0123abcd")
	if err := os.MkdirAll(asset, 0o755); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(buildEcho(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(asset, "bootstrap"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Landfall.template.json"), []byte(testTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadTemplate(t *testing.T) {
	dir := writeCDKOut(t)
	tpl, err := ReadTemplate(filepath.Join(dir, "Landfall.template.json"), TemplateOptions{Region: "eu-west-1", Account: mgmt})
	if err != nil {
		t.Fatal(err)
	}
	fnARN := "arn:aws:lambda:eu-west-1:" + mgmt + ":function:EchoFn1A2B"

	if len(tpl.Functions) != 1 || len(tpl.OtherFunctions) != 1 || tpl.OtherFunctions[0] != "LogRetentionAEA1" {
		t.Fatalf("functions %d, others %v; want 1 Go function and LogRetentionAEA1", len(tpl.Functions), tpl.OtherFunctions)
	}
	fn := tpl.Functions[0]
	wantEnv := map[string]string{
		"CONFIG":               filepath.Join(dir, "asset.0123abcd", "landfall.yaml"),
		"LEDGER_TABLE":         "landfall-ledger",
		"OPERATIONS_TOPIC_ARN": "arn:aws:sns:eu-west-1:" + mgmt + ":Ops5E6F",
		"WHERE":                "eu-west-1/" + mgmt,
	}
	for k, want := range wantEnv {
		if fn.Env[k] != want {
			t.Errorf("Env[%s] = %q, want %q", k, fn.Env[k], want)
		}
	}
	if fn.ARN != fnARN || fn.Package != "./internal/localrun/testdata/echofn" || fn.Timeout.Seconds() != 30 || fn.MemoryMiB != 256 {
		t.Errorf("function = %+v", fn)
	}

	sm, err := tpl.StateMachine("BaselineAccount")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"StartAt":"Echo","States":{"Echo":{"Type":"Task","Resource":"` + fnARN + `","End":true}}}`; string(sm.Definition) != want {
		t.Errorf("Definition = %s\nwant %s", sm.Definition, want)
	}
	smARN := "arn:aws:states:eu-west-1:" + mgmt + ":stateMachine:PipelineBaselineAccount9C0D"
	if sm.ARN != smARN {
		t.Errorf("state machine ARN = %s, want %s", sm.ARN, smARN)
	}
	if _, err := tpl.StateMachine("Sweep"); err == nil {
		t.Error("found a Sweep state machine that the template lacks")
	}

	if want := "arn:aws:iam::" + mgmt + ":role/landfall/EchoFnRoleB1C2"; fn.RoleARN != want {
		t.Errorf("function role %s, want %s", fn.RoleARN, want)
	}
	if want := "arn:aws:iam::" + mgmt + ":role/MachineRole5D6E"; sm.RoleARN != want {
		t.Errorf("state machine role %s, want %s", sm.RoleARN, want)
	}
	all, err := tpl.Roles()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	roles := map[string]TemplateRole{}
	for _, r := range all {
		order = append(order, r.LogicalID)
		roles[r.LogicalID] = r
	}
	// The bridge's trust names the function's role, which comes first.
	if want := []string{"EchoFnRoleB1C2", "MachineRole5D6E", "RuleRole7A8B", "AlertsBridgeRole0A1B"}; !slices.Equal(order, want) {
		t.Errorf("roles in order %v, want %v", order, want)
	}
	bridge := roles["AlertsBridgeRole0A1B"]
	if bridge.Name != "landfall-alerts-bridge" || !strings.Contains(bridge.Trust, `"arn:aws:iam::`+mgmt+`:role/landfall/EchoFnRoleB1C2"`) ||
		!slices.Equal(bridge.ManagedPolicyARNs, []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"}) ||
		!strings.Contains(bridge.Policies["ledger"], `"arn:aws:dynamodb:eu-west-1:`+mgmt+`:table/landfall-ledger"`) {
		t.Errorf("bridge role = %+v", bridge)
	}
	if got := roles["MachineRole5D6E"].Policies["MachineRoleDefaultPolicy7F80"]; !strings.Contains(got, `"`+fnARN+`:*"`) {
		t.Errorf("the machine role's AWS::IAM::Policy = %s", got)
	}

	if len(tpl.Rules) != 1 {
		t.Fatalf("%d rules, want 1", len(tpl.Rules))
	}
	rule := tpl.Rules[0]
	if !jsonEqual(t, rule.EventPattern, `{"source":["aws.organizations"],"detail":{"eventName":["CreateAccountResult"]}}`) {
		t.Errorf("EventPattern = %s", rule.EventPattern)
	}
	if len(rule.Targets) != 1 || rule.Targets[0].ARN != smARN || rule.Targets[0].InputPath != "$.detail" ||
		rule.Targets[0].RoleARN != "arn:aws:iam::"+mgmt+":role/RuleRole7A8B" {
		t.Errorf("Targets = %+v", rule.Targets)
	}
}

// An attribute the template cannot know (a custom resource's output) is an
// error until the embedding program sets it, then it resolves inside the
// functions that use it.
func TestResolveSetAttribute(t *testing.T) {
	tpl, err := ReadTemplate(filepath.Join(writeCDKOut(t), "Landfall.template.json"), TemplateOptions{Region: "us-east-1", Account: mgmt})
	if err != nil {
		t.Fatal(err)
	}
	value := json.RawMessage(`{"Fn::Join":["",["root=",{"Fn::GetAtt":["Ledger3C4D","Roots.0.Id"]}]]}`)
	if _, err := tpl.Resolve(value); err == nil || !strings.Contains(err.Error(), "Ledger3C4D.Roots.0.Id") {
		t.Fatalf("an unset attribute resolved: %v", err)
	}
	tpl.SetAttribute("Ledger3C4D", "Roots.0.Id", "r-abcd")
	if got, err := tpl.Resolve(value); err != nil || got != "root=r-abcd" {
		t.Fatalf("Resolve = %v, %v; want root=r-abcd", got, err)
	}
}

// newAuthorizedTemplate reads the test template and serves an endpoint
// that decides every request; admin is the management account's operator.
func newAuthorizedTemplate(t *testing.T) (*Template, *awslocal.Server, string, aws.Config) {
	t.Helper()
	tpl, err := ReadTemplate(filepath.Join(writeCDKOut(t), "Landfall.template.json"), TemplateOptions{Region: "us-east-1", Account: mgmt})
	if err != nil {
		t.Fatal(err)
	}
	srv := newEndpoint(t)
	url := srv.Start(t)
	admin, err := awslocal.SDKConfig(context.Background(), url, srv.AdminCredentials(mgmt), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return tpl, srv, url, admin
}

// The template's state machine runs with the template's function, rebuilt
// for the host from the package its asset was built from, each as its own
// role: the endpoint decides every call, so the machine reaches the
// function only through its role's grant.
func TestTemplateRunsLocally(t *testing.T) {
	ctx := context.Background()
	tpl, srv, url, admin := newAuthorizedTemplate(t)
	root, err := FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	node, driver, err := Toolchain(root)
	if err != nil {
		t.Fatal(err)
	}
	roles, err := tpl.Roles()
	if err != nil {
		t.Fatal(err)
	}
	if err := DeployRoles(ctx, iam.NewFromConfig(admin), roles); err != nil {
		t.Fatal(err)
	}
	fns, err := ServeFunctions(ctx, srv, testBuilder, tpl.Functions, ServeOptions{EndpointURL: url})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fns {
		t.Cleanup(f.Close)
	}
	creds, err := StateMachineCredentials(ctx, srv, tpl.StateMachines)
	if err != nil {
		t.Fatal(err)
	}
	runner := &Runner{Node: node, Driver: driver, EndpointURL: url, Region: "us-east-1", Credentials: creds, Machines: tpl.StateMachines}
	fn := tpl.Functions[0]
	sm, err := tpl.StateMachine("BaselineAccount")
	if err != nil {
		t.Fatal(err)
	}
	got, err := runner.Execute(ctx, sm, []byte(`{"value": "from-template"}`))
	if err != nil {
		t.Fatal(err)
	}
	var out echoResponse
	if err := json.Unmarshal(got.Output, &out); got.Status != "SUCCEEDED" || err != nil || out.Value != "from-template" || out.FunctionARN != fn.ARN {
		t.Fatalf("execution %s %s %s: output %s", got.Status, got.Error, got.Cause, got.Output)
	}
	if want := "arn:aws:sts::" + mgmt + ":assumed-role/EchoFnRoleB1C2/EchoFn1A2B"; out.Caller != want {
		t.Errorf("the function ran as %s, want its execution role's session %s", out.Caller, want)
	}

	// Without its grant the machine's role cannot invoke the function.
	if _, err := iam.NewFromConfig(admin).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("MachineRole5D6E"),
		PolicyName: aws.String("MachineRoleDefaultPolicy7F80")}); err != nil {
		t.Fatal(err)
	}
	got, err = runner.Execute(ctx, sm, []byte(`{"value": "ungranted"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "FAILED" || !strings.HasPrefix(got.Error, "Lambda.") || !strings.Contains(got.Cause, "lambda:InvokeFunction") {
		t.Errorf("without the grant: %s %s %s", got.Status, got.Error, got.Cause)
	}
	if f := srv.AuthorizationFaults(); len(f) != 0 {
		t.Errorf("undecided: %v", f)
	}
}

// Deploy creates the template's standalone managed policies
// (deployManagedPolicies), named and with their documents resolved, as
// CloudFormation would.
func TestDeployCreatesManagedPolicies(t *testing.T) {
	ctx := context.Background()
	tpl, _, _, admin := newAuthorizedTemplate(t)
	client := iam.NewFromConfig(admin)
	if err := tpl.deployManagedPolicies(ctx, client); err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:iam::" + mgmt + ":policy/landfall-boundary")
	p, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	v, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: p.Policy.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document))
	if err != nil || aws.ToString(p.Policy.Description) != "Bounds" || !strings.Contains(doc, `"arn:aws:iam::`+mgmt+`:role/landfall-execution"`) {
		t.Fatalf("policy %+v, document %s: %v", p.Policy, doc, err)
	}

	// One attached to roles, users or groups is not deployed locally.
	path := filepath.Join(t.TempDir(), "T.template.json")
	attached := `{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"ManagedPolicyName": "p", "PolicyDocument": {}, "Users": ["u"]}}}}`
	if err := os.WriteFile(path, []byte(attached), 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := ReadTemplate(path, TemplateOptions{Region: "us-east-1", Account: mgmt})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.deployManagedPolicies(ctx, client); err == nil || !strings.Contains(err.Error(), "attached to no one") {
		t.Fatalf("Deploy of an attached managed policy: %v, want a refusal", err)
	}
}

// A function whose role does not trust Lambda does not start.
func TestServeFunctionsNeedsATrustingRole(t *testing.T) {
	ctx := context.Background()
	tpl, srv, url, admin := newAuthorizedTemplate(t)
	if _, err := ServeFunctions(ctx, srv, testBuilder, tpl.Functions, ServeOptions{EndpointURL: url}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("served a function whose role was never created: %v", err)
	}
	roles, err := tpl.Roles()
	if err != nil {
		t.Fatal(err)
	}
	for i := range roles {
		roles[i].Trust = strings.Replace(roles[i].Trust, "lambda.amazonaws.com", "ec2.amazonaws.com", 1)
	}
	if err := DeployRoles(ctx, iam.NewFromConfig(admin), roles); err != nil {
		t.Fatal(err)
	}
	if _, err := ServeFunctions(ctx, srv, testBuilder, tpl.Functions, ServeOptions{EndpointURL: url}); err == nil || !strings.Contains(err.Error(), "does not admit") {
		t.Fatalf("served a function whose role trusts EC2, not Lambda: %v", err)
	}
}

func TestResolveIntrinsics(t *testing.T) {
	r := &resolver{region: "us-east-1", account: mgmt, stack: "Landfall", resources: map[string]cfnResource{
		"Fn":    {Type: "AWS::Lambda::Function"},
		"Queue": {Type: "AWS::SQS::Queue", Properties: map[string]json.RawMessage{"QueueName": json.RawMessage(`"dlq"`)}},
		"Odd":   {Type: "AWS::Custom::Thing"},
	}, refs: map[string]string{"Given": "given-value"}}
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "pseudo parameters", in: `{"Fn::Join": [":", [{"Ref": "AWS::Partition"}, {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}, {"Ref": "AWS::StackName"}]]}`,
			want: "aws:us-east-1:" + mgmt + ":Landfall"},
		{name: "function ref is its name", in: `{"Ref": "Fn"}`, want: "Fn"},
		{name: "queue ref is its URL", in: `{"Ref": "Queue"}`, want: "https://sqs.us-east-1.amazonaws.com/" + mgmt + "/dlq"},
		{name: "caller-supplied ref", in: `{"Ref": "Given"}`, want: "given-value"},
		{name: "GetAtt string form", in: `{"Fn::GetAtt": "Queue.Arn"}`, want: "arn:aws:sqs:us-east-1:" + mgmt + ":dlq"},
		{name: "Sub with variables and literal", in: `{"Fn::Sub": ["${Fn.Arn}/${X}/${!Keep}", {"X": {"Ref": "AWS::Region"}}]}`,
			want: "arn:aws:lambda:us-east-1:" + mgmt + ":function:Fn/us-east-1/${Keep}"},
		{name: "Select of Split", in: `{"Fn::Select": [1, {"Fn::Split": [":", "a:b:c"]}]}`, want: "b"},
		{name: "unknown resource", in: `{"Ref": "Missing"}`, wantErr: true},
		{name: "ARN of an unknown type", in: `{"Fn::GetAtt": ["Odd", "Arn"]}`, wantErr: true},
		{name: "unknown attribute", in: `{"Fn::GetAtt": ["Fn", "SnapStartResponse"]}`, wantErr: true},
		{name: "Select out of range", in: `{"Fn::Select": [3, ["a"]]}`, wantErr: true},
		{name: "unsupported function", in: `{"Fn::ImportValue": "x"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
				t.Fatal(err)
			}
			got, err := r.resolveString(v)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("resolved to %q, want an error", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestReadTemplateRejectsUnresolvable(t *testing.T) {
	dir := writeCDKOut(t)
	path := filepath.Join(dir, "Landfall.template.json")
	broken := strings.Replace(testTemplate, `"Ref": "Ledger3C4D"`, `"Ref": "NoSuchTable"`, 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTemplate(path, TemplateOptions{Region: "us-east-1", Account: mgmt}); err == nil || !strings.Contains(err.Error(), "NoSuchTable") {
		t.Fatalf("err = %v, want one naming NoSuchTable", err)
	}
}

// Roles whose trusts name each other cannot be created in any order, and a
// policy on what is not a role of the template is an error, not dropped.
func TestTemplateRolesRefuseWhatCannotDeploy(t *testing.T) {
	trusting := func(other string) string {
		return `{"AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": {"Fn::GetAtt": ["` + other + `", "Arn"]}}, "Action": "sts:AssumeRole"}]}}`
	}
	for name, tc := range map[string]struct{ resources, want string }{
		"cycle": {`"A": {"Type": "AWS::IAM::Role", "Properties": ` + trusting("B") + `},
		          "B": {"Type": "AWS::IAM::Role", "Properties": ` + trusting("A") + `}`, "cycle"},
		"policy on a stranger": {`"A": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
		          "P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {}, "Roles": [{"Ref": "Stranger"}]}}`, "Stranger is not a role"},
		"policy on a user": {`"A": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}},
		          "P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {}, "Roles": [{"Ref": "A"}], "Users": ["u"]}}`, "only policies on roles"},
		"role without trust": {`"A": {"Type": "AWS::IAM::Role", "Properties": {}}`, "no AssumeRolePolicyDocument"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "T.template.json")
			if err := os.WriteFile(path, []byte(`{"Resources": {`+tc.resources+`}}`), 0o644); err != nil {
				t.Fatal(err)
			}
			tpl, err := ReadTemplate(path, TemplateOptions{Region: "us-east-1", Account: mgmt})
			if err != nil {
				t.Fatal(err)
			}
			if roles, err := tpl.Roles(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Roles = %+v, %v; want an error saying %q", roles, err, tc.want)
			}
		})
	}
}

// A state machine's role created moments before cannot be assumed by Step
// Functions until IAM has propagated it; StateMachineCredentials waits for
// it, as CloudFormation does before it creates the state machine.
func TestStateMachineCredentialsWaitForIAM(t *testing.T) {
	ctx := context.Background()
	srv := newEndpointWith(t, awslocal.Options{IAMPropagation: time.Second})
	admin, err := awslocal.SDKConfig(ctx, srv.Start(t), srv.AdminCredentials(mgmt), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	role, err := iam.NewFromConfig(admin).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("machine"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	m := StateMachine{Name: "Baseline", ARN: "arn:aws:states:us-east-1:" + mgmt + ":stateMachine:Baseline", RoleARN: aws.ToString(role.Role.Arn)}
	if _, err := srv.ServiceCredentials(stepFunctionsPrincipal, m.RoleARN, "now"); !errors.Is(err, awslocal.ErrRolePropagating) {
		t.Fatalf("Step Functions assuming %s at once: %v, want it still propagating", m.RoleARN, err)
	}
	creds, err := StateMachineCredentials(ctx, srv, []StateMachine{m})
	if err != nil || creds[m.ARN].AccessKeyID == "" {
		t.Fatalf("StateMachineCredentials = %v, %v", creds, err)
	}
}
