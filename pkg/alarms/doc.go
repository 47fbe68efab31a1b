// Package alarms is landfall's catalogue of CloudWatch Logs metric filters
// and the CloudWatch alarms on them: the CIS AWS Foundations Benchmark set
// that Security Hub checks as CloudWatch.1–14, plus CIS 4.15 (AWS
// Organizations changes), and landfall's own Landfall.1, on changes to the
// alert path by anyone but landfall, whose pattern names landfall's
// resources (Alarm.Named).
//
// The catalogue is one ordered slice (catalogue.go), not a registry filled by
// init functions, so what landfall deploys can be read in one place. Filter
// patterns are copied verbatim from the Security Hub User Guide ("Security Hub
// controls for CloudWatch"): Security Hub fails the control when the pattern
// differs in any way, so they must never be "tidied".
//
// Every entry has sample CloudTrail records in events/cloudtrail that must and
// must not trigger it; the tests evaluate the patterns against those samples
// with package filterpattern.
package alarms
