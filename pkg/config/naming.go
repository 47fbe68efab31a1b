package config

import (
	"fmt"
	"slices"
	"strings"
)

// AccountAlias renders naming.accountAlias for account a and folds the result
// into the IAM account alias rules: 3 to 63 lowercase letters, digits and
// single hyphens, starting and ending with a letter or digit. Account names are
// free text ("Prod – Payments"), so any run of other characters becomes one
// hyphen. A result shorter than 3 characters gets the account id appended,
// which keeps it unique.
func (c *Config) AccountAlias(a Account) string {
	rendered := strings.NewReplacer(
		"{prefix}", c.Naming.Prefix,
		"{accountName}", a.Name,
		"{accountId}", a.ID,
	).Replace(c.Naming.AccountAlias)
	alias := foldAlias(rendered)
	if len(alias) < 3 {
		alias = foldAlias(alias + "-" + a.ID)
	}
	return alias
}

// foldAlias lowercases s, turns every run of characters outside [a-z0-9] into
// one hyphen, trims hyphens from both ends and cuts the result to 63 bytes.
func foldAlias(s string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
			continue
		}
		hyphen = true
	}
	out := b.String()
	if len(out) > 63 {
		out = strings.TrimRight(out[:63], "-")
	}
	return out
}

// PipelineRoleName is the fixed name of the role landfall's pipeline
// Lambdas use to enter member accounts. It is derived, not configured,
// because member accounts' trust policies name it and the CDK app creates
// it: both must agree.
func (c *Config) PipelineRoleName() string { return c.Naming.Prefix + "-pipeline" }

// RoleNames are the roles landfall makes under names of its own: the
// baseline's in every account (the human roles and the roles of the trail,
// the Config recorder, the findings forwarder and the alerts reader) and
// the deploy's (the pipeline's, the formatter's and the alerts bridge's).
func (c *Config) RoleNames() []string {
	names := []string{c.PipelineRoleName(), c.AlertFormatterRoleName(), c.AlertsBridgeRoleName(), c.AlertsReaderRoleName()}
	for _, suffix := range []string{"admin", "operator", "developer", "read-only", "billing", "cloudtrail-logs", "config", "findings-forwarder"} {
		names = append(names, c.Naming.Prefix+"-"+suffix)
	}
	return names
}

// checkExecutionRoleName refuses an execution role that would be another
// role too. As the entry role it would lose the entry role's trust and
// power to the execution role's on its first run, and the entry-role item
// would tighten the execution role. As one of landfall's roles it would
// be written by two items, each to its own policy: the admin role's item
// would attach AdministratorAccess to it.
func (c *Config) checkExecutionRoleName() string {
	// IAM names are "not distinguished by case" ("CreateRole", IAM API
	// Reference): "Acme-Admin" is acme-admin.
	name := c.Organization.ExecutionRoleName
	same := func(other string) bool { return strings.EqualFold(name, other) }
	if same(c.Organization.EntryRoleName) {
		return fmt.Sprintf("%q is also organization.entryRoleName; the execution role is a role of its own, e.g. %q", name, c.Naming.Prefix+"-execution")
	}
	if slices.ContainsFunc(c.RoleNames(), same) {
		return fmt.Sprintf("%q is the name of a role landfall makes for another purpose; use a name of its own, e.g. %q", name, c.Naming.Prefix+"-execution")
	}
	return ""
}

// AlertFanInQueueName is the fixed name of the central alert fan-in queue:
// every member account's alerts topic subscribes it by ARN, so the CDK app
// and the baseline must agree on it.
func (c *Config) AlertFanInQueueName() string { return c.Naming.Prefix + "-alert-fanin" }

// AlertsTopicName is the fixed name of every account's alerts topic: the
// baseline creates it, and the formatter is allowed to confirm its
// subscriptions to the fan-in queue by this name.
func (c *Config) AlertsTopicName() string { return c.Naming.Prefix + "-alerts" }

// AlertsDeadLetterQueueName is the queue in every account's home region
// that keeps what the alerts topic could not deliver to the fan-in: the
// baseline creates it, and the protect-baseline SCP keeps everyone else
// from emptying or rewiring it.
func (c *Config) AlertsDeadLetterQueueName() string { return c.Naming.Prefix + "-alerts-dlq" }

// FindingsDeadLetterQueueName is the queue in every governed region other
// than home that keeps the GuardDuty findings its findings rule could not
// forward home; the SCP protects it like the alerts queue.
func (c *Config) FindingsDeadLetterQueueName() string { return c.Naming.Prefix + "-findings-dlq" }

// AlertFanInAccountID is the account that receives every account's alerts:
// the management account, the security account, or none ("") when central
// alerting is off.
func (c *Config) AlertFanInAccountID() string {
	switch c.Notifications.CentralAlerts {
	case CentralAlertsSecurity:
		return c.Organization.SecurityAccountID
	case CentralAlertsNone:
		return ""
	}
	return c.Organization.ManagementAccountID
}

// AlertFormatterRoleName is the fixed name of the formatter's role: every
// account's alerts topic lets exactly this role of the fan-in account
// confirm the fan-in queue's subscription, and with the fan-in in the
// security account, the management account's alerts bridge role trusts it.
func (c *Config) AlertFormatterRoleName() string { return c.Naming.Prefix + "-alert-formatter" }

// AlertFormatterRoleARN is the formatter's role in the fan-in account, ""
// when central alerting is off.
func (c *Config) AlertFormatterRoleARN() string {
	account := c.AlertFanInAccountID()
	if account == "" {
		return ""
	}
	return "arn:aws:iam::" + account + ":role" + c.AlertFormatterRolePath() + c.AlertFormatterRoleName()
}

// AlertFormatterRolePath is the path of the formatter's role, "/<prefix>/".
// In the security account the path keeps the role's ARN out of the
// protect-baseline SCP's arn:aws:iam::*:role/<prefix>-* pattern: that SCP
// guards the baseline's roles, which only landfall's own roles may change,
// while CloudFormation deploys the central alerts stack, this role
// included, with the security account's CDK execution role. The role
// would gain nothing from the SCP anyway: the security account's
// administrators own the formatter's function and its code.
func (c *Config) AlertFormatterRolePath() string { return "/" + c.Naming.Prefix + "/" }

// AlertsBridgeRoleName is the fixed name of the management account's role
// that a security-account formatter works through: it writes alert receipts
// to the ledger and reads the organization, both in the management account.
// It enters no account.
func (c *Config) AlertsBridgeRoleName() string { return c.Naming.Prefix + "-alerts-bridge" }

// AlertsReaderRoleName is the fixed name of the role in every account that
// the formatter reads an alarm's trail through: the formatter's policy
// names it, and the baseline creates it trusting only the formatter's role.
func (c *Config) AlertsReaderRoleName() string { return c.Naming.Prefix + "-alerts-reader" }

// TrailName is every account's trail: the baseline creates it, and the
// protect-baseline SCP keeps everyone else from stopping or changing it.
func (c *Config) TrailName() string { return c.Naming.Prefix + "-trail" }

// TrailLogGroupName is the log group every account's trail delivers to in
// its home region: the baseline creates it and its metric filters, and the
// formatter searches it for who triggered an alarm.
func (c *Config) TrailLogGroupName() string { return c.Naming.Prefix + "-cloudtrail" }

// AlarmName names the alarm, and the metric filter on the trail's log
// group, of the alarm catalogue's entry key in every account.
func (c *Config) AlarmName(key string) string { return c.Naming.Prefix + "-" + key }

// FindingsRuleName is the EventBridge rule in every governed region of
// every account that sends GuardDuty findings to the alerts topic.
func (c *Config) FindingsRuleName() string { return c.Naming.Prefix + "-guardduty-findings" }

// AlertsKeyAlias and TrailKeyAlias are the aliases of every account's keys
// of the alerts topic and of the trail's log files: the baseline finds the
// keys by them, and the protect-baseline SCP protects the keys by them.
func (c *Config) AlertsKeyAlias() string { return "alias/" + c.Naming.Prefix + "-alerts" }

// TrailKeyAlias: see AlertsKeyAlias.
func (c *Config) TrailKeyAlias() string { return "alias/" + c.Naming.Prefix + "-cloudtrail" }

// LedgerTableName, BaselineStateMachineName and SweepStateMachineName are
// the physical names of the pipeline's table and state machines. They are
// fixed so that the operator command line finds them from this file alone,
// without CloudFormation lookups.
func (c *Config) LedgerTableName() string { return c.Naming.Prefix + "-ledger" }

// BaselineStateMachineName names the BaselineAccount state machine.
func (c *Config) BaselineStateMachineName() string { return c.Naming.Prefix + "-baseline-account" }

// SweepStateMachineName names the Sweep state machine.
func (c *Config) SweepStateMachineName() string { return c.Naming.Prefix + "-sweep" }

// ChatFor is where a profile's alerts go in chat: the profile's own
// webhooks when it names any, else notifications.chat.
func (c *Config) ChatFor(p *Profile) Chat {
	if p != nil && (p.Items.AlertsTopic.Chat != Chat{}) {
		return p.Items.AlertsTopic.Chat
	}
	return c.Notifications.Chat
}

// ChatSecretNames lists every chat webhook secret the config names, global
// and per profile, each once.
func (c *Config) ChatSecretNames() []string {
	var names []string
	add := func(ch Chat) {
		for _, n := range []string{ch.SlackWebhookURLSecret, ch.TeamsWebhookURLSecret} {
			if n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	add(c.Notifications.Chat)
	for i := range c.Profiles {
		add(c.Profiles[i].Items.AlertsTopic.Chat)
	}
	return names
}
