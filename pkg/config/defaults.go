package config

import (
	"slices"
	"time"
)

// newConfig returns a Config holding every static default. The decoder writes
// the file over it, so a key that is absent keeps its default and a key that is
// present wins, even when it is false or zero.
func newConfig() *Config {
	return &Config{
		Organization: Organization{
			EntryRoleName: DefaultEntryRoleName,
			Identity:      Identity{MFAMaxAgeSeconds: 3600},
			SuspendedOU:   DefaultSuspendedOU,
			SCPs:          SCPs{DenyRootUser: true, DenyLeaveOrganization: true, ProtectBaseline: true},
		},
		Naming: Naming{Prefix: "landfall", AccountAlias: "{prefix}-{accountName}"},
		Notifications: Notifications{
			CentralAlerts: CentralAlertsManagement,
		},
		Pipeline: Pipeline{
			SweepSchedule:         "rate(6 hours)",
			MaxConcurrentAccounts: 10,
			MaxConcurrentRegions:  6,
			ReadinessTimeout:      Duration(15 * time.Minute),
			DriftCheckEvery:       Duration(24 * time.Hour),
		},
	}
}

// newProfile returns a Profile holding every static default; the decoder
// writes each profile of the file over a fresh one.
func newProfile() *Profile {
	return &Profile{
		Items: Items{
			EntryRole:  EntryRole{RequireMFA: true},
			HumanRoles: HumanRoles{Admin: true, ReadOnly: true, Billing: true, MaxSessionSeconds: 3600},
			PasswordPolicy: PasswordPolicy{
				MinimumLength:      14,
				ReusePrevention:    24,
				MaxAgeDays:         90,
				RequireSymbols:     true,
				RequireNumbers:     true,
				RequireUppercase:   true,
				RequireLowercase:   true,
				AllowUsersToChange: true,
			},
			AccountAlias:        true,
			S3BlockPublicAccess: true,
			CloudTrail:          CloudTrail{LogRetentionDays: 365, KMS: true},
			AlertsTopic:         AlertsTopic{EmailsFromTag: "landfall:alert-emails"},
			Alarms:              Alarms{ThresholdTagPrefix: "landfall:alarm:"},
			Budget: Budget{
				Amount:    100,
				Currency:  "USD",
				AmountTag: "landfall:budget",
				Thresholds: BudgetThresholds{
					ActualPercent:   []float64{80, 100},
					ForecastPercent: []float64{100},
				},
			},
			GuardDuty: GuardDuty{
				Enabled:          true,
				FindingFrequency: "FIFTEEN_MINUTES",
				AlertMinSeverity: 4,
				RouteTo:          GuardDutyRouteHome,
			},
			EBSEncryption:  true,
			AccessAnalyzer: true,
			SecurityHub:    SecurityHub{Standards: []string{"fsbp", "cis"}},
		},
	}
}

// resolveDerivedDefaults fills the defaults that depend on other keys. It runs
// after decoding and before validation, so validation sees the final values.
func resolveDerivedDefaults(c *Config) {
	org := &c.Organization
	if len(org.GovernedRegions) == 0 && org.HomeRegion != "" {
		org.GovernedRegions = []string{org.HomeRegion}
	}
	if org.ExecutionRoleName == "" {
		org.ExecutionRoleName = c.Naming.Prefix + "-execution"
	}
	if org.DelegatedAdmin == nil {
		delegate := org.SecurityAccountID != ""
		org.DelegatedAdmin = &delegate
	}
}

// Regions returns the regions profile p baselines: its own list, or every
// governed region when it has none. The result is a copy the caller may keep.
func (c *Config) Regions(p *Profile) []string {
	if p != nil && len(p.Regions) > 0 {
		return slices.Clone(p.Regions)
	}
	return slices.Clone(c.Organization.GovernedRegions)
}
