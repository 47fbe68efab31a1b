package notify

import "testing"

func TestRegionCode(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"US East (N. Virginia)", "us-east-1"},
		{"US West (Oregon)", "us-west-2"},
		{"EU (Ireland)", "eu-west-1"},
		{"Europe (Ireland)", "eu-west-1"},
		{"EU (Milan)", "eu-south-1"},
		{"EU - Ireland", "eu-west-1"},
		{"US - N. Virginia", "us-east-1"},
		{"Asia Pacific (Tokyo)", "ap-northeast-1"},
		{"South America (São Paulo)", "sa-east-1"},
		{"AWS GovCloud (US-West)", "us-gov-west-1"},
		{"China (Ningxia)", "cn-northwest-1"},
		{"  us-east-2  ", "us-east-2"},
		{"Atlantis (Central)", ""},
		{"", ""},
		{"EXAMPLE", ""},
	}
	for _, tt := range tests {
		if got := regionCode(tt.name); got != tt.want {
			t.Errorf("regionCode(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestARNRegion(t *testing.T) {
	tests := []struct {
		arn  string
		want string
	}{
		{"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:x", "eu-west-1"},
		{"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:name:with:colons", "eu-west-1"},
		{"arn:aws-us-gov:cloudwatch:us-gov-west-1:111122223333:alarm:x", "us-gov-west-1"},
		{"arn:aws:iam::111122223333:root", ""},
		{"arn:aws:cloudwatch:REGION:ACCOUNT_NUMBER:alarm:EXAMPLE", ""},
		{"not-an-arn", ""},
	}
	for _, tt := range tests {
		if got := arnRegion(tt.arn); got != tt.want {
			t.Errorf("arnRegion(%q) = %q, want %q", tt.arn, got, tt.want)
		}
	}
}

func TestConsoleOrigin(t *testing.T) {
	tests := []struct {
		c    console
		want string
	}{
		{console{region: "eu-west-1"}, "https://eu-west-1.console.aws.amazon.com"},
		{console{region: "cn-north-1"}, "https://cn-north-1.console.amazonaws.cn"},
		{console{region: "us-gov-west-1"}, "https://us-gov-west-1.console.amazonaws-us-gov.com"},
		{console{}, "https://console.aws.amazon.com"},
		{console{base: "https://proxy.example.test/", region: "eu-west-1"}, "https://proxy.example.test"},
	}
	for _, tt := range tests {
		if got := tt.c.origin(); got != tt.want {
			t.Errorf("%+v.origin() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestSeverityFromScore(t *testing.T) {
	tests := []struct {
		score float64
		want  string
	}{
		{0.1, SeverityLow}, {3.9, SeverityLow}, {4, SeverityMedium}, {6.9, SeverityMedium},
		{7, SeverityHigh}, {8.9, SeverityHigh}, {9, SeverityCritical}, {10, SeverityCritical},
	}
	for _, tt := range tests {
		if got := severityFromScore(tt.score); got != tt.want {
			t.Errorf("severityFromScore(%v) = %q, want %q", tt.score, got, tt.want)
		}
	}
}
