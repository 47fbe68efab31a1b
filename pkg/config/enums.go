package config

// Values of Notifications.CentralAlerts.
const (
	// CentralAlertsManagement fans every account's alerts in to the management account.
	CentralAlertsManagement = "management"
	// CentralAlertsSecurity fans them in to organization.securityAccountId.
	CentralAlertsSecurity = "security"
	// CentralAlertsNone keeps alerts in each account.
	CentralAlertsNone = "none"
)

// Values of GuardDuty.RouteTo.
const (
	// GuardDutyRouteHome forwards findings from every region to the home region.
	GuardDutyRouteHome = "home"
	// GuardDutyRouteRegion keeps findings in the region that produced them.
	GuardDutyRouteRegion = "region"
)

// The allowed values of each enumerated key, in the order error messages and
// the JSON Schema list them.
var (
	centralAlertsValues    = []string{CentralAlertsManagement, CentralAlertsSecurity, CentralAlertsNone}
	guardDutyRouteValues   = []string{GuardDutyRouteHome, GuardDutyRouteRegion}
	findingFrequencyValues = []string{"FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"}
	securityHubStandards   = []string{"fsbp", "cis", "nist", "pci"}
	// logRetentionDaysValues are the retention periods PutRetentionPolicy accepts.
	logRetentionDaysValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
