// Package localrun runs what landfall deploys, on a developer machine: the
// real Lambda binaries as local processes behind their own Lambda Runtime API,
// and the state machine definitions that `cdk synth` produced, interpreted by
// aws-local-stepfunctions, with every AWS call going to the local endpoint
// (internal/awslocal).
//
// The pieces:
//   - Builder builds functions/<name> for the host with the Lambda build tags.
//   - Function keeps warm processes of one function and invokes them the way
//     a Lambda execution environment does; its Invoke plugs into
//     awslocal.Server.RegisterFunction.
//   - ReadTemplate reads a synthesized CloudFormation template: the state
//     machines with their definitions resolved to local ARNs, the functions
//     with their code and environment, the EventBridge rules, and the IAM
//     roles with every policy the template gives them (Template.Roles),
//     which DeployRoles creates.
//   - ServeFunctions starts every function of a template behind the
//     endpoint's Lambda Invoke, each with the session Lambda would start of
//     its execution role (awslocal.Server.ServiceCredentials).
//   - Runner executes a state machine definition with the pinned
//     aws-local-stepfunctions on Node 22 (infra/toolchain/run-state-machine.mjs),
//     each machine's Lambda calls signed as its role
//     (StateMachineCredentials). It keeps Step Functions' quotas: 256 KiB
//     of input or output for an execution, a task or a state
//     (States.DataLimitExceeded), and 25,000 events in an execution's
//     history, neither caught by States.ALL ("Step Functions service
//     quotas", "Error handling in Step Functions workflows"; the driver
//     says how it counts).
package localrun
