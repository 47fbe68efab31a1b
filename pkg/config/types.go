package config

import (
	"strings"
	"time"
)

// SupportedVersion is the only config file format version this package reads.
// It is bumped when a key changes meaning, so an old binary refuses a newer file
// instead of misreading it.
const SupportedVersion = 1

// DefaultEntryRoleName is the role AWS Organizations creates in every account it
// creates. Organizations cannot report the name after the fact, so landfall
// assumes the well-known default unless the organization chose another one.
const DefaultEntryRoleName = "OrganizationAccountAccessRole"

// DefaultSuspendedOU is the quarantine OU organization.manage creates unless
// the file names another (or none).
const DefaultSuspendedOU = "/Root/Suspended"

// Config is one organization's landing-zone configuration, as loaded from the
// YAML file with defaults applied and validated. Treat it as read-only.
type Config struct {
	// Version is the file format version. Required; must be 1.
	Version int `yaml:"version"`
	// Organization holds the organization-wide accounts, regions and roles. Required.
	Organization Organization `yaml:"organization"`
	// Naming controls the names landfall gives the resources it creates.
	Naming Naming `yaml:"naming"`
	// Tags are added to every resource landfall creates, next to landfall's own
	// landfall:managed and landfall:version tags. Default: none. Keys starting
	// with "aws:" or "landfall:" are reserved and rejected.
	Tags map[string]string `yaml:"tags"`
	// Notifications says who is told about alarms, findings and pipeline runs.
	Notifications Notifications `yaml:"notifications"`
	// Pipeline tunes the Step Functions pipeline that applies baselines.
	Pipeline Pipeline `yaml:"pipeline"`
	// ExcludedAccounts are account ids landfall never touches, whatever profile
	// would otherwise match (for example break-glass or third-party managed
	// accounts). Default: none. Each id is a quoted string of 12 digits.
	ExcludedAccounts []string `yaml:"excludedAccounts"`
	// Profiles are the baselines, each with the accounts it selects. Required:
	// at least one. See (*Config).SelectProfile for the precedence between them.
	Profiles []Profile `yaml:"profiles"`
}

// Organization describes the AWS Organization landfall governs.
type Organization struct {
	// ManagementAccountID is the organization's management account. Required.
	// It is baselined only when a profile lists it in select.accounts, because
	// changing the management account affects the whole organization.
	ManagementAccountID string `yaml:"managementAccountId"`
	// HomeRegion is where landfall's pipeline, ledger and central alerting run.
	// Required; must be a commercial AWS region and one of governedRegions.
	HomeRegion string `yaml:"homeRegion"`
	// GovernedRegions are the regions whose regional items (GuardDuty, Access
	// Analyzer, EBS encryption ...) are baselined. Default: [homeRegion]. Keep
	// the list to regions the organization uses and block the others with SCPs:
	// each extra region multiplies the work and cost of every baseline run.
	GovernedRegions []string `yaml:"governedRegions"`
	// SecurityAccountID is the delegated administrator for GuardDuty and
	// Security Hub. Optional.
	SecurityAccountID string `yaml:"securityAccountId"`
	// LogArchive is the central bucket that also receives CloudTrail logs.
	// Optional: without it each account's trail writes to a bucket in the
	// account itself.
	LogArchive LogArchive `yaml:"logArchive"`
	// EntryRoleName is the role landfall first assumes in a new account.
	// Default: "OrganizationAccountAccessRole" (DefaultEntryRoleName).
	EntryRoleName string `yaml:"entryRoleName"`
	// ExecutionRoleName is landfall's own least-privilege role in each account,
	// created on the first run and used afterwards instead of the entry role.
	// Default: "<naming.prefix>-execution".
	ExecutionRoleName string `yaml:"executionRoleName"`
	// Identity says who may assume the human roles. Required: exactly one of
	// accountId or samlProviderName.
	Identity Identity `yaml:"identity"`
	// Manage lets the CDK app set up the organization itself: the OUs, the
	// SCPs, trusted access and delegated administration below. Default: false,
	// because an organization whose OUs and SCPs are managed elsewhere must
	// opt in; without it the keys below are checked but nothing is created.
	Manage bool `yaml:"manage"`
	// OUs are the organizational units to create, as paths from the root
	// ("/Root/Security", "/Root/Workloads/Prod"), each parent before its
	// children. Default: none. At most 5 levels below the root.
	OUs []string `yaml:"ous"`
	// SuspendedOU is the quarantine OU, created with a deny-all SCP. Default:
	// "/Root/Suspended"; "" creates none. Its parent is the root or one of ous.
	SuspendedOU string `yaml:"suspendedOu"`
	// SCPs selects the service control policies attached to the root.
	SCPs SCPs `yaml:"scps"`
	// ControlTower says the organization has an AWS Control Tower landing
	// zone. Default: false. The SCPs then let Control Tower's roles do what
	// its own controls let them: act outside the allowed regions, and change
	// AWS Config, which Control Tower owns in the accounts it enrolls.
	ControlTower bool `yaml:"controlTower"`
	// DelegatedAdmin delegates GuardDuty (in every governed region) and
	// Security Hub administration to securityAccountId. Default: true when
	// securityAccountId is set, false otherwise.
	DelegatedAdmin *bool `yaml:"delegatedAdmin"`
}

// SCPs selects the service control policies organization.manage attaches to
// the root. Each is one policy, and the root takes at most 5 (AWS's
// FullAWSAccess is one of them), so landfall uses at most 4.
type SCPs struct {
	// DenyRootUser denies every action to the root user of member accounts,
	// which should never be used. Default: true.
	DenyRootUser bool `yaml:"denyRootUser"`
	// DenyLeaveOrganization denies organizations:LeaveOrganization, so an
	// account cannot escape the baseline and the SCPs. Default: true.
	DenyLeaveOrganization bool `yaml:"denyLeaveOrganization"`
	// ProtectBaseline denies stopping or changing landfall's trail and alert
	// path, disabling GuardDuty or AWS Config, and changing landfall's roles
	// ("<prefix>-*") and the entry role, to every principal except landfall's
	// execution role; GuardDuty stays open to the security account, which
	// administers it, and Config to Control Tower's role with controlTower.
	// Default: true.
	ProtectBaseline bool `yaml:"protectBaseline"`
	// AllowedRegions is an optional region allow-list: when set, every
	// regional action outside these regions is denied (global services are
	// exempt). Default: none, no region restriction. Must include every
	// governed region.
	AllowedRegions []string `yaml:"allowedRegions"`
}

// DelegatesAdministration reports whether GuardDuty and Security Hub
// administration is delegated to the security account.
func (o *Organization) DelegatesAdministration() bool {
	return o.DelegatedAdmin != nil && *o.DelegatedAdmin
}

// LogArchive names the central CloudTrail bucket. Both fields are required when
// either is set.
type LogArchive struct {
	// AccountID owns the bucket. A quoted string of 12 digits.
	AccountID string `yaml:"accountId"`
	// Bucket is the S3 bucket name; it must follow the S3 bucket naming rules.
	Bucket string `yaml:"bucket"`
}

// Identity says where the people who assume landfall's human roles come from.
type Identity struct {
	// AccountID is an identity account whose IAM principals may assume the human
	// roles; the trust policies require MFA no older than mfaMaxAgeSeconds.
	AccountID string `yaml:"accountId"`
	// SAMLProviderName is the name of the IAM SAML provider federated into the
	// human roles. A role can trust only a provider of its own account, so
	// every account needs one of this name, made from the identity
	// provider's metadata; a run refuses to write the human roles of an
	// account that lacks it. MFA is then the identity provider's job: AWS
	// sees no MFA context on SAML sessions, so no MFA condition is added.
	SAMLProviderName string `yaml:"samlProviderName"`
	// MFAMaxAgeSeconds bounds how long ago the caller must have used MFA
	// (aws:MultiFactorAuthAge). Default: 3600; allowed 60 to 43200.
	MFAMaxAgeSeconds int `yaml:"mfaMaxAgeSeconds"`
}

// Naming controls the names of resources landfall creates.
type Naming struct {
	// Prefix starts the name of every resource landfall creates, so they are
	// easy to recognise and to scope in IAM policies. Default: "landfall".
	// Lowercase letters, digits and hyphens, starting with a letter, at most 24
	// characters (it ends up in bucket and role names).
	Prefix string `yaml:"prefix"`
	// AccountAlias is the template for the IAM account alias (the sign-in URL).
	// Placeholders: {prefix}, {accountName}, {accountId}. Default:
	// "{prefix}-{accountName}". The result is folded into the IAM alias rules
	// (lowercase letters, digits, single hyphens, 3 to 63 characters).
	AccountAlias string `yaml:"accountAlias"`
}

// Notifications says who hears about what.
type Notifications struct {
	// AlertEmails receive security alerts (alarms, GuardDuty findings, budget
	// thresholds) from every account. Default: none; accounts can add their own
	// with the tag named by items.alertsTopic.emailsFromTag.
	AlertEmails []string `yaml:"alertEmails"`
	// OperationsEmails receive pipeline outcomes (baseline applied, failed,
	// drift found). Default: none.
	OperationsEmails []string `yaml:"operationsEmails"`
	// CentralAlerts is where every account's alerts are fanned in and formatted:
	// "management" (the fan-in queue, formatter and central alerts topic are
	// in the management account's stack), "security" (in a stack of their own
	// in organization.securityAccountId, which must be set; receipts still go
	// to the ledger in the management account) or "none" (alerts stay in each
	// account). Default: "management".
	CentralAlerts string `yaml:"centralAlerts"`
	// Chat forwards formatted alerts to chat. Optional.
	Chat Chat `yaml:"chat"`
}

// Chat names the Secrets Manager secrets that hold chat webhook URLs. The URLs
// themselves are credentials, so they never appear in this file.
type Chat struct {
	// SlackWebhookURLSecret is the name of a secret holding a Slack incoming
	// webhook URL. Optional.
	SlackWebhookURLSecret string `yaml:"slackWebhookUrlSecret"`
	// TeamsWebhookURLSecret is the name of a secret holding a Microsoft Teams
	// incoming webhook URL. Optional.
	TeamsWebhookURLSecret string `yaml:"teamsWebhookUrlSecret"`
}

// Pipeline tunes the baseline pipeline.
type Pipeline struct {
	// SweepSchedule is the EventBridge schedule expression of the periodic sweep
	// that re-checks every account, catching anything an event missed.
	// Default: "rate(6 hours)". rate(<n> <unit>) or cron(<6 fields>).
	SweepSchedule string `yaml:"sweepSchedule"`
	// MaxConcurrentAccounts bounds how many accounts a sweep baselines at once,
	// to stay under IAM and Organizations API rate limits. Default: 10; allowed
	// 1 to 40 (a Step Functions inline Map runs at most 40 iterations at once).
	MaxConcurrentAccounts int `yaml:"maxConcurrentAccounts"`
	// MaxConcurrentRegions bounds how many regions of one account are baselined
	// at once. Default: 6; allowed 1 to 40 (the inline Map limit).
	MaxConcurrentRegions int `yaml:"maxConcurrentRegions"`
	// ReadinessTimeout is how long to wait for a new account to accept
	// AssumeRole and answer IAM calls (new accounts take minutes). Default: 15m;
	// allowed 1m to 2h.
	ReadinessTimeout Duration `yaml:"readinessTimeout"`
	// DriftCheckEvery is how often an unchanged account is re-verified for
	// drift. Default: 24h; allowed 1h to 720h.
	DriftCheckEvery Duration `yaml:"driftCheckEvery"`
}

// Duration is a time.Duration written in Go syntax in the file ("15m", "24h",
// "1h30m"), which keeps units explicit.
type Duration time.Duration

// String returns the duration in Go syntax without zero trailing units
// ("1h", not time.Duration's "1h0m0s").
func (d Duration) String() string {
	s := time.Duration(d).String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}
