// Package notify turns the messages that reach landfall's central alert
// fan-in (CloudWatch alarm state changes, GuardDuty findings, AWS Budgets
// notifications and landfall's own pipeline results) into a short,
// human-readable Message for email, Slack and Microsoft Teams.
//
// Format never fails: anything it does not recognise, including malformed
// JSON, becomes a Message of kind "unknown" that carries the original content,
// so an alert is never dropped because its shape changed. The package only
// formats; callers fetch enrichment (account names, matching CloudTrail
// records) and pass it in a Context.
package notify
