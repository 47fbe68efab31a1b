// Package orgevents turns every input that can start landfall's pipeline into one typed Request.
//
// The pipeline's first Lambda receives, as Step Functions input, either a whole EventBridge event (the
// envelope with version, id, detail-type, source, account, time, region, resources and detail) or a manual
// request from `landfall rerun`. Decode accepts exactly these triggers:
//
//   - Organizations CreateAccountResult (a service event): SUCCEEDED starts a baseline, FAILED is reported
//     to operations (Action report-failure) and never baselines.
//   - Organizations InviteAccountToOrganization, MoveAccount, CloseAccount and
//     RemoveAccountFromOrganization (API calls recorded by CloudTrail in the management account). An
//     invitation becomes ActionAwaitInvitation: the pipeline follows its handshake until the account
//     accepts, because the invited account's AcceptHandshake is recorded in that account, not the
//     management account (AcceptHandshake API reference).
//   - Control Tower CreateManagedAccount and UpdateManagedAccount lifecycle events.
//   - The scheduled rule that starts the reconciliation sweep ("Scheduled Event" from aws.events).
//   - A manual request: {"accountId": "...", "reason": "manual", "requestedBy": "arn:..."}.
//
// Anything else fails with a *DecodeError that names the JSON path at fault and wraps ErrMalformed (the
// input is not the shape AWS or the CLI sends) or ErrUnsupportedEvent (a well-formed event landfall does
// not act on), so the pipeline can log it and route it to operations. Decode never returns a baseline
// request whose account ID is not 12 digits.
//
// Decisions worth knowing:
//
//   - EventTime is the envelope's "time", which EventBridge always sets in RFC 3339. The service's own
//     requestedTimestamp and completedTimestamp use other layouts ("May 17, 2022 10:47:37 AM" for
//     Organizations, "2019-11-15T11:45:18+0000" for Control Tower); ParseTimestamp reads them leniently
//     into Request.CompletedAt. An unparseable service timestamp leaves CompletedAt zero and does not
//     fail the decode: it is informational, and rejecting a valid new account because AWS changed a date
//     format would leave that account without a baseline until the next sweep.
//   - API calls that CloudTrail recorded with an errorCode did not change anything, so they are
//     unsupported rather than acted on; the event patterns exclude them as well.
//   - An InviteAccountToOrganization is followed only when its handshake's action is INVITE and its state
//     OPEN (compared without regard to case, because CloudTrail writes the action in lower case), and it
//     names the invited account: the handshake party of type ACCOUNT. An invitation by email address is
//     unsupported, since the account is not known until it accepts; the sweep finds it then.
//   - A Control Tower lifecycle event in state FAILED is reported, like a failed CreateAccountResult.
//
// The event patterns for landfall's EventBridge rules live here too (Rules), so the CDK app and the tests
// share one definition.
package orgevents
