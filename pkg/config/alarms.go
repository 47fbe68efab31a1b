package config

import "slices"

// alarmIDs are the ids of the metric-filter alarms landfall can create, in
// catalogue order: the Security Hub CIS controls CloudWatch.1 to CloudWatch.14
// and Organizations.1 (CIS 4.15, AWS Organizations changes). This is the one
// list the config accepts in items.alarms.disable; pkg/alarms holds the filters.
var alarmIDs = []string{
	"CloudWatch.1", "CloudWatch.2", "CloudWatch.3", "CloudWatch.4", "CloudWatch.5",
	"CloudWatch.6", "CloudWatch.7", "CloudWatch.8", "CloudWatch.9", "CloudWatch.10",
	"CloudWatch.11", "CloudWatch.12", "CloudWatch.13", "CloudWatch.14",
	"Organizations.1",
}

// alwaysOnAlarmIDs are the alarms a profile cannot disable, because they catch
// account takeover: root user activity (CloudWatch.1), console sign-in without
// MFA (CloudWatch.3), IAM policy changes (CloudWatch.4) and console
// authentication failures (CloudWatch.6).
var alwaysOnAlarmIDs = []string{"CloudWatch.1", "CloudWatch.3", "CloudWatch.4", "CloudWatch.6"}

// AlarmIDs returns the alarm ids items.alarms.disable accepts, in catalogue order.
func AlarmIDs() []string { return slices.Clone(alarmIDs) }

// AlwaysOnAlarmIDs returns the alarm ids no profile can disable.
func AlwaysOnAlarmIDs() []string { return slices.Clone(alwaysOnAlarmIDs) }
