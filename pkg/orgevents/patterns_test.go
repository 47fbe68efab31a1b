package orgevents

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// matchPattern is a small EventBridge pattern matcher covering the syntax Rules uses: nested objects,
// lists of exact strings, {"exists": bool} and {"equals-ignore-case": string}. Any other syntax is an
// error, so a pattern cannot pass these tests by using something the matcher ignores.
func matchPattern(pattern, event map[string]any) (bool, error) {
	for key, want := range pattern {
		got, present := event[key]
		switch want := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !present || !ok {
				return false, nil
			}
			if ok, err := matchPattern(want, sub); !ok || err != nil {
				return false, err
			}
		case []any:
			ok, err := matchValues(want, got, present)
			if !ok || err != nil {
				return false, err
			}
		default:
			return false, fmt.Errorf("pattern key %q: %T is neither an object nor a list", key, want)
		}
	}
	return true, nil
}

func matchValues(options []any, got any, present bool) (bool, error) {
	s, isString := got.(string)
	for _, option := range options {
		switch option := option.(type) {
		case string:
			if present && isString && s == option {
				return true, nil
			}
		case map[string]any:
			if len(option) != 1 {
				return false, fmt.Errorf("operator %v: want exactly one key", option)
			}
			if exists, ok := option["exists"].(bool); ok {
				if exists == present {
					return true, nil
				}
				continue
			}
			if want, ok := option["equals-ignore-case"].(string); ok {
				if present && isString && strings.EqualFold(s, want) {
					return true, nil
				}
				continue
			}
			return false, fmt.Errorf("operator %v: not supported by this matcher", option)
		default:
			return false, fmt.Errorf("pattern value %v (%T): not supported by this matcher", option, option)
		}
	}
	return false, nil
}

// TestRulesMatchSamples checks each rule against every sample: a sample matches exactly the rule its
// case names, and near misses (IN_PROGRESS, failed calls, other handshakes, other events) match none.
func TestRulesMatchSamples(t *testing.T) {
	cases := sampleCases()
	rules := Rules()
	matchedByAny := map[string]bool{}
	for _, path := range samplePaths(t) {
		key := sampleKey(path)
		tc, ok := cases[key]
		if !ok {
			continue // TestDecodeSamples reports the missing case.
		}
		event := sampleObject(t, path)
		var matched []string
		for _, rule := range rules {
			var pattern map[string]any
			if err := json.Unmarshal([]byte(rule.Pattern), &pattern); err != nil {
				t.Fatalf("parsing pattern of rule %s: %v", rule.Name, err)
			}
			ok, err := matchPattern(pattern, event)
			if err != nil {
				t.Fatalf("matching rule %s: %v", rule.Name, err)
			}
			if ok {
				matched = append(matched, rule.Name)
				matchedByAny[rule.Name] = true
			}
		}
		var want []string
		if tc.wantRule != "" {
			want = []string{tc.wantRule}
		}
		if !reflect.DeepEqual(matched, want) {
			t.Errorf("%s matches rules %v, want %v", key, matched, want)
		}
	}
	for _, rule := range rules {
		if !matchedByAny[rule.Name] {
			t.Errorf("rule %s matches no sample", rule.Name)
		}
	}
}

func TestRulesAreWellFormed(t *testing.T) {
	names := map[string]bool{}
	for _, rule := range Rules() {
		if rule.Name == "" || rule.Description == "" {
			t.Errorf("rule %+v: name and description are required", rule)
		}
		if names[rule.Name] {
			t.Errorf("rule name %s is used twice", rule.Name)
		}
		names[rule.Name] = true
		var pattern struct {
			Source     []string       `json:"source"`
			DetailType []string       `json:"detail-type"`
			Detail     map[string]any `json:"detail"`
		}
		dec := json.NewDecoder(strings.NewReader(rule.Pattern))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&pattern); err != nil {
			t.Errorf("rule %s: pattern is not {source, detail-type, detail}: %v", rule.Name, err)
			continue
		}
		// Every rule must pin the service, the kind of event and the event names.
		if len(pattern.Source) != 1 || len(pattern.DetailType) != 1 || pattern.Detail["eventSource"] == nil || pattern.Detail["eventName"] == nil {
			t.Errorf("rule %s: pattern must name one source, one detail-type, the eventSource and eventNames", rule.Name)
		}
	}
}

func TestMatchPatternRejectsUnknownSyntax(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
	}{
		{name: "prefix operator", pattern: `{"source": [{"prefix": "aws."}]}`},
		{name: "scalar instead of list", pattern: `{"source": "aws.organizations"}`},
		{name: "number in list", pattern: `{"source": [5]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pattern map[string]any
			if err := json.Unmarshal([]byte(tt.pattern), &pattern); err != nil {
				t.Fatal(err)
			}
			if _, err := matchPattern(pattern, map[string]any{"source": "aws.organizations"}); err == nil {
				t.Error("matchPattern: want an error for syntax it does not support")
			}
		})
	}
}
