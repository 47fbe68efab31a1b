package config

import (
	"errors"
	"strings"
	"testing"
)

// baseYAML is a minimal valid config. Each validation case edits one spot of
// it, so the expected line numbers below can be read off this listing.
const baseYAML = `version: 1
organization:
  managementAccountId: "111111111111"
  homeRegion: us-east-1
  governedRegions: [us-east-1, eu-west-1]
  identity:
    accountId: "222222222222"
notifications:
  alertEmails: [secops@acme.example]
pipeline:
  readinessTimeout: 15m
profiles:
  - name: workloads
    select:
      ous: ["/Root/Workloads/*"]
    items:
      budget: { amount: 100 }
  - name: sandbox
    default: true
    items:
      alarms: { disable: [CloudWatch.2] }
`

func TestBaseYAMLIsValid(t *testing.T) {
	if _, err := Parse("landfall.yaml", []byte(baseYAML)); err != nil {
		t.Fatalf("Parse(baseYAML) = %v, want no error", err)
	}
}

func TestParseReportsEachProblem(t *testing.T) {
	regions := strings.Join(CommercialRegions(), ", ")
	alarms := strings.Join(AlarmIDs(), ", ")
	tests := []struct {
		name     string
		from, to string // edit applied to baseYAML; from must occur exactly once
		want     []string
	}{
		{
			name: "unknown key with suggestion",
			from: "  homeRegion: us-east-1", to: "  homeRegoin: us-east-1",
			want: []string{
				`landfall.yaml:2: organization.homeRegion: required: the region where landfall runs, e.g. us-east-1`,
				`landfall.yaml:4: organization.homeRegoin: unknown key (did you mean "homeRegion"?); allowed keys: managementAccountId, homeRegion, governedRegions, securityAccountId, logArchive, entryRoleName, executionRoleName, identity, manage, ous, suspendedOu, scps, controlTower, delegatedAdmin`,
			},
		},
		{
			name: "unknown key without suggestion",
			from: "pipeline:\n", to: "pipeline:\n  colour: blue\n",
			want: []string{`landfall.yaml:11: pipeline.colour: unknown key; allowed keys: sweepSchedule, maxConcurrentAccounts, maxConcurrentRegions, readinessTimeout, driftCheckEvery`},
		},
		{
			name: "duplicate key",
			from: "  readinessTimeout: 15m\n", to: "  readinessTimeout: 15m\n  readinessTimeout: 20m\n",
			want: []string{`landfall.yaml:12: pipeline.readinessTimeout: duplicate key; it is already set on line 11`},
		},
		{
			name: "reserved tag key",
			from: "notifications:\n", to: "tags: { team: platform, \"landfall:managed\": \"yes\" }\nnotifications:\n",
			want: []string{`landfall.yaml:8: tags.landfall:managed: tag key "landfall:managed" uses the landfall: prefix, which landfall reserves for its own tags`},
		},
		{
			name: "bad email",
			from: "[secops@acme.example]", to: "[secops at acme]",
			want: []string{`landfall.yaml:9: notifications.alertEmails[0]: "secops at acme" is not an email address; use a bare address such as secops@example.com`},
		},
		{
			name: "email with display name",
			from: "[secops@acme.example]", to: `["SecOps <secops@acme.example>"]`,
			want: []string{`landfall.yaml:9: notifications.alertEmails[0]: "SecOps <secops@acme.example>" is not an email address; use a bare address such as secops@example.com`},
		},
		{
			name: "account id not 12 digits",
			from: `"111111111111"`, to: `"11111111111"`,
			want: []string{`landfall.yaml:3: organization.managementAccountId: "11111111111" is not an AWS account id; use exactly 12 digits in quotes, e.g. "111111111111"`},
		},
		{
			name: "account id not quoted",
			from: `accountId: "222222222222"`, to: `accountId: 022222222222`,
			want: []string{`landfall.yaml:7: organization.identity.accountId: account id 022222222222 must be quoted ("022222222222"); unquoted, YAML reads it as a number, which loses leading zeros`},
		},
		{
			name: "unknown region",
			from: "[us-east-1, eu-west-1]", to: "[us-east-1, eu-wst-1]",
			want: []string{`landfall.yaml:5: organization.governedRegions[1]: "eu-wst-1" is not an AWS region (did you mean "eu-west-1"?); use one of ` + regions},
		},
		{
			name: "home region not governed",
			from: "[us-east-1, eu-west-1]", to: "[eu-west-1]",
			want: []string{`landfall.yaml:5: organization.governedRegions: must include organization.homeRegion (us-east-1), where landfall itself runs`},
		},
		{
			name: "zero budget",
			from: "amount: 100", to: "amount: 0",
			want: []string{`landfall.yaml:17: profiles[0].items.budget.amount: 0 is not a budget; use an amount greater than zero`},
		},
		{
			name: "negative budget",
			from: "amount: 100", to: "amount: -25.5",
			want: []string{`landfall.yaml:17: profiles[0].items.budget.amount: -25.5 is not a budget; use an amount greater than zero`},
		},
		{
			name: "budget of the wrong type",
			from: "amount: 100", to: "amount: lots",
			want: []string{`landfall.yaml:17: profiles[0].items.budget.amount: expected a number, got "lots"`},
		},
		{
			name: "budget that is not a finite number",
			from: "amount: 100", to: "amount: .nan",
			want: []string{`landfall.yaml:17: profiles[0].items.budget.amount: expected a finite number, got ".nan"`},
		},
		{
			name: "profile selects nothing",
			from: "    select:\n      ous: [\"/Root/Workloads/*\"]\n", to: "",
			want: []string{`landfall.yaml:13: profiles[0].select: profile "workloads" selects no accounts; add select.ous, select.tags or select.accounts, or set default: true`},
		},
		{
			name: "duplicate profile name",
			from: "- name: sandbox", to: "- name: workloads",
			want: []string{`landfall.yaml:18: profiles[1].name: duplicate profile name "workloads"; it is already used on line 13`},
		},
		{
			name: "two default profiles",
			from: "    select:\n", to: "    default: true\n    select:\n",
			want: []string{`landfall.yaml:20: profiles[1].default: only one profile can be the default; profile "workloads" is already the default (line 14)`},
		},
		{
			name: "same OU glob in two profiles",
			from: "    default: true\n", to: "    default: true\n    select: { ous: [\"/Root/Workloads/*\"] }\n",
			want: []string{`landfall.yaml:20: profiles[1].select.ous[0]: OU glob "/Root/Workloads/*" is also used by profile "workloads" (line 15); the two profiles would tie, so a selector may appear in one profile only`},
		},
		{
			name: "same account id in two profiles",
			from: "      ous: [\"/Root/Workloads/*\"]\n    items:\n      budget: { amount: 100 }\n  - name: sandbox\n    default: true\n",
			to:   "      accounts: [\"444444444444\"]\n    items:\n      budget: { amount: 100 }\n  - name: sandbox\n    default: true\n    select: { accounts: [\"444444444444\"] }\n",
			want: []string{`landfall.yaml:20: profiles[1].select.accounts[0]: account 444444444444 is also used by profile "workloads" (line 15); the two profiles would tie, so a selector may appear in one profile only`},
		},
		{
			name: "selected account is also excluded",
			from: "profiles:\n  - name: workloads\n    select:\n",
			to:   "excludedAccounts: [\"444444444444\"]\nprofiles:\n  - name: workloads\n    select:\n      accounts: [\"444444444444\"]\n",
			want: []string{`landfall.yaml:16: profiles[0].select.accounts[0]: account 444444444444 is also in excludedAccounts, which wins; remove it from one of the two lists`},
		},
		{
			name: "same tag selector in two profiles",
			from: "      ous: [\"/Root/Workloads/*\"]\n    items:\n      budget: { amount: 100 }\n  - name: sandbox\n    default: true\n",
			to:   "      tags: { team: a, env: prod }\n    items:\n      budget: { amount: 100 }\n  - name: sandbox\n    default: true\n    select: { tags: { env: prod, team: a } }\n",
			want: []string{`landfall.yaml:20: profiles[1].select.tags: tag selector env=prod, team=a is also used by profile "workloads" (line 15); the two profiles would tie, so a selector may appear in one profile only`},
		},
		{
			name: "permission set name with a wildcard",
			from: "      budget: { amount: 100 }", to: "      entryRole: { breakGlassPermissionSets: [AWSAdministratorAccess, \"Admin*\"] }",
			want: []string{`landfall.yaml:17: profiles[0].items.entryRole.breakGlassPermissionSets[1]: "Admin*" is not an IAM Identity Center permission set name; use 1 to 32 letters, digits and +=,.@_-`},
		},
		{
			name: "too many break-glass permission sets",
			from: "      budget: { amount: 100 }", to: "      entryRole: { breakGlassPermissionSets: [a, b, c, d, e, f] }",
			want: []string{`landfall.yaml:17: profiles[0].items.entryRole.breakGlassPermissionSets: 6 permission sets; at most 5 fit the entry role's trust policy`},
		},
		{
			name: "break glass without the MFA requirement",
			from: "      budget: { amount: 100 }", to: "      entryRole: { requireMfa: false, breakGlassPermissionSets: [AWSAdministratorAccess] }",
			want: []string{`landfall.yaml:17: profiles[0].items.entryRole.breakGlassPermissionSets: needs entryRole.requireMfa: without it landfall leaves the entry role's trust as it is`},
		},
		{
			name: "unknown item with suggestion",
			from: "      budget: { amount: 100 }", to: "      guardduty: { enabled: true }",
			want: []string{`landfall.yaml:17: profiles[0].items.guardduty: unknown key (did you mean "guardDuty"?); allowed keys: executionRole, entryRole, humanRoles, passwordPolicy, accountAlias, s3BlockPublicAccess, cloudTrail, alertsTopic, alarms, budget, alternateContacts, findings, guardDuty, ebsEncryption, accessAnalyzer, awsConfig, securityHub, defaultVpcs`},
		},
		{
			name: "scalar where a list is expected",
			from: "[secops@acme.example]", to: "secops@acme.example",
			want: []string{`landfall.yaml:9: notifications.alertEmails: expected a list, got "secops@acme.example"`},
		},
		{
			name: "malformed OU glob",
			from: `"/Root/Workloads/*"`, to: `"Workloads/*"`,
			want: []string{`landfall.yaml:15: profiles[0].select.ous[0]: "Workloads/*" does not start with /Root; write OU paths from the root, e.g. "/Root/Workloads/*" (one level) or "/Root/Workloads/**" (the OU and everything below)`},
		},
		{
			name: "bad duration",
			from: "readinessTimeout: 15m", to: "readinessTimeout: 15 minutes",
			want: []string{`landfall.yaml:11: pipeline.readinessTimeout: "15 minutes" is not a duration; use a number with a unit, such as 90s, 15m, 24h or 1h30m`},
		},
		{
			name: "duration out of range",
			from: "readinessTimeout: 15m", to: "readinessTimeout: 3h",
			want: []string{`landfall.yaml:11: pipeline.readinessTimeout: 3h is out of range; allowed 1m to 2h`},
		},
		{
			name: "bad schedule",
			from: "  readinessTimeout: 15m", to: "  sweepSchedule: every 6 hours",
			want: []string{`landfall.yaml:11: pipeline.sweepSchedule: "every 6 hours" is not an EventBridge schedule expression; use rate(<n> <minutes|hours|days>) such as "rate(6 hours)", or cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) such as "cron(0 */6 * * ? *)"`},
		},
		{
			name: "unknown alarm id",
			from: "[CloudWatch.2]", to: "[CloudWatch.20]",
			want: []string{`landfall.yaml:21: profiles[1].items.alarms.disable[0]: "CloudWatch.20" is not a landfall alarm id (did you mean "CloudWatch.2"?); use one of ` + alarms},
		},
		{
			name: "always-on alarm disabled",
			from: "[CloudWatch.2]", to: "[CloudWatch.2, CloudWatch.6]",
			want: []string{`landfall.yaml:21: profiles[1].items.alarms.disable[1]: CloudWatch.6 cannot be disabled; the always-on alarms (CloudWatch.1, CloudWatch.3, CloudWatch.4, CloudWatch.6, Landfall.1) catch account takeover or the silencing of alerts`},
		},
		{
			name: "invalid log-archive bucket name",
			from: "  identity:\n", to: "  logArchive: { accountId: \"333333333333\", bucket: Acme_Logs }\n  identity:\n",
			want: []string{`landfall.yaml:6: organization.logArchive.bucket: "Acme_Logs" is not a valid S3 bucket name: use only lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit`},
		},
		{
			name: "identity account and SAML provider",
			from: "    accountId: \"222222222222\"\n", to: "    accountId: \"222222222222\"\n    samlProviderName: okta\n",
			want: []string{`landfall.yaml:8: organization.identity.samlProviderName: set either identity.accountId (an identity account, MFA enforced) or identity.samlProviderName (a SAML provider in every account), not both`},
		},
		{
			// One ARN names one account's provider, and a role can trust
			// only its own account's.
			name: "SAML provider as an ARN",
			from: "    accountId: \"222222222222\"\n", to: "    samlProviderName: arn:aws:iam::222222222222:saml-provider/okta\n",
			want: []string{`landfall.yaml:7: organization.identity.samlProviderName: "arn:aws:iam::222222222222:saml-provider/okta" is not an IAM SAML provider name; use 1 to 128 letters, digits and ._- (the name, not the ARN: every account has its own provider of this name)`},
		},
		{
			name: "SAML provider ARN of an earlier version",
			from: "    accountId: \"222222222222\"\n", to: "    samlProviderArn: arn:aws:iam::222222222222:saml-provider/okta\n",
			want: []string{
				`landfall.yaml:6: organization.identity: required: set identity.accountId (an identity account whose users assume the human roles with MFA) or identity.samlProviderName (the SAML provider every account has)`,
				`landfall.yaml:7: organization.identity.samlProviderArn: unknown key (did you mean "samlProviderName"?); allowed keys: accountId, samlProviderName, mfaMaxAgeSeconds`,
			},
		},
		{
			name: "identity missing",
			from: "  identity:\n    accountId: \"222222222222\"\n", to: "",
			want: []string{`landfall.yaml:2: organization.identity: required: set identity.accountId (an identity account whose users assume the human roles with MFA) or identity.samlProviderName (the SAML provider every account has)`},
		},
		{
			name: "execution role is the entry role",
			from: "  identity:\n", to: "  executionRoleName: OrganizationAccountAccessRole\n  identity:\n",
			want: []string{`landfall.yaml:6: organization.executionRoleName: "OrganizationAccountAccessRole" is also organization.entryRoleName; the execution role is a role of its own, e.g. "landfall-execution"`},
		},
		{
			name: "execution role is a custom entry role in another case",
			from: "  identity:\n", to: "  entryRoleName: AWSControlTowerExecution\n  executionRoleName: awscontroltowerexecution\n  identity:\n",
			want: []string{`landfall.yaml:7: organization.executionRoleName: "awscontroltowerexecution" is also organization.entryRoleName; the execution role is a role of its own, e.g. "landfall-execution"`},
		},
		{
			name: "execution role is the admin role",
			from: "  identity:\n", to: "  executionRoleName: Landfall-Admin\n  identity:\n",
			want: []string{`landfall.yaml:6: organization.executionRoleName: "Landfall-Admin" is the name of a role landfall makes for another purpose; use a name of its own, e.g. "landfall-execution"`},
		},
		{
			name: "execution role is the pipeline role",
			from: "  identity:\n", to: "  executionRoleName: landfall-pipeline\n  identity:\n",
			want: []string{`landfall.yaml:6: organization.executionRoleName: "landfall-pipeline" is the name of a role landfall makes for another purpose; use a name of its own, e.g. "landfall-execution"`},
		},
		{
			name: "unsupported version",
			from: "version: 1", to: "version: 2",
			want: []string{`landfall.yaml:1: version: unsupported version 2; this landfall reads version 1`},
		},
		{
			name: "profile region not governed",
			from: "    default: true\n", to: "    default: true\n    regions: [us-west-2]\n",
			want: []string{`landfall.yaml:20: profiles[1].regions[0]: region us-west-2 is not governed; use one of organization.governedRegions (us-east-1, eu-west-1) or add it there`},
		},
		{
			name: "security hub without config",
			from: "      budget: { amount: 100 }\n", to: "      securityHub: { enabled: true }\n",
			want: []string{`landfall.yaml:17: profiles[0].items.securityHub.enabled: Security Hub needs items.awsConfig.enabled: true, because its controls are evaluated by AWS Config rules`},
		},
		{
			name: "central alerts in the security account without one",
			from: "notifications:\n", to: "notifications:\n  centralAlerts: security\n",
			want: []string{`landfall.yaml:9: notifications.centralAlerts: "security" needs organization.securityAccountId, the account the fan-in queue, formatter and alerts topic are deployed in`},
		},
		{
			name: "central alerts in a security account that is the management account",
			from: "    accountId: \"222222222222\"\nnotifications:\n",
			to:   "    accountId: \"222222222222\"\n  securityAccountId: \"111111111111\"\nnotifications:\n  centralAlerts: security\n",
			want: []string{`landfall.yaml:10: notifications.centralAlerts: "security" names organization.securityAccountId 111111111111, which is the management account; use "management"`},
		},
		{
			// yaml.v3 reports parser errors at the 0-based line of the
			// enclosing construct (the "[" is on line 4), so the position is
			// one line early; the message carries through unchanged.
			name: "YAML syntax error",
			from: "  homeRegion: us-east-1", to: "  homeRegion: [us-east-1",
			want: []string{`landfall.yaml:3: invalid YAML: did not find expected ',' or ']'`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := strings.Count(baseYAML, tt.from); n != 1 {
				t.Fatalf("edit %q occurs %d times in baseYAML, want exactly once", tt.from, n)
			}
			data := strings.Replace(baseYAML, tt.from, tt.to, 1)
			cfg, err := Parse("landfall.yaml", []byte(data))
			if cfg != nil {
				t.Errorf("Parse returned a config along with errors")
			}
			got := errorLines(t, err)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse errors:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

// errorLines returns each FieldError of err formatted, in order.
func errorLines(t *testing.T, err error) []string {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error %v (%T) is not config.Errors", err, err)
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return lines
}

func TestParseEmptyFile(t *testing.T) {
	_, err := Parse("landfall.yaml", []byte("# nothing here\n"))
	got := errorLines(t, err)
	want := `landfall.yaml:1: the file is empty; it must hold a landfall configuration starting with "version: 1"`
	if len(got) != 1 || got[0] != want {
		t.Errorf("Parse(empty) = %q, want [%q]", got, want)
	}
}

func TestErrorsAreSortedByLineAndExposeFieldErrors(t *testing.T) {
	data := strings.Replace(baseYAML, "version: 1", "version: 3", 1)
	data = strings.Replace(data, "amount: 100", "amount: -1", 1)
	data = strings.Replace(data, "[secops@acme.example]", "[nope]", 1)
	_, err := Parse("x.yaml", []byte(data))
	var es Errors
	if !errors.As(err, &es) || len(es) != 3 {
		t.Fatalf("Parse = %v, want 3 problems", err)
	}
	for i, wantLine := range []int{1, 9, 17} {
		if es[i].Line != wantLine || es[i].File != "x.yaml" {
			t.Errorf("problem %d at %s:%d, want x.yaml:%d", i, es[i].File, es[i].Line, wantLine)
		}
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "version" {
		t.Errorf("errors.As(*FieldError) = %v, want the version problem first", fe)
	}
}
