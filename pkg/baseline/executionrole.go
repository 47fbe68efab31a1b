package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
)

// landfall's own execution role in the account. The pipeline role in the
// management account is the only principal that may assume it, and only
// from inside the organization. Its permissions are the actions the
// baseline uses and, for writes, only on landfall-named resources where
// the service allows scoping, so the role cannot be used to change the
// account beyond its baseline.

// executionRoleMaxSession is the longest session: a chained session (the
// pipeline's Lambda role assuming this one) is capped at one hour anyway.
const executionRoleMaxSession = 3600

// executionPolicyName names the role's one inline policy.
const executionPolicyName = "landfall-baseline"

func desiredExecutionRole(s *Spec) ownedRole {
	return ownedRole{
		Name:        s.ExecutionRoleName(),
		Description: "landfall applies the account baseline through this role",
		Trust:       executionTrust(s),
		MaxSession:  executionRoleMaxSession,
		Inline:      map[string]iamPolicy{executionPolicyName: executionPolicy(s)},
	}
}

// RoleDocuments is an IAM role as its documents, in JSON.
type RoleDocuments struct {
	Name, Description string
	Trust             string
	// Inline are the role's inline policies by name.
	Inline            map[string]string
	MaxSessionSeconds int32
}

// ExecutionRole is the execution role the baseline wants in the account of
// s. The deploy creates it from these documents in the management account,
// where the baseline cannot create it (see the execution-role item).
func ExecutionRole(s *Spec) RoleDocuments {
	r := desiredExecutionRole(s)
	inline := make(map[string]string, len(r.Inline))
	for name, p := range r.Inline {
		inline[name] = p.JSON()
	}
	return RoleDocuments{Name: r.Name, Description: r.Description, Trust: r.Trust.JSON(), Inline: inline, MaxSessionSeconds: r.MaxSession}
}

// executionTrust admits the pipeline role, and only while it belongs to the
// organization: a role of the same name in an account that left the
// organization must not get in.
func executionTrust(s *Spec) iamPolicy {
	return newIAMPolicy(iamStatement{
		Sid:       "LandfallPipeline",
		Effect:    "Allow",
		Principal: map[string][]string{"AWS": {s.PipelineRoleARN}},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:PrincipalOrgID": {s.OrganizationID}}},
	})
}

// executionPolicy lists what the baseline calls, service by service: the
// API calls the reconcilers of this package make, mapped to IAM actions.
// Keep it in step with them. Writes are limited to resources named with the
// prefix where IAM can scope them; account-wide settings (EBS default
// encryption, account-level S3 Block Public Access, contacts) and services
// without resource-level permissions cannot be scoped.
func executionPolicy(s *Spec) iamPolicy {
	p := s.Prefix
	allow := func(sid string, resources []string, actions ...string) iamStatement {
		return iamStatement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
	}
	anywhere := []string{"*"}
	landfallRoles := []string{"arn:aws:iam::*:role/" + p + "-*"}
	statements := []iamStatement{
		allow("IAMRead", anywhere,
			"iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
			"iam:GetAccountPasswordPolicy", "iam:ListAccountAliases", "iam:GetAccountSummary",
			"iam:ListUsers", "iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies"),
		allow("IAMLandfallRoles", landfallRoles,
			"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
			"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"),
		{
			// Attaching a managed policy is how a role gains power, so only
			// the AWS managed policies the baseline uses may be attached.
			Sid: "IAMAttachBaselinePolicies", Effect: "Allow", Action: []string{"iam:AttachRolePolicy"}, Resource: landfallRoles,
			Condition: map[string]map[string][]string{"ArnEquals": {"iam:PolicyARN": attachablePolicies}},
		},
		allow("IAMEntryRoleTrust", []string{"arn:aws:iam::*:role/" + s.EntryRoleName()}, "iam:UpdateAssumeRolePolicy", "iam:TagRole"),
		allow("IAMAccount", anywhere, "iam:UpdateAccountPasswordPolicy", "iam:CreateAccountAlias"),
		{
			// Services create their own service-linked roles on first use.
			Sid: "IAMServiceLinkedRoles", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"}, Resource: anywhere,
			Condition: map[string]map[string][]string{"StringEquals": {"iam:AWSServiceName": {
				"guardduty.amazonaws.com", "access-analyzer.amazonaws.com", "config.amazonaws.com", "securityhub.amazonaws.com"}}},
		},
		{
			// The trail's delivery role, the Config recorder's role and the
			// findings forwarder are the only roles handed to a service.
			Sid: "IAMPassBaselineRoles", Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: landfallRoles,
			Condition: map[string]map[string][]string{"StringEquals": {"iam:PassedToService": {
				"cloudtrail.amazonaws.com", "config.amazonaws.com", "events.amazonaws.com"}}},
		},
		allow("CloudTrail", []string{"arn:aws:cloudtrail:*:*:trail/" + p + "-*"},
			"cloudtrail:CreateTrail", "cloudtrail:UpdateTrail", "cloudtrail:StartLogging", "cloudtrail:PutEventSelectors", "cloudtrail:AddTags",
			"cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:ListTags"),
		allow("Logs", []string{"arn:aws:logs:*:*:log-group:" + p + "-*"},
			"logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:ListTagsForResource",
			"logs:PutMetricFilter", "logs:DeleteMetricFilter",
			// The formatter reads the records behind an alarm (who did it).
			"logs:FilterLogEvents"),
		allow("LogsRead", anywhere, "logs:DescribeLogGroups", "logs:DescribeMetricFilters"),
		allow("CloudWatch", []string{"arn:aws:cloudwatch:*:*:alarm:" + p + "-*"},
			"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:ListTagsForResource"),
		allow("CloudWatchRead", anywhere, "cloudwatch:DescribeAlarms"),
		allow("SNS", []string{"arn:aws:sns:*:*:" + p + "-*"},
			"sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
			"sns:ListSubscriptionsByTopic", "sns:TagResource", "sns:ListTagsForResource"),
		{
			// A key is created with its tags, which KMS authorizes as
			// kms:TagResource with the request's tags.
			Sid: "KMSCreateLandfallKeys", Effect: "Allow", Action: []string{"kms:CreateKey", "kms:TagResource"}, Resource: anywhere,
			Condition: map[string]map[string][]string{"StringEquals": {"aws:RequestTag/" + TagManaged: {"true"}}},
		},
		{
			// Keys have generated ids; landfall's carry its managed tag.
			Sid: "KMSLandfallKeys", Effect: "Allow", Resource: []string{"arn:aws:kms:*:*:key/*"},
			Action: []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
				"kms:ListResourceTags", "kms:CreateAlias"},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:ResourceTag/" + TagManaged: {"true"}}},
		},
		allow("KMSLandfallAliases", []string{"arn:aws:kms:*:*:alias/" + p + "-*"}, "kms:CreateAlias"),
		allow("S3LandfallBuckets", []string{"arn:aws:s3:::" + p + "-*"},
			"s3:CreateBucket", "s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
			"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:PutBucketTagging"),
		allow("S3AccountPublicAccessBlock", anywhere, "s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock"),
		allow("Budgets", []string{"arn:aws:budgets::*:budget/" + p + "-*"}, "budgets:ViewBudget", "budgets:ModifyBudget"),
		allow("AccountContacts", anywhere, "account:GetAlternateContact", "account:PutAlternateContact"),
		allow("GuardDuty", anywhere,
			"guardduty:CreateDetector", "guardduty:UpdateDetector", "guardduty:GetDetector", "guardduty:ListDetectors",
			"guardduty:GetAdministratorAccount", "guardduty:TagResource"),
		allow("EventBridge", []string{"arn:aws:events:*:*:rule/" + p + "-*"},
			"events:PutRule", "events:DescribeRule", "events:PutTargets", "events:ListTargetsByRule",
			"events:TagResource", "events:ListTagsForResource"),
		allow("EC2", anywhere,
			"ec2:GetEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
			"ec2:DescribeInternetGateways", "ec2:DescribeNetworkInterfaces", "ec2:DeleteSubnet", "ec2:DetachInternetGateway",
			"ec2:DeleteInternetGateway", "ec2:DeleteVpc"),
		allow("AccessAnalyzer", anywhere, "access-analyzer:ListAnalyzers", "access-analyzer:CreateAnalyzer", "access-analyzer:TagResource"),
		allow("Config", anywhere,
			"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus", "config:DescribeDeliveryChannels",
			"config:PutConfigurationRecorder", "config:PutDeliveryChannel", "config:StartConfigurationRecorder"),
		allow("SecurityHub", anywhere, "securityhub:DescribeHub", "securityhub:EnableSecurityHub", "securityhub:GetEnabledStandards",
			"securityhub:BatchEnableStandards", "securityhub:TagResource", "securityhub:ListTagsForResource"),
	}
	if f := s.Profile.Items.Findings; f.BootstrapUser != "" && f.DeleteBootstrapUser {
		statements = append(statements, allow("IAMBootstrapUser", []string{"arn:aws:iam::*:user/" + f.BootstrapUser},
			"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteUserPolicy", "iam:DetachUserPolicy", "iam:DeleteUser"))
	}
	return newIAMPolicy(statements...)
}

// attachablePolicies are the AWS managed policies the baseline attaches.
var attachablePolicies = []string{
	managedPolicyARN("AdministratorAccess"), managedPolicyARN("PowerUserAccess"),
	managedPolicyARN("ReadOnlyAccess"), managedPolicyARN("job-function/Billing"),
	managedPolicyARN("service-role/AWS_ConfigRole"),
}

func managedPolicyARN(name string) string { return "arn:aws:iam::aws:policy/" + name }

// executionRoleInPlace checks, by reading, that the execution role exists
// and trusts the pipeline role as the baseline wants. The entry role is
// tightened only after this holds.
func executionRoleInPlace(ctx context.Context, client *iam.Client, s *Spec) error {
	role, err := findRoleByName(ctx, client, s.ExecutionRoleName())
	if err != nil {
		return fmt.Errorf("reading IAM role (%s): %w", s.ExecutionRoleName(), err)
	}
	if !iamPoliciesEquivalent(aws.ToString(role.AssumeRolePolicyDocument), executionTrust(s).JSON()) {
		return fmt.Errorf("checking IAM role (%s): its trust policy does not admit %s as the baseline wants", s.ExecutionRoleName(), s.PipelineRoleARN)
	}
	return nil
}

// VerifyExecutionRole proves that the pipeline can use the execution role,
// and returns the role's credentials: it enters accountID through roleName
// with pipelineCfg (the pipeline role's credentials) as the pipeline does
// (accounts.Assume). A role just created is refused by STS for a while,
// and its policies take effect later still (IAM propagation), so
// AccessDenied is retried for up to iamPropagationTimeout before it counts.
func VerifyExecutionRole(ctx context.Context, pipelineCfg aws.Config, accountID, roleName string) (aws.Config, error) {
	var cfg aws.Config
	err := awsx.Retry(ctx, iamPropagationTimeout, awsx.OnCodes("AccessDenied"), func() error {
		var err error
		cfg, err = accounts.Assume(ctx, pipelineCfg, accountID, roleName)
		return err
	})
	if err != nil {
		return aws.Config{}, fmt.Errorf("using IAM role (%s): %w", awsx.RoleARN(accountID, roleName), err)
	}
	return cfg, nil
}
