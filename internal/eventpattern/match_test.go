package eventpattern

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Sections of the EventBridge User Guide the cases come from.
const (
	docPatterns  = "event patterns: "
	docNull      = "null values and empty strings: "
	docArrays    = "arrays in event patterns: "
	docFiltering = "content filtering: "
	docOperators = "comparison operators: "
	docRuler     = "event-ruler README: "
)

func readEvent(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading test event (%s): %v", name, err)
	}
	return data
}

// docExcerptEvent is the event the exists section shows as not matching
// {"exists": true} on detail.state and matching {"exists": false} on c-count.
const docExcerptEvent = `{
  "detail-type": [ "EC2 Instance State-change Notification" ],
  "resources": [ "arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341" ],
  "detail": { "c-count" : { "c1" : 100 } }
}`

const macieEvent = `{
  "source": "aws.macie", "detail-type": "Macie Alert",
  "detail": {"notification-type": "ALERT_CREATED", "tags": ["Custom_Alert", "Insider"],
    "risk-score": 80, "trigger": {"alert-type": "basic", "risk": 8}}
}`

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		event   string // inline JSON, or a testdata file name ending in .json
		want    bool
	}{
		{docPatterns + "EC2 termination pattern", `{"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], "detail": {"state": ["terminated"]}}`, "ec2-state-change.json", true},
		{docPatterns + "EC2 termination pattern, other state", `{"source": ["aws.ec2"], "detail": {"state": ["running"]}}`, "ec2-state-change.json", false},
		{docPatterns + "field missing from event", `{"source": ["aws.ec2"], "detail": {"reason": ["terminated"]}}`, "ec2-state-change.json", false},
		{docPatterns + "match values, either source", `{"source": ["aws.ec2", "aws.fargate"]}`, "ec2-state-change.json", true},
		{docPatterns + "match values, neither source", `{"source": ["aws.fargate", "aws.ecs"]}`, "ec2-state-change.json", false},
		{docPatterns + "strings are case sensitive", `{"source": ["AWS.EC2"]}`, "ec2-state-change.json", false},
		{docPatterns + "field matching on null", `{"source": ["aws.autoscaling"], "detail-type": ["EC2 Instance Launch Successful"], "detail": {"responseElements": [null]}}`, "autoscaling-launch.json", true},
		{docPatterns + "value matching, Macie risk", `{"source": ["aws.macie"], "detail-type": ["Macie Alert"], "detail": {"risk-score": [80], "trigger": {"risk": [8]}}}`, macieEvent, true},
		{docPatterns + "value matching, other risk", `{"source": ["aws.macie"], "detail": {"risk-score": [80], "trigger": {"risk": [9]}}}`, macieEvent, false},
		{docPatterns + "number does not match string", `{"detail": {"risk-score": ["80"]}}`, macieEvent, false},
		{docPatterns + "numbers compare by value", `{"detail": {"risk-score": [8.0e1]}}`, macieEvent, true},

		{docNull + "empty string", `{"detail": {"eventVersion": [""]}}`, "autoscaling-launch.json", true},
		{docNull + "null is not the empty string", `{"detail": {"eventVersion": [null]}}`, "autoscaling-launch.json", false},
		{docNull + "empty string is not null", `{"detail": {"responseElements": [""]}}`, "autoscaling-launch.json", false},

		{docArrays + "intersection with event array", `{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f", "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"]}`,
			`{"resources": ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate", "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, true},
		{docArrays + "no intersection", `{"resources": ["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]}`,
			`{"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]}`, false},
		{docArrays + "empty event array", `{"resources": ["x"]}`, `{"resources": []}`, false},

		{docFiltering + "prefix", `{"time": [{"prefix": "2017-10-02"}]}`, `{"time": "2017-10-02T18:43:48Z"}`, true},
		{docFiltering + "prefix, other day", `{"time": [{"prefix": "2017-10-02"}]}`, `{"time": "2017-10-03T18:43:48Z"}`, false},
		{docFiltering + "prefix only matches strings", `{"count": [{"prefix": "1"}]}`, `{"count": 12}`, false},
		{docFiltering + "prefix ignoring case", `{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}`, `{"detail": {"service": "eventbridge"}}`, true},
		{docFiltering + "prefix ignoring case, too short", `{"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}`, `{"detail": {"service": "EVENT"}}`, false},
		{docFiltering + "suffix", `{"FileName": [{"suffix": ".png"}]}`, `{"FileName": "image.png"}`, true},
		{docFiltering + "suffix is case sensitive", `{"FileName": [{"suffix": ".png"}]}`, `{"FileName": "image.PNG"}`, false},
		{docFiltering + "suffix ignoring case", `{"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}`, `{"detail": {"FileName": "image.PnG"}}`, true},
		{docOperators + "equals-ignore-case", `{"Name": [{"equals-ignore-case": "alice"}]}`, `{"Name": "ALICE"}`, true},
		{docOperators + "equals-ignore-case, longer value", `{"Name": [{"equals-ignore-case": "alice"}]}`, `{"Name": "Alicia"}`, false},
		{docFiltering + "anything-but string", `{"detail": {"state": [{"anything-but": "initializing"}]}}`, `{"detail": {"state": "running"}}`, true},
		{docFiltering + "anything-but string, excluded", `{"detail": {"state": [{"anything-but": "initializing"}]}}`, `{"detail": {"state": "initializing"}}`, false},
		{docFiltering + "anything-but string, field absent", `{"detail": {"state": [{"anything-but": "initializing"}]}}`, `{"detail": {}}`, false},
		{docFiltering + "anything-but number", `{"detail": {"x-limit": [{"anything-but": 123}]}}`, `{"detail": {"x-limit": 124}}`, true},
		{docFiltering + "anything-but number, excluded by value", `{"detail": {"x-limit": [{"anything-but": 123}]}}`, `{"detail": {"x-limit": 1.23e2}}`, false},
		{docFiltering + "anything-but string list", `{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}`, `{"detail": {"state": "running"}}`, true},
		{docFiltering + "anything-but string list, excluded", `{"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}}`, `{"detail": {"state": "overloaded"}}`, false},
		{docFiltering + "anything-but number list", `{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}`, "ruler-ec2.json", true},
		{docFiltering + "anything-but number list, excluded", `{"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}}`, `{"detail": {"x-limit": 3.0e2}}`, false},
		{docFiltering + "anything-but prefix", `{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}`, `{"detail": {"state": "running"}}`, true},
		{docFiltering + "anything-but prefix, excluded", `{"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}`, `{"detail": {"state": "initializing"}}`, false},
		{docOperators + "anything-but suffix", `{"FileName": [{"anything-but": {"suffix": ".png"}}]}`, `{"FileName": "a.txt"}`, true},
		{docOperators + "anything-but suffix, excluded", `{"FileName": [{"anything-but": {"suffix": ".png"}}]}`, `{"FileName": "a.png"}`, false},
		{docOperators + "anything-but ignoring case, excluded", `{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}`, `{"state": "INITIALIZING"}`, false},
		{docOperators + "anything-but ignoring case", `{"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}`, `{"state": "running"}`, true},
		{docOperators + "anything-but wildcard", `{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}`, `{"FilePath": "/usr/bin/env"}`, true},
		{docOperators + "anything-but wildcard, excluded", `{"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}`, `{"FilePath": "/usr/lib/libc.so"}`, false},
		{docRuler + "anything-but string matches other types", `{"state": [{"anything-but": "x"}]}`, `{"state": 5}`, true},
		{docFiltering + "numeric", `{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 3.018e2]}]}}`, "ruler-ec2.json", true},
		{docFiltering + "numeric, above range", `{"detail": {"c-count": [{"numeric": [">", 0, "<=", 4]}]}}`, "ruler-ec2.json", false},
		{docFiltering + "numeric, open lower bound", `{"n": [{"numeric": [">", 0]}]}`, `{"n": 0}`, false},
		{docFiltering + "numeric, closed lower bound", `{"n": [{"numeric": [">=", 0]}]}`, `{"n": 0}`, true},
		{docFiltering + "numeric, open upper bound", `{"n": [{"numeric": ["<", 10]}]}`, `{"n": 10}`, false},
		{docFiltering + "numeric only matches numbers", `{"n": [{"numeric": ["<", 10]}]}`, `{"n": "5"}`, false},
		{docFiltering + "numeric, out of range event value", `{"n": [{"numeric": [">", 0]}]}`, `{"n": 6e9}`, false},
		{docFiltering + "IP address", `{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}`, `{"detail": {"sourceIPAddress": "10.0.0.255"}}`, true},
		{docFiltering + "IP address outside block", `{"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}`, `{"detail": {"sourceIPAddress": "10.0.1.0"}}`, false},
		{docFiltering + "IP address, IPv6", `{"ip": [{"cidr": "2001:db8::/32"}]}`, `{"ip": "2001:db8:1::7"}`, true},
		{docFiltering + "IP address, not an IP", `{"ip": [{"cidr": "10.0.0.0/8"}]}`, `{"ip": "AWS Internal"}`, false},
		{docFiltering + "exists true", `{"detail": {"state": [{"exists": true}]}}`, "ec2-state-change.json", true},
		{docFiltering + "exists true, field missing", `{"detail": {"state": [{"exists": true}]}}`, docExcerptEvent, false},
		{docFiltering + "exists true, null value", `{"detail": {"responseElements": [{"exists": true}]}}`, "autoscaling-launch.json", true},
		{docFiltering + "exists false", `{"detail": {"c-count": [{"exists": false}]}}`, "ec2-state-change.json", true},
		{docFiltering + "exists false, object is not a leaf", `{"detail": {"c-count": [{"exists": false}]}}`, docExcerptEvent, true},
		{docFiltering + "exists false, present", `{"detail": {"c-count": [{"exists": false}]}}`, "ruler-ec2.json", false},
		{docFiltering + "complex example", `{"time": [{"prefix": "2017-10-02"}], "detail": {"state": [{"anything-but": "initializing"}], "c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"anything-but": [100, 200, 300]}]}}`, "ruler-ec2.json", true},
		{docFiltering + "complex example, one field off", `{"time": [{"prefix": "2017-10-02"}], "detail": {"state": [{"anything-but": "running"}], "c-count": [{"numeric": [">", 0, "<=", 5]}]}}`, "ruler-ec2.json", false},
		{docFiltering + "repeated key, last one wins", `{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}`, `{"detail": {"location": "eu-west"}}`, true},
		{docFiltering + "repeated key, last one excludes", `{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}`, `{"detail": {"location": "us-east"}}`, false},
		{docOperators + "wildcard", `{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn": "arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
		{docOperators + "wildcard, other region", `{"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn": "arn:aws:events:us-west-2:123456789012:event-bus/default"}`, false},
		{docRuler + "wildcard, escaped star", `{"v": [{"wildcard": "a\\*b"}]}`, `{"v": "a*b"}`, true},
		{docRuler + "wildcard, escaped star is literal", `{"v": [{"wildcard": "a\\*b"}]}`, `{"v": "axxb"}`, false},
		{docRuler + "wildcard, escaped backslash", `{"v": [{"wildcard": "a\\\\*"}]}`, `{"v": "a\\bc"}`, true},
		{docRuler + "wildcard, head and tail overlap", `{"v": [{"wildcard": "ab*ba"}]}`, `{"v": "aba"}`, false},
		{docOperators + "$or, first alternative", `{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}]}`, `{"source": "aws.cloudwatch", "metricName": "ReadLatency"}`, true},
		{docOperators + "$or, second alternative", `{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}]}`, `{"source": "aws.cloudwatch", "namespace": "AWS/ES"}`, true},
		{docOperators + "$or, neither alternative", `{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]}`, `{"source": "aws.cloudwatch", "namespace": "AWS/S3"}`, false},
		{docOperators + "$or, sibling field still required", `{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}]}`, `{"source": "aws.ec2", "namespace": "AWS/EC2"}`, false},
		{docRuler + "$or nested in detail", `{"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]}, {"d-count": [{"numeric": ["<", 10]}]}]}}`, `{"detail": {"d-count": 3}}`, true},
		{docRuler + "$or with an and inside", `{"source": ["aws.cloudwatch"], "$or": [{"metricName": ["CPUUtilization"]}, {"metricType": ["MetricType"], "namespace": ["AWS/EC2"]}]}`, `{"source": "aws.cloudwatch", "metricType": "MetricType"}`, false},
		{docRuler + "array of objects", `{"employees": {"firstName": ["Anna"]}}`, `{"employees": [{"firstName": "John"}, {"firstName": "Anna"}]}`, true},
		{docRuler + "array consistency, same element", `{"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}`, `{"employees": [{"firstName": "Anna", "lastName": "Smith"}, {"firstName": "Peter", "lastName": "Jones"}]}`, true},
		{docRuler + "array consistency, different elements", `{"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}`, `{"employees": [{"firstName": "Anna", "lastName": "Smith"}, {"firstName": "Peter", "lastName": "Jones"}]}`, false},
		{docRuler + "nested arrays are flattened", `{"employees": {"firstName": ["Peter"]}}`, `{"employees": [[{"firstName": "Anna"}], [{"firstName": "Peter"}]]}`, true},
		{docPatterns + "object pattern against a string", `{"detail": {"state": ["x"]}}`, `{"detail": "x"}`, false},
		{docPatterns + "value pattern against an object", `{"detail": ["x"]}`, `{"detail": {"state": "x"}}`, false},
		{docPatterns + "true is not the string true", `{"flag": ["true"]}`, `{"flag": true}`, false},
		{docPatterns + "boolean", `{"flag": [false]}`, `{"flag": false}`, true},
		{docRuler + "large numbers match by text", `{"account": [123456789012]}`, `{"account": 123456789012}`, true},
		{docRuler + "large numbers do not match by value", `{"account": [123456789012]}`, `{"account": 1.23456789012e11}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.pattern))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.pattern, err)
			}
			event := []byte(tt.event)
			if filepath.Ext(tt.event) == ".json" {
				event = readEvent(t, tt.event)
			}
			got, err := p.Match(event)
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.want {
				t.Errorf("Match = %v, want %v\npattern: %s\nevent: %s", got, tt.want, tt.pattern, event)
			}
		})
	}
}

func TestMatchValue(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		event   map[string]any
		want    bool
	}{
		{"float64 in numeric range", `{"n": [{"numeric": [">", 1.5, "<=", 2]}]}`, map[string]any{"n": 2.0}, true},
		{"float64 outside numeric range", `{"n": [{"numeric": [">", 1.5, "<=", 2]}]}`, map[string]any{"n": 2.5}, false},
		{"float64 equals exponent literal", `{"n": [3.0e2]}`, map[string]any{"n": 300.0}, true},
		{"float64 account id by text", `{"account": [123456789012]}`, map[string]any{"account": 123456789012.0}, true},
		{"json.Number by value", `{"n": [300]}`, map[string]any{"n": json.Number("300.000")}, true},
		{"malformed json.Number is no number", `{"n": [{"exists": true}]}`, map[string]any{"n": json.Number("abc")}, true},
		{"malformed json.Number never equals", `{"n": [0]}`, map[string]any{"n": json.Number("abc")}, false},
		{"other Go types are ignored", `{"n": [{"exists": true}]}`, map[string]any{"n": 3}, false},
		{"nested map", `{"detail": {"state": ["ok"]}}`, map[string]any{"detail": map[string]any{"state": "ok"}}, true},
		{"nil event", `{"detail": {"state": [{"exists": false}]}}`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.pattern))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.pattern, err)
			}
			if got := p.MatchValue(tt.event); got != tt.want {
				t.Errorf("MatchValue(%v) = %v, want %v", tt.event, got, tt.want)
			}
		})
	}
}

func TestMatchRejectsInvalidEvents(t *testing.T) {
	p, err := Parse([]byte(`{"source": [{"exists": false}]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	for _, event := range []string{``, `{`, `[]`, `"x"`, `null`, `{"a": 1} {}`, `{"a": 1,}`} {
		if got, err := p.Match([]byte(event)); err == nil {
			t.Errorf("Match(%q) = %v, nil; want an error", event, got)
		}
	}
}
