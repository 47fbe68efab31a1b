package awslocal

import (
	"encoding/json"
	"testing"
)

// The InputTransformer examples of "Transforming target input" in the
// EventBridge User Guide, on the guide's EC2 state-change event.
func TestEventsInputTransformer(t *testing.T) {
	event := normalizeEvent(map[string]any{
		"source": "aws.ec2", "detail-type": "EC2 Instance State-change Notification",
		"detail": map[string]any{"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": []any{"a", "b"}},
	})
	rule := &evRule{Name: "ec2", ARN: "arn:aws:events:us-east-1:111111111111:rule/ec2"}
	paths := map[string]any{"instance": "$.detail.instance-id", "state": "$.detail.state", "count": "$.detail.count",
		"tags": "$.detail.tags", "first": "$.detail.tags[1]", "none": "$.detail.none"}
	for _, tc := range []struct {
		name, template, want string
	}{
		{"string template", `"<instance> is in state <state>"`, `"i-0123456789 is in state RUNNING"`},
		{"object template", `{"instance": <instance>, "state": "<state>"}`, `{"instance": "i-0123456789", "state": "RUNNING"}`},
		{"numbers and arrays", `{"n": <count>, "tags": <tags>, "second": "<first>"}`, `{"n": 3, "tags": ["a","b"], "second": "b"}`},
		{"missing path", `{"v": <none>, "s": "x<none>y"}`, `{"v": null, "s": "xy"}`},
		{"predefined variables", `{"rule": "<aws.events.rule-name>", "arn": "<aws.events.rule-arn>"}`, `{"rule": "ec2", "arn": "arn:aws:events:us-east-1:111111111111:rule/ec2"}`},
		{"undeclared text stays", `"<b>bold</b> <state>"`, `"<b>bold</b> RUNNING"`},
		{"quotes in values are escaped", `"<tags>"`, `"[\"a\",\"b\"]"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := doc{"InputTransformer": doc{"InputPathsMap": paths, "InputTemplate": tc.template}}
			got := string(targetInput(target, event, rule, "2026-11-23T12:00:00Z"))
			if !jsonEqual(got, tc.want) {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return string(mustJSON(x)) == string(mustJSON(y))
}

func TestEventsJSONPath(t *testing.T) {
	event := map[string]any{"detail": map[string]any{"a": []any{map[string]any{"b": "x"}}, "n": nil}}
	for _, tc := range []struct {
		path    string
		want    any
		found   bool
		invalid bool
	}{
		{"$", event, true, false},
		{"$.detail.a[0].b", "x", true, false},
		{"$.detail.n", nil, true, false},
		{"$.detail.a[3]", nil, false, false},
		{"$.missing.deeper", nil, false, false},
		{"detail", nil, false, true},
		{"$.", nil, false, true},
		{"$.a[x]", nil, false, true},
		{"$..a", nil, false, true},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got, found, err := jsonPathGet(event, tc.path)
			if (err != nil) != tc.invalid {
				t.Fatalf("err = %v, want invalid=%v", err, tc.invalid)
			}
			if tc.invalid {
				return
			}
			if found != tc.found || string(mustJSON(got)) != string(mustJSON(tc.want)) {
				t.Fatalf("got %v (found %v), want %v (found %v)", got, found, tc.want, tc.found)
			}
		})
	}
}

// FuzzEventsInputTemplate checks that no template or path makes target
// input processing panic, and that a JSON template stays valid JSON whatever
// a valid path selects.
func FuzzEventsInputTemplate(f *testing.F) {
	f.Add(`{"a": <v>, "b": "<v> and <aws.events.rule-arn>"}`, "$.detail.x")
	f.Add(`"<v>"`, "$.detail")
	f.Add(`<v>`, "$.detail.list[0]")
	f.Add(`{"\"<v>": <v>}`, "$[0]")
	event := normalizeEvent(map[string]any{"detail": map[string]any{"x": "q\"uote", "list": []any{1, "two"}}})
	rule := &evRule{Name: "r", ARN: "arn:aws:events:us-east-1:111111111111:rule/r"}
	f.Fuzz(func(t *testing.T, template, path string) {
		target := doc{"InputTransformer": doc{"InputPathsMap": doc{"v": path}, "InputTemplate": template}}
		_ = targetInput(target, event, rule, "2026-11-23T12:00:00Z")
		if _, _, err := jsonPathGet(event, path); err != nil {
			return
		}
		fixed := doc{"InputTransformer": doc{"InputPathsMap": doc{"v": path}, "InputTemplate": `{"a": <v>, "s": "<v>"}`}}
		if out := targetInput(fixed, event, rule, ""); !json.Valid(out) {
			t.Fatalf("path %q produced invalid JSON %s", path, out)
		}
	})
}
