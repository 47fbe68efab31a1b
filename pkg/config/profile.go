package config

// Profile is one baseline: which accounts it selects, in which regions, and
// which baseline items it applies with which settings.
type Profile struct {
	// Name identifies the profile in the ledger, plans and notifications.
	// Required, unique; lowercase letters, digits and hyphens.
	Name string `yaml:"name"`
	// Select says which accounts this profile applies to. A profile must select
	// something: at least one OU glob, tag or account id, or default: true.
	Select Selector `yaml:"select"`
	// Default makes this profile apply to every account no other profile
	// selects. Default: false. At most one profile may be the default.
	Default bool `yaml:"default"`
	// Regions are the regions this profile baselines; each must be one of
	// organization.governedRegions. Default: all governed regions.
	Regions []string `yaml:"regions"`
	// Adopt lets landfall take over same-named resources it does not own (for
	// example a CloudTrail trail created by hand) instead of reporting a
	// conflict. Default: false, because taking over someone else's resource can
	// break whatever depends on it.
	Adopt bool `yaml:"adopt"`
	// Items are the baseline items and their settings.
	Items Items `yaml:"items"`
}

// Selector selects accounts. A profile matches an account when ANY of its
// selectors matches (OU glob, all listed tags, or account id).
type Selector struct {
	// OUs are OU path globs such as "/Root/Workloads/*". A path is the OU names
	// from the root, "/Root/<ou>/<child>". "*" matches exactly one path segment
	// (any characters but "/"); a final "/**" matches the OU itself and
	// everything below it.
	OUs []string `yaml:"ous"`
	// Tags selects accounts carrying ALL of these tag key/value pairs.
	Tags map[string]string `yaml:"tags"`
	// Accounts selects accounts by id. This is the only way to select the
	// organization's management account.
	Accounts []string `yaml:"accounts"`
}

// Items are the baseline items of a profile. Every item has a default, applied
// per key when the key is absent from the file.
type Items struct {
	// ExecutionRole is landfall's own role in the account. Always applied.
	ExecutionRole ExecutionRole `yaml:"executionRole"`
	// EntryRole hardens the role landfall first entered through.
	EntryRole EntryRole `yaml:"entryRole"`
	// HumanRoles are the roles people assume into the account.
	HumanRoles HumanRoles `yaml:"humanRoles"`
	// PasswordPolicy is the account's IAM password policy.
	PasswordPolicy PasswordPolicy `yaml:"passwordPolicy"`
	// AccountAlias sets the IAM account alias from naming.accountAlias, so the
	// sign-in URL names the account. Default: true.
	AccountAlias bool `yaml:"accountAlias"`
	// S3BlockPublicAccess turns on the account-level S3 Block Public Access
	// settings (all four). Default: true.
	S3BlockPublicAccess bool `yaml:"s3BlockPublicAccess"`
	// CloudTrail is the account's multi-region trail delivered to CloudWatch
	// Logs, which the metric-filter alarms read. Always applied.
	CloudTrail CloudTrail `yaml:"cloudTrail"`
	// AlertsTopic is the account's SNS topic for alarms, findings and budgets.
	AlertsTopic AlertsTopic `yaml:"alertsTopic"`
	// Alarms are the CloudTrail metric-filter alarms (CIS CloudWatch.1-14,
	// CIS.4.15 and landfall's Landfall.1).
	Alarms Alarms `yaml:"alarms"`
	// Budget is the account's monthly cost budget with alert thresholds.
	Budget Budget `yaml:"budget"`
	// AlternateContacts are the account's security, billing and operations
	// contacts, which AWS uses for notices about the account. Optional.
	AlternateContacts AlternateContacts `yaml:"alternateContacts"`
	// Findings tunes what the verification step reports as findings.
	Findings Findings `yaml:"findings"`
	// GuardDuty is the GuardDuty detector in each region.
	GuardDuty GuardDuty `yaml:"guardDuty"`
	// EBSEncryption turns on EBS encryption by default in each region.
	// Default: true.
	EBSEncryption bool `yaml:"ebsEncryption"`
	// AccessAnalyzer creates an account-level IAM Access Analyzer in each
	// region. Default: true (it is free).
	AccessAnalyzer bool `yaml:"accessAnalyzer"`
	// AWSConfig records resource configuration in each region.
	AWSConfig AWSConfig `yaml:"awsConfig"`
	// SecurityHub enables Security Hub standards in each region.
	SecurityHub SecurityHub `yaml:"securityHub"`
	// DefaultVPCs controls the default VPCs AWS creates in each region.
	DefaultVPCs DefaultVPCs `yaml:"defaultVpcs"`
}

// ExecutionRole is landfall's own role. It has no settings yet; the key exists
// so the file lists every item the baseline applies.
type ExecutionRole struct{}

// EntryRole hardens the entry role (organization.entryRoleName).
type EntryRole struct {
	// RequireMFA replaces the entry role's trust statement that admits the
	// management account by one that admits it only with MFA, and one for
	// landfall's pipeline role; other statements are kept and reported as
	// findings. Default: true.
	RequireMFA bool `yaml:"requireMfa"`
	// BreakGlassPermissionSets names IAM Identity Center permission sets
	// (at most 5) whose sessions in the management account may still assume
	// the entry role. Identity Center sessions carry no MFA key (Identity
	// Center asks for MFA at sign-in, when it is set to), so with requireMfa
	// the people who sign in through it would otherwise lose the entry role.
	// Default: none.
	BreakGlassPermissionSets []string `yaml:"breakGlassPermissionSets"`
}

// HumanRoles says which human roles exist in the account. Who may assume them
// is organization.identity.
type HumanRoles struct {
	// Admin creates the administrator role (AdministratorAccess). Default: true.
	Admin bool `yaml:"admin"`
	// Operator creates the operator role (PowerUserAccess: everything but IAM
	// and Organizations). Default: false.
	Operator bool `yaml:"operator"`
	// Developer creates the developer role when it lists services.
	Developer Developer `yaml:"developer"`
	// ReadOnly creates the read-only role (ReadOnlyAccess). Default: true.
	ReadOnly bool `yaml:"readOnly"`
	// Billing creates the billing role (Billing job function). Default: true.
	Billing bool `yaml:"billing"`
	// MaxSessionSeconds is the roles' maximum session duration. Default: 3600;
	// allowed 3600 to 43200 (the IAM limits).
	MaxSessionSeconds int `yaml:"maxSessionSeconds"`
}

// Developer is the developer role's scope.
type Developer struct {
	// Services are the IAM service prefixes (ec2, s3, lambda ...) the developer
	// role may fully use. Default: none, which means no developer role.
	Services []string `yaml:"services"`
}

// PasswordPolicy is the IAM password policy. Defaults follow the CIS AWS
// Foundations Benchmark (length 14, reuse 24).
type PasswordPolicy struct {
	// MinimumLength is the minimum password length. Default: 14; allowed 14 to
	// 128 (CIS requires at least 14, IAM allows at most 128).
	MinimumLength int `yaml:"minimumLength"`
	// ReusePrevention is how many previous passwords cannot be reused.
	// Default: 24; allowed 0 (off) to 24.
	ReusePrevention int `yaml:"reusePrevention"`
	// MaxAgeDays makes passwords expire. Default: 90; allowed 0 (never) to 1095.
	MaxAgeDays int `yaml:"maxAgeDays"`
	// RequireSymbols requires a non-alphanumeric character. Default: true.
	RequireSymbols bool `yaml:"requireSymbols"`
	// RequireNumbers requires a digit. Default: true.
	RequireNumbers bool `yaml:"requireNumbers"`
	// RequireUppercase requires an uppercase letter. Default: true.
	RequireUppercase bool `yaml:"requireUppercase"`
	// RequireLowercase requires a lowercase letter. Default: true.
	RequireLowercase bool `yaml:"requireLowercase"`
	// AllowUsersToChange lets IAM users change their own password. Default: true.
	AllowUsersToChange bool `yaml:"allowUsersToChange"`
	// HardExpiry stops users from setting a new password after expiry (an
	// administrator must reset it). Default: false.
	HardExpiry bool `yaml:"hardExpiry"`
}

// CloudTrail is the account trail and its CloudWatch Logs group.
type CloudTrail struct {
	// LogRetentionDays is the log group's retention. Default: 365 (Security Hub
	// CloudWatch.16 asks for at least a year). Must be a value CloudWatch Logs
	// accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
	// 1096, 1827, 2192, 2557, 2922, 3288, 3653).
	LogRetentionDays int `yaml:"logRetentionDays"`
	// KMS encrypts the trail and log group with a customer managed key.
	// Default: true.
	KMS bool `yaml:"kms"`
}

// AlertsTopic is the account's alerts topic.
type AlertsTopic struct {
	// EmailsFromTag names the account tag whose value (comma- or
	// space-separated emails) adds subscribers for this account only.
	// Default: "landfall:alert-emails".
	EmailsFromTag string `yaml:"emailsFromTag"`
	// Chat sends this profile's accounts' alerts to these webhooks instead of
	// notifications.chat, so a team hears about its own accounts. Default:
	// notifications.chat.
	Chat Chat `yaml:"chat"`
}

// Alarms selects and tunes the metric-filter alarms.
type Alarms struct {
	// Disable lists alarm ids not to create (CloudWatch.1 to CloudWatch.14, CIS.4.15). Default: none.
	// The always-on alarms CloudWatch.1, .3, .4, .6 and Landfall.1 cannot be disabled.
	Disable []string `yaml:"disable"`
	// ThresholdTagPrefix lets an account override an alarm threshold with a tag
	// "<prefix><alarm id>" = "<number>". Default: "landfall:alarm:".
	ThresholdTagPrefix string `yaml:"thresholdTagPrefix"`
}

// Budget is the account's monthly cost budget.
type Budget struct {
	// Amount is the monthly budget. Default: 100; must be greater than zero.
	Amount float64 `yaml:"amount"`
	// Currency is the budget currency code. Default: "USD".
	Currency string `yaml:"currency"`
	// AmountTag names the account tag that overrides amount for that account.
	// Default: "landfall:budget".
	AmountTag string `yaml:"amountTag"`
	// Thresholds are the alert thresholds in percent of amount.
	Thresholds BudgetThresholds `yaml:"thresholds"`
}

// BudgetThresholds are budget notification thresholds in percent.
type BudgetThresholds struct {
	// ActualPercent alert on actual spend. Default: [80, 100].
	ActualPercent []float64 `yaml:"actualPercent"`
	// ForecastPercent alert on forecast spend. Default: [100].
	ForecastPercent []float64 `yaml:"forecastPercent"`
}

// AlternateContacts are the account's alternate contacts. Each is optional;
// a contact that is set needs all four fields, as the Account API does.
type AlternateContacts struct {
	// Security receives AWS security notices.
	Security *Contact `yaml:"security"`
	// Billing receives AWS billing notices.
	Billing *Contact `yaml:"billing"`
	// Operations receives AWS operational notices.
	Operations *Contact `yaml:"operations"`
}

// Contact is one alternate contact.
type Contact struct {
	// Name of the person or team.
	Name string `yaml:"name"`
	// Email address.
	Email string `yaml:"email"`
	// Phone number.
	Phone string `yaml:"phone"`
	// Title, for example "Security team".
	Title string `yaml:"title"`
}

// Findings tunes verification findings.
type Findings struct {
	// AllowIAMUsers stops IAM users from being reported as a finding. Default:
	// false: people should come in through organization.identity.
	AllowIAMUsers bool `yaml:"allowIamUsers"`
	// BootstrapUser is an IAM user name created before landfall ran (for
	// example by a vending process) that is not reported. Default: none.
	BootstrapUser string `yaml:"bootstrapUser"`
	// DeleteBootstrapUser deletes bootstrapUser once the baseline is applied.
	// Default: false.
	DeleteBootstrapUser bool `yaml:"deleteBootstrapUser"`
}

// GuardDuty is the GuardDuty detector and its alert routing.
type GuardDuty struct {
	// Enabled turns GuardDuty on in every region of the profile. Default: true.
	Enabled bool `yaml:"enabled"`
	// FindingFrequency is how often updated findings are published:
	// FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS. Default: FIFTEEN_MINUTES.
	FindingFrequency string `yaml:"findingFrequency"`
	// AlertMinSeverity is the lowest finding severity that alerts. Default: 4
	// (medium); allowed 1 to 10.
	AlertMinSeverity float64 `yaml:"alertMinSeverity"`
	// RouteTo is where regional findings go: "home" forwards them to the home
	// region's alerts topic, "region" keeps a topic per region. Default: "home".
	RouteTo string `yaml:"routeTo"`
}

// AWSConfig is the AWS Config recorder.
type AWSConfig struct {
	// Enabled records resource configuration in every region of the profile.
	// Default: false: recording costs money per configuration item.
	Enabled bool `yaml:"enabled"`
}

// SecurityHub is Security Hub and its standards.
type SecurityHub struct {
	// Enabled turns Security Hub on in every region of the profile. Requires
	// items.awsConfig.enabled, because its controls are AWS Config rules.
	// Default: false (it costs money per check).
	Enabled bool `yaml:"enabled"`
	// Standards to enable: fsbp (AWS Foundational Security Best Practices),
	// cis (CIS AWS Foundations Benchmark), nist (NIST SP 800-53), pci (PCI DSS).
	// Default: [fsbp, cis].
	Standards []string `yaml:"standards"`
}

// DefaultVPCs controls the default VPCs.
type DefaultVPCs struct {
	// Remove deletes default VPCs that have no network interfaces. Default:
	// false, because deleting a VPC someone uses is not recoverable.
	Remove bool `yaml:"remove"`
}
