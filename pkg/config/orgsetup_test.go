package config

import (
	"reflect"
	"strings"
	"testing"
)

// orgSetupYAML adds the organization setup keys to baseYAML, right after the
// identity (line 7), so the lines below read off baseYAML plus these.
const orgSetupYAML = `  manage: true
  ous: [/Root/Security, /Root/Workloads, /Root/Workloads/Prod]
  suspendedOu: /Root/Suspended
  scps: { allowedRegions: [us-east-1, eu-west-1] }
`

// withOrgSetup returns baseYAML with orgSetupYAML inserted, edited by from/to.
func withOrgSetup(t *testing.T, from, to string) string {
	t.Helper()
	const anchor = "    accountId: \"222222222222\"\n"
	data := strings.Replace(baseYAML, anchor, anchor+orgSetupYAML, 1)
	if from == "" {
		return data
	}
	if n := strings.Count(data, from); n != 1 {
		t.Fatalf("edit %q occurs %d times, want exactly once", from, n)
	}
	return strings.Replace(data, from, to, 1)
}

func TestOrganizationSetupDefaults(t *testing.T) {
	tests := []struct {
		name           string
		data           string
		wantDelegation bool
	}{
		{"without a security account", baseYAML, false},
		{"with a security account", strings.Replace(baseYAML, "  homeRegion:", "  securityAccountId: \"333333333333\"\n  homeRegion:", 1), true},
		{"explicitly off with a security account", strings.Replace(baseYAML, "  homeRegion:", "  securityAccountId: \"333333333333\"\n  delegatedAdmin: false\n  homeRegion:", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("landfall.yaml", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			org := cfg.Organization
			if org.Manage || len(org.OUs) != 0 {
				t.Errorf("manage=%v ous=%v, want off and none: setting up the organization is opt-in", org.Manage, org.OUs)
			}
			if org.SuspendedOU != DefaultSuspendedOU {
				t.Errorf("suspendedOu = %q, want %q", org.SuspendedOU, DefaultSuspendedOU)
			}
			want := SCPs{DenyRootUser: true, DenyLeaveOrganization: true, ProtectBaseline: true}
			if !reflect.DeepEqual(org.SCPs, want) {
				t.Errorf("scps = %+v, want %+v", org.SCPs, want)
			}
			if got := org.DelegatesAdministration(); got != tt.wantDelegation {
				t.Errorf("DelegatesAdministration() = %v, want %v", got, tt.wantDelegation)
			}
		})
	}
}

func TestOrganizationSetupFromFile(t *testing.T) {
	data := withOrgSetup(t, "scps: { allowedRegions: [us-east-1, eu-west-1] }", "scps: { denyRootUser: false, allowedRegions: [us-east-1, eu-west-1] }")
	cfg, err := Parse("landfall.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	org := cfg.Organization
	want := SCPs{DenyRootUser: false, DenyLeaveOrganization: true, ProtectBaseline: true, AllowedRegions: []string{"us-east-1", "eu-west-1"}}
	if !org.Manage || !reflect.DeepEqual(org.SCPs, want) {
		t.Errorf("manage=%v scps=%+v, want true and %+v (false as written, the rest defaults)", org.Manage, org.SCPs, want)
	}
	if got := strings.Join(org.OUs, ","); got != "/Root/Security,/Root/Workloads,/Root/Workloads/Prod" {
		t.Errorf("ous = %s", got)
	}
	// A suspended OU written as "" means none.
	cfg, err = Parse("landfall.yaml", []byte(withOrgSetup(t, "suspendedOu: /Root/Suspended", `suspendedOu: ""`)))
	if err != nil || cfg.Organization.SuspendedOU != "" {
		t.Errorf("suspendedOu \"\" = %v, %v; want none", cfg, err)
	}
}

func TestOrganizationSetupValidation(t *testing.T) {
	regions := strings.Join(CommercialRegions(), ", ")
	tests := []struct {
		name     string
		from, to string
		want     []string
	}{
		{
			name: "OU path outside the root",
			from: "[/Root/Security,", to: "[/Security,",
			want: []string{`landfall.yaml:9: organization.ous[0]: "/Security" does not start with /Root/; write the path from the root, e.g. "/Root/Workloads/Prod"`},
		},
		{
			name: "the root itself",
			from: "[/Root/Security,", to: "[/Root,",
			want: []string{`landfall.yaml:9: organization.ous[0]: "/Root" does not start with /Root/; write the path from the root, e.g. "/Root/Workloads/Prod"`},
		},
		{
			name: "duplicate OU",
			from: "/Root/Workloads/Prod]", to: "/Root/Workloads/Prod, /Root/Security]",
			want: []string{`landfall.yaml:9: organization.ous[3]: OU /Root/Security is listed twice`},
		},
		{
			name: "child before its parent",
			from: "/Root/Workloads, /Root/Workloads/Prod]", to: "/Root/Workloads/Prod, /Root/Workloads]",
			want: []string{`landfall.yaml:9: organization.ous[1]: the parent of /Root/Workloads/Prod, /Root/Workloads, must be listed before it`},
		},
		{
			name: "empty OU name",
			from: "/Root/Workloads/Prod]", to: "/Root/Workloads//Prod]",
			want: []string{`landfall.yaml:9: organization.ous[2]: "/Root/Workloads//Prod" has an empty OU name or one with surrounding spaces; write the path from the root, e.g. "/Root/Workloads/Prod"`},
		},
		{
			name: "glob character in an OU name",
			from: "/Root/Workloads/Prod]", to: `"/Root/Workloads/*"]`,
			want: []string{`landfall.yaml:9: organization.ous[2]: "/Root/Workloads/*" has an OU name with one of *?[]\, which profile globs would read as a pattern`},
		},
		{
			name: "too deep",
			from: "/Root/Workloads/Prod]", to: "/Root/Workloads/Prod, /Root/Workloads/Prod/A/B/C/D]",
			want: []string{`landfall.yaml:9: organization.ous[3]: "/Root/Workloads/Prod/A/B/C/D" is 6 levels deep; AWS Organizations nests OUs at most 5 levels below the root`},
		},
		{
			name: "OU name too long",
			from: "/Root/Security,", to: "/Root/" + strings.Repeat("s", 129) + ",",
			want: []string{`landfall.yaml:9: organization.ous[0]: "/Root/` + strings.Repeat("s", 129) + `" has an OU name of 129 characters; AWS allows at most 128`},
		},
		{
			name: "suspended OU under an OU not created",
			from: "suspendedOu: /Root/Suspended", to: "suspendedOu: /Root/Quarantine/Suspended",
			want: []string{`landfall.yaml:10: organization.suspendedOu: the parent of /Root/Quarantine/Suspended, /Root/Quarantine, must be the root or listed in organization.ous`},
		},
		{
			name: "suspended OU malformed",
			from: "suspendedOu: /Root/Suspended", to: "suspendedOu: Suspended",
			want: []string{`landfall.yaml:10: organization.suspendedOu: "Suspended" does not start with /Root/; write the path from the root, e.g. "/Root/Workloads/Prod"`},
		},
		{
			name: "allowed region unknown",
			from: "allowedRegions: [us-east-1, eu-west-1]", to: "allowedRegions: [us-east-1, eu-west-1, eu-wst-2]",
			want: []string{`landfall.yaml:11: organization.scps.allowedRegions[2]: "eu-wst-2" is not an AWS region (did you mean "eu-west-2"?); use one of ` + regions},
		},
		{
			name: "allowed region twice",
			from: "allowedRegions: [us-east-1, eu-west-1]", to: "allowedRegions: [us-east-1, eu-west-1, us-east-1]",
			want: []string{`landfall.yaml:11: organization.scps.allowedRegions[2]: region us-east-1 is listed twice`},
		},
		{
			name: "allowed regions leave out the home region",
			from: "allowedRegions: [us-east-1, eu-west-1]", to: "allowedRegions: [eu-west-1]",
			want: []string{`landfall.yaml:11: organization.scps.allowedRegions: must include every governed region; us-east-1 is governed but not allowed, so its baseline would be denied`},
		},
		{
			name: "allowed regions leave out a governed region",
			from: "allowedRegions: [us-east-1, eu-west-1]", to: "allowedRegions: [us-east-1, us-west-2]",
			want: []string{`landfall.yaml:11: organization.scps.allowedRegions: must include every governed region; eu-west-1 is governed but not allowed, so its baseline would be denied`},
		},
		{
			name: "delegated admin without a security account",
			from: "  manage: true\n", to: "  manage: true\n  delegatedAdmin: true\n",
			want: []string{`landfall.yaml:9: organization.delegatedAdmin: needs organization.securityAccountId, the account that administers GuardDuty and Security Hub`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("landfall.yaml", []byte(withOrgSetup(t, tt.from, tt.to)))
			if cfg != nil {
				t.Fatalf("Parse accepted the config")
			}
			got := errorLines(t, err)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse errors:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tt.want, "\n      "))
			}
		})
	}
}

func TestOrganizationSetupYAMLIsValid(t *testing.T) {
	if _, err := Parse("landfall.yaml", []byte(withOrgSetup(t, "", ""))); err != nil {
		t.Fatalf("Parse(base with organization setup) = %v", err)
	}
}
