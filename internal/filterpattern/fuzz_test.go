package filterpattern

import (
	"os"
	"sync"
	"testing"
)

// FuzzParseMatch checks that no pattern or message makes the evaluator panic,
// and that a pattern which parses evaluates the same way twice.
func FuzzParseMatch(f *testing.F) {
	seeds := []struct{ pattern, message string }{
		{`{ $.eventType = "UpdateTrail" }`, docEvent},
		{`{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, docCompoundEvent},
		{`{ $.a[0][1].b NOT EXISTS && $.c IS NULL || $.d IS TRUE }`, `{"a": [[0, {"b": 1}]], "c": null, "d": true}`},
		{`{ $.n >= -1.5e3 }`, `{"n": 1e400}`},
		{`?ERROR ?WARN`, "ERROR WARN message"},
		{`ERROR -"disk full"`, "ERROR: disk full"},
		{`[ip, user, ..., status_code = 4* && status_code != 403, bytes > 1000]`, line404},
		{`[..., a, ..., b, ...]`, `x "y z" [w] v`},
		{`{ $.a = "\"" }`, `{"a": "\""}`},
		{``, ``},
	}
	for _, s := range seeds {
		f.Add(s.pattern, s.message)
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := Parse(pattern)
		if err != nil {
			return
		}
		first := p.Match(message)
		if again := p.Match(message); again != first {
			t.Fatalf("Match(%q) on %q is not deterministic", message, pattern)
		}
		for _, mv := range []string{"1", "$.a", "$1", "$a", "$"} {
			if _, ok := p.MetricValue(message, mv); ok && !first {
				t.Fatalf("MetricValue(%q) published a value for a non-matching event", mv)
			}
		}
	})
}

// TestConcurrentMatch shares one Pattern between goroutines; run with -race
// to check that evaluation never writes to the compiled pattern.
func TestConcurrentMatch(t *testing.T) {
	patterns := []string{`{ $.objectList[1].id = 2 || $.x NOT EXISTS }`, `?ERROR ?WARN`, `[a, ..., b = 2*]`}
	messages := []string{docEvent, "WARN message", "x y 200"}
	for i, src := range patterns {
		p, err := Parse(src)
		if err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		var wg sync.WaitGroup
		results := make([]bool, 8)
		for g := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[g] = p.Match(messages[i])
			}()
		}
		wg.Wait()
		for g, got := range results {
			if !got {
				t.Errorf("goroutine %d: Parse(%q).Match(%q) = false, want true", g, src, messages[i])
			}
		}
	}
}

// cisIAMPolicyChanges is the Security Hub CloudWatch.4 pattern, as in the
// alarms catalogue.
const cisIAMPolicyChanges = `{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}`

// BenchmarkMatch measures the CIS IAM-changes pattern on a real-shaped
// CloudTrail record, the per-event cost of the local PutLogEvents path.
func BenchmarkMatch(b *testing.B) {
	record, err := os.ReadFile("../../events/cloudtrail/iam-policy-changes.match.put-role-policy.json")
	if err != nil {
		b.Fatalf("reading sample record: %v", err)
	}
	p, err := Parse(cisIAMPolicyChanges)
	if err != nil {
		b.Fatalf("Parse: %v", err)
	}
	message := string(record)
	if !p.Match(message) {
		b.Fatal("sample record does not match the IAM policy changes pattern")
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Match(message)
	}
}
