package eventpattern

import (
	"strings"
	"testing"
)

// createAccountRule is the rule landfall installs in us-east-1 to start the
// baseline pipeline when Organizations finishes creating an account.
const createAccountRule = `{
  "source": ["aws.organizations"],
  "detail-type": ["AWS Service Event via CloudTrail"],
  "detail": {
    "eventSource": ["organizations.amazonaws.com"],
    "eventName": ["CreateAccountResult"],
    "serviceEventDetails": {
      "createAccountStatus": {
        "state": ["SUCCEEDED"],
        "accountId": [{"exists": true}]
      }
    }
  }
}`

func TestCreateAccountRule(t *testing.T) {
	p, err := Parse([]byte(createAccountRule))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	event := readEvent(t, "create-account-result.json")
	tests := []struct {
		name        string
		old, new    string
		wantMatched bool
	}{
		{"sample event", "", "", true},
		{"failed creation", `"state": "SUCCEEDED"`, `"state": "FAILED"`, false},
		{"other event name", `"eventName": "CreateAccountResult"`, `"eventName": "CreateAccount"`, false},
		{"control tower source", `"source": "aws.organizations"`, `"source": "aws.controltower"`, false},
		{"no account id", `"accountId": "222222222222",`, ``, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := replaceOnce(t, string(event), tt.old, tt.new)
			got, err := p.Match([]byte(e))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.wantMatched {
				t.Errorf("Match = %v, want %v", got, tt.wantMatched)
			}
		})
	}
}

func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if old == "" {
		return s
	}
	i := strings.Index(s, old)
	if i < 0 {
		t.Fatalf("test event does not contain %q", old)
	}
	return s[:i] + new + s[i+len(old):]
}

func BenchmarkMatch(b *testing.B) {
	p, err := Parse([]byte(createAccountRule))
	if err != nil {
		b.Fatalf("Parse: %v", err)
	}
	event := readEvent(b, "create-account-result.json")
	decoded, err := decodeEvent(event)
	if err != nil {
		b.Fatalf("decoding event: %v", err)
	}
	b.Run("JSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, err := p.Match(event); !ok || err != nil {
				b.Fatalf("Match = %v, %v", ok, err)
			}
		}
	})
	b.Run("decoded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !p.MatchValue(decoded) {
				b.Fatal("MatchValue = false")
			}
		}
	})
}
