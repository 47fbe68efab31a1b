package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// nagAck acknowledges one cdk-nag finding, e.g. "AwsSolutions-IAM5[Resource::*]", with the reason it is
// acceptable. The acknowledgments are written into the template as each resource's cdk_nag metadata (the
// format cdk-nag writes for its audit trail), so checks run over the synthesized templates can honour them
// and a reviewer reads the reason next to the resource.
type nagAck struct {
	id, reason string
}

const (
	reasonXRay = "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions; " +
		"CDK adds them for active tracing."
	reasonOrganizationsRead = "ListAccounts and DescribeOrganization have no resource-level permissions; both " +
		"are reads."
	reasonOrganizationARNs = "Accounts and OUs appear after deployment; the ARN pattern holds this organization's " +
		"id, and the actions are reads."
	reasonAssumeRole = "Accounts appear after deployment, so the account is a wildcard; the role name is fixed and " +
		"aws:ResourceOrgID limits the target to accounts of this organization."
	reasonKMSDataKey = "CDK's grant for publishing to a KMS-encrypted topic: GenerateDataKey* names the two data-key " +
		"actions on the one topic key."
	reasonInvokeVersions = "Step Functions may invoke any version of this one function; the wildcard is the " +
		"version qualifier, not other functions."
	reasonStateMachineLogs = "CloudWatch Logs vended log delivery for Step Functions requires Resource \"*\" on " +
		"its logs:*Delivery* actions; X-Ray has no resource-level permissions."
	reasonSyncExecutions = "The .sync integration must describe and stop the executions it starts; their names " +
		"are generated, so only the state machine part of the execution ARN is fixed."
	reasonDeadLetterQueue = "This queue is itself a dead-letter queue of EventBridge rule targets."
	reasonMemberTopics    = "Member accounts appear after deployment, so the account and region of their alerts " +
		"topics are wildcards; the topic name is landfall's, and the action only confirms a subscription with its token."
)

// acknowledgeNag attaches acks to every CloudFormation resource under scope. Call it once per subtree: a
// second call on the same resources would replace the first one's metadata.
func acknowledgeNag(scope constructs.IConstruct, acks ...nagAck) {
	if len(acks) == 0 {
		return
	}
	rules := make([]map[string]string, 0, len(acks))
	for _, a := range acks {
		rules = append(rules, map[string]string{"id": a.id, "reason": a.reason})
	}
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if res, ok := c.(awscdk.CfnResource); ok && *awscdk.CfnResource_IsCfnResource(c) {
			res.AddMetadata(jsii.String("cdk_nag"), map[string]any{"rules_to_suppress": rules})
		}
	}
}

// functionNagAcks lists the findings a function's role is expected to raise, derived from its spec so that
// an access the spec does not grant is never acknowledged.
func functionNagAcks(fn awslambda.Function, spec functionSpec, props *FunctionsProps) []nagAck {
	acks := []nagAck{{"AwsSolutions-IAM5[Resource::*]", reasonXRay}}
	if len(spec.organizationsRead) > 0 {
		acks = append(acks, organizationsReadAcks(fn, props.OrganizationID, spec.organizationsRead)...)
	}
	if spec.publishOperations || spec.publishAlerts {
		acks = append(acks, nagAck{"AwsSolutions-IAM5[Action::kms:GenerateDataKey*]", reasonKMSDataKey})
	}
	if spec.publishAlerts {
		acks = append(acks, nagAck{"AwsSolutions-IAM5[Resource::arn:" + nagPartition(fn) + ":sns:*:*:" + props.MemberAlertsTopicName + "]", reasonMemberTopics})
		acks = append(acks, assumeInOrganizationAcks(fn, props.AlertsReaderRoleName)...)
	}
	return acks
}

// assumeInOrganizationAcks acknowledges the account wildcard of assumeInOrganizationStatement's role names.
func assumeInOrganizationAcks(scope constructs.IConstruct, roleNames ...string) []nagAck {
	partition := nagPartition(scope)
	var acks []nagAck
	for _, name := range roleNames {
		acks = append(acks, nagAck{"AwsSolutions-IAM5[Resource::arn:" + partition + ":iam::*:role/" + name + "]", reasonAssumeRole})
	}
	return acks
}

// invokeVersionsAck acknowledges the "<function>:*" resource CDK grants a state machine for fn.
func invokeVersionsAck(fn awslambda.IFunction) nagAck {
	logicalID := awscdk.Stack_Of(fn).GetLogicalId(fn.Node().DefaultChild().(awscdk.CfnElement))
	return nagAck{"AwsSolutions-IAM5[Resource::<" + *logicalID + ".Arn>:*]", reasonInvokeVersions}
}

// nagPartition is the partition as cdk-nag prints it: the literal when CDK knows it, else the pseudo parameter.
func nagPartition(scope constructs.IConstruct) string {
	partition := awscdk.Stack_Of(scope).Partition()
	if *awscdk.Token_IsUnresolved(partition) {
		return "<AWS::Partition>"
	}
	return *partition
}
