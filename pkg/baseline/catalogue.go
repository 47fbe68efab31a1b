package baseline

// Catalogue returns the baseline items in apply order: the one list of
// them. Each item is declared in its own file, with what it needs and why;
// NewEngine checks the list.
func Catalogue() []Item {
	return []Item{
		passwordPolicyItem,
		// IAM: landfall's own door first, then the doors people use, then
		// what only gets reported.
		executionRoleItem,
		entryRoleItem,
		humanRolesItem,
		accountAliasItem,
		iamFindingsItem,
		// The account-wide services.
		s3PublicAccessBlockItem,
		alertsTopicItem,
		cloudTrailItem,
		alarmsItem,
		alertsReaderRoleItem,
		budgetItem,
		alternateContactsItem,
		// The roles the regional items use. IAM is global, so they are
		// account items, applied before any region runs.
		awsConfigRoleItem,
		findingsForwarderRoleItem,
		// Once in every region of the profile.
		guardDutyItem,
		findingsRuleItem,
		ebsEncryptionItem,
		accessAnalyzerItem,
		awsConfigItem,
		securityHubItem,
		defaultVPCsItem,
	}
}
