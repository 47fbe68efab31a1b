package config

import "github.com/landfall/landfall/pkg/alarms"

// AlarmIDs returns the alarm ids items.alarms.disable accepts, in catalogue
// order: the Security Hub CIS controls CloudWatch.1 to CloudWatch.14 and
// CIS.4.15 (AWS Organizations changes). pkg/alarms is the one list.
func AlarmIDs() []string {
	var ids []string
	for _, a := range alarms.All() {
		ids = append(ids, a.ID)
	}
	return ids
}

// AlwaysOnAlarmIDs returns the alarm ids no profile can disable, because
// they catch account takeover: root user activity, console sign-in without
// MFA, IAM policy changes and console authentication failures.
func AlwaysOnAlarmIDs() []string {
	var ids []string
	for _, a := range alarms.All() {
		if a.AlwaysOn {
			ids = append(ids, a.ID)
		}
	}
	return ids
}
