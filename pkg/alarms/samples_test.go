package alarms

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/landfall/landfall/pkg/filterpattern"
)

const samplesDir = "../../events/cloudtrail"

// expectedAlarms lists, for every sample record, exactly which catalogue
// entries (by Key) must fire on it. File names say which alarm a sample was
// written for; this table is the contract, including the records that
// legitimately trigger more than one alarm.
func expectedAlarms() map[string][]string {
	return map[string][]string{
		"root-usage.match.console-login.json": {"root-usage"},
		// CIS CloudWatch.3 only covers IAM users, so root without MFA raises
		// only the root alarm.
		"root-usage.match.console-login-without-mfa.json":               {"root-usage"},
		"root-usage.match.create-access-key.json":                       {"root-usage"},
		"root-usage.nomatch.invoked-by-service.json":                    {},
		"root-usage.nomatch.credential-verification-service-event.json": {},
		"unauthorized-api-calls.match.access-denied.json":               {"unauthorized-api-calls"},
		"unauthorized-api-calls.match.unauthorized-operation.json":      {"unauthorized-api-calls"},
		"unauthorized-api-calls.match.kms-access-denied-exception.json": {"unauthorized-api-calls"},
		"unauthorized-api-calls.nomatch.dry-run.json":                   {},
		"unauthorized-api-calls.nomatch.no-such-entity.json":            {},
		"console-signin-without-mfa.match.iam-user.json":                {"console-signin-without-mfa"},
		"console-signin-without-mfa.nomatch.iam-user-with-mfa.json":     {},
		"console-signin-without-mfa.nomatch.federated-role.json":        {},
		"iam-policy-changes.match.put-role-policy.json":                 {"iam-policy-changes"},
		"iam-policy-changes.match.attach-user-policy.json":              {"iam-policy-changes"},
		"iam-policy-changes.match.put-role-policy-denied.json":          {"iam-policy-changes", "unauthorized-api-calls"},
		"iam-policy-changes.nomatch.get-role-policy.json":               {},
		"iam-policy-changes.nomatch.create-role.json":                   {},
		"cloudtrail-changes.match.stop-logging.json":                    {"cloudtrail-changes"},
		"cloudtrail-changes.match.update-trail.json":                    {"cloudtrail-changes"},
		"cloudtrail-changes.nomatch.get-trail-status.json":              {},
		"cloudtrail-changes.nomatch.put-event-selectors.json":           {},
		"console-auth-failures.match.wrong-password.json":               {"console-auth-failures"},
		"console-auth-failures.nomatch.unknown-user.json":               {},
		"console-auth-failures.nomatch.successful-login.json":           {},
		"kms-key-deletion.match.schedule-key-deletion.json":             {"kms-key-deletion"},
		"kms-key-deletion.match.disable-key.json":                       {"kms-key-deletion"},
		"kms-key-deletion.nomatch.cancel-key-deletion.json":             {},
		"kms-key-deletion.nomatch.disable-key-rotation.json":            {},
		"s3-bucket-policy-changes.match.put-bucket-policy.json":         {"s3-bucket-policy-changes"},
		"s3-bucket-policy-changes.match.delete-bucket-cors.json":        {"s3-bucket-policy-changes"},
		"s3-bucket-policy-changes.nomatch.get-bucket-policy.json":       {},
		"config-changes.match.stop-configuration-recorder.json":         {"config-changes"},
		"config-changes.nomatch.describe-configuration-recorders.json":  {},
		"security-group-changes.match.authorize-ingress.json":           {"security-group-changes"},
		"security-group-changes.nomatch.describe-security-groups.json":  {},
		"nacl-changes.match.create-network-acl-entry.json":              {"nacl-changes"},
		"nacl-changes.nomatch.describe-network-acls.json":               {},
		"network-gateway-changes.match.attach-internet-gateway.json":    {"network-gateway-changes"},
		"network-gateway-changes.nomatch.create-nat-gateway.json":       {},
		"route-table-changes.match.create-route.json":                   {"route-table-changes"},
		"route-table-changes.nomatch.describe-route-tables.json":        {},
		"vpc-changes.match.create-vpc.json":                             {"vpc-changes"},
		"vpc-changes.nomatch.create-subnet.json":                        {},
		"organizations-changes.match.create-account.json":               {"organizations-changes"},
		// CloudWatch.4 tests eventName=CreatePolicy without an eventSource, so
		// creating an SCP also counts as an IAM policy change.
		"organizations-changes.match.create-policy.json":           {"organizations-changes", "iam-policy-changes"},
		"organizations-changes.nomatch.describe-organization.json": {},
	}
}

func TestSamples(t *testing.T) {
	sampleExpectations := expectedAlarms()
	catalogue := All()
	patterns := make(map[string]*filterpattern.Pattern, len(catalogue))
	for _, a := range catalogue {
		p, err := filterpattern.Parse(a.FilterPattern)
		if err != nil {
			t.Fatalf("parsing filter pattern of %s: %v", a.ID, err)
		}
		patterns[a.Key] = p
	}

	entries, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatalf("reading samples directory (%s): %v", samplesDir, err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") {
			continue
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			want, ok := sampleExpectations[name]
			if !ok {
				t.Fatal("sample has no entry in expectedAlarms")
			}
			checkFileName(t, name, want)
			message := loadRecord(t, filepath.Join(samplesDir, name))
			var got []string
			for _, a := range catalogue {
				if patterns[a.Key].Match(message) {
					got = append(got, a.Key)
					if v, ok := patterns[a.Key].MetricValue(message, a.MetricValue); !ok || v != 1 {
						t.Errorf("%s publishes (%v, %v), want 1", a.Key, v, ok)
					}
				}
			}
			if !sameSet(got, want) {
				t.Errorf("alarms that fire = %v, want %v", got, want)
			}
		})
	}
	for name := range sampleExpectations {
		if !seen[name] {
			t.Errorf("expected sample %s is missing from %s", name, samplesDir)
		}
	}

	// Every catalogue entry needs a sample that fires it and a near miss.
	for _, a := range catalogue {
		var match, nomatch bool
		for name := range sampleExpectations {
			match = match || strings.HasPrefix(name, a.Key+".match.")
			nomatch = nomatch || strings.HasPrefix(name, a.Key+".nomatch.")
		}
		if !match || !nomatch {
			t.Errorf("%s (%s) lacks a match or nomatch sample", a.ID, a.Key)
		}
	}
}

// checkFileName keeps names and expectations consistent: a
// "<key>.match.<what>.json" sample must fire its alarm and a
// "<key>.nomatch.<what>.json" one must not.
func checkFileName(t *testing.T, name string, want []string) {
	t.Helper()
	parts := strings.SplitN(name, ".", 3)
	if len(parts) != 3 || (parts[1] != "match" && parts[1] != "nomatch") {
		t.Fatalf("name is not <alarm-key>.<match|nomatch>.<what>.json")
	}
	if _, ok := ByID(parts[0]); !ok {
		t.Fatalf("name starts with unknown alarm key %q", parts[0])
	}
	if fires := slices.Contains(want, parts[0]); fires != (parts[1] == "match") {
		t.Fatalf("name says %s for %s but expectedAlarms disagrees", parts[1], parts[0])
	}
}

// loadRecord reads a sample and compacts it to one line, the way CloudTrail
// delivers each record as one CloudWatch Logs event.
func loadRecord(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading sample (%s): %v", path, err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		t.Fatalf("compacting sample (%s): %v", path, err)
	}
	return buf.String()
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
