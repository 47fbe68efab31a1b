package filterpattern

import "testing"

func TestMetricValue(t *testing.T) {
	tests := []struct {
		name        string
		pattern     string
		message     string
		metricValue string
		want        float64
		wantOK      bool
	}{
		// "Publishing numerical values found in log entries".
		{"json selector", `{ $.latency = * }`, `{"latency": 42.5}`, "$.latency", 42.5, true},
		{"json nested selector", `{ $.a EXISTS }`, `{"a": {"b": [1, {"c": 7}]}}`, "$.a.b[1].c", 7, true},
		{"json numeric string", `{ $.latency = * }`, `{"latency": "120"}`, "$.latency", 120, true},
		{"json string with exponent is not a number", `{ $.latency = * }`, `{"latency": "1e3"}`, "$.latency", 0, false},
		{"json non-numeric value", `{ $.latency = * }`, `{"latency": "fast"}`, "$.latency", 0, false},
		{"json missing selector", `{ $.latency = * }`, `{"latency": 1}`, "$.other", 0, false},
		{"json bad selector", `{ $.latency = * }`, `{"latency": 1}`, "$.", 0, false},
		{"json no match publishes nothing", `{ $.latency > 100 }`, `{"latency": 1}`, "$.latency", 0, false},
		{"constant on match", `{ $.eventName = StopLogging }`, `{"eventName": "StopLogging"}`, "1", 1, true},
		{"constant with spaces", `ERROR`, `ERROR x`, " 2.5 ", 2.5, true},
		{"constant on no match", `ERROR`, `INFO x`, "1", 0, false},
		{"constant not a number", `ERROR`, `ERROR x`, "one", 0, false},
		{"constant NaN refused", `ERROR`, `ERROR x`, "NaN", 0, false},
		{"terms have no fields", `ERROR`, `ERROR x`, "$.latency", 0, false},
		{"delimited by name", `[ip, user, username, timestamp, request, status_code, bytes]`, line200, "$bytes", 1534, true},
		{"delimited by position", `[..., request = *.html*, status_code = 4*,]`, line404, "$7", 1534, true},
		{"delimited position out of range", `[..., status_code, bytes]`, line404, "$8", 0, false},
		{"delimited non-numeric field", `[ip, ...]`, line404, "$ip", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.pattern, err)
			}
			got, ok := p.MetricValue(tt.message, tt.metricValue)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("MetricValue(%q, %q) = (%v, %v), want (%v, %v)", tt.message, tt.metricValue, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
