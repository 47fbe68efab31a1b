package baseline

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
)

// executionRoleItem creates landfall's execution role, the one item
// Engine.Bootstrap applies. The baseline creates the role through the entry
// role, and the management account has none: there, landfall's deploy
// creates it from the same documents (ExecutionRole) and owns it, and the
// item only checks it.
var executionRoleItem = Item{
	Name:    "execution-role",
	Enabled: func(*Spec) bool { return true },
	Plan:    planExecutionRole,
}

// landfall's own execution role in the account. The pipeline role in the
// management account is the only principal that may assume it, and only
// from inside the organization. Its permissions are the actions the
// baseline uses and, for writes, only on landfall-named resources where
// the service allows scoping.
//
// What it may do to IAM is what makes it more than a list of actions, so
// that part is held to the baseline itself: it may write only the roles
// the baseline makes (by exact name, never itself or another <prefix>-
// name), attach to each only that role's own managed policies, pass only
// the service roles, each to its own service, and delete default VPCs only
// where the profile asks for that. It never changes itself: a run finds
// it differing from what this version wants and updates it through the
// entry role (Engine.ExecutionRoleCurrent).
//
// What it can still do is decide who may assume the roles it makes, the
// admin role included: whoever holds it can make a principal of their
// choosing administrator of this one account. That is the job of the
// human-roles item; the role reaches no other account. The roles it makes
// carry landfall's permissions boundary (boundary.go), so none of them
// can in turn change the execution role, the entry role or the boundary.

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

// planExecutionRole plans the boundary of the roles the execution role
// will create, then the role: both are written through the entry role,
// and neither by the execution role itself.
func planExecutionRole(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	if env.Spec.InManagementAccount() {
		return planDeployedExecutionRole(ctx, client, env.Spec)
	}
	boundary, err := planBoundary(ctx, client, env.Spec)
	if err != nil {
		return nil, err
	}
	role, err := planOwnedRole(ctx, client, env.Spec, desiredExecutionRole(env.Spec))
	if err != nil {
		return nil, err
	}
	return []Change{boundary, role}, nil
}

// planDeployedExecutionRole checks the management account's execution
// role, which landfall's deploy creates and owns there: the baseline
// cannot create it (the management account has no entry role), and the
// role may not change itself. So a role missing or admitting another
// pipeline is a finding for whoever deploys, not a change.
func planDeployedExecutionRole(ctx context.Context, client *iam.Client, s *Spec) ([]Change, error) {
	problem, err := executionRoleProblem(ctx, client, s)
	if err != nil {
		return nil, err
	}
	resource := "role/" + s.ExecutionRoleName()
	if problem != "" {
		return []Change{{Resource: resource, Action: Finding, Detail: fmt.Sprintf(
			"IAM role %s %s; in the management account landfall's deploy creates it: deploy landfall again", s.ExecutionRoleName(), problem)}}, nil
	}
	return []Change{{Resource: resource, Action: Unchanged}}, nil
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
	roles := baselineRoles(s)
	roleARNs := make([]string, 0, len(roles))
	for _, r := range roles {
		roleARNs = append(roleARNs, roleARN(r.Name))
	}
	keyAliases := []string{s.Config.TrailKeyAlias(), s.Config.AlertsKeyAlias()}
	aliasARNs := make([]string, 0, len(keyAliases))
	for _, a := range keyAliases {
		aliasARNs = append(aliasARNs, "arn:aws:kms:*:*:"+a)
	}
	statements := []iamStatement{
		allow("IAMRead", anywhere,
			"iam:GetRole", "iam:GetRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
			"iam:GetAccountPasswordPolicy", "iam:ListAccountAliases", "iam:GetAccountSummary", "iam:GetSAMLProvider",
			"iam:ListUsers", "iam:GetUser", "iam:GetLoginProfile", "iam:ListAccessKeys", "iam:ListUserPolicies", "iam:ListAttachedUserPolicies"),
		allow("IAMBaselineRoles", roleARNs,
			"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
			"iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"),
		{
			// What gives a role power, only while landfall's boundary
			// holds the role; the entry role, whose trust the entry-role
			// item tightens, is landfall's door and carries none. A role
			// without a boundary has no iam:PermissionsBoundary, which
			// StringNotEquals counts as differing.
			Sid: "DenyUnboundedRoles", Effect: "Deny", NotResource: []string{roleARN(s.EntryRoleName())},
			Action:    []string{"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"},
			Condition: map[string]map[string][]string{"StringNotEquals": {"iam:PermissionsBoundary": {boundaryARN(s)}}},
		},
		allow("IAMEntryRoleTrust", []string{roleARN(s.EntryRoleName())}, "iam:UpdateAssumeRolePolicy", "iam:TagRole"),
		allow("IAMAccount", anywhere, "iam:UpdateAccountPasswordPolicy", "iam:CreateAccountAlias"),
		{
			// Services create their own service-linked roles on first use.
			Sid: "IAMServiceLinkedRoles", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"}, Resource: anywhere,
			Condition: map[string]map[string][]string{"StringEquals": {"iam:AWSServiceName": {
				"guardduty.amazonaws.com", "access-analyzer.amazonaws.com", "config.amazonaws.com", "securityhub.amazonaws.com"}}},
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
			"sns:ListSubscriptionsByTopic", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
			"sns:TagResource", "sns:ListTagsForResource"),
		allow("SQS", []string{"arn:aws:sqs:*:*:" + p + "-*"},
			"sqs:CreateQueue", "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:ListQueueTags"),
		// A key becomes landfall's by its own policy, which lets this role
		// tag and alias it (ownedKeyPolicy); here the role may only create
		// keys, give them landfall's aliases, and write keys that carry one.
		allow("KMSCreateKeys", anywhere, "kms:CreateKey"),
		{
			Sid: "KMSLandfallKeys", Effect: "Allow", Resource: []string{"arn:aws:kms:*:*:key/*"},
			Action: []string{"kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
				"kms:ListResourceTags", "kms:TagResource"},
			Condition: map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": keyAliases}},
		},
		allow("KMSLandfallAliases", aliasARNs, "kms:CreateAlias"),
		allow("S3LandfallBuckets", []string{"arn:aws:s3:::" + p + "-*"},
			"s3:CreateBucket", "s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
			"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:PutBucketTagging",
			"s3:GetBucketVersioning", "s3:PutBucketVersioning"),
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
			"ec2:DescribeInternetGateways", "ec2:DescribeNetworkInterfaces"),
		allow("AccessAnalyzer", anywhere, "access-analyzer:ListAnalyzers", "access-analyzer:CreateAnalyzer", "access-analyzer:TagResource"),
		allow("Config", anywhere,
			"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus", "config:DescribeDeliveryChannels",
			"config:PutConfigurationRecorder", "config:PutDeliveryChannel", "config:StartConfigurationRecorder"),
		allow("SecurityHub", anywhere, "securityhub:DescribeHub", "securityhub:EnableSecurityHub", "securityhub:GetEnabledStandards",
			"securityhub:BatchEnableStandards", "securityhub:TagResource", "securityhub:ListTagsForResource"),
	}
	statements = append(statements, roleGrants(roles)...)
	// Whatever the names in the config, the role never changes itself.
	statements = append(statements, iamStatement{Sid: "DenyChangingItself", Effect: "Deny", Resource: []string{roleARN(s.ExecutionRoleName())},
		Action: []string{"iam:Attach*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Tag*", "iam:Untag*", "iam:Update*"}})
	if s.Profile.Items.DefaultVPCs.Remove {
		// EC2 names no condition key for a default VPC, so where the
		// profile asks for their removal the role may delete any VPC;
		// elsewhere it may delete none.
		statements = append(statements, allow("EC2RemoveDefaultVPCs", anywhere,
			"ec2:DeleteSubnet", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", "ec2:DeleteVpc"))
	}
	if f := s.Profile.Items.Findings; f.BootstrapUser != "" && f.DeleteBootstrapUser {
		statements = append(statements, allow("IAMBootstrapUser", []string{"arn:aws:iam::*:user/" + f.BootstrapUser},
			"iam:DeleteLoginProfile", "iam:DeleteAccessKey", "iam:DeleteUserPolicy", "iam:DetachUserPolicy", "iam:DeleteUser"))
	}
	return newIAMPolicy(statements...)
}

// baselineRoles are the roles the baseline creates, repairs or deletes in
// an account, whichever the profile turns on: a role turned off is deleted
// if landfall made it.
func baselineRoles(s *Spec) []ownedRole {
	roles := []ownedRole{trailLogsRole(s, desiredTrail(s)), desiredConfigRole(s), desiredFindingsForwarder(s), desiredAlertsReader(s)}
	for _, h := range desiredHumanRoles(s) {
		roles = append(roles, h.role)
	}
	return roles
}

// roleGrants pin what gives each role power: attaching a managed policy
// only to the role whose policy it is (AdministratorAccess only to the
// admin role), and passing a role only to the services its trust admits
// (the trail's to CloudTrail, the recorder's to Config, the forwarder's to
// EventBridge).
func roleGrants(roles []ownedRole) []iamStatement {
	var out []iamStatement
	for _, r := range roles {
		if len(r.Managed) > 0 {
			out = append(out, iamStatement{Sid: "IAMAttach" + sidWord(r.Name), Effect: "Allow", Action: []string{"iam:AttachRolePolicy"},
				Resource: []string{roleARN(r.Name)}, Condition: map[string]map[string][]string{"ArnEquals": {"iam:PolicyARN": r.Managed}}})
		}
		var services []string
		for _, st := range r.Trust.Statement {
			services = append(services, st.Principal["Service"]...)
		}
		if len(services) > 0 {
			out = append(out, iamStatement{Sid: "IAMPass" + sidWord(r.Name), Effect: "Allow", Action: []string{"iam:PassRole"},
				Resource: []string{roleARN(r.Name)}, Condition: map[string]map[string][]string{"StringEquals": {"iam:PassedToService": services}}})
		}
	}
	return out
}

// roleARN names a role of the account in the execution role's policy,
// which only ever acts in its own account.
func roleARN(name string) string { return "arn:aws:iam::*:role/" + name }

// sidWord makes a name a statement id, which may hold only letters and
// digits: "acme-read-only" becomes "AcmeReadOnly".
func sidWord(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func managedPolicyARN(name string) string { return "arn:aws:iam::aws:policy/" + name }

// executionRoleProblem reads the execution role and says what keeps it
// from being the door the baseline wants, "" when nothing does: it is
// missing, or trusts another principal than the pipeline role. The entry
// role is tightened only when nothing does.
func executionRoleProblem(ctx context.Context, client *iam.Client, s *Spec) (string, error) {
	role, err := findRoleByName(ctx, client, s.ExecutionRoleName())
	switch {
	case awsx.NotFound(err):
		return "does not exist", nil
	case err != nil:
		return "", fmt.Errorf("reading IAM role (%s): %w", s.ExecutionRoleName(), err)
	case !iamPoliciesEquivalent(aws.ToString(role.AssumeRolePolicyDocument), executionTrust(s).JSON()):
		return "does not trust " + s.PipelineRoleARN + " as the baseline wants", nil
	}
	return "", nil
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
