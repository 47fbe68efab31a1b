package config

import (
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const examplePath = "../../infra/landfall.yaml"

func TestExampleLoads(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatalf("Load(%s):\n%v", examplePath, err)
	}
	// The demo depends on these ids and regions; catch an accidental edit.
	org := cfg.Organization
	if org.ManagementAccountID != "111111111111" || org.SecurityAccountID != "222222222222" || org.LogArchive.AccountID != "333333333333" {
		t.Errorf("demo account ids = %s/%s/%s", org.ManagementAccountID, org.SecurityAccountID, org.LogArchive.AccountID)
	}
	if org.HomeRegion != "us-east-1" || !slices.Equal(org.GovernedRegions, []string{"us-east-1", "eu-west-1"}) {
		t.Errorf("demo regions = %s %v", org.HomeRegion, org.GovernedRegions)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want fs.ErrNotExist", err)
	}
	if want := "reading config (testdata/does-not-exist.yaml): "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load(missing) = %q, want prefix %q", err, want)
	}
}

// TestDefaults checks the defaults a minimal file gets, as a security reviewer
// would read them.
func TestDefaults(t *testing.T) {
	cfg, err := Parse("landfall.yaml", []byte(baseYAML))
	if err != nil {
		t.Fatal(err)
	}
	sandbox := cfg.Profiles[1].Items
	tests := []struct {
		name      string
		got, want any
	}{
		{"entry role", cfg.Organization.EntryRoleName, DefaultEntryRoleName},
		{"execution role follows the prefix", cfg.Organization.ExecutionRoleName, "landfall-execution"},
		{"MFA max age", cfg.Organization.Identity.MFAMaxAgeSeconds, 3600},
		{"central alerts", cfg.Notifications.CentralAlerts, CentralAlertsManagement},
		{"sweep schedule", cfg.Pipeline.SweepSchedule, "rate(6 hours)"},
		{"max concurrent accounts", cfg.Pipeline.MaxConcurrentAccounts, 10},
		{"drift check", cfg.Pipeline.DriftCheckEvery, Duration(24 * time.Hour)},
		{"password length (CIS)", sandbox.PasswordPolicy.MinimumLength, 14},
		{"password reuse (CIS)", sandbox.PasswordPolicy.ReusePrevention, 24},
		{"password symbols", sandbox.PasswordPolicy.RequireSymbols, true},
		{"log retention", sandbox.CloudTrail.LogRetentionDays, 365},
		{"trail KMS", sandbox.CloudTrail.KMS, true},
		{"GuardDuty on", sandbox.GuardDuty.Enabled, true},
		{"GuardDuty frequency", sandbox.GuardDuty.FindingFrequency, "FIFTEEN_MINUTES"},
		{"budget actual thresholds", sandbox.Budget.Thresholds.ActualPercent, []float64{80, 100}},
		{"budget forecast thresholds", sandbox.Budget.Thresholds.ForecastPercent, []float64{100}},
		{"entry role MFA", sandbox.EntryRole.RequireMFA, true},
		{"AWS Config opt-in", sandbox.AWSConfig.Enabled, false},
		{"default VPCs kept", sandbox.DefaultVPCs.Remove, false},
		// Keys present in the file win over defaults, per key.
		{"budget amount from file", cfg.Profiles[0].Items.Budget.Amount, 100.0},
		{"budget currency default next to a set amount", cfg.Profiles[0].Items.Budget.Currency, "USD"},
		{"alarms from file", sandbox.Alarms.Disable, []string{"CloudWatch.2"}},
		{"alarm tag prefix default next to disable", sandbox.Alarms.ThresholdTagPrefix, "landfall:alarm:"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestExplicitFalseOverridesDefault(t *testing.T) {
	data := strings.Replace(baseYAML, "      budget: { amount: 100 }\n",
		"      budget: { amount: 100, thresholds: { actualPercent: [] } }\n      guardDuty: { enabled: false }\n      ebsEncryption: false\n", 1)
	cfg, err := Parse("landfall.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	items := cfg.Profiles[0].Items
	if items.GuardDuty.Enabled || items.EBSEncryption {
		t.Errorf("guardDuty.enabled=%v ebsEncryption=%v, want both false as written", items.GuardDuty.Enabled, items.EBSEncryption)
	}
	if len(items.Budget.Thresholds.ActualPercent) != 0 {
		t.Errorf("actualPercent = %v, want the empty list as written", items.Budget.Thresholds.ActualPercent)
	}
	if items.GuardDuty.FindingFrequency != "FIFTEEN_MINUTES" {
		t.Errorf("findingFrequency = %q, want the default next to enabled: false", items.GuardDuty.FindingFrequency)
	}
}

// TestMergeKeys checks YAML merge keys, which let profiles share item
// settings: keys written next to the merge win over merged ones.
func TestMergeKeys(t *testing.T) {
	data := strings.Replace(baseYAML, "profiles:\n", `x-shared: &shared
  guardDuty: { alertMinSeverity: 7 }
  budget: { amount: 250 }
profiles:
`, 1)
	data = strings.Replace(data, "      budget: { amount: 100 }\n", "      <<: *shared\n      budget: { amount: 100 }\n", 1)
	_, err := Parse("landfall.yaml", []byte(data))
	// Top-level extension keys are not allowed; the shared block lives under a
	// profile instead.
	if err == nil || !strings.Contains(err.Error(), "x-shared: unknown key") {
		t.Fatalf("Parse with a top-level x-shared key = %v, want an unknown key error", err)
	}

	data = strings.Replace(baseYAML, "    items:\n      budget: { amount: 100 }\n", `    items: &shared
      guardDuty: { alertMinSeverity: 7 }
      budget: { amount: 250 }
`, 1)
	data = strings.Replace(data, "      alarms: { disable: [CloudWatch.2] }\n", "      <<: *shared\n      budget: { amount: 50 }\n", 1)
	cfg, err := Parse("landfall.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	sandbox := cfg.Profiles[1].Items
	if sandbox.GuardDuty.AlertMinSeverity != 7 || sandbox.Budget.Amount != 50 {
		t.Errorf("merged items: alertMinSeverity = %v (want 7, merged), budget = %v (want 50, written)", sandbox.GuardDuty.AlertMinSeverity, sandbox.Budget.Amount)
	}
}

func TestRegions(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		profile string
		want    []string
	}{
		{"workloads", []string{"us-east-1", "eu-west-1"}}, // regions: [] means all governed
		{"sandbox", []string{"us-east-1"}},
	}
	for _, tt := range tests {
		i := slices.IndexFunc(cfg.Profiles, func(p Profile) bool { return p.Name == tt.profile })
		if i < 0 {
			t.Fatalf("example has no profile %q", tt.profile)
		}
		got := cfg.Regions(&cfg.Profiles[i])
		if !slices.Equal(got, tt.want) {
			t.Errorf("Regions(%s) = %v, want %v", tt.profile, got, tt.want)
		}
		got[0] = "mutated"
		if cfg.Regions(&cfg.Profiles[i])[0] == "mutated" {
			t.Errorf("Regions(%s) returned the config's own slice", tt.profile)
		}
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{15 * time.Minute, "15m"},
		{10 * time.Minute, "10m"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{90 * time.Second, "1m30s"},
		{0, "0s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d).String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

// TestDecoderCoversEveryField fails when a config type gains a field kind the
// decoder does not handle (it would panic on the first file using the key).
func TestDecoderCoversEveryField(t *testing.T) {
	supported := []reflect.Kind{reflect.String, reflect.Bool, reflect.Int, reflect.Float64, reflect.Map, reflect.Slice, reflect.Pointer, reflect.Struct}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		if typ == durationType {
			return
		}
		if !slices.Contains(supported, typ.Kind()) {
			t.Errorf("%s has kind %s, which the decoder does not handle", path, typ.Kind())
			return
		}
		switch typ.Kind() {
		case reflect.Map:
			if typ.Key().Kind() != reflect.String || typ.Elem().Kind() != reflect.String {
				t.Errorf("%s is %s; the decoder handles only map[string]string", path, typ)
			}
		case reflect.Slice, reflect.Pointer:
			walk(path+"[]", typ.Elem())
		case reflect.Struct:
			for _, f := range yamlFields(typ) {
				if f.name == "" {
					t.Errorf("%s.%s has no yaml tag", path, typ.Field(f.index).Name)
				}
				walk(joinPath(path, f.name), typ.Field(f.index).Type)
			}
		}
	}
	walk("", reflect.TypeFor[Config]())
}
