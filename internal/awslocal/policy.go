package awslocal

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// policyDoc is an IAM policy document: identity, trust or resource policy,
// as the endpoint validates it before storing it ("IAM JSON policy elements
// reference", IAM User Guide). The endpoint never evaluates one itself: the
// authorizer (iamsim) does.
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
