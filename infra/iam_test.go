package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/ledger"
)

// statement is one decoded IAM policy statement.
type statement struct {
	actions   []string
	resources []any
	condition any
}

// functionStatements maps each function's description to the statements attached to its role.
func functionStatements(t *testing.T, tmpl template) map[string][]statement {
	t.Helper()
	byRole := make(map[string][]statement)
	for _, p := range tmpl.resourcesOfType("AWS::IAM::Policy") {
		doc := p.Properties["PolicyDocument"].(map[string]any)
		for _, raw := range doc["Statement"].([]any) {
			s := raw.(map[string]any)
			st := statement{actions: asStrings(s["Action"]), resources: asSlice(s["Resource"]), condition: s["Condition"]}
			for _, role := range p.Properties["Roles"].([]any) {
				id := role.(map[string]any)["Ref"].(string)
				byRole[id] = append(byRole[id], st)
			}
		}
	}
	out := make(map[string][]statement)
	for _, fn := range tmpl.resourcesOfType("AWS::Lambda::Function") {
		roleID := fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		out[fn.Properties["Description"].(string)] = byRole[roleID]
	}
	return out
}

func asSlice(v any) []any {
	if s, ok := v.([]any); ok {
		return s
	}
	return []any{v}
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		out = append(out, x.(string))
	}
	return out
}

func hasAction(statements []statement, action string) bool {
	for _, s := range statements {
		if slices.Contains(s.actions, action) {
			return true
		}
	}
	return false
}

func TestFunctionPermissionsAreLeastPrivilege(t *testing.T) {
	// GIVEN the statements attached to each function's role
	perFunction := functionStatements(t, synthesized.mainJSON)
	tests := []struct {
		name                                         string
		assumeRole, ledgerRead, ledgerWrite, publish bool
		// orgReads are the Organizations actions the function may call.
		orgReads []string
		// ledgerRows, if set, are the only rows the function may put.
		ledgerRows *ledger.KeyedRows
	}{
		{name: fnDescribe, ledgerRead: true, ledgerWrite: true, orgReads: []string{"organizations:DescribeAccount",
			"organizations:DescribeHandshake", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit",
			"organizations:ListParents", "organizations:ListTagsForResource"}},
		{name: fnWaitReady, assumeRole: true},
		{name: fnApply, assumeRole: true, ledgerWrite: true, ledgerRows: &ledger.EntryTrusts},
		{name: fnRecord, assumeRole: true, ledgerRead: true, ledgerWrite: true, publish: true},
		{name: fnSweep, ledgerRead: true, orgReads: []string{"organizations:ListAccounts"}},
		{name: fnFormatter, assumeRole: true, ledgerWrite: true, publish: true, ledgerRows: &ledger.Receipts,
			orgReads: []string{"organizations:DescribeAccount", "organizations:DescribeOrganizationalUnit", "organizations:ListParents",
				"organizations:ListTagsForResource"}},
	}
	specs := make(map[string]functionSpec)
	for _, s := range functionSpecs() {
		specs[s.name] = s
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			statements, ok := perFunction[specs[tt.name].description]
			if !ok {
				t.Fatalf("no function with the %s description", tt.name)
			}
			// THEN the function holds exactly the access its job needs
			checks := []struct {
				action string
				want   bool
			}{
				{"sts:AssumeRole", tt.assumeRole},
				{"dynamodb:GetItem", tt.ledgerRead},
				{"dynamodb:PutItem", tt.ledgerWrite},
				{"sns:Publish", tt.publish},
			}
			for _, c := range checks {
				if got := hasAction(statements, c.action); got != c.want {
					t.Errorf("%s allowed = %t, want %t", c.action, got, c.want)
				}
			}
			// AND it reads of the organization only what its code calls, on this organization's resources
			// wherever IAM lets the action name one
			if got := organizationsReads(t, statements); !slices.Equal(got, tt.orgReads) {
				t.Errorf("Organizations actions = %v, want %v", got, tt.orgReads)
			}
			// AND a function that saves entry roles' trust or receipts may put only those rows, never an account's
			for _, s := range statements {
				if tt.ledgerRows == nil || !slices.Contains(s.actions, "dynamodb:PutItem") {
					continue
				}
				want := putCondition(t, *tt.ledgerRows)
				if !slices.Equal(s.actions, []string{"dynamodb:PutItem"}) || !reflect.DeepEqual(s.condition, want) {
					t.Errorf("ledger write %v if %v, want only dynamodb:PutItem if %v", s.actions, s.condition, want)
				}
			}
			// AND a function that enters accounts may assume only the pipeline role; the formatter only
			// the alerts reader role of accounts of the organization
			for _, s := range statements {
				if !slices.Contains(s.actions, "sts:AssumeRole") {
					continue
				}
				want := []any{map[string]any{"Fn::GetAtt": []any{pipelineRoleID(t), "Arn"}}}
				var wantCondition any
				if tt.name == fnFormatter {
					want = []any{"arn:aws:iam::*:role/acme-alerts-reader"}
					wantCondition = map[string]any{"StringEquals": map[string]any{"aws:ResourceOrgID": testOrganizationID}}
				}
				if !reflect.DeepEqual(s.resources, want) || !reflect.DeepEqual(s.condition, wantCondition) {
					t.Errorf("sts:AssumeRole resources = %v if %v, want %v if %v", s.resources, s.condition, want, wantCondition)
				}
			}
		})
	}
}

// organizationsReads are the Organizations actions of statements, sorted, after checking each statement's
// resources: "*" only for the actions that name no resource, else the organization's accounts, OUs and
// handshakes.
func organizationsReads(t *testing.T, statements []statement) []string {
	t.Helper()
	var out []string
	for _, s := range statements {
		for _, a := range s.actions {
			if !strings.HasPrefix(a, "organizations:") {
				continue
			}
			out = append(out, a)
			for _, r := range s.resources {
				arn, _ := r.(string)
				if ok := arn == "*"; ok != namesNoResource(a) || !ok && !inOrganization(arn) {
					t.Errorf("%s allowed on %v", a, r)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// namesNoResource reports whether a is one of the Organizations reads landfall calls that IAM lets name no
// resource, so that "*" is all a policy can give them.
func namesNoResource(a string) bool {
	return a == "organizations:ListAccounts" || a == "organizations:DescribeOrganization"
}

// inOrganization reports whether arn is a pattern of the test organization's accounts, OUs or handshakes.
func inOrganization(arn string) bool {
	for _, kind := range []string{"account", "ou", "handshake"} {
		if arn == "arn:aws:organizations::111111111111:"+kind+"/"+testOrganizationID+"/*" {
			return true
		}
	}
	return false
}

// putCondition is the condition of a grant to put only rows, as the template holds it; the attack tests show
// what it refuses.
func putCondition(t *testing.T, rows ledger.KeyedRows) any {
	t.Helper()
	b, err := json.Marshal(rows.PutCondition())
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// pipelineRoleID is the logical ID of the role member accounts trust.
func pipelineRoleID(t *testing.T) string {
	t.Helper()
	for id, r := range synthesized.mainJSON.resourcesOfType("AWS::IAM::Role") {
		if r.Properties["RoleName"] == "acme-pipeline" {
			return id
		}
	}
	t.Fatal("no role named acme-pipeline")
	return ""
}

func TestPipelineRoleEntersOnlyLandfallRolesInTheOrganization(t *testing.T) {
	// GIVEN the pipeline role and its policy
	id := pipelineRoleID(t)
	role := synthesized.mainJSON.Resources[id]
	// THEN only the functions that enter accounts may assume it
	trust := role.Properties["AssumeRolePolicyDocument"].(map[string]any)["Statement"].([]any)
	var trusted []string
	for _, raw := range trust {
		for _, p := range asSlice(raw.(map[string]any)["Principal"].(map[string]any)["AWS"]) {
			trusted = append(trusted, p.(map[string]any)["Fn::GetAtt"].([]any)[0].(string))
		}
	}
	slices.Sort(trusted)
	want := []string{}
	for fid, fn := range synthesized.mainJSON.resourcesOfType("AWS::Lambda::Function") {
		env := fn.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		if _, ok := env[lambdaenv.PipelineRole]; ok {
			want = append(want, fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string))
		}
		_ = fid
	}
	slices.Sort(want)
	if len(want) != 3 || !reflect.DeepEqual(trusted, want) {
		t.Errorf("pipeline role trusted by %v, want the three entering functions' roles %v", trusted, want)
	}
	// AND it may assume only landfall's role names, inside the organization
	found := false
	for _, p := range synthesized.mainJSON.resourcesOfType("AWS::IAM::Policy") {
		roles := p.Properties["Roles"].([]any)
		if len(roles) != 1 || roles[0].(map[string]any)["Ref"] != id {
			continue
		}
		for _, raw := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			s := raw.(map[string]any)
			found = true
			wantRes := []any{"arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/acme-execution"}
			if !reflect.DeepEqual(asSlice(s["Resource"]), wantRes) {
				t.Errorf("pipeline role may assume %v, want %v", s["Resource"], wantRes)
			}
			wantCondition := map[string]any{"StringEquals": map[string]any{"aws:ResourceOrgID": testOrganizationID}}
			if !reflect.DeepEqual(s["Condition"], wantCondition) {
				t.Errorf("pipeline role condition = %v, want %v", s["Condition"], wantCondition)
			}
		}
	}
	if !found {
		t.Error("the pipeline role has no policy")
	}
}

func TestNoWildcardResourceOnWrites(t *testing.T) {
	// GIVEN every statement of every function
	for fn, statements := range functionStatements(t, synthesized.mainJSON) {
		for _, s := range statements {
			// THEN "*" is only used for the reads that name no resource
			if !slices.Contains(s.resources, any("*")) {
				continue
			}
			for _, a := range s.actions {
				if !namesNoResource(a) && !strings.HasPrefix(a, "xray:") {
					t.Errorf("%q: action %s has resource *", fn, a)
				}
			}
		}
	}
}

func TestRolesUseNoManagedPolicies(t *testing.T) {
	// GIVEN every role of the pipeline stack
	for id, role := range synthesized.mainJSON.resourcesOfType("AWS::IAM::Role") {
		// THEN none attaches an AWS managed policy: they grant more than one function needs
		if arns, ok := role.Properties["ManagedPolicyArns"]; ok {
			t.Errorf("role %s has managed policies %v", id, arns)
		}
	}
}

func TestNagAcknowledgmentsHaveReasons(t *testing.T) {
	// GIVEN the cdk_nag metadata of both stacks
	var acknowledged int
	for _, tmpl := range []template{synthesized.mainJSON, synthesized.forwarderJSON} {
		for id, r := range tmpl.Resources {
			nag, _ := r.Metadata["cdk_nag"].(map[string]any)
			rules, _ := nag["rules_to_suppress"].([]any)
			for _, raw := range rules {
				rule := raw.(map[string]any)
				acknowledged++
				// THEN every acknowledgment names a finding and says why it is acceptable
				if ruleID, _ := rule["id"].(string); !strings.HasPrefix(ruleID, "AwsSolutions-") {
					t.Errorf("%s: acknowledgment id %v is not an AwsSolutions finding", id, rule["id"])
				}
				if reason, _ := rule["reason"].(string); len(reason) < 40 {
					t.Errorf("%s: acknowledgment %v has no real reason: %q", id, rule["id"], reason)
				}
			}
		}
	}
	if acknowledged == 0 {
		t.Fatal("no cdk_nag acknowledgments found; the metadata format changed")
	}
}

func TestOnlyTheFormatterReadsTheChatSecrets(t *testing.T) {
	// GIVEN a config naming a Slack webhook secret
	for fn, statements := range functionStatements(t, synthesized.mainJSON) {
		allowed := hasAction(statements, "secretsmanager:GetSecretValue")
		isFormatter := strings.HasPrefix(fn, "Turns alerts")
		// THEN only the formatter may read it, and only that secret
		if allowed != isFormatter {
			t.Errorf("%q: GetSecretValue allowed = %v", fn, allowed)
		}
		for _, s := range statements {
			if !slices.Contains(s.actions, "secretsmanager:GetSecretValue") {
				continue
			}
			raw, _ := json.Marshal(s.resources)
			if !strings.Contains(string(raw), ":secret:\",\"landfall/slack\",\"-??????") && !strings.Contains(string(raw), "secret:landfall/slack-??????") {
				t.Errorf("GetSecretValue resources = %s, want only landfall/slack", raw)
			}
		}
	}
}

// TestFormatterConfirmsOnlyMemberAlertsTopics: the formatter confirms the fan-in subscriptions of member
// accounts' alerts topics with a signed call, in either placement, and of no other topic.
func TestFormatterConfirmsOnlyMemberAlertsTopics(t *testing.T) {
	synthesizeSecurityFanIn(t)
	for name, tmpl := range map[string]template{"management": synthesized.mainJSON, "security": securitySynth.alertsJSON} {
		var resources [][]any
		for fn, statements := range functionStatements(t, tmpl) {
			for _, s := range statements {
				if !slices.Contains(s.actions, "sns:ConfirmSubscription") {
					continue
				}
				if fn != formatterSpec().description {
					t.Errorf("%s: %q may confirm subscriptions", name, fn)
				}
				resources = append(resources, s.resources)
			}
		}
		if want := [][]any{{"arn:aws:sns:*:*:acme-alerts"}}; !reflect.DeepEqual(resources, want) {
			t.Errorf("%s: sns:ConfirmSubscription resources = %v, want %v", name, resources, want)
		}
	}
}

func TestManagementExecutionRole(t *testing.T) {
	// GIVEN the baseline of the management account, which a profile of the test config selects
	spec, err := managementBaseline(loadTestConfig(t, testConfig), testOrganizationID)
	if err != nil || spec == nil {
		t.Fatalf("management baseline: %v, %v", spec, err)
	}
	var role *resource
	for _, r := range synthesized.mainJSON.resourcesOfType("AWS::IAM::Role") {
		if r.Properties["RoleName"] == "acme-execution" {
			role = &r
		}
	}
	if role == nil {
		t.Fatal("no execution role in the management stack")
	}
	// THEN its trust is the baseline's, naming the pipeline role by reference so it is created first
	spec.PipelineRoleARN = "PIPELINE"
	want := baseline.ExecutionRole(spec)
	trust := mustJSON(role.Properties["AssumeRolePolicyDocument"])
	ref := mustJSON(map[string]any{"Fn::GetAtt": []any{pipelineRoleID(t), "Arn"}})
	if got := strings.Replace(trust, ref, `"PIPELINE"`, 1); !jsonEqual(t, got, want.Trust) {
		t.Errorf("trust = %s, want %s with the pipeline role's ARN", trust, want.Trust)
	}
	// AND its one inline policy is the baseline's execution policy
	policies := asSlice(role.Properties["Policies"])
	if len(policies) != 1 || len(want.Inline) != 1 {
		t.Fatalf("policies = %v, want %d", policies, len(want.Inline))
	}
	p := policies[0].(map[string]any)
	name := p["PolicyName"].(string)
	if !jsonEqual(t, mustJSON(p["PolicyDocument"]), want.Inline[name]) {
		t.Errorf("policy %s = %v, want %s", name, p["PolicyDocument"], want.Inline[name])
	}
	// AND the boundary that policy makes it put on every role it creates is there, the baseline's document
	var boundaries []resource
	for _, r := range synthesized.mainJSON.resourcesOfType("AWS::IAM::ManagedPolicy") {
		if r.Properties["ManagedPolicyName"] == baseline.BoundaryName(spec) {
			boundaries = append(boundaries, r)
		}
	}
	if len(boundaries) != 1 || !jsonEqual(t, mustJSON(boundaries[0].Properties["PolicyDocument"]), baseline.BoundaryPolicy(spec)) {
		t.Errorf("management boundary policies named %s: %+v, want one with %s", baseline.BoundaryName(spec), boundaries, baseline.BoundaryPolicy(spec))
	}
}

func TestNoManagementExecutionRoleWithoutItsProfile(t *testing.T) {
	// GIVEN a config where no profile selects the management account
	cfg := loadTestConfig(t, strings.Replace(testConfig, `select: { accounts: ["111111111111"] }`, `select: { accounts: ["333333333333"] }`, 1))
	// THEN it has no baseline, so the stack creates no execution role there
	if spec, err := managementBaseline(cfg, testOrganizationID); err != nil || spec != nil {
		t.Fatalf("management baseline: %v, %v; want none", spec, err)
	}
}

func TestFormatterRoleHasTheNameMemberTopicsAdmit(t *testing.T) {
	// GIVEN the formatter's function in the management account's stack
	cfg := loadTestConfig(t, testConfig)
	for _, fn := range synthesized.mainJSON.resourcesOfType("AWS::Lambda::Function") {
		if fn.Properties["Description"] != formatterSpec().description {
			continue
		}
		// THEN its role has the name and path every member's alerts topic lets confirm the fan-in subscription
		role := synthesized.mainJSON.Resources[fn.Properties["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)]
		if role.Properties["RoleName"] != cfg.AlertFormatterRoleName() || role.Properties["Path"] != cfg.AlertFormatterRolePath() {
			t.Errorf("formatter role %v at path %v, want %s at %s", role.Properties["RoleName"], role.Properties["Path"],
				cfg.AlertFormatterRoleName(), cfg.AlertFormatterRolePath())
		}
		return
	}
	t.Fatal("no formatter function in the management account's stack")
}
