// Package awslocal is landfall's local AWS endpoint: an HTTP server that
// speaks the AWS wire protocols the pinned aws-sdk-go-v2 clients use, with
// state per account and region, so that every test that touches AWS runs
// the real SDK clients against it through the standard endpoint setting
// (AWS_ENDPOINT_URL, or config.WithBaseEndpoint). It is a measuring
// instrument for tests and the demo, not part of the product: no product
// code depends on anything only it does.
//
// # How requests are served
//
// Requests are routed the way AWS's front ends route them: by the signing
// name in the SigV4 credential scope, then by X-Amz-Target (JSON 1.0/1.1,
// with the target prefix the Go SDK sends or the model's full one the AWS
// CLI sends), Action (awsQuery, ec2Query), the Smithy RPC v2 path (CBOR) or
// method and path (REST-JSON, REST-XML). CloudWatch answers Smithy RPC v2
// CBOR (the Go SDK), AWS JSON 1.0 (botocore, so the AWS CLI) and query, each
// in the protocol of the request ("FAQs on CloudWatch supported protocols",
// CloudWatch User Guide); in query, errors carry the query code
// (ResourceNotFound), in JSON the error name with the query code in
// X-Amzn-Query-Error. Every request's signature is
// verified against the secret the endpoint issued, so wrong or expired
// credentials fail with AWS's codes (SignatureDoesNotMatch,
// InvalidClientTokenId, ExpiredToken). Credentials from STS AssumeRole act
// in the role's account; a trust policy that does not admit the caller
// answers AccessDenied. A role with a path is assumed by its ARN with the
// path; its sessions' ARN has no path, while aws:PrincipalArn has it (IAM
// User Guide, "IAM identifiers" and "AWS global condition context keys").
// IdentityCenterSession signs a person in as IAM Identity Center does: a
// session without MFA of the permission set's role, which Identity Center
// keeps under /aws-reserved/sso.amazonaws.com/ ("Referencing permission
// sets in resource policies", IAM Identity Center User Guide), where the
// Authorizer lets no one else create or change a role.
// Lists page with a small default page size (5) so
// that a caller that ignores NextToken or Marker fails its tests.
//
// S3 addresses buckets as <bucket>.<host> and S3 Control as
// <account>.<host>; those names do not resolve on a developer machine, so
// clients reach the endpoint through it as an HTTP proxy (SDKConfig does
// this; the standalone server relies on the standard HTTP_PROXY variable).
//
// Cross-service behaviour follows AWS: Organizations emits CreateAccountResult
// to EventBridge in us-east-1; EventBridge matches rules with
// internal/eventpattern and delivers to SNS, SQS, other accounts' buses and to
// Step Functions and Lambda targets the embedding program handles;
// CloudTrail delivers records to its log group, where PutLogEvents runs the
// group's metric filters (internal/filterpattern) and emits metrics; CloudWatch
// evaluates alarms on the server clock and publishes their notifications to
// SNS, which delivers to SQS, Lambda and email (each delivery decided by the
// authorizer, see Authorization).
// Email goes to an inspectable outbox (Server.Outbox); subscriptions stay
// PendingConfirmation until the link in the confirmation email is followed.
//
// # Authorization
//
// With Options.Authorizer (an internal/iamsim worker) the endpoint decides
// each request the way IAM does ("Policy evaluation logic", IAM User Guide):
// @cloud-copilot/iam-simulate evaluates the caller's identity policies
// (inline, AWS managed and customer managed), its permissions boundary, the
// service control policies from the root down to its account (none for the
// management account) and the resource's policy (for AssumeRole, the
// role's trust); a request that acts on several resources (AttachPolicy: the
// policy and the target) must be allowed on each, and one that creates a
// resource with tags where the Service Authorization Reference lists the
// tagging action beside the operation's (taggingOnCreate: CreateBudget
// with ResourceTags) needs both actions. A denial is worded as
// in "Troubleshoot access denied error messages" and carries the service's
// own code (deniedAs: AccessDenied for IAM, STS, CloudWatch, SQS and S3,
// SNS's AuthorizationError, EC2's UnauthorizedOperation, and
// AccessDeniedException for the others, as their API models and "Common
// Errors" pages name it). The endpoint supplies the IAM action, the resource ARN, the
// principal and the global condition keys ("AWS global condition context
// keys"): the caller's aws:PrincipalOrgID and aws:PrincipalOrgPaths,
// aws:RequestTag in whichever shape the service writes tags,
// aws:ResourceTag for KMS keys, IAM roles and users, and SNS topics, and for
// every named resource aws:ResourceAccount, aws:ResourceOrgID and
// aws:ResourceOrgPaths (that page lists a few actions for which AWS
// leaves them out; the endpoint does not model that list). DynamoDB's item
// requests add its own keys, dynamodb:LeadingKeys, dynamodb:Attributes,
// dynamodb:ReturnValues, dynamodb:Select and dynamodb:ReturnConsumedCapacity
// ("Using IAM policy conditions for fine-grained access control",
// svc_dynamodb_auth.go). Every service
// it serves names the resources of its requests (authorize_resources*.go;
// a service without is refused when it is registered). A request that
// reads every resource of a kind (DescribeAlarms without names,
// DescribeBudgets, DescribeMetricFilters without a group) is authorized on
// each; one whose action's resource types are all optional names none
// (PutMetricData without a dataset), and IAM matches it as "*", so only a
// statement that grants "*" allows it. A name no resource can have (a KMS
// alias outside alias/, or under the reserved alias/aws/; a hub not
// "default"; an EC2 id of no type the endpoint has) is answered by the
// operation's own validation, before any policy is read. It fails with
// InternalFailure what it cannot describe: a request whose resource it
// cannot name, or an action IAM does not have. The AWS managed policies it
// knows are the documents in managedpolicies/, as AWS publishes them; any
// other is answered NoSuchEntity when attached.
// GetCallerIdentity is never denied (STS API Reference). Without an
// Authorizer every authenticated request is admitted.
//
// What the endpoint does for a service is decided the same way, with the
// service's principal and only the condition keys the service is
// documented to send: CloudWatch alarms, EventBridge rules and budgets
// publishing to SNS send aws:SourceAccount and aws:SourceArn to the topic
// policy, and nothing to the topic's KMS key, which must let the service
// use it (kms:GenerateDataKey, kms:Decrypt). SNS and EventBridge delivering
// to a queue send aws:SourceArn (the topic or rule) and aws:SourceAccount to
// the queue policy ("Subscribing an Amazon SQS queue to an Amazon SNS
// topic"; "Amazon SQS permissions", EventBridge User Guide), never
// aws:SourceOrgID, which neither documents; an encrypted queue's key must
// let the service use it with no key either ("Enable compatibility between
// event sources from AWS services and encrypted queues", SQS Developer
// Guide). A refused delivery goes to the dead-letter queue the target or
// subscription names, which must admit the service the same way, and is
// dropped without one; EventBridge counts it in AWS/Events
// FailedInvocations (and InvocationsSentToDLQ or
// InvocationsFailedToBeSentToDLQ) by RuleName, SNS in AWS/SNS
// NumberOfNotificationsFailed (and what it delivers in
// NumberOfNotificationsDelivered), by TopicName.
// What CloudTrail must be allowed to do for a trail (its bucket, its key,
// its CloudWatch Logs role) is checked at CreateTrail and UpdateTrail and
// again on delivery, see svc_cloudtrail_access.go; whether AWS Config could
// write to a delivery channel's bucket, at PutDeliveryChannel, see
// svc_config_access.go. EventBridge starts a state machine target as the
// target's role, whose trust must admit events.amazonaws.com and whose
// session must be allowed states:StartExecution on it, and forwards to
// another bus as the target's role (allowed events:PutEvents on it, and for
// another account's bus admitted by the bus policy) or, without a role, as
// the sending account, whose root the bus policy must admit; Lambda and Step
// Functions act as a function's or a state machine's role through
// ServiceCredentials. Where a service assumes a role, no aws:SourceArn or
// aws:SourceAccount reaches the trust: none of these services documents
// sending them. A delivery the simulator cannot decide is refused and
// listed in AuthorizationFaults.
//
// Faults are injected per test or through the control API of the standalone
// server (/_landfall/faults): throttling (the service's own code), 500, 503,
// latency, and accounts that refuse AssumeRole for a while, deterministic
// for a given Options.Seed. Options.IAMPropagation makes IAM changes take
// effect late, as IAM's eventual consistency does (propagation.go).
//
// # Services and the documentation followed
//
// Each service file's header lists its operations, the AWS API Reference
// pages it follows, and its known differences from AWS.
//
//	Service          Protocol    Operations (API Reference pages API_<Op>.html of each service)
//	IAM              awsQuery    CreateRole GetRole DeleteRole ListRoles UpdateRole UpdateAssumeRolePolicy
//	                             TagRole UntagRole ListRoleTags Put/Get/Delete/ListRolePolicy(ies)
//	                             Attach/Detach/ListAttachedRolePolicies Update/Get/DeleteAccountPasswordPolicy
//	                             Create/Delete/ListAccountAlias(es) GetAccountSummary CreateUser GetUser ListUsers
//	                             DeleteUser Create/Get/DeleteLoginProfile Create/List/DeleteAccessKey(s)
//	                             Put/List/DeleteUserPolicy(ies) Attach/Detach/ListAttachedUserPolicies
//	                             Create/Get/Delete/ListPolicy(ies) Create/Get/List/DeletePolicyVersion(s)
//	                             SetDefaultPolicyVersion Put/DeleteRolePermissionsBoundary
//	                             Put/DeleteUserPermissionsBoundary Create/Get/Delete/ListSAMLProvider(s)
//	                             ("IAM and AWS STS quotas"; a trust federates only its account's provider)
//	STS              awsQuery    GetCallerIdentity AssumeRole ("Policy evaluation logic")
//	Organizations    JSON 1.1    Create/DescribeOrganization ListRoots Create/DescribeOrganizationalUnit
//	                             ListOrganizationalUnitsForParent ListParents CreateAccount (asynchronous)
//	                             DescribeCreateAccountStatus DescribeAccount ListAccounts ListAccountsForParent
//	                             MoveAccount Tag/Untag/ListTagsForResource InviteAccountToOrganization
//	                             Accept/Decline/DescribeHandshake (invitations expire after 15 days, as in
//	                             the InviteAccountToOrganization record of "Logging and monitoring in AWS
//	                             Organizations") CloseAccount RemoveAccountFromOrganization
//	                             Enable/DisablePolicyType Create/Update/Describe/DeletePolicy ListPolicies
//	                             Attach/DetachPolicy ListPoliciesForTarget ListTargetsForPolicy (SCPs only;
//	                             "Quotas and service limits for AWS Organizations")
//	CloudWatch Logs  JSON 1.1    Create/Describe/DeleteLogGroup(s) PutRetentionPolicy TagResource
//	                             ListTagsForResource CreateLogStream PutLogEvents Put/Describe/DeleteMetricFilter(s)
//	                             FilterLogEvents ("Creating metrics from log events using filters")
//	CloudWatch       RPCv2 CBOR  PutMetricAlarm DescribeAlarms DeleteAlarms SetAlarmState Enable/DisableAlarmActions
//	                 JSON 1.0    PutMetricData TagResource ListTagsForResource; alarm evaluation
//	                 query
//	                             ("Using Amazon CloudWatch alarms", "Configuring how alarms treat missing data")
//	CloudTrail       JSON 1.1    Create/Update/Delete/GetTrail DescribeTrails GetTrailStatus Start/StopLogging
//	                             AddTags ListTags Put/GetEventSelectors ("Sending events to CloudWatch Logs")
//	SNS              awsQuery    Create/DeleteTopic Get/SetTopicAttributes ListTopics Subscribe
//	                             ConfirmSubscription Unsubscribe ListSubscriptionsByTopic Get/SetSubscriptionAttributes
//	                             Publish TagResource ListTagsForResource ("Amazon SNS message delivery",
//	                             "Parsing Amazon SNS message formats", "Amazon SNS access control",
//	                             "Amazon SNS dead-letter queues")
//	SQS              JSON 1.0    CreateQueue GetQueueUrl Get/SetQueueAttributes ListQueues TagQueue ListQueueTags
//	                             Send/Receive/DeleteMessage PurgeQueue DeleteQueue ("visibility timeout", "dead-letter queues")
//	EventBridge      JSON 1.1    Put/Describe/Delete/Enable/DisableRule ListRules PutTargets ListTargetsByRule
//	                             RemoveTargets PutEvents TestEventPattern PutPermission DescribeEventBus
//	                             TagResource ListTagsForResource ("event patterns", "Transforming target input",
//	                             "Using dead-letter queues to process undelivered events")
//	KMS              JSON 1.1    CreateKey DescribeKey Get/PutKeyPolicy EnableKeyRotation GetKeyRotationStatus
//	                             DisableKey ScheduleKeyDeletion Create/UpdateAlias ListAliases ListKeys TagResource
//	                             ListResourceTags ("Default key policy", "Key states")
//	S3               REST-XML    Create/Head/DeleteBucket ListBuckets Put/Get/DeleteBucketPolicy
//	                             Put/GetBucketEncryption Put/Get/DeletePublicAccessBlock Put/GetBucketVersioning
//	                             Put/GetBucketLifecycleConfiguration Put/GetBucketTagging PutObject ListObjectsV2
//	S3 Control       REST-XML    Put/Get/DeletePublicAccessBlock (account level)
//	EC2              ec2Query    Get/Enable/DisableEbsEncryptionByDefault DescribeRegions DescribeVpcs
//	                             DescribeSubnets DescribeInternetGateways DescribeNetworkInterfaces
//	                             DescribeSecurityGroups DescribeRouteTables DescribeNetworkAcls
//	                             Detach/DeleteInternetGateway DeleteSubnet DeleteVpc CreateTags DescribeTags
//	Account          REST-JSON   Put/Get/DeleteAlternateContact
//	Budgets          JSON 1.1    Create/Describe/Update/DeleteBudget DescribeBudgets DescribeNotificationsForBudget
//	                             Create/DeleteNotification DescribeSubscribersForNotification Create/DeleteSubscriber
//	                             TagResource ListTagsForResource ("budgets-sns-policy")
//	GuardDuty        REST-JSON   Create/Get/Update/Delete/ListDetector(s) TagResource ListTagsForResource
//	                             GetAdministratorAccount CreateMembers Enable/ListOrganizationAdminAccount(s);
//	                             finding events ("GuardDuty finding format")
//	Security Hub     REST-JSON   Enable/Describe/DisableSecurityHub BatchEnable/BatchDisableStandards
//	                             GetEnabledStandards DescribeStandards TagResource ListTagsForResource
//	Access Analyzer  REST-JSON   Create/Get/Delete/ListAnalyzer(s) TagResource ListTagsForResource
//	AWS Config       JSON 1.1    Put/Describe/Delete/Start/StopConfigurationRecorder(s)
//	                             DescribeConfigurationRecorderStatus Put/Describe/DeleteDeliveryChannel(s)
//	DynamoDB         JSON 1.0    Create/Describe/DeleteTable ListTables Put/Get/Delete/UpdateItem Query Scan; condition,
//	                             update, filter and projection expressions ("Expressions", "ReservedWords")
//	Step Functions   JSON 1.0    StartExecution DescribeExecution ListExecutions ListStateMachines
//	Lambda           REST-JSON   Invoke GetFunction ListFunctions (functions are registered by the embedding program)
//
// # Known differences from AWS
//
// Without an Authorizer no policy is evaluated at all, not even a trust or
// a resource policy: the endpoint keeps no evaluator of its own. Eventual
// consistency is simulated for IAM changes (Options.IAMPropagation) and new
// accounts (MakeUnreachable), nowhere else. Service-specific differences
// are listed in each service file's header.
//
// # Where moto differs
//
// make moto runs every baseline item's conformance test against moto 5.2.1
// as well (pkg/baseline/moto_test.go). Where moto and this endpoint
// disagree, AWS's documentation decides:
//
//   - A trail created without event selectors logs every management event,
//     read and write, and GetEventSelectors answers that selector
//     (EventSelector, CloudTrail API Reference); this endpoint does, moto
//     answers none. landfall writes the selectors when it creates a trail,
//     so it relies on neither.
//   - moto decides no policy: every request signed with any key is
//     admitted, as here without an Authorizer.
//   - AWS managed policies exist in moto only when it is started with
//     MOTO_IAM_LOAD_MANAGED_POLICIES=true; here they always do
//     (managedpolicies/).
//   - moto answers CloudWatch in AWS JSON 1.0 and query, not Smithy RPC v2
//     CBOR, which the Go SDK sends; the moto test switches the client's
//     protocol.
//   - moto 5.2.1 lacks IAM Access Analyzer, Budgets'
//     DescribeSubscribersForNotification and Security Hub's
//     BatchEnableStandards, so those items are not checked there.
package awslocal
