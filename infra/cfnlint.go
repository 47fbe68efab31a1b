package main

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// CDK makes each function and state machine depend explicitly on the role it also names with Fn::GetAtt,
// which cfn-lint reports as W3005 (an obsolete DependsOn). The dependency is harmless and CDK adds it after
// the app's code has run, so it cannot be taken off. Those resources carry cfn-lint's own metadata that
// ignores W3005 on them alone: `cfn-lint cdk.out/*.template.json` stays clean, and still reports W3005
// anywhere landfall's code adds such a dependency itself.
var redundantRoleDependencyTypes = []string{"AWS::Lambda::Function", "AWS::StepFunctions::StateMachine"}

// ignoreRoleDependencyWarnings marks every function and state machine under scope, including those CDK
// creates itself (the AwsCustomResource provider). Call it once the stacks are complete.
func ignoreRoleDependencyWarnings(scope constructs.IConstruct) {
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if !*awscdk.CfnResource_IsCfnResource(c) {
			continue
		}
		res := c.(awscdk.CfnResource)
		if slices.Contains(redundantRoleDependencyTypes, *res.CfnResourceType()) {
			res.AddMetadata(jsii.String("cfn-lint"), map[string]any{"config": map[string]any{"ignore_checks": []string{"W3005"}}})
		}
	}
}
