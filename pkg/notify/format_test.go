package notify

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// eventsDir holds the shared sample events; testdata/inputs holds inputs
// that only this package cares about (pipeline messages, broken input).
const eventsDir = "../../events"

func sampleAccountNames() map[string]string {
	return map[string]string{
		"111122223333": "prod-payments",
		"444455556666": "staging",
		"777788889999": "sandbox-alice",
	}
}

type goldenCase struct {
	name    string
	input   string
	records string // file under testdata/trail, optional
	names   bool   // pass sampleAccountNames
	kind    string
	sev     string
	account string
	region  string
}

func goldenCases() []goldenCase {
	return []goldenCase{
		{name: "alarm-root-usage", input: "events/cloudwatch/alarm-root-usage.json", records: "root-activity.json", names: true,
			kind: KindAlarm, sev: SeverityHigh, account: "111122223333", region: "us-east-1"},
		{name: "alarm-root-usage-no-context", input: "events/cloudwatch/alarm-root-usage.json",
			kind: KindAlarm, sev: SeverityHigh, account: "111122223333", region: "us-east-1"},
		{name: "alarm-iam-changes-ok", input: "events/cloudwatch/alarm-iam-changes-ok.json", names: true,
			kind: KindAlarm, sev: SeverityInfo, account: "444455556666", region: "eu-west-1"},
		{name: "alarm-iam-changes-ok-many-records", input: "events/cloudwatch/alarm-iam-changes-ok.json", records: "assumed-role-calls.json", names: true,
			kind: KindAlarm, sev: SeverityInfo, account: "444455556666", region: "eu-west-1"},
		{name: "alarm-long-name", input: "events/cloudwatch/alarm-long-name.json", records: "console-login-no-mfa.json", names: true,
			kind: KindAlarm, sev: SeverityHigh, account: "777788889999", region: "eu-central-1"},
		{name: "guardduty-low-root-credential-usage", input: "events/guardduty/finding-low-root-credential-usage.json", names: true,
			kind: KindGuardDuty, sev: SeverityLow, account: "111122223333", region: "us-east-1"},
		{name: "guardduty-medium-malicious-ip-caller", input: "events/guardduty/finding-medium-malicious-ip-caller.json", names: true,
			kind: KindGuardDuty, sev: SeverityMedium, account: "444455556666", region: "eu-west-1"},
		{name: "guardduty-high-instance-credential-exfiltration", input: "events/guardduty/finding-high-instance-credential-exfiltration.json",
			kind: KindGuardDuty, sev: SeverityHigh, account: "777788889999", region: "eu-central-1"},
		{name: "guardduty-high-cryptocurrency-instance", input: "events/guardduty/finding-high-cryptocurrency-instance.json", names: true,
			kind: KindGuardDuty, sev: SeverityHigh, account: "777788889999", region: "eu-central-1"},
		{name: "budget-actual-threshold", input: "events/budgets/actual-threshold.txt", names: true,
			kind: KindBudget, sev: SeverityMedium, account: "444455556666"},
		{name: "budget-actual-over-budget-daily", input: "events/budgets/actual-over-budget-daily.txt", names: true,
			kind: KindBudget, sev: SeverityHigh, account: "777788889999"},
		{name: "budget-forecasted", input: "events/budgets/forecasted.txt",
			kind: KindBudget, sev: SeverityMedium, account: "111122223333"},
		{name: "sns-alarm-root-usage", input: "events/sns/alarm-root-usage-notification.json", records: "root-activity.json", names: true,
			kind: KindAlarm, sev: SeverityHigh, account: "111122223333", region: "us-east-1"},
		{name: "sns-budget-forecasted", input: "events/sns/budget-forecasted-notification.json", names: true,
			kind: KindBudget, sev: SeverityMedium, account: "111122223333"},
		{name: "sns-guardduty-high", input: "events/sns/guardduty-high-notification.json", names: true,
			kind: KindGuardDuty, sev: SeverityHigh, account: "777788889999", region: "eu-central-1"},
		{name: "sns-baseline-failed", input: "events/sns/baseline-failed-notification.json", names: true,
			kind: KindPipeline, sev: SeverityHigh, account: "777788889999", region: "eu-central-1"},
		{name: "sns-unknown-health-event", input: "events/sns/unknown-health-event-notification.json", names: true,
			kind: KindUnknown, sev: SeverityInfo, account: "444455556666", region: "eu-west-1"},
		{name: "sns-subscription-confirmation", input: "events/sns/subscription-confirmation.json",
			kind: KindUnknown, sev: SeverityInfo},
		{name: "baseline-succeeded", input: "inputs/baseline-succeeded.json",
			kind: KindPipeline, sev: SeverityInfo, account: "111122223333", region: "us-east-1"},
		{name: "baseline-succeeded-with-findings", input: "inputs/baseline-succeeded-with-findings.json", names: true,
			kind: KindPipeline, sev: SeverityMedium, account: "444455556666", region: "eu-west-1"},
		{name: "baseline-skipped", input: "inputs/baseline-skipped.json",
			kind: KindPipeline, sev: SeverityInfo, account: "222233334444"},
		{name: "baseline-failed", input: "inputs/baseline-failed.json",
			kind: KindPipeline, sev: SeverityHigh, account: "777788889999", region: "eu-central-1"},
		{name: "baseline-failed-terminal", input: "inputs/baseline-failed-terminal.json",
			kind: KindPipeline, sev: SeverityHigh, account: "777788889999"},
		{name: "account-creation-failed", input: "inputs/account-creation-failed.json",
			kind: KindPipeline, sev: SeverityHigh},
		{name: "unknown-malformed-truncated", input: "inputs/malformed-truncated.json", kind: KindUnknown, sev: SeverityInfo},
		{name: "unknown-alarm-wrong-types", input: "inputs/alarm-wrong-types.json", kind: KindUnknown, sev: SeverityInfo},
		{name: "unknown-plain-text", input: "inputs/plain-text.txt", kind: KindUnknown, sev: SeverityInfo},
		{name: "unknown-empty", input: "inputs/empty.txt", kind: KindUnknown, sev: SeverityInfo},
		{name: "unknown-json-array", input: "inputs/json-array.json", kind: KindUnknown, sev: SeverityInfo},
	}
}

// inputPath resolves a case input: "events/..." is the shared events tree,
// anything else is under testdata.
func inputPath(input string) string {
	if rest, ok := strings.CutPrefix(input, "events/"); ok {
		return filepath.Join(eventsDir, rest)
	}
	return filepath.Join("testdata", input)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading test input (%s): %v", path, err)
	}
	return b
}

func (c goldenCase) context(t testing.TB) Context {
	t.Helper()
	var ctx Context
	if c.names {
		ctx.AccountNames = sampleAccountNames()
	}
	if c.records != "" {
		if err := json.Unmarshal(readFile(t, filepath.Join("testdata", "trail", c.records)), &ctx.Records); err != nil {
			t.Fatalf("decoding trail records (%s): %v", c.records, err)
		}
	}
	return ctx
}

func TestFormatGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			m := Format(readFile(t, inputPath(c.input)), c.context(t))
			if m.Kind != c.kind || m.Severity != c.sev || m.AccountID != c.account || m.Region != c.region {
				t.Errorf("got kind=%q severity=%q account=%q region=%q, want %q %q %q %q",
					m.Kind, m.Severity, m.AccountID, m.Region, c.kind, c.sev, c.account, c.region)
			}
			js, err := m.JSON()
			if err != nil {
				t.Fatalf("encoding message: %v", err)
			}
			text := "Subject: " + m.Subject + "\n\n" + m.Text
			checkGolden(t, filepath.Join("testdata", "golden", c.name+".txt"), []byte(text))
			checkGolden(t, filepath.Join("testdata", "golden", c.name+".json"), append(js, '\n'))
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("writing golden file (%s): %v", path, err)
		}
		return
	}
	want := readFile(t, path)
	if string(got) != string(want) {
		t.Errorf("output differs from %s (run go test ./pkg/notify -update and review the diff)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// TestEverySampleHasAGoldenCase keeps new samples from being added to
// events/ without being formatted and reviewed.
func TestEverySampleHasAGoldenCase(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range goldenCases() {
		covered[c.input] = true
	}
	for _, dir := range []string{"cloudwatch", "guardduty", "budgets", "sns"} {
		entries, err := os.ReadDir(filepath.Join(eventsDir, dir))
		if err != nil {
			t.Fatalf("listing samples (%s): %v", dir, err)
		}
		for _, e := range entries {
			if e.IsDir() || e.Name() == "SOURCES.md" {
				continue
			}
			if name := "events/" + dir + "/" + e.Name(); !covered[name] {
				t.Errorf("sample %s has no golden case", name)
			}
		}
	}
}

func TestFormatLinks(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ctx   Context
		want  []string
	}{
		{
			name:  "alarm deep link escapes the name and CloudTrail links follow the records' region",
			input: "events/cloudwatch/alarm-iam-changes-ok.json",
			ctx:   Context{Records: []TrailRecord{{EventName: "PutRolePolicy", AWSRegion: "us-east-1"}}},
			want: []string{
				"https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/landfall-cis-iam-changes",
				"https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events?EventName=PutRolePolicy",
			},
		},
		{
			name:  "console base URL override",
			input: "events/guardduty/finding-low-root-credential-usage.json",
			ctx:   Context{ConsoleBaseURL: "https://console.example.test/"},
			want: []string{
				"https://console.example.test/guardduty/home?region=us-east-1#/findings?macros=current&fId=7ec6b1d0a9f84c2e8d3a5b6c7d8e9f01",
				"https://console.example.test/cloudtrailv2/home?region=us-east-1#/events?EventName=ConsoleLogin",
			},
		},
		{
			name:  "budgets are global",
			input: "events/budgets/forecasted.txt",
			want:  []string{"https://console.aws.amazon.com/costmanagement/home#/budgets"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Format(readFile(t, inputPath(tt.input)), tt.ctx)
			var got []string
			for _, l := range m.Links {
				got = append(got, l.URL)
				if !strings.Contains(m.Text, l.URL) {
					t.Errorf("link %s is missing from the text", l.URL)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("links = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatAlarmNameWithSpaces(t *testing.T) {
	raw := `{"AlarmName":"root use / prod","NewStateValue":"ALARM","OldStateValue":"OK","AWSAccountId":"111122223333",` +
		`"Region":"Asia Pacific (Tokyo)","StateChangeTime":"2026-03-04T10:22:05.312+0000","Trigger":{}}`
	m := Format([]byte(raw), Context{})
	if m.Region != "ap-northeast-1" {
		t.Errorf("region = %q, want ap-northeast-1 from the long name", m.Region)
	}
	want := "#alarmsV2:alarm/root%20use%20%2F%20prod"
	if len(m.Links) == 0 || !strings.HasSuffix(m.Links[0].URL, want) {
		t.Errorf("alarm link = %v, want suffix %s", m.Links, want)
	}
}
