package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// validator checks a decoded, defaulted Config and records every problem at
// the position the decoder remembered for the field.
type validator struct {
	*decoder
	cfg *Config
}

// at returns the node that locates path: the field itself or, when the field
// is absent from the file (a default or a missing required key), the nearest
// enclosing field that is present.
func (v *validator) at(path string) *yaml.Node {
	for {
		if n, ok := v.pos[path]; ok {
			return n
		}
		if path == "" {
			return &yaml.Node{Line: 1, Column: 1}
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			i = 0
		}
		path = path[:i]
	}
}

// errorf records a problem with the field at path.
func (v *validator) errorf(path, format string, args ...any) {
	v.addError(v.at(path), path, format, args...)
}

// check records msg at path unless it is empty (the value is valid), and
// reports whether it was.
func (v *validator) check(path, msg string) bool {
	if msg != "" {
		v.addError(v.at(path), path, "%s", msg)
	}
	return msg == ""
}

// required records a problem when a required string is empty.
func (v *validator) required(path, value, what string) bool {
	if value == "" {
		v.errorf(path, "required: %s", what)
		return false
	}
	return true
}

// quoted reports whether the value at path was written as a quoted string.
// Defaults are strings by construction, so an absent value counts as quoted.
func (v *validator) quoted(path string) bool {
	n, ok := v.values[path]
	return !ok || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0
}

// accountID checks an optional account id field.
func (v *validator) accountID(path, id string) {
	if id != "" {
		v.check(path, checkAccountID(id, v.quoted(path)))
	}
}

// intRange checks lo <= n <= hi.
func (v *validator) intRange(path string, n, lo, hi int, why string) {
	if n < lo || n > hi {
		v.errorf(path, "%d is out of range; allowed %d to %d%s", n, lo, hi, why)
	}
}

// oneOf checks an enumerated string.
func (v *validator) oneOf(path, value, what string, allowed []string) {
	if !slices.Contains(allowed, value) {
		v.errorf(path, "%s", notOneOf(value, what, allowed))
	}
}

func (v *validator) validate() {
	c := v.cfg
	switch {
	case c.Version == 0:
		v.errorf("version", "required: the file format version; use version: %d", SupportedVersion)
	case c.Version != SupportedVersion:
		v.errorf("version", "unsupported version %d; this landfall reads version %d", c.Version, SupportedVersion)
	}
	v.validateOrganization()
	v.validateOrganizationSetup()
	v.validateNaming()
	for key := range c.Tags {
		path := "tags." + key
		v.check(path, checkTagKey(key))
		if strings.HasPrefix(strings.ToLower(key), "landfall:") {
			v.errorf(path, "tag key %q uses the landfall: prefix, which landfall reserves for its own tags", key)
		}
		if len(c.Tags[key]) > 256 {
			v.errorf(path, "tag value is %d characters; AWS allows at most 256", len(c.Tags[key]))
		}
	}
	v.validateNotifications()
	v.validatePipeline()
	v.uniqueAccountIDs("excludedAccounts", c.ExcludedAccounts)
	v.validateProfiles()
}

func (v *validator) validateOrganization() {
	org := &v.cfg.Organization
	const p = "organization"
	if v.required(p+".managementAccountId", org.ManagementAccountID, "the organization's management account id, a quoted string of 12 digits") {
		v.accountID(p+".managementAccountId", org.ManagementAccountID)
	}
	if v.required(p+".homeRegion", org.HomeRegion, "the region where landfall runs, e.g. us-east-1") {
		v.check(p+".homeRegion", checkRegion(org.HomeRegion))
	}
	seen := map[string]bool{}
	for i, r := range org.GovernedRegions {
		path := fmt.Sprintf("%s.governedRegions[%d]", p, i)
		if seen[r] {
			v.errorf(path, "region %s is listed twice", r)
		}
		seen[r] = true
		v.check(path, checkRegion(r))
	}
	if org.HomeRegion != "" && !seen[org.HomeRegion] {
		v.errorf(p+".governedRegions", "must include organization.homeRegion (%s), where landfall itself runs", org.HomeRegion)
	}
	v.accountID(p+".securityAccountId", org.SecurityAccountID)

	la := org.LogArchive
	if la.AccountID != "" || la.Bucket != "" {
		if v.required(p+".logArchive.accountId", la.AccountID, "the account that owns the log-archive bucket") {
			v.accountID(p+".logArchive.accountId", la.AccountID)
		}
		if v.required(p+".logArchive.bucket", la.Bucket, "the log-archive S3 bucket name") {
			v.check(p+".logArchive.bucket", checkBucketName(la.Bucket))
		}
	}
	v.check(p+".entryRoleName", checkIAMName(org.EntryRoleName, "role"))
	if v.check(p+".executionRoleName", checkIAMName(org.ExecutionRoleName, "role")) {
		v.check(p+".executionRoleName", v.cfg.checkExecutionRoleName())
	}

	id := org.Identity
	switch {
	case id.AccountID != "" && id.SAMLProviderName != "":
		v.errorf(p+".identity.samlProviderName", "set either identity.accountId (an identity account, MFA enforced) or identity.samlProviderName (a SAML provider in every account), not both")
	case id.AccountID != "":
		v.accountID(p+".identity.accountId", id.AccountID)
	case id.SAMLProviderName != "":
		v.check(p+".identity.samlProviderName", checkSAMLProviderName(id.SAMLProviderName))
	default:
		v.errorf(p+".identity", "required: set identity.accountId (an identity account whose users assume the human roles with MFA) or identity.samlProviderName (the SAML provider every account has)")
	}
	v.intRange(p+".identity.mfaMaxAgeSeconds", id.MFAMaxAgeSeconds, 60, 43200, "")
}

var (
	prefixPattern      = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,22}[a-z0-9])?$`)
	placeholderPattern = regexp.MustCompile(`\{[^{}]*\}`)
	aliasPlaceholders  = []string{"{prefix}", "{accountName}", "{accountId}"}
)

func (v *validator) validateNaming() {
	n := v.cfg.Naming
	if !prefixPattern.MatchString(n.Prefix) {
		v.errorf("naming.prefix", "%q is not a valid prefix; use 1 to 24 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen", n.Prefix)
	}
	if v.required("naming.accountAlias", n.AccountAlias, "the account alias template, e.g. \"{prefix}-{accountName}\"") {
		for _, ph := range placeholderPattern.FindAllString(n.AccountAlias, -1) {
			if !slices.Contains(aliasPlaceholders, ph) {
				v.errorf("naming.accountAlias", "%s", notOneOf(ph, "a placeholder", aliasPlaceholders))
			}
		}
	}
}

func (v *validator) validateNotifications() {
	n := v.cfg.Notifications
	v.emails("notifications.alertEmails", n.AlertEmails)
	v.emails("notifications.operationsEmails", n.OperationsEmails)
	v.oneOf("notifications.centralAlerts", n.CentralAlerts, "a central alerts account", centralAlertsValues)
	if n.CentralAlerts == CentralAlertsSecurity {
		org := v.cfg.Organization
		switch org.SecurityAccountID {
		case "":
			v.errorf("notifications.centralAlerts", "%q needs organization.securityAccountId, the account the fan-in queue, formatter and alerts topic are deployed in", n.CentralAlerts)
		case org.ManagementAccountID:
			v.errorf("notifications.centralAlerts", "%q names organization.securityAccountId %s, which is the management account; use %q",
				n.CentralAlerts, org.SecurityAccountID, CentralAlertsManagement)
		}
	}
	v.chat("notifications.chat", n.Chat)
}

func (v *validator) chat(path string, c Chat) {
	if s := c.SlackWebhookURLSecret; s != "" {
		v.check(path+".slackWebhookUrlSecret", checkSecretName(s))
	}
	if s := c.TeamsWebhookURLSecret; s != "" {
		v.check(path+".teamsWebhookUrlSecret", checkSecretName(s))
	}
}

func (v *validator) emails(path string, list []string) {
	for i, e := range list {
		v.check(fmt.Sprintf("%s[%d]", path, i), checkEmail(e))
	}
}

func (v *validator) validatePipeline() {
	p := v.cfg.Pipeline
	v.check("pipeline.sweepSchedule", checkSchedule(p.SweepSchedule))
	const inlineMap = " (a Step Functions inline Map runs at most 40 iterations at once)"
	v.intRange("pipeline.maxConcurrentAccounts", p.MaxConcurrentAccounts, 1, 40, inlineMap)
	v.intRange("pipeline.maxConcurrentRegions", p.MaxConcurrentRegions, 1, 40, inlineMap)
	v.durationRange("pipeline.readinessTimeout", p.ReadinessTimeout, time.Minute, 2*time.Hour)
	v.durationRange("pipeline.driftCheckEvery", p.DriftCheckEvery, time.Hour, 720*time.Hour)
}

func (v *validator) durationRange(path string, d Duration, lo, hi time.Duration) {
	if time.Duration(d) < lo || time.Duration(d) > hi {
		v.errorf(path, "%s is out of range; allowed %s to %s", d, Duration(lo), Duration(hi))
	}
}

// uniqueAccountIDs checks a list of account ids, each once.
func (v *validator) uniqueAccountIDs(path string, ids []string) {
	seen := map[string]bool{}
	for i, id := range ids {
		item := fmt.Sprintf("%s[%d]", path, i)
		if seen[id] {
			v.errorf(item, "account %s is listed twice", id)
		}
		seen[id] = true
		v.check(item, checkAccountID(id, v.quoted(item)))
	}
}
