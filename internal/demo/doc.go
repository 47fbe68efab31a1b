// Package demo runs landfall's whole story offline, with what `cdk deploy`
// would ship: the local AWS endpoint plays the organization, the
// synthesized template's roles, tables, topics, queues and rules are
// created on it, its state machines run in aws-local-stepfunctions as
// their roles, and its Lambdas run as the real Go binaries with their
// execution roles' credentials. Accounts are vended and invited, baselined by
// the pipeline the events start, an alarm fires into the email outbox,
// drift is found and repaired by the sweep, and the failure paths end in
// the ledger and the operations topic. `make demo` prints the report; the
// end-to-end test asserts every step.
package demo
