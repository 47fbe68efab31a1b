package eventpattern

import "testing"

func TestScaledNumber(t *testing.T) {
	tests := []struct {
		lit    string
		want   int64
		wantOK bool
	}{
		{"0", 0, true},
		{"-0.0", 0, true},
		{"300", 300_000_000, true},
		{"3.0e2", 300_000_000, true},
		{"3.018E+2", 301_800_000, true},
		{"0.000001", 1, true},
		{"1e-6", 1, true},
		{"0.0000001", 0, false},
		{"1.50000000", 1_500_000, true},
		{"-5e9", -maxScaledValue, true},
		{"5000000000.000000", maxScaledValue, true},
		{"5000000000.000001", 0, false},
		{"123456789012", 0, false},
		{"1e999999999999", 0, false},
		{"0e999999999999", 0, true},
		{"1e-999999999999", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"1.", 0, false},
		{"1e", 0, false},
		{"0x10", 0, false},
		{"1_0", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.lit, func(t *testing.T) {
			got, ok := scaledNumber(tt.lit)
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Errorf("scaledNumber(%q) = %d, %v; want %d, %v", tt.lit, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		expr, value string
		want        bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"a*", "a", true},
		{"*a", "ba", true},
		{"*a", "ab", false},
		{"a*b*c", "abc", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "acb", false},
		{"*.png", "x.png.txt", false},
		{"*lib*", "/usr/lib/x", true},
		{"a*a", "a", false},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{`\*`, "*", true},
		{`\*`, "x", false},
		{`\\*`, `\abc`, true},
		{`a\**`, "a*bc", true},
		{`a\**`, "abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.expr+"~"+tt.value, func(t *testing.T) {
			w, err := parseWildcard(tt.expr)
			if err != nil {
				t.Fatalf("parseWildcard(%q): %v", tt.expr, err)
			}
			if got := w.match(tt.value); got != tt.want {
				t.Errorf("wildcard %q match %q = %v, want %v", tt.expr, tt.value, got, tt.want)
			}
		})
	}
}
