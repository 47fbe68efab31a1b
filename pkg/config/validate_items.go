package config

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// servicePrefixPattern is the shape of an IAM service prefix (ec2, s3, lambda).
var servicePrefixPattern = regexp.MustCompile(`^[a-z0-9-]{2,32}$`)

// permissionSetNamePattern is the name of an IAM Identity Center permission
// set ("PermissionSet", IAM Identity Center API Reference).
var permissionSetNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)

// maxBreakGlassPermissionSets keeps the entry role's trust policy, which
// IAM limits to 2,048 characters by default, with room for the statements
// others wrote.
const maxBreakGlassPermissionSets = 5

// currencyPattern is an ISO 4217 currency code.
var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// validateItems checks one profile's baseline items; ip is "profiles[i].items".
func (v *validator) validateItems(ip string, it *Items) {
	hr := it.HumanRoles
	v.intRange(ip+".humanRoles.maxSessionSeconds", hr.MaxSessionSeconds, 3600, 43200, " (the IAM role session limits)")
	for i, svc := range hr.Developer.Services {
		if !servicePrefixPattern.MatchString(svc) {
			v.errorf(fmt.Sprintf("%s.humanRoles.developer.services[%d]", ip, i), "%q is not an IAM service prefix; use the prefix from IAM actions, such as ec2, s3 or lambda", svc)
		}
	}

	er := it.EntryRole
	for i, ps := range er.BreakGlassPermissionSets {
		if !permissionSetNamePattern.MatchString(ps) {
			v.errorf(fmt.Sprintf("%s.entryRole.breakGlassPermissionSets[%d]", ip, i), "%q is not an IAM Identity Center permission set name; use 1 to 32 letters, digits and +=,.@_-", ps)
		}
	}
	switch n := len(er.BreakGlassPermissionSets); {
	case n > maxBreakGlassPermissionSets:
		v.errorf(ip+".entryRole.breakGlassPermissionSets", "%d permission sets; at most %d fit the entry role's trust policy", n, maxBreakGlassPermissionSets)
	case n > 0 && !er.RequireMFA:
		v.errorf(ip+".entryRole.breakGlassPermissionSets", "needs entryRole.requireMfa: without it landfall leaves the entry role's trust as it is")
	}

	pw := it.PasswordPolicy
	v.intRange(ip+".passwordPolicy.minimumLength", pw.MinimumLength, 14, 128, " (CIS requires at least 14; IAM allows at most 128)")
	v.intRange(ip+".passwordPolicy.reusePrevention", pw.ReusePrevention, 0, 24, " (0 turns it off; IAM remembers at most 24)")
	v.intRange(ip+".passwordPolicy.maxAgeDays", pw.MaxAgeDays, 0, 1095, " (0 means passwords never expire)")

	days := it.CloudTrail.LogRetentionDays
	if !slices.Contains(logRetentionDaysValues, days) {
		v.errorf(ip+".cloudTrail.logRetentionDays", "%d is not a retention CloudWatch Logs accepts; use one of %s", days, joinInts(logRetentionDaysValues))
	}
	v.check(ip+".alertsTopic.emailsFromTag", checkTagKey(it.AlertsTopic.EmailsFromTag))
	v.chat(ip+".alertsTopic.chat", it.AlertsTopic.Chat)
	v.validateAlarms(ip+".alarms", it.Alarms)
	v.validateBudget(ip+".budget", it.Budget)
	v.contact(ip+".alternateContacts.security", it.AlternateContacts.Security)
	v.contact(ip+".alternateContacts.billing", it.AlternateContacts.Billing)
	v.contact(ip+".alternateContacts.operations", it.AlternateContacts.Operations)

	f := it.Findings
	if f.BootstrapUser != "" {
		v.check(ip+".findings.bootstrapUser", checkIAMName(f.BootstrapUser, "user"))
	} else if f.DeleteBootstrapUser {
		v.errorf(ip+".findings.deleteBootstrapUser", "needs findings.bootstrapUser, the IAM user to delete")
	}

	gd := it.GuardDuty
	v.oneOf(ip+".guardDuty.findingFrequency", gd.FindingFrequency, "a GuardDuty finding frequency", findingFrequencyValues)
	if gd.AlertMinSeverity < 1 || gd.AlertMinSeverity > 10 {
		v.errorf(ip+".guardDuty.alertMinSeverity", "%g is out of range; GuardDuty severities run from 1 to 10 (4 is medium, 7 high)", gd.AlertMinSeverity)
	}
	v.oneOf(ip+".guardDuty.routeTo", gd.RouteTo, "a GuardDuty finding route", guardDutyRouteValues)

	sh := it.SecurityHub
	for i, std := range sh.Standards {
		v.oneOf(fmt.Sprintf("%s.securityHub.standards[%d]", ip, i), std, "a Security Hub standard", securityHubStandards)
	}
	if sh.Enabled && !it.AWSConfig.Enabled {
		v.errorf(ip+".securityHub.enabled", "Security Hub needs items.awsConfig.enabled: true, because its controls are evaluated by AWS Config rules")
	}
}

func (v *validator) validateAlarms(ap string, a Alarms) {
	seen := map[string]bool{}
	for i, id := range a.Disable {
		item := fmt.Sprintf("%s.disable[%d]", ap, i)
		switch {
		case !slices.Contains(AlarmIDs(), id):
			v.errorf(item, "%s", notOneOf(id, "a landfall alarm id", AlarmIDs()))
		case slices.Contains(AlwaysOnAlarmIDs(), id):
			v.errorf(item, "%s cannot be disabled; the always-on alarms (%s) catch account takeover or the silencing of alerts", id, strings.Join(AlwaysOnAlarmIDs(), ", "))
		case seen[id]:
			v.errorf(item, "%s is listed twice", id)
		}
		seen[id] = true
	}
	if a.ThresholdTagPrefix != "" {
		v.check(ap+".thresholdTagPrefix", checkTagKey(a.ThresholdTagPrefix))
	}
}

func (v *validator) validateBudget(bp string, b Budget) {
	if b.Amount <= 0 {
		v.errorf(bp+".amount", "%g is not a budget; use an amount greater than zero", b.Amount)
	}
	if !currencyPattern.MatchString(b.Currency) {
		v.errorf(bp+".currency", "%q is not a currency code; use three capital letters such as USD", b.Currency)
	}
	if b.AmountTag != "" {
		v.check(bp+".amountTag", checkTagKey(b.AmountTag))
	}
	thresholds := map[string][]float64{
		bp + ".thresholds.actualPercent":   b.Thresholds.ActualPercent,
		bp + ".thresholds.forecastPercent": b.Thresholds.ForecastPercent,
	}
	for path, list := range thresholds {
		for i, pct := range list {
			if pct <= 0 || pct > 1000 {
				v.errorf(fmt.Sprintf("%s[%d]", path, i), "%g%% is out of range; use a percentage of the budget above 0 and at most 1000", pct)
			}
		}
	}
}

// contact checks an alternate contact: all four fields, as the Account API
// requires them.
func (v *validator) contact(cp string, c *Contact) {
	if c == nil {
		return
	}
	v.required(cp+".name", c.Name, "the contact's name")
	if v.required(cp+".email", c.Email, "the contact's email address") {
		v.check(cp+".email", checkEmail(c.Email))
	}
	v.required(cp+".phone", c.Phone, "the contact's phone number")
	v.required(cp+".title", c.Title, "the contact's title, e.g. Security team")
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
