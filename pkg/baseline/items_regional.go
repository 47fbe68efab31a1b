package baseline

// regionalItems returns the per-region items in apply order, preceded by
// the global items they need: AWS Config's IAM role and the role the
// findings rules forward to the home region as. IAM is global, so a role
// cannot be created by each region without racing; as global items they
// are applied before any region runs (the engine and the pipeline apply the
// global scope first). The findings rule likewise relies on the global
// alerts-topic item for its target.
func regionalItems() []Item {
	return []Item{
		{
			Name: "aws-config-role",
			// The role carries the permissions boundary the execution-role
			// item makes (where the deploy does not).
			DependsOn: []string{executionRoleItem},
			Enabled:   func(s *Spec) bool { return s.Profile.Items.AWSConfig.Enabled },
			Plan:      planRole(desiredConfigRole),
		},
		{
			Name: "findings-forwarder-role",
			// The role carries the permissions boundary the execution-role
			// item makes (where the deploy does not).
			DependsOn: []string{executionRoleItem},
			Enabled:   forwardsFindings,
			Plan:      planRole(desiredFindingsForwarder),
		},
		{
			Name:     "guardduty",
			Regional: true,
			Enabled:  func(s *Spec) bool { return s.Profile.Items.GuardDuty.Enabled },
			Plan:     planGuardDuty,
		},
		{
			Name:     "findings-rule",
			Regional: true,
			// The rule routes the detector's findings; without a detector
			// in the region it would promise alerts that never come.
			DependsOn: []string{"guardduty"},
			Enabled:   func(s *Spec) bool { return s.Profile.Items.GuardDuty.Enabled },
			Plan:      planFindingsRule,
		},
		{
			Name:     "ebs-encryption",
			Regional: true,
			Enabled:  func(s *Spec) bool { return s.Profile.Items.EBSEncryption },
			Plan:     planEBSEncryption,
		},
		{
			Name:     "access-analyzer",
			Regional: true,
			Enabled:  func(s *Spec) bool { return s.Profile.Items.AccessAnalyzer },
			Plan:     planAccessAnalyzer,
		},
		{
			Name:     "aws-config",
			Regional: true,
			Enabled:  func(s *Spec) bool { return s.Profile.Items.AWSConfig.Enabled },
			Plan:     planAWSConfig,
		},
		{
			Name:     "security-hub",
			Regional: true,
			// Security Hub's controls are AWS Config rules: they report
			// nothing until the region's recorder runs.
			DependsOn: []string{"aws-config"},
			Enabled:   func(s *Spec) bool { return s.Profile.Items.SecurityHub.Enabled },
			Plan:      planSecurityHub,
		},
		{
			Name:     "default-vpcs",
			Regional: true,
			Enabled:  func(s *Spec) bool { return s.Profile.Items.DefaultVPCs.Remove },
			Plan:     planDefaultVPC,
		},
	}
}
