package alarms

// catalogue is the ordered list of landfall's metric filters and alarms. The
// fields common to every entry (namespace, period, threshold ...) are filled
// in by All. FilterPattern strings are verbatim from the Security Hub User
// Guide ("Security Hub controls for CloudWatch"); CIS.4.15 has no Security Hub
// control and uses the CIS v1.4+ 4.15 pattern. Statistic is Average where the
// Security Hub remediation says so (CloudWatch.2, 4, 8, 13, 14).
func catalogue() []Alarm {
	return []Alarm{
		{
			ID:            "CloudWatch.1",
			Key:           "root-usage",
			Title:         "Root user activity",
			FilterPattern: `{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}`,
			MetricName:    "RootAccountUsage",
			Statistic:     StatisticSum,
			Severity:      SeverityCritical,
			AlwaysOn:      true,
			Explanation:   "Someone signed in or made API calls as the account's root user, which has unrestricted power and should almost never be used.",
			Runbook:       "Confirm with the account owner who used root and why; if unplanned, rotate the root password, check the root MFA device and review CloudTrail for what was done.",
		},
		{
			ID:            "CloudWatch.2",
			Key:           "unauthorized-api-calls",
			Title:         "Unauthorized API calls",
			FilterPattern: `{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}`,
			MetricName:    "UnauthorizedAPICalls",
			Statistic:     StatisticAverage,
			Severity:      SeverityMedium,
			Explanation:   "API calls were refused with AccessDenied or UnauthorizedOperation, which can mean a broken deployment or someone probing permissions.",
			Runbook:       "Group the denied calls in CloudTrail by principal and action; fix the role if it is a deployment, investigate the principal if the pattern looks like enumeration.",
		},
		{
			ID:            "CloudWatch.3",
			Key:           "console-signin-without-mfa",
			Title:         "Console sign-in without MFA",
			FilterPattern: `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`,
			MetricName:    "ConsoleSignInWithoutMFA",
			Statistic:     StatisticSum,
			Severity:      SeverityHigh,
			AlwaysOn:      true,
			Explanation:   "An IAM user signed in to the AWS console with only a password, without multi-factor authentication.",
			Runbook:       "Ask the user to enable MFA now; if the sign-in was not theirs, disable the login profile and rotate the password.",
		},
		{
			ID:            "CloudWatch.4",
			Key:           "iam-policy-changes",
			Title:         "IAM policy changes",
			FilterPattern: `{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}`,
			MetricName:    "IAMPolicyChanges",
			Statistic:     StatisticAverage,
			Severity:      SeverityHigh,
			AlwaysOn:      true,
			Explanation:   "An IAM policy was created, changed, attached or detached, which changes who can do what in the account.",
			Runbook:       "Check in CloudTrail who changed which policy and compare it with the expected change; revert it if nobody can explain it.",
		},
		{
			ID:            "CloudWatch.5",
			Key:           "cloudtrail-changes",
			Title:         "CloudTrail configuration changes",
			FilterPattern: `{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}`,
			MetricName:    "CloudTrailConfigChanges",
			Statistic:     StatisticSum,
			Severity:      SeverityHigh,
			Explanation:   "A CloudTrail trail was created, updated, deleted, started or stopped, which can blind the account's audit log.",
			Runbook:       "Make sure the baseline trail is logging (landfall's next sweep repairs it) and find out who changed it and why.",
		},
		{
			ID:            "CloudWatch.6",
			Key:           "console-auth-failures",
			Title:         "Console authentication failures",
			FilterPattern: `{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}`,
			MetricName:    "ConsoleAuthenticationFailures",
			Statistic:     StatisticSum,
			Severity:      SeverityMedium,
			AlwaysOn:      true,
			Explanation:   "A console sign-in failed because of a wrong password, which in numbers points to password guessing.",
			Runbook:       "Look at the source IPs and user names of the failures; lock the user's console access if the attempts are not the user's own.",
		},
		{
			ID:            "CloudWatch.7",
			Key:           "kms-key-deletion",
			Title:         "KMS key disabled or scheduled for deletion",
			FilterPattern: `{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}`,
			MetricName:    "KMSKeyDisableOrDeletion",
			Statistic:     StatisticSum,
			Severity:      SeverityHigh,
			Explanation:   "A customer managed KMS key was disabled or scheduled for deletion; data encrypted under it becomes unreadable.",
			Runbook:       "If the change was not planned, run CancelKeyDeletion or EnableKey before the waiting period ends and find out who made it.",
		},
		{
			ID:            "CloudWatch.8",
			Key:           "s3-bucket-policy-changes",
			Title:         "S3 bucket policy changes",
			FilterPattern: `{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}`,
			MetricName:    "S3BucketPolicyChanges",
			Statistic:     StatisticAverage,
			Severity:      SeverityMedium,
			Explanation:   "An S3 bucket's policy, ACL, CORS, lifecycle or replication settings changed, which can expose or move data.",
			Runbook:       "Open the bucket's new policy and ACL and check that nothing became public or shared with an unknown account.",
		},
		{
			ID:            "CloudWatch.9",
			Key:           "config-changes",
			Title:         "AWS Config changes",
			FilterPattern: `{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}`,
			MetricName:    "AWSConfigChanges",
			Statistic:     StatisticSum,
			Severity:      SeverityHigh,
			Explanation:   "The AWS Config recorder or delivery channel was stopped, changed or deleted, which stops resource change history.",
			Runbook:       "Restart the recorder if it was stopped (landfall's next sweep repairs the baseline) and find out who changed it.",
		},
		{
			ID:            "CloudWatch.10",
			Key:           "security-group-changes",
			Title:         "Security group changes",
			FilterPattern: `{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}`,
			MetricName:    "SecurityGroupChanges",
			Statistic:     StatisticSum,
			Severity:      SeverityMedium,
			Explanation:   "A security group was created, deleted or had rules added or removed, which changes what can reach the account's resources.",
			Runbook:       "Review the changed rules, in particular any that open ports to 0.0.0.0/0 or ::/0.",
		},
		{
			ID:            "CloudWatch.11",
			Key:           "nacl-changes",
			Title:         "Network ACL changes",
			FilterPattern: `{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}`,
			MetricName:    "NACLChanges",
			Statistic:     StatisticSum,
			Severity:      SeverityMedium,
			Explanation:   "A network ACL or one of its entries or subnet associations changed, which changes what traffic subnets allow.",
			Runbook:       "Review the new ACL entries and confirm the change belongs to a planned network deployment.",
		},
		{
			ID:            "CloudWatch.12",
			Key:           "network-gateway-changes",
			Title:         "Network gateway changes",
			FilterPattern: `{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}`,
			MetricName:    "NetworkGatewayChanges",
			Statistic:     StatisticSum,
			Severity:      SeverityMedium,
			Explanation:   "An internet or customer gateway was created, attached, detached or deleted, which changes the network's way in and out.",
			Runbook:       "Confirm the gateway change belongs to a planned network deployment; detach unexpected internet gateways.",
		},
		{
			ID:            "CloudWatch.13",
			Key:           "route-table-changes",
			Title:         "Route table changes",
			FilterPattern: `{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}`,
			MetricName:    "RouteTableChanges",
			Statistic:     StatisticAverage,
			Severity:      SeverityLow,
			Explanation:   "A route or route table changed, which can redirect VPC traffic.",
			Runbook:       "Check the new routes, in particular default routes (0.0.0.0/0) and routes to peering connections or gateways.",
		},
		{
			ID:            "CloudWatch.14",
			Key:           "vpc-changes",
			Title:         "VPC changes",
			FilterPattern: `{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}`,
			MetricName:    "VPCChanges",
			Statistic:     StatisticAverage,
			Severity:      SeverityMedium,
			Explanation:   "A VPC, VPC attribute or VPC peering connection was created, changed or deleted.",
			Runbook:       "Confirm the change belongs to a planned network deployment; reject or delete unexpected peering connections.",
		},
		{
			ID:            "CIS.4.15",
			Key:           "organizations-changes",
			Title:         "AWS Organizations changes",
			FilterPattern: `{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }`,
			MetricName:    "OrganizationsChanges",
			Statistic:     StatisticSum,
			Severity:      SeverityHigh,
			Explanation:   "The organization changed: accounts created, invited, moved or removed, organizational units or policies (SCPs) changed.",
			Runbook:       "Check who made the change in the management account's CloudTrail and that it matches a planned change to the organization.",
		},
		{
			ID:            "Landfall.1",
			Key:           "alert-path-changes",
			Title:         "Alert path changes",
			FilterPattern: alertPathChanges,
			MetricName:    "AlertPathChanges",
			Statistic:     StatisticSum,
			Severity:      SeverityCritical,
			AlwaysOn:      true,
			Explanation:   "Someone other than landfall changed, or tried to change, what carries the account's alerts: the trail's log group or its metric filters, an alarm, the alerts topic or its subscriptions, the findings rule, or a key alias.",
			Runbook:       "Find the principal in the records below and confirm the change was planned; landfall puts the alert path back on its next run. If it was not planned, treat the principal's credentials as compromised.",
		},
	}
}

// alertPathChanges matches writes to the alert path by anyone but the
// execution role, including refused ones: an attempt to silence an account
// is worth knowing of. The writes that only add to the path are left out
// (CloudTrail's CreateLogStream, SetAlarmState of `landfall alerts test`,
// Subscribe and ConfirmSubscription). Keys are named only by their
// aliases, as CloudTrail records a key's id: disabling or deleting one is
// CloudWatch.7. The ${...} names are filled in by Named.
const alertPathChanges = `{ ($.readOnly IS FALSE) && ($.userIdentity.arn != "*:assumed-role/${executionRole}/*") && ` +
	`($.eventName != "CreateLogStream") && ($.eventName != "SetAlarmState") && ($.eventName != "Subscribe") && ($.eventName != "ConfirmSubscription") && ` +
	`(($.requestParameters.logGroupName = "${trailLogGroup}") || ($.requestParameters.alarmName = "${alarmPrefix}*") || ` +
	`($.requestParameters.alarmNames[0] = "${alarmPrefix}*") || ($.requestParameters.topicArn = "*:${alertsTopic}") || ` +
	`($.requestParameters.subscriptionArn = "*:${alertsTopic}:*") || ($.requestParameters.name = "${findingsRule}") || ` +
	`($.requestParameters.rule = "${findingsRule}") || ($.requestParameters.aliasName = "${alertsKeyAlias}") || ` +
	`($.requestParameters.aliasName = "${trailKeyAlias}")) }`
