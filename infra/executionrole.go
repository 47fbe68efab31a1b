package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
)

const reasonExecutionRole = "The management account's execution role is the baseline's own execution role, the one " +
	"every member account gets (pkg/baseline executionPolicy): its wildcards are the account-wide settings and " +
	"landfall-named resources the baseline manages."

// managementBaseline is the baseline spec of the management account, or nil when no profile selects it. A
// profile selects the management account only by listing its id, so the account's name, tags and OU, which
// synthesis cannot know, do not change the outcome.
func managementBaseline(cfg *config.Config, organizationID string) (*baseline.Spec, error) {
	acct := config.Account{ID: cfg.Organization.ManagementAccountID, Status: "ACTIVE"}
	sel, err := cfg.SelectProfile(acct)
	if err != nil {
		return nil, err
	}
	if sel.Profile == nil {
		return nil, nil
	}
	return baseline.NewSpec(cfg, sel.Profile, acct, organizationID)
}

// newManagementExecutionRole creates landfall's execution role in the management account. The baseline
// creates it in every other account through the entry role; the management account has no entry role, and
// the pipeline role must not hold the baseline's permissions itself. The documents are the baseline's
// (baseline.ExecutionRole), so the role is the one every account has; the trust names the pipeline role by
// reference, because IAM refuses a trust that names a role that does not exist yet.
func newManagementExecutionRole(scope constructs.Construct, spec baseline.Spec, pipelineRole awsiam.IRole) awsiam.CfnRole {
	spec.PipelineRoleARN = *pipelineRole.RoleArn()
	role := baseline.ExecutionRole(&spec)
	var policies []any
	for _, name := range slices.Sorted(maps.Keys(role.Inline)) {
		policies = append(policies, &awsiam.CfnRole_PolicyProperty{PolicyName: jsii.String(name), PolicyDocument: jsonObject("the execution policy", role.Inline[name])})
	}
	cfn := awsiam.NewCfnRole(scope, jsii.String("ManagementExecutionRole"), &awsiam.CfnRoleProps{
		RoleName:                 jsii.String(role.Name),
		Description:              jsii.String(role.Description),
		AssumeRolePolicyDocument: jsonObject("the execution role's trust", role.Trust),
		Policies:                 policies,
		MaxSessionDuration:       jsii.Number(float64(role.MaxSessionSeconds)),
	})
	acknowledgeNag(cfn, executionRoleNagAcks(role)...)
	newManagementBoundary(scope, &spec)
	return cfn
}

const reasonBoundary = "A permissions boundary allows everything its role's own policies allow; it exists to deny, and " +
	"its denials name landfall's roles and itself."

// newManagementBoundary creates the permissions boundary the execution role must put on every role it creates
// (baseline.BoundaryPolicy). In other accounts the baseline creates it through the entry role; the execution
// role may not write it, or it could loosen it.
func newManagementBoundary(scope constructs.Construct, spec *baseline.Spec) {
	cfn := awsiam.NewCfnManagedPolicy(scope, jsii.String("ManagementBoundary"), &awsiam.CfnManagedPolicyProps{
		ManagedPolicyName: jsii.String(baseline.BoundaryName(spec)),
		Description:       jsii.String(baseline.BoundaryDescription),
		PolicyDocument:    jsonObject("the permissions boundary", baseline.BoundaryPolicy(spec)),
	})
	acknowledgeNag(cfn, nagAck{"AwsSolutions-IAM5[Action::*]", reasonBoundary}, nagAck{"AwsSolutions-IAM5[Resource::*]", reasonBoundary})
}

// executionRoleNagAcks acknowledges each wildcard resource and action of the execution role's policies, as
// cdk-nag names them, so that a wildcard added to the baseline is a new finding to acknowledge.
func executionRoleNagAcks(role baseline.RoleDocuments) []nagAck {
	seen := make(map[string]bool)
	var acks []nagAck
	for _, name := range slices.Sorted(maps.Keys(role.Inline)) {
		var doc struct {
			Statement []struct{ Action, Resource []string }
		}
		if err := json.Unmarshal([]byte(role.Inline[name]), &doc); err != nil {
			panic(fmt.Sprintf("decoding the execution role's policy (%s): %v", name, err))
		}
		for _, st := range doc.Statement {
			var ids []string
			for _, r := range st.Resource {
				ids = append(ids, "AwsSolutions-IAM5[Resource::"+r+"]")
			}
			for _, a := range st.Action {
				ids = append(ids, "AwsSolutions-IAM5[Action::"+a+"]")
			}
			for _, id := range ids {
				if strings.Contains(id, "*") && !seen[id] {
					seen[id] = true
					acks = append(acks, nagAck{id, reasonExecutionRole})
				}
			}
		}
	}
	return acks
}

// jsonObject decodes a policy document that landfall rendered itself, so it cannot fail to decode;
// CloudFormation takes documents as objects. what names the document in the panic.
func jsonObject(what, doc string) map[string]any {
	var v map[string]any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		panic(fmt.Sprintf("decoding %s: %v", what, err))
	}
	return v
}
