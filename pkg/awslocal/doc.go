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
// name in the SigV4 credential scope, then by X-Amz-Target (JSON 1.0/1.1),
// Action (awsQuery, ec2Query), the Smithy RPC v2 path (CBOR, CloudWatch) or
// method and path (REST-JSON, REST-XML). Every request's signature is
// verified against the secret the endpoint issued, so wrong or expired
// credentials fail with AWS's codes (SignatureDoesNotMatch,
// InvalidClientTokenId, ExpiredToken). Credentials from STS AssumeRole act
// in the role's account; a trust policy that does not admit the caller
// answers AccessDenied. Lists page with a small default page size (5) so
// that a caller that ignores NextToken or Marker fails its tests.
//
// S3 addresses buckets as <bucket>.<host> and S3 Control as
// <account>.<host>; those names do not resolve on a developer machine, so
// clients reach the endpoint through it as an HTTP proxy (SDKConfig does
// this; the standalone server relies on the standard HTTP_PROXY variable).
//
// Cross-service behaviour follows AWS: Organizations emits CreateAccountResult
// to EventBridge in us-east-1; EventBridge matches rules with
// pkg/eventpattern and delivers to SNS, SQS, other accounts' buses and to
// Step Functions and Lambda targets the embedding program handles;
// CloudTrail delivers records to its log group, where PutLogEvents runs the
// group's metric filters (pkg/filterpattern) and emits metrics; CloudWatch
// evaluates alarms on the server clock and publishes their notifications to
// SNS, which checks the topic policy and delivers to SQS, Lambda and email.
// Email goes to an inspectable outbox (Server.Outbox); subscriptions stay
// PendingConfirmation until the link in the confirmation email is followed.
//
// Faults are injected per test or through the control API of the standalone
// server (/_landfall/faults): throttling (the service's own code), 500, 503,
// latency, and accounts that refuse AssumeRole for a while, deterministic
// for a given Options.Seed.
//
// # Services and the documentation followed
//
// Each service file's header lists its operations, the AWS API Reference
// pages it follows, and its known differences from AWS.
//
//	IAM            awsQuery   roles, inline and AWS managed policies, tags, password policy,
//	                          aliases, account summary, users, login profiles, access keys
//	                          (IAM API Reference)
//	STS            awsQuery   GetCallerIdentity, AssumeRole with trust-policy evaluation
//	                          ("Policy evaluation logic", "IAM JSON policy elements reference")
//	Organizations  JSON 1.1   organization, roots, OUs, asynchronous CreateAccount, accounts,
//	                          parents, tags, invitations, CloseAccount, RemoveAccountFromOrganization
//	CloudWatch Logs JSON 1.1  log groups, retention, streams, PutLogEvents, metric filters,
//	                          FilterLogEvents ("Creating metrics from log events using filters")
//	CloudWatch     RPCv2 CBOR alarms, evaluation, SetAlarmState, actions, PutMetricData, tags
//	                          ("Using Amazon CloudWatch alarms", "treat missing data")
//	CloudTrail     JSON 1.1   trails, status, logging, tags, event selectors, delivery to
//	                          CloudWatch Logs ("Sending events to CloudWatch Logs")
//
// # Known differences from AWS
//
// Identity-based policies of the caller are not evaluated: any principal
// may call any operation in its own account (trust and resource policies are
// evaluated). Eventual consistency is not simulated except for new accounts
// (MakeUnreachable). AWS's API Call events from CloudTrail reach EventBridge
// even without a trail in the account. Service-specific differences are
// listed in each service file's header.
package awslocal
