package config

import "github.com/landfall/landfall/pkg/alarms"

// AlarmIDs returns the alarm ids items.alarms.disable accepts, in catalogue
// order: the Security Hub CIS controls CloudWatch.1 to CloudWatch.14,
// CIS.4.15 (AWS Organizations changes) and Landfall.1 (alert path
// changes). pkg/alarms is the one list.
func AlarmIDs() []string {
	var ids []string
	for _, a := range alarms.All() {
		ids = append(ids, a.ID)
	}
	return ids
}

// AlwaysOnAlarmIDs returns the alarm ids no profile can disable, because
// they catch account takeover (root user activity, console sign-in without
// MFA, IAM policy changes and console authentication failures) or the
// silencing of the account's alerts (changes to the alert path).
func AlwaysOnAlarmIDs() []string {
	var ids []string
	for _, a := range alarms.All() {
		if a.AlwaysOn {
			ids = append(ids, a.ID)
		}
	}
	return ids
}

// AlarmNames are the names of landfall's resources as the alarm on the
// alert path (Landfall.1) watches them.
func (c *Config) AlarmNames() alarms.Names {
	return alarms.Names{
		ExecutionRole: c.Organization.ExecutionRoleName, AlarmPrefix: c.AlarmName(""), TrailLogGroup: c.TrailLogGroupName(),
		AlertsTopic: c.AlertsTopicName(), FindingsRule: c.FindingsRuleName(),
		AlertsKeyAlias: c.AlertsKeyAlias(), TrailKeyAlias: c.TrailKeyAlias(),
	}
}
