package config

import (
	"strings"
	"testing"
)

func TestCheckBucketName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // substring of the reason; "" means valid
	}{
		{"acme-org-cloudtrail", ""},
		{"logs.acme.example", ""},
		{"abc", ""},
		{"ab", "3 to 63 characters"},
		{strings.Repeat("a", 64), "3 to 63 characters"},
		{"Acme-Logs", "lowercase letters"},
		{"acme_logs", "lowercase letters"},
		{"-acme", "starting and ending"},
		{"acme.", "starting and ending"},
		{"acme..logs", "two adjacent dots"},
		{"192.168.5.4", "IP address"},
		{"xn--acme", `prefix "xn--"`},
		{"sthree-acme", `prefix "sthree-"`},
		{"amzn-s3-demo-bucket", `prefix "amzn-s3-demo-"`},
		{"acme-s3alias", `suffix "-s3alias"`},
		{"acme--ol-s3", `suffix "--ol-s3"`},
		{"acme.mrap", `suffix ".mrap"`},
		{"acme--x-s3", `suffix "--x-s3"`},
		{"acme--table-s3", `suffix "--table-s3"`},
	}
	for _, tt := range tests {
		got := checkBucketName(tt.name)
		if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
			t.Errorf("checkBucketName(%q) = %q, want containing %q", tt.name, got, tt.wantErr)
		}
	}
}

func TestCheckSchedule(t *testing.T) {
	tests := []struct {
		expr    string
		wantErr string
	}{
		{"rate(6 hours)", ""},
		{"rate(1 hour)", ""},
		{"rate(1 day)", ""},
		{"rate(30 minutes)", ""},
		{"cron(0 */6 * * ? *)", ""},
		{"cron(0 12 ? * MON-FRI *)", ""},
		{"cron(0 8 1W * ? 2026)", ""},
		{"rate(1 hours)", "unit is singular"},
		{"rate(6 hour)", "unit is plural"},
		{"rate(0 minutes)", "positive whole number"},
		{"rate(6 weeks)", "not an EventBridge schedule expression"},
		{"cron(0 */6 * * *)", "takes 6 fields, got 5"},
		{"cron(0 12 * * * *)", `exactly one of day-of-month`},
		{"cron(0 12 ? * ? *)", `exactly one of day-of-month`},
		{"cron(0 12 ? * MON;TUE *)", "characters cron() does not accept"},
		{"every 6 hours", "not an EventBridge schedule expression"},
	}
	for _, tt := range tests {
		got := checkSchedule(tt.expr)
		if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
			t.Errorf("checkSchedule(%q) = %q, want containing %q", tt.expr, got, tt.wantErr)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	tests := []struct {
		email string
		valid bool
	}{
		{"secops@acme.example", true},
		{"first.last+alerts@sub.acme.example", true},
		{"secops", false},
		{"secops@localhost", false},
		{"SecOps <secops@acme.example>", false},
		{"secops@acme.example, ops@acme.example", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := checkEmail(tt.email) == ""; got != tt.valid {
			t.Errorf("checkEmail(%q) valid = %v, want %v", tt.email, got, tt.valid)
		}
	}
}

func TestCheckAccountID(t *testing.T) {
	tests := []struct {
		id      string
		quoted  bool
		wantErr string
	}{
		{"012345678901", true, ""},
		{"012345678901", false, "must be quoted"},
		{"12345678901", true, "not an AWS account id"},
		{"1234567890123", true, "not an AWS account id"},
		{"12345678901a", true, "not an AWS account id"},
	}
	for _, tt := range tests {
		got := checkAccountID(tt.id, tt.quoted)
		if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
			t.Errorf("checkAccountID(%q, %v) = %q, want containing %q", tt.id, tt.quoted, got, tt.wantErr)
		}
	}
}

func TestCheckOUGlob(t *testing.T) {
	tests := []struct {
		glob    string
		wantErr string
	}{
		{"/Root", ""},
		{"/Root/Workloads/*", ""},
		{"/Root/Workloads/**", ""},
		{"/Root/Work[a-z]oads", ""},
		{"Root/Workloads", "does not start with /Root"},
		{"/RootX", "does not start with /Root"},
		{"/Root//Prod", "empty or misplaced segment"},
		{"/Root/**/Prod", "empty or misplaced segment"},
		{"/Root/Work**", "empty or misplaced segment"},
		{"/Root/Work[", "malformed pattern"},
	}
	for _, tt := range tests {
		got := checkOUGlob(tt.glob)
		if (tt.wantErr == "") != (got == "") || !strings.Contains(got, tt.wantErr) {
			t.Errorf("checkOUGlob(%q) = %q, want containing %q", tt.glob, got, tt.wantErr)
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct {
		input      string
		candidates []string
		want       string
	}{
		{"homeRegon", []string{"homeRegion", "governedRegions"}, "homeRegion"},
		{"HOMEREGION", []string{"homeRegion"}, "homeRegion"},
		{"eu-wst-1", commercialRegions, "eu-west-1"},
		{"colour", []string{"sweepSchedule", "readinessTimeout"}, ""},
		{"x", []string{"version"}, ""},
		{"CloudWatch.15", AlarmIDs(), "CloudWatch.1"},
	}
	for _, tt := range tests {
		if got := suggest(tt.input, tt.candidates); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.input, got, tt.want)
		}
	}
}
