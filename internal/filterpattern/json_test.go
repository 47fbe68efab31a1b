package filterpattern

import "testing"

// docEvent is the sample event of the User Guide section "Using filter
// patterns to match terms in JSON log events" (metric filter examples).
const docEvent = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null,
  "ThisFlag": true
}`

// docCompoundEvent is the sample of the section "JSON compound conditions".
const docCompoundEvent = `{
  "user": {"id": 1, "email": "John.Stiles@example.com"},
  "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
  "actions": ["GET", "PUT", "DELETE"],
  "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]
}`

func TestMatchJSON(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		message string
		want    bool
	}{
		// JSON log events: metric filter examples.
		{"json/equals quoted string", `{ $.eventType = "UpdateTrail" }`, docEvent, true},
		{"json/equals unquoted string", `{ $.eventType = UpdateTrail }`, docEvent, true},
		{"json/equals other string", `{ $.eventType = "CreateTrail" }`, docEvent, false},
		{"json/not equals with trailing wildcard", `{ $.sourceIPAddress != 123.123.* }`, docEvent, true},
		{"json/equals with trailing wildcard", `{ $.sourceIPAddress = 111.111.* }`, docEvent, true},
		{"json/array index", `{ $.arrayKey[0] = "value" }`, docEvent, true},
		{"json/array index second", `{ $.arrayKey[1] = "value" }`, docEvent, false},
		{"json/array index on non-array", `{ $.eventType[0] = "UpdateTrail" }`, docEvent, false},
		{"json/object in array", `{ $.objectList[1].id = 2 }`, docEvent, true},
		{"json/object in array out of range", `{ $.objectList[5].id = 2 }`, docEvent, false},
		{"json/IS NULL", `{ $.SomeObject IS NULL }`, docEvent, true},
		{"json/IS NULL on non-null", `{ $.eventType IS NULL }`, docEvent, false},
		{"json/IS NULL on missing", `{ $.Missing IS NULL }`, docEvent, false},
		{"json/NOT EXISTS", `{ $.SomeOtherObject NOT EXISTS }`, docEvent, true},
		{"json/NOT EXISTS on present", `{ $.SomeObject NOT EXISTS }`, docEvent, false},
		{"json/EXISTS", `{ $.ThisFlag EXISTS }`, docEvent, true},
		{"json/EXISTS on missing", `{ $.Nope EXISTS }`, docEvent, false},
		{"json/IS TRUE", `{ $.ThisFlag IS TRUE }`, docEvent, true},
		{"json/IS FALSE", `{ $.ThisFlag IS FALSE }`, docEvent, false},
		{"json/IS TRUE on string", `{ $.eventType IS TRUE }`, docEvent, false},
		// JSON compound conditions.
		{"compound/and", `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, docCompoundEvent, true},
		{"compound/and-or", `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, docCompoundEvent, false},
		{"compound/precedence and over or", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, docCompoundEvent, true},
		{"compound/parentheses", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, docCompoundEvent, false},
		{"compound/nested arrays", `{ $.coordinates[2][0] = 7 }`, docCompoundEvent, true},
		// JSON special considerations: selectors on arrays or objects match
		// neither = nor !=.
		{"special/equals on array", `{ $.users = 1 }`, `{"users": [1, 2, 3]}`, false},
		{"special/not equals on array", `{ $.users != 1 }`, `{"users": [1, 2, 3]}`, false},
		{"special/not equals on missing field", `{ $.missing != "x" }`, `{"a": 1}`, false},
		{"special/not equals on null", `{ $.a != "x" }`, `{"a": null}`, false},
		// Numeric comparisons.
		{"numeric/>= true", `{ $.latency >= 500 }`, `{"latency": 500}`, true},
		{"numeric/>= false", `{ $.latency >= 500 }`, `{"latency": 499.9}`, false},
		{"numeric/< scientific", `{ $.numbers[0] < 10e3 }`, `{"numbers": [9999]}`, true},
		{"numeric/< negative exponent", `{ $.numbers[0] < 10e-3 }`, `{"numbers": [0.02]}`, false},
		{"numeric/<= decimal", `{ $.processes[4].averageRuntime <= 55.5 }`, `{"processes": [0,0,0,0,{"averageRuntime": 55.5}]}`, true},
		{"numeric/= integer", `{ $.errorCode = 400 }`, `{"errorCode": 400}`, true},
		{"numeric/= different spelling", `{ $.errorCode = 400 }`, `{"errorCode": 4.0e2}`, true},
		{"numeric/!=", `{ $.errorCode != 500 }`, `{"errorCode": 400}`, true},
		{"numeric/!= equal", `{ $.errorCode != 500 }`, `{"errorCode": 500}`, false},
		{"numeric/> signed", `{ $.latency > +1000 }`, `{"latency": 1001}`, true},
		{"numeric/> on string field", `{ $.latency > 10 }`, `{"latency": "fast"}`, false},
		{"numeric/= on numeric string", `{ $.recipientAccountId = 123456789012 }`, `{"recipientAccountId": "123456789012"}`, true},
		// Wildcards (User Guide: "*Event", "Event*"; "Ev*ent" is literal).
		{"wildcard/leading", `{ $.e = "*Event" }`, `{"e": "PutEvent"}`, true},
		{"wildcard/trailing", `{ $.e = "Event*" }`, `{"e": "EventName"}`, true},
		{"wildcard/interior is literal", `{ $.e = "Ev*ent" }`, `{"e": "Evident"}`, false},
		{"wildcard/interior literal star", `{ $.e = "Ev*ent" }`, `{"e": "Ev*ent"}`, true},
		{"wildcard/both ends", `{ $.e = *Den* }`, `{"e": "AccessDeniedException"}`, true},
		{"wildcard/any value", `{ $.latency = * }`, `{"latency": 12}`, true},
		{"wildcard/any value missing", `{ $.latency = * }`, `{"other": 12}`, false},
		// Matching is case-sensitive.
		{"case/sensitive", `{ $.eventType = "updatetrail" }`, docEvent, false},
		// Events that are not one JSON object never match a JSON pattern.
		{"input/not json", `{ $.a = 1 }`, `a = 1`, false},
		{"input/json array", `{ $.a = 1 }`, `[{"a": 1}]`, false},
		{"input/trailing garbage", `{ $.a = 1 }`, `{"a": 1} trailing`, false},
		{"input/escaped quote in value", `{ $.msg = "say \"hi\"" }`, `{"msg": "say \"hi\""}`, true},
		{"input/dash and underscore keys", `{ $.a-b.c_d = 1 }`, `{"a-b": {"c_d": 1}}`, true},
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
