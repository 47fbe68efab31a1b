package awslocal

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// policyDoc is an IAM policy document: identity, trust or resource policy.
// The endpoint evaluates trust policies (AssumeRole) and resource policies
// (SNS topics, SQS queues) with IAM's rules: an explicit Deny wins, then an
// Allow, otherwise the request is denied. See "Policy evaluation logic" and
// "IAM JSON policy elements reference" in the IAM User Guide.
type policyDoc struct {
	Version   string
	Statement []statement
}

type statement struct {
	Sid          string
	Effect       string
	Principal    principalSet
	NotPrincipal principalSet
	Action       stringSet
	NotAction    stringSet
	Resource     stringSet
	NotResource  stringSet
	Condition    map[string]map[string]stringSet
}

// stringSet accepts IAM's "one string or a list of strings".
type stringSet []string

func (s *stringSet) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stringSet{one}
		return nil
	}
	var many []any
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("expected a string or a list of strings")
	}
	for _, v := range many {
		switch x := v.(type) {
		case string:
			*s = append(*s, x)
		case bool:
			*s = append(*s, strconv.FormatBool(x))
		case float64:
			*s = append(*s, strconv.FormatFloat(x, 'f', -1, 64))
		default:
			return fmt.Errorf("expected a string or a list of strings")
		}
	}
	return nil
}

// principalSet is a Principal element: "*" or {"AWS": ..., "Service": ...}.
type principalSet struct {
	Any  bool
	Keys map[string]stringSet
}

func (p *principalSet) UnmarshalJSON(b []byte) error {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return fmt.Errorf("principal %q must be \"*\" or an object", star)
		}
		p.Any = true
		return nil
	}
	return json.Unmarshal(b, &p.Keys)
}

func (p principalSet) empty() bool { return !p.Any && len(p.Keys) == 0 }

// parsePolicy validates a policy document the way IAM does before storing
// it, answering MalformedPolicyDocument for what IAM would reject.
func parsePolicy(text string) (*policyDoc, error) {
	var p policyDoc
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, errorf("MalformedPolicyDocument", "Syntax errors in policy: %v", err)
	}
	if p.Version != "" && p.Version != "2012-10-17" && p.Version != "2008-10-17" {
		return nil, errorf("MalformedPolicyDocument", "The policy must contain a valid version string")
	}
	if len(p.Statement) == 0 {
		return nil, errorf("MalformedPolicyDocument", "Policy document must contain at least one statement")
	}
	for i, st := range p.Statement {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return nil, errorf("MalformedPolicyDocument", "Statement %d: Effect must be Allow or Deny", i)
		}
		if len(st.Action) == 0 && len(st.NotAction) == 0 {
			return nil, errorf("MalformedPolicyDocument", "Statement %d: policy statement must contain actions", i)
		}
	}
	return &p, nil
}

// UnmarshalJSON lets a single statement object stand for a list, as IAM does.
func (p *policyDoc) UnmarshalJSON(b []byte) error {
	var raw struct {
		Version   string
		Id        string
		Statement json.RawMessage
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	p.Version = raw.Version
	if len(raw.Statement) > 0 && raw.Statement[0] == '{' {
		var st statement
		if err := json.Unmarshal(raw.Statement, &st); err != nil {
			return err
		}
		p.Statement = []statement{st}
		return nil
	}
	return json.Unmarshal(raw.Statement, &p.Statement)
}

// evalRequest is what a policy is evaluated against.
type evalRequest struct {
	principalARNs []string // caller ARNs that Principal elements may name
	account       string   // caller's account
	service       string   // for service principals, e.g. "cloudwatch.amazonaws.com"
	action        string
	resource      string
	context       map[string][]string // condition keys, lower-cased names
}

// allows reports whether the policy allows the request.
func (p *policyDoc) allows(r evalRequest) bool {
	allowed := false
	for _, st := range p.Statement {
		if !st.applies(r) {
			continue
		}
		if st.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

func (st statement) applies(r evalRequest) bool {
	if !st.Principal.empty() && !st.Principal.matches(r) {
		return false
	}
	if !st.NotPrincipal.empty() && st.NotPrincipal.matches(r) {
		return false
	}
	if len(st.Action) > 0 && !matchAny(st.Action, r.action, true) {
		return false
	}
	if len(st.NotAction) > 0 && matchAny(st.NotAction, r.action, true) {
		return false
	}
	if len(st.Resource) > 0 && !matchAny(st.Resource, r.resource, false) {
		return false
	}
	if len(st.NotResource) > 0 && matchAny(st.NotResource, r.resource, false) {
		return false
	}
	for op, kv := range st.Condition {
		for key, want := range kv {
			if !evalCondition(op, r.context[strings.ToLower(key)], want) {
				return false
			}
		}
	}
	return true
}

func (p principalSet) matches(r evalRequest) bool {
	if p.Any {
		return true
	}
	for kind, vals := range p.Keys {
		for _, v := range vals {
			switch kind {
			case "AWS":
				if v == "*" || v == r.account || v == "arn:aws:iam::"+r.account+":root" {
					return true
				}
				for _, arn := range r.principalARNs {
					if v == arn {
						return true
					}
				}
			case "Service":
				if r.service != "" && v == r.service {
					return true
				}
			}
		}
	}
	return false
}

func matchAny(patterns []string, value string, caseInsensitive bool) bool {
	for _, p := range patterns {
		if caseInsensitive {
			p, value = strings.ToLower(p), strings.ToLower(value)
		}
		if globMatch(p, value) {
			return true
		}
	}
	return false
}

// globMatch is IAM's wildcard match: * any run, ? one character.
func globMatch(pattern, value string) bool {
	// path.Match treats / specially and [ as a class; IAM does neither.
	escaped := strings.NewReplacer("[", "\\[", "\\", "\\\\").Replace(pattern)
	ok, err := path.Match(strings.ReplaceAll(escaped, "/", "\x00"), strings.ReplaceAll(value, "/", "\x00"))
	return err == nil && ok
}

// evalCondition applies one condition operator to the request's values for
// a key. A key the request lacks fails every operator except ...IfExists
// and Null:true.
func evalCondition(op string, have []string, want []string) bool {
	base := strings.TrimSuffix(op, "IfExists")
	ifExists := base != op
	if base == "Null" {
		isNull := len(have) == 0
		return len(want) > 0 && (want[0] == "true") == isNull
	}
	if len(have) == 0 {
		return ifExists || strings.HasPrefix(base, "ForAllValues:")
	}
	base = strings.TrimPrefix(strings.TrimPrefix(base, "ForAnyValue:"), "ForAllValues:")
	negated := strings.Contains(base, "Not")
	plain := strings.Replace(base, "Not", "", 1)
	test := func(h, w string) bool {
		switch plain {
		case "StringEquals", "ArnEquals":
			return h == w
		case "StringEqualsIgnoreCase":
			return strings.EqualFold(h, w)
		case "StringLike", "ArnLike":
			return globMatch(w, h)
		case "Bool":
			return strings.EqualFold(h, w)
		case "NumericEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals":
			hv, err1 := strconv.ParseFloat(h, 64)
			wv, err2 := strconv.ParseFloat(w, 64)
			if err1 != nil || err2 != nil {
				return false
			}
			switch plain {
			case "NumericEquals":
				return hv == wv
			case "NumericLessThan":
				return hv < wv
			case "NumericLessThanEquals":
				return hv <= wv
			case "NumericGreaterThan":
				return hv > wv
			default:
				return hv >= wv
			}
		}
		return false
	}
	for _, h := range have {
		for _, w := range want {
			if test(h, w) {
				return !negated
			}
		}
	}
	return negated
}
