package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
)

// Organization setup: the OUs, SCPs, trusted access and delegated administration that
// organization.manage asks for. Native CloudFormation resources are used where they exist (OUs, SCPs
// with their targets, the Security Hub delegated admin); the rest are single Organizations or GuardDuty
// API calls made by AwsCustomResource, each allowed exactly the call it makes.

const (
	// rootPath is how config OU paths name the organization root.
	rootPath = "/Root"
	// scpMaxChars is AWS Organizations' limit on an SCP document.
	scpMaxChars = 5120
	// scpType is the Organizations policy type of service control policies.
	scpType = "SERVICE_CONTROL_POLICY"
	// organizationsRegion is where the Organizations API lives; naming it keeps the SDK calls off
	// regional endpoint resolution.
	organizationsRegion = "us-east-1"
	// guardDutyPrincipal is GuardDuty's service principal, the one its delegated-admin call registers.
	guardDutyPrincipal = "guardduty.amazonaws.com"
)

// trustedServicePrincipals are the services given trusted access to the organization because the
// baseline or the delegated administration uses them: organization trails, Config, GuardDuty and Security
// Hub administration, organization-wide Access Analyzer, and alternate contacts through the Account API.
func trustedServicePrincipals() []string {
	return []string{
		"access-analyzer.amazonaws.com",
		"account.amazonaws.com",
		"cloudtrail.amazonaws.com",
		"config.amazonaws.com",
		guardDutyPrincipal,
		"securityhub.amazonaws.com",
	}
}

// OrganizationSetupProps configures NewOrganizationSetup, already resolved from the config file.
type OrganizationSetupProps struct {
	// OrganizationID scopes the delegated-administrator registration to accounts of this organization.
	OrganizationID string
	// OUs are the OU paths to create ("/Root/Workloads/Prod"), each parent before its children.
	OUs []string
	// Policies are the SCPs with the OU paths they attach to ("/Root" is the root).
	Policies []ServiceControlPolicy
	// TrustedServices are the service principals given trusted access.
	TrustedServices []string
	// DelegatedAdminAccountID, when set, administers Security Hub (in the stack's region) and GuardDuty
	// (in each of GuardDutyRegions).
	DelegatedAdminAccountID string
	GuardDutyRegions        []string
}

// ServiceControlPolicy is one rendered SCP.
type ServiceControlPolicy struct {
	Name        string
	Description string
	// Document is the policy JSON exactly as uploaded; AWS counts its characters against scpMaxChars.
	Document string
	// Targets are OU paths; rootPath is the organization root.
	Targets []string
}

// organizationSetupFromConfig maps the organization keys of the config onto NewOrganizationSetup's props,
// or returns nil when the organization is managed elsewhere (organization.manage is false).
func organizationSetupFromConfig(cfg *config.Config, organizationID string) (*OrganizationSetupProps, error) {
	org := cfg.Organization
	if !org.Manage {
		return nil, nil
	}
	policies, err := serviceControlPolicies(cfg)
	if err != nil {
		return nil, err
	}
	ous := slices.Clone(org.OUs)
	if org.SuspendedOU != "" && !slices.Contains(ous, org.SuspendedOU) {
		ous = append(ous, org.SuspendedOU)
	}
	props := &OrganizationSetupProps{
		OrganizationID:  organizationID,
		OUs:             ous,
		Policies:        policies,
		TrustedServices: trustedServicePrincipals(),
	}
	if org.DelegatesAdministration() {
		props.DelegatedAdminAccountID = org.SecurityAccountID
		props.GuardDutyRegions = slices.Clone(org.GovernedRegions)
	}
	return props, nil
}

// NewOrganizationSetup creates the organization's OUs and SCPs, enables the SCP policy type and trusted
// access, and delegates GuardDuty and Security Hub administration. It belongs in the management account's
// stack.
//
// Trusted access and the delegated administrators stay when the stack is deleted (the custom resources
// have no delete call, the Security Hub resource is retained): turning them off stops organization-wide
// security services, which must be a deliberate act, not a side effect of tearing down the pipeline.
func NewOrganizationSetup(scope constructs.Construct, id *string, props *OrganizationSetupProps) constructs.Construct {
	if props == nil {
		panic("NewOrganizationSetup: props are required")
	}
	construct := constructs.NewConstruct(scope, id)
	stack := awscdk.Stack_Of(construct)
	sdk := newSdkCaller(construct)
	// The root id exists only in the organization, never in the config, so it is read at deploy time.
	root := sdk.call("Root", &customresources.AwsSdkCall{
		Service: jsii.String("Organizations"), Action: jsii.String("listRoots"), Region: jsii.String(organizationsRegion),
		PhysicalResourceId: customresources.PhysicalResourceId_FromResponse(jsii.String("Roots.0.Id")),
		OutputPaths:        jsii.Strings("Roots.0.Id", "Roots.0.Arn"),
	}, true, reasonListRoots, policyStatement(jsii.Strings("organizations:ListRoots"), jsii.Strings("*"), nil))
	rootID := root.GetResponseField(jsii.String("Roots.0.Id"))

	policyType := sdk.call("ScpPolicyType", &customresources.AwsSdkCall{
		Service: jsii.String("Organizations"), Action: jsii.String("enablePolicyType"), Region: jsii.String(organizationsRegion),
		Parameters:         map[string]any{"RootId": rootID, "PolicyType": scpType},
		PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(scpType)),
		// Enabled by hand before: the state this resource wants already holds.
		IgnoreErrorCodesMatching: jsii.String("PolicyTypeAlreadyEnabledException"),
	}, false, "", policyStatement(jsii.Strings("organizations:EnablePolicyType"), &[]*string{root.GetResponseField(jsii.String("Roots.0.Arn"))},
		map[string]any{"StringEquals": map[string]any{"organizations:PolicyType": scpType}}))
	// Organizations rejects concurrent changes to the organization with ConcurrentModificationException, so
	// the calls that change it run one after another. The first reads the root's id and ARN, so it follows
	// the root already; an explicit dependency on it would be redundant (cfn-lint W3005).
	last := constructs.IConstruct(policyType)
	chain := func(c constructs.IConstruct) {
		c.Node().AddDependency(last)
		last = c
	}
	trusted := map[string]customresources.AwsCustomResource{}
	for _, principal := range props.TrustedServices {
		cr := sdk.call("TrustedAccess-"+principal, &customresources.AwsSdkCall{
			Service: jsii.String("Organizations"), Action: jsii.String("enableAWSServiceAccess"), Region: jsii.String(organizationsRegion),
			Parameters:         map[string]any{"ServicePrincipal": principal},
			PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(principal)),
		}, false, reasonTrustedAccess, policyStatement(jsii.Strings("organizations:EnableAWSServiceAccess"), jsii.Strings("*"), servicePrincipalIs(principal)))
		chain(cr)
		trusted[principal] = cr
	}

	ous := newOUs(construct, props.OUs, rootID)
	for _, p := range props.Policies {
		targets := make([]*string, 0, len(p.Targets))
		for _, t := range p.Targets {
			if t == rootPath {
				targets = append(targets, rootID)
				continue
			}
			targets = append(targets, ous[t].AttrId())
		}
		// The content is the document rendered and measured by serviceControlPolicies.
		policy := awsorganizations.NewCfnPolicy(construct, jsii.String("Scp-"+p.Name), &awsorganizations.CfnPolicyProps{
			Name: jsii.String(p.Name), Description: jsii.String(p.Description), Type: jsii.String(scpType),
			Content: jsonObject("SCP ("+p.Name+")", p.Document), TargetIds: &targets,
		})
		policy.Node().AddDependency(policyType)
	}

	if props.DelegatedAdminAccountID != "" {
		securityHub := awssecurityhub.NewCfnDelegatedAdmin(construct, jsii.String("SecurityHubAdmin"), &awssecurityhub.CfnDelegatedAdminProps{
			AdminAccountId: jsii.String(props.DelegatedAdminAccountID),
		})
		securityHub.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
		if cr, ok := trusted["securityhub.amazonaws.com"]; ok {
			securityHub.Node().AddDependency(cr)
		}
		// GuardDuty has no CloudFormation resource for its delegated administrator, which is also per region.
		adminARN := stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("organizations"), Region: jsii.String(""),
			Resource: jsii.String("account"), ResourceName: jsii.String(props.OrganizationID + "/" + props.DelegatedAdminAccountID),
		})
		for _, region := range props.GuardDutyRegions {
			chain(sdk.call("GuardDutyAdmin-"+region, &customresources.AwsSdkCall{
				Service: jsii.String("GuardDuty"), Action: jsii.String("enableOrganizationAdminAccount"), Region: jsii.String(region),
				Parameters:         map[string]any{"AdminAccountId": props.DelegatedAdminAccountID},
				PhysicalResourceId: customresources.PhysicalResourceId_Of(jsii.String(props.DelegatedAdminAccountID + "/" + region)),
			}, false, reasonGuardDutyAdmin, guardDutyAdminStatements(adminARN)...))
		}
	}
	return construct
}

// newOUs creates the OUs, each under its parent, and returns them by path. The construct tree mirrors the
// OU tree so that an OU's logical ID depends only on its path: adding or reordering OUs in the config never
// replaces an existing one (a replaced OU must first be emptied of accounts).
func newOUs(scope constructs.Construct, paths []string, rootID *string) map[string]awsorganizations.CfnOrganizationalUnit {
	top := constructs.NewConstruct(scope, jsii.String("OUs"))
	ous := map[string]awsorganizations.CfnOrganizationalUnit{}
	for _, path := range paths {
		i := strings.LastIndex(path, "/")
		parentScope, parentID := constructs.Construct(top), rootID
		if parent, ok := ous[path[:i]]; ok {
			parentScope, parentID = parent, parent.AttrId()
		}
		// "OU-" keeps an OU named "Default" from becoming its parent's default child, whose logical ID
		// would clash with the parent's.
		ous[path] = awsorganizations.NewCfnOrganizationalUnit(parentScope, jsii.String("OU-"+path[i+1:]), &awsorganizations.CfnOrganizationalUnitProps{
			Name: jsii.String(path[i+1:]), ParentId: parentID,
		})
	}
	return ous
}

// sdkCaller makes single AWS API calls through AwsCustomResource. All of them share CDK's one provider
// function per stack; giving it this role instead of the default one keeps the AWSLambdaBasicExecutionRole
// managed policy, which may write to every log group of the account, off it: the role may write only to
// the provider's own log group, plus each call's own statements.
type sdkCaller struct {
	scope constructs.Construct
	role  awsiam.Role
	logs  awslogs.LogGroup
}

func newSdkCaller(scope constructs.Construct) *sdkCaller {
	role := awsiam.NewRole(scope, jsii.String("ProviderRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs landfall's organization setup API calls"),
	})
	logs := awslogs.NewLogGroup(scope, jsii.String("ProviderLogs"), &awslogs.LogGroupProps{Retention: functionLogRetention})
	logs.GrantWrite(role)
	return &sdkCaller{scope: scope, role: role, logs: logs}
}

// call makes one API call on create, and again on update when repeat is set (a call whose outputs are
// read must answer every update too, or CloudFormation loses them). policy is all the provider function
// may do for it; wildcard says why its Resource "*" is acceptable, for cdk-nag ("" when it has none).
func (c *sdkCaller) call(id string, call *customresources.AwsSdkCall, repeat bool, wildcard string, policy ...awsiam.PolicyStatement) customresources.AwsCustomResource {
	props := &customresources.AwsCustomResourceProps{
		OnCreate: call,
		Policy:   customresources.AwsCustomResourcePolicy_FromStatements(&policy),
		Role:     c.role,
		LogGroup: c.logs,
		// The SDK bundled with the provider is enough; installing the latest needs npm at deploy time.
		InstallLatestAwsSdk: jsii.Bool(false),
	}
	if repeat {
		props.OnUpdate = call
	}
	cr := customresources.NewAwsCustomResource(c.scope, jsii.String(id), props)
	if wildcard != "" {
		acknowledgeNag(cr, nagAck{"AwsSolutions-IAM5[Resource::*]", wildcard})
	}
	return cr
}

func policyStatement(actions, resources *[]*string, conditions map[string]any) awsiam.PolicyStatement {
	props := &awsiam.PolicyStatementProps{Actions: actions, Resources: resources}
	if conditions != nil {
		props.Conditions = &conditions
	}
	return awsiam.NewPolicyStatement(props)
}

func servicePrincipalIs(principal string) map[string]any {
	return map[string]any{"StringEquals": map[string]any{"organizations:ServicePrincipal": principal}}
}

// guardDutyAdminStatements are the permissions GuardDuty documents for designating its delegated
// administrator: the call itself, the two Organizations writes it makes on the caller's behalf (limited
// to GuardDuty, and the registration to the one account), and the organization reads it checks with.
func guardDutyAdminStatements(adminARN *string) []awsiam.PolicyStatement {
	return []awsiam.PolicyStatement{
		policyStatement(jsii.Strings("guardduty:EnableOrganizationAdminAccount"), jsii.Strings("*"), nil),
		policyStatement(jsii.Strings("organizations:EnableAWSServiceAccess"), jsii.Strings("*"), servicePrincipalIs(guardDutyPrincipal)),
		policyStatement(jsii.Strings("organizations:RegisterDelegatedAdministrator"), &[]*string{adminARN}, servicePrincipalIs(guardDutyPrincipal)),
		policyStatement(jsii.Strings(
			"organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit",
			"organizations:ListAWSServiceAccessForOrganization", "organizations:ListAccounts", "organizations:ListDelegatedAdministrators",
		), jsii.Strings("*"), nil),
	}
}

// Why the custom resources' Resource "*" is acceptable: none of these calls can be scoped to a resource.
const (
	reasonListRoots     = "organizations:ListRoots has no resource-level permissions; it is a read."
	reasonTrustedAccess = "organizations:EnableAWSServiceAccess has no resource-level permissions; the " +
		"organizations:ServicePrincipal condition limits it to the one service this resource enables."
	reasonGuardDutyAdmin = "guardduty:EnableOrganizationAdminAccount and the Organizations reads it makes have no " +
		"resource-level permissions; its Organizations writes are limited to GuardDuty by organizations:ServicePrincipal."
)

// serviceControlPolicies renders the SCPs the config asks for and checks each against AWS's size limit, so
// an oversized policy fails synthesis rather than the deployment.
func serviceControlPolicies(cfg *config.Config) ([]ServiceControlPolicy, error) {
	org := cfg.Organization
	prefix := cfg.Naming.Prefix
	var out []ServiceControlPolicy
	add := func(name, description string, targets []string, statements ...scpStatement) error {
		raw, err := json.Marshal(scpDocument{Version: "2012-10-17", Statement: statements})
		if err != nil {
			return fmt.Errorf("rendering SCP (%s): %w", name, err)
		}
		if n := utf8.RuneCount(raw); n > scpMaxChars {
			return fmt.Errorf("rendering SCP (%s): %d characters, over the %d AWS Organizations accepts", name, n, scpMaxChars)
		}
		out = append(out, ServiceControlPolicy{Name: prefix + "-" + name, Description: "landfall: " + description, Document: string(raw), Targets: targets})
		return nil
	}
	root := []string{rootPath}
	var err error
	if org.SCPs.DenyRootUser {
		err = add("deny-root-user", "denies every action to member accounts' root users", root, denyRootUser())
	}
	if err == nil && org.SCPs.DenyLeaveOrganization {
		err = add("deny-leave-organization", "denies leaving the organization", root, scpStatement{
			Sid: "DenyLeaveOrganization", Effect: "Deny", Action: []string{"organizations:LeaveOrganization"}, Resource: []string{"*"}})
	}
	if err == nil && org.SCPs.ProtectBaseline {
		err = add("protect-baseline", "keeps the baseline's trail, alert path, detectors, recorders and roles out of reach of everyone but landfall",
			root, protectBaseline(cfg)...)
	}
	if err == nil && len(org.SCPs.AllowedRegions) > 0 {
		err = add("allowed-regions", "denies regional actions outside "+strings.Join(org.SCPs.AllowedRegions, ", "), root,
			regionAllowList(org))
	}
	if err == nil && org.SuspendedOU != "" {
		err = add("deny-all", "quarantine: denies every action in "+org.SuspendedOU, []string{org.SuspendedOU}, scpStatement{
			Sid: "DenyAll", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"}})
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// scpDocument and scpStatement render an SCP; the field order is the order AWS shows.
type scpDocument struct {
	Version   string         `json:"Version"`
	Statement []scpStatement `json:"Statement"`
}

type scpStatement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action,omitempty"`
	NotAction []string                       `json:"NotAction,omitempty"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

func denyRootUser() scpStatement {
	return scpStatement{Sid: "DenyRootUser", Effect: "Deny", Action: []string{"*"}, Resource: []string{"*"},
		Condition: map[string]map[string][]string{"StringLike": {"aws:PrincipalArn": {"arn:aws:iam::*:root"}}}}
}

// protectBaseline denies undoing the baseline to every principal but landfall's execution role, the one
// role that applies it. The entry role (OrganizationAccountAccessRole) is where people of the management
// account enter members, so it is no exception for the alert path (the trail among it), the detectors
// and the recorders: its one job for landfall is to create the execution role on an account's first run,
// which is why it may still change landfall's roles (whoever may set the execution role's trust may become
// it, so nothing narrower would hold). The entry role itself is protected: a member's administrator who
// could rewrite its trust, or create it in an invited account that has none, would hold it and, through
// it, the execution role. Only the execution role changes it (the entry-role item tightens its trust).
// The pipeline role is not listed: it lives in the management account, which SCPs never restrict, and
// acts in member accounts only through those two roles.
//
// Two more exemptions keep the SCP from blocking the services it protects. The GuardDuty delegated
// administrator (the security account) may update GuardDuty: it administers every member's detector
// anyway, suspending one included ("Suspending GuardDuty for member account", GuardDuty User Guide), and
// it must be able to change its own. With Control Tower, AWSControlTowerExecution may change AWS Config:
// Control Tower owns the recorders of the accounts it enrolls and its mandatory control "Enable AWS
// Config in all available Regions" lets only that role change them. That role is then protected as
// landfall's are, because where Control Tower's own role protection does not reach (an OU it does not
// govern) a member's administrator could otherwise create it and pass as Control Tower.
func protectBaseline(cfg *config.Config) []scpStatement {
	prefix, org := cfg.Naming.Prefix, cfg.Organization
	execution := "arn:aws:iam::*:role/" + org.ExecutionRoleName
	entry := "arn:aws:iam::*:role/" + org.EntryRoleName
	exceptExecution := principalsExcept([]string{execution})
	roles := []string{"arn:aws:iam::*:role/" + prefix + "-*"}
	if !strings.HasPrefix(org.ExecutionRoleName, prefix+"-") {
		roles = append(roles, execution)
	}
	mayChangeRoles := []string{execution, entry}
	mayChangeConfig := []string{execution}
	if org.ControlTower {
		roles = append(roles, controlTowerExecution)
		mayChangeRoles = append(mayChangeRoles, controlTowerExecution)
		mayChangeConfig = append(mayChangeConfig, controlTowerExecution)
	}
	guardDuty := principalsExcept([]string{execution})
	if org.DelegatesAdministration() {
		guardDuty["StringNotEquals"] = map[string][]string{"aws:PrincipalAccount": {org.SecurityAccountID}}
	}
	statements := []scpStatement{
		// Detectors and recorders have no usable resource ARNs (a detector's id is random), and an account
		// has one of each per region, so the whole service's off switches are denied. UpdateDetector is
		// the call that disables a detector; it cannot be told apart from other detector updates.
		{Sid: "ProtectGuardDuty", Effect: "Deny", Condition: guardDuty, Resource: []string{"*"},
			Action: []string{"guardduty:DeleteDetector", "guardduty:DisassociateFromAdministratorAccount",
				"guardduty:DisassociateFromMasterAccount", "guardduty:UpdateDetector"}},
		{Sid: "ProtectConfig", Effect: "Deny", Condition: principalsExcept(mayChangeConfig), Resource: []string{"*"},
			Action: []string{"config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "config:StopConfigurationRecorder"}},
		{Sid: "ProtectLandfallRoles", Effect: "Deny", Condition: principalsExcept(mayChangeRoles), Resource: roles, Action: roleWrites()},
		{Sid: "ProtectEntryRole", Effect: "Deny", Condition: exceptExecution, Resource: []string{entry}, Action: roleWrites()},
	}
	// The alert path, the trail among it, is held to the same rule. Its statements name each resource,
	// so they carry the trail's too: one statement fewer keeps the SCP within its size.
	for _, d := range baseline.AlertPathDenials(cfg) {
		cond := map[string]map[string][]string{}
		maps.Copy(cond, d.Condition)
		maps.Copy(cond, exceptExecution)
		statements = append(statements, scpStatement{Sid: d.Sid, Effect: "Deny", Action: d.Actions, Resource: d.Resources, Condition: cond})
	}
	return statements
}

// principalsExcept is the condition that exempts the principals with these ARNs.
func principalsExcept(arns []string) map[string]map[string][]string {
	return map[string]map[string][]string{"ArnNotLike": {"aws:PrincipalArn": arns}}
}

// roleWrites are the IAM actions that create, change or delete a role, or what it may do or who may
// assume it. On a role's ARN, "iam:Put*" is PutRolePolicy and PutRolePermissionsBoundary, "iam:Update*"
// UpdateRole, UpdateRoleDescription and UpdateAssumeRolePolicy, and so on: the prefixes say it in a third
// of the characters, which the protect-baseline SCP needs, and take in any role write IAM adds later. The
// wildcard is only at the end, where SCPs have always taken one.
func roleWrites() []string {
	return []string{"iam:Attach*", "iam:CreateRole", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Tag*", "iam:Untag*", "iam:Update*"}
}

// regionAllowList denies every action outside the allowed regions except those of global services, whose
// only endpoint is in us-east-1 (or which are region-less). The exemptions are AWS's published list
// (aws-samples/service-control-policy-examples, "Deny access to AWS based on the requested AWS region")
// plus account:*, the Account API the baseline sets alternate contacts with. AWS's example also exempts
// the administrator roles that must work in every region. landfall's own need none (the baseline acts
// only in governed regions, which must be allowed), so the list stays empty without Control Tower; with
// it, it holds the roles Control Tower's region deny control exempts (CT.MULTISERVICE.PV.1, Control Tower
// Controls Reference), since Control Tower works in every region it governs, whatever this list says.
func regionAllowList(org config.Organization) scpStatement {
	condition := map[string]map[string][]string{"StringNotEquals": {"aws:RequestedRegion": slices.Clone(org.SCPs.AllowedRegions)}}
	if org.ControlTower {
		maps.Copy(condition, principalsExcept(controlTowerRoles()))
	}
	return scpStatement{Sid: "DenyOutsideAllowedRegions", Effect: "Deny", Resource: []string{"*"},
		NotAction: []string{
			"a4b:*", "account:*", "acm:*", "aws-marketplace-management:*", "aws-marketplace:*", "aws-portal:*",
			"budgets:*", "ce:*", "chime:*", "cloudfront:*", "config:*", "cur:*", "directconnect:*",
			"ec2:DescribeRegions", "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways", "fms:*",
			"globalaccelerator:*", "health:*", "iam:*", "importexport:*", "kms:*", "mobileanalytics:*",
			"networkmanager:*", "organizations:*", "pricing:*", "route53-recovery-cluster:*",
			"route53-recovery-control-config:*", "route53-recovery-readiness:*", "route53:*", "route53domains:*",
			"s3:GetAccountPublic*", "s3:ListAllMyBuckets", "s3:ListMultiRegionAccessPoints", "s3:PutAccountPublic*",
			"shield:*", "sts:*", "support:*", "trustedadvisor:*", "waf-regional:*", "waf:*", "wafv2:*", "wellarchitected:*",
		},
		Condition: condition}
}

// controlTowerExecution is the role Control Tower works through in every account it enrolls.
const controlTowerExecution = "arn:aws:iam::*:role/AWSControlTowerExecution"

// controlTowerRoles are the roles Control Tower's region deny control exempts: its execution role, the
// Config recorder's, the SNS forwarder's and the VPC flow logs'.
func controlTowerRoles() []string {
	return []string{controlTowerExecution, "arn:aws:iam::*:role/aws-controltower-ConfigRecorderRole",
		"arn:aws:iam::*:role/aws-controltower-ForwardSnsNotificationRole", "arn:aws:iam::*:role/AWSControlTower_VPCFlowLogsRole"}
}
