package eventpattern

import (
	"errors"
	"testing"
)

// FuzzMatch feeds arbitrary pattern and event documents through Parse and
// Match. Neither may panic, Parse may only fail with ErrInvalidPattern, and
// Match must agree with MatchValue on the decoded event.
func FuzzMatch(f *testing.F) {
	seeds := []struct{ pattern, event string }{
		{`{"source": ["aws.ec2"], "detail": {"state": ["terminated"]}}`, `{"source": "aws.ec2", "detail": {"state": "terminated"}}`},
		{`{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "x-limit": [{"anything-but": [100, 200]}]}}`, `{"detail": {"c-count": 5, "x-limit": 3.0e2}}`},
		{`{"f": [{"wildcard": "a*\\*b"}, {"prefix": {"equals-ignore-case": "ß"}}, {"suffix": "x"}]}`, `{"f": ["a**b", "SS", 1, null]}`},
		{`{"$or": [{"a": [{"exists": false}]}, {"b": {"c": [{"cidr": "10.0.0.0/8"}]}}]}`, `{"b": [{"c": "10.1.2.3"}, {"c": ["::1"]}]}`},
		{`{"e": {"f": ["A"], "l": [{"anything-but": {"suffix": ["s"]}}]}}`, `{"e": [[{"f": "A", "l": "t"}], {"f": "B"}]}`},
		{`{"n": [1e-6, 123456789012, true]}`, `{"n": 0.0000010}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s.pattern), []byte(s.event))
	}
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		p, err := Parse(pattern)
		if err != nil {
			if !errors.Is(err, ErrInvalidPattern) {
				t.Fatalf("Parse error %q does not wrap ErrInvalidPattern", err)
			}
			return
		}
		matched, err := p.Match(event)
		if err != nil {
			return
		}
		decoded, err := decodeEvent(event)
		if err != nil {
			t.Fatalf("Match accepted an event decodeEvent rejects: %v", err)
		}
		if again := p.MatchValue(decoded); again != matched {
			t.Fatalf("Match = %v but MatchValue = %v", matched, again)
		}
	})
}
