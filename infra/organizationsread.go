package main

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// What the functions read of the organization: exactly the Organizations actions their code calls.
var (
	// readAccounts is accounts.Describe: an account's name, status, OU path and tags.
	readAccounts = []string{"organizations:DescribeAccount", "organizations:ListParents",
		"organizations:DescribeOrganizationalUnit", "organizations:ListTagsForResource"}
	// readTrigger is what the Describe function reads of a trigger: the organization's id, an invitation's
	// handshake, the account and the identity account's status.
	readTrigger = append([]string{"organizations:DescribeOrganization", "organizations:DescribeHandshake"}, readAccounts...)
	// readAccountList is the sweep's ListAccounts.
	readAccountList = []string{"organizations:ListAccounts"}
)

// organizationsReadResources are the resource types IAM matches each read action against ("Actions defined
// by AWS Organizations", Service Authorization Reference), as far as landfall's calls name them: ListParents
// of an account or an OU, ListTagsForResource of an account. An action with none takes only "*".
var organizationsReadResources = map[string][]string{
	"organizations:DescribeAccount":            {"account"},
	"organizations:ListParents":                {"account", "ou"},
	"organizations:DescribeOrganizationalUnit": {"ou"},
	"organizations:ListTagsForResource":        {"account"},
	"organizations:DescribeHandshake":          {"handshake"},
	"organizations:DescribeOrganization":       nil,
	"organizations:ListAccounts":               nil,
}

// organizationsReadStatements allow actions: those that name a resource on this organization's accounts,
// OUs and handshakes only (their ARNs, in the management account, hold the organization's id), the others
// on "*", which is all IAM accepts for them.
func organizationsReadStatements(scope constructs.Construct, organizationID string, actions []string) []awsiam.PolicyStatement {
	named, unnamed, kinds := splitOrganizationsReads(actions)
	var out []awsiam.PolicyStatement
	if len(named) > 0 {
		var resources []*string
		for _, arn := range organizationARNs(scope, *awscdk.Stack_Of(scope).Partition(), organizationID, kinds) {
			resources = append(resources, jsii.String(arn))
		}
		out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings(named...), Resources: &resources}))
	}
	if len(unnamed) > 0 {
		out = append(out, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings(unnamed...), Resources: jsii.Strings("*")}))
	}
	return out
}

// organizationsReadAcks acknowledges the wildcards of organizationsReadStatements.
func organizationsReadAcks(scope constructs.Construct, organizationID string, actions []string) []nagAck {
	_, unnamed, kinds := splitOrganizationsReads(actions)
	var acks []nagAck
	if len(unnamed) > 0 {
		acks = append(acks, nagAck{"AwsSolutions-IAM5[Resource::*]", reasonOrganizationsRead})
	}
	for _, arn := range organizationARNs(scope, nagPartition(scope), organizationID, kinds) {
		acks = append(acks, nagAck{"AwsSolutions-IAM5[Resource::" + arn + "]", reasonOrganizationARNs})
	}
	return acks
}

// splitOrganizationsReads sorts actions into those that name a resource and those that name none, with the
// resource types the first name.
func splitOrganizationsReads(actions []string) (named, unnamed, kinds []string) {
	for _, a := range actions {
		types, known := organizationsReadResources[a]
		if !known {
			panic("no resource types are recorded for " + a)
		}
		if len(types) == 0 {
			unnamed = append(unnamed, a)
			continue
		}
		named = append(named, a)
		for _, k := range types {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	return named, unnamed, kinds
}

// organizationARNs are the ARN patterns of every resource of kinds in the organization: the management
// account's (the stack's) ARNs under the organization's id.
func organizationARNs(scope constructs.Construct, partition, organizationID string, kinds []string) []string {
	var out []string
	for _, k := range kinds {
		out = append(out, "arn:"+partition+":organizations::"+*awscdk.Stack_Of(scope).Account()+":"+k+"/"+organizationID+"/*")
	}
	return out
}
