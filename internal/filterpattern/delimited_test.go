package filterpattern

import "testing"

// Access-log lines from the User Guide section "Using filter patterns to
// match terms in space-delimited log events".
const (
	line200 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
	line500 = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
	line404 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
)

func TestMatchDelimited(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		message string
		want    bool
	}{
		{"all fields named", `[ip, user, username, timestamp, request, status_code, bytes]`, line200, true},
		{"too few fields", `[ip, user, username, timestamp, request, status_code]`, line200, false},
		{"too many fields", `[ip, user, username, timestamp, request, status_code, bytes, extra]`, line200, false},
		{"leading ellipsis", `[..., status_code, bytes]`, line200, true},
		{"middle ellipsis", `[ip, user, ..., status_code, bytes]`, line200, true},
		{"trailing ellipsis", `[ip, user, ...]`, line200, true},
		{"ellipsis matches zero fields", `[ip, user, username, timestamp, request, ..., status_code, bytes]`, line200, true},
		{"numeric condition true", `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, line200, true},
		{"numeric condition false", `[ip, user, username, timestamp, request, status_code, bytes > 2000]`, line200, false},
		{"equality", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, line200, true},
		{"equality other", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, line500, false},
		{"prefix wildcard", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, line404, true},
		{"prefix wildcard miss", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, line500, false},
		{"contains wildcard on quoted field", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, line404, true},
		{"contains wildcard miss", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, line200, false},
		{"and within a slot", `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, line404, true},
		{"and within a slot excludes", `[ip, user, username, timestamp, request, status_code = 5* && status_code != 500, bytes]`, line500, false},
		{"or within a slot", `[w1 = ERROR || w1 = WARN, w2]`, "WARN message", true},
		{"or within a slot miss", `[w1 = ERROR || w1 = WARN, w2]`, "INFO message", false},
		{"trailing comma is an anonymous field", `[..., request = *.html*, status_code = 4*,]`, line404, true},
		{"timestamp brackets are one field", `[ip, user, username, timestamp = "10/Oct/2000*", ...]`, line200, true},
		{"runs of spaces separate once", `[a, b]`, "x    y", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.pattern, err)
			}
			if got := p.Match(tt.message); got != tt.want {
				t.Errorf("Parse(%q).Match(%q) = %v, want %v", tt.pattern, tt.message, got, tt.want)
			}
		})
	}
}
