package awslocal

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// DynamoDB attribute values travel as typed JSON objects with exactly one
// member: {"S": "x"}, {"N": "1.5"}, {"BOOL": true}, {"NULL": true},
// {"M": {...}}, {"L": [...]}, {"SS": [...]}, {"NS": [...]}, {"BS": [...]},
// {"B": "<base64>"}. This file validates, compares and does arithmetic on
// them, following
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
// and the comparison rules of
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html.

// avType splits an attribute value into its type descriptor and payload.
func avType(v any) (string, any) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil
	}
	for k, p := range m {
		return k, p
	}
	return "", nil
}

// validateAV rejects malformed values the way DynamoDB does, with a
// ValidationException: one type per value, numbers that parse, non-empty
// sets without duplicates.
func validateAV(v any) error {
	t, p := avType(v)
	bad := func(why string) error {
		return errorf("ValidationException", "One or more parameter values were invalid: %s", why)
	}
	switch t {
	case "S", "B":
		if _, ok := p.(string); !ok {
			return bad("Invalid " + t + " attribute value")
		}
	case "N":
		s, _ := p.(string)
		if _, ok := ddbNumber(s); !ok {
			return errorf("ValidationException", "The parameter cannot be converted to a numeric value: %s", s)
		}
	case "BOOL", "NULL":
		b, ok := p.(bool)
		if !ok || (t == "NULL" && !b) {
			return bad("Null attribute value types must have the value of true")
		}
	case "M":
		m, ok := p.(map[string]any)
		if !ok {
			return bad("Invalid M attribute value")
		}
		for _, e := range m {
			if err := validateAV(e); err != nil {
				return err
			}
		}
	case "L":
		l, ok := p.([]any)
		if !ok {
			return bad("Invalid L attribute value")
		}
		for _, e := range l {
			if err := validateAV(e); err != nil {
				return err
			}
		}
	case "SS", "NS", "BS":
		l, ok := p.([]any)
		if !ok || len(l) == 0 {
			return bad("An " + t + " set may not be empty")
		}
		seen := map[string]bool{}
		for _, e := range l {
			s, ok := e.(string)
			if !ok {
				return bad("Invalid " + t + " attribute value")
			}
			if t == "NS" {
				n, ok := ddbNumber(s)
				if !ok {
					return errorf("ValidationException", "The parameter cannot be converted to a numeric value: %s", s)
				}
				s = n.RatString()
			}
			if seen[s] {
				return bad("Input collection " + fmt.Sprint(l) + " contains duplicates.")
			}
			seen[s] = true
		}
	default:
		return bad("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	return nil
}

// ddbNumber parses a DynamoDB number exactly (up to 38 digits in AWS).
func ddbNumber(s string) (*big.Rat, bool) {
	if s == "" || strings.ContainsAny(s, "/ \t") {
		return nil, false
	}
	return new(big.Rat).SetString(s)
}

// ratText renders a number the way DynamoDB returns it: no exponent, no
// trailing zeros.
func ratText(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	return strings.TrimRight(strings.TrimRight(r.FloatString(38), "0"), ".")
}

// avEqual is DynamoDB's "=": same type and same value; sets compare as sets.
func avEqual(a, b any) bool {
	ta, pa := avType(a)
	tb, pb := avType(b)
	if ta != tb {
		return false
	}
	switch ta {
	case "N":
		x, _ := ddbNumber(pa.(string))
		y, _ := ddbNumber(pb.(string))
		return x != nil && y != nil && x.Cmp(y) == 0
	case "SS", "BS", "NS":
		return slices.Equal(setKeys(ta, pa), setKeys(tb, pb))
	case "M":
		ma, mb := pa.(map[string]any), pb.(map[string]any)
		if len(ma) != len(mb) {
			return false
		}
		for k, v := range ma {
			if w, ok := mb[k]; !ok || !avEqual(v, w) {
				return false
			}
		}
		return true
	case "L":
		la, lb := pa.([]any), pb.([]any)
		if len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !avEqual(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	return pa == pb
}

// setKeys returns a set's members in a canonical, sorted form.
func setKeys(t string, p any) []string {
	var out []string
	for _, e := range p.([]any) {
		s, _ := e.(string)
		if t == "NS" {
			if n, ok := ddbNumber(s); ok {
				s = n.RatString()
			}
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// avCompare orders two values of the same scalar type (S, N, B); ok is
// false when the types differ or are not ordered, and DynamoDB then
// evaluates <, <=, >, >= to false.
func avCompare(a, b any) (int, bool) {
	ta, pa := avType(a)
	tb, pb := avType(b)
	if ta != tb {
		return 0, false
	}
	switch ta {
	case "N":
		x, _ := ddbNumber(pa.(string))
		y, _ := ddbNumber(pb.(string))
		if x == nil || y == nil {
			return 0, false
		}
		return x.Cmp(y), true
	case "S", "B": // strings by UTF-8 bytes, binary by its (base64) bytes
		return strings.Compare(pa.(string), pb.(string)), true
	}
	return 0, false
}

// keyText is a key attribute's canonical text, so that {"N":"1"} and
// {"N":"1.0"} address the same item.
func keyText(v any) string {
	t, p := avType(v)
	s, _ := p.(string)
	if t == "N" {
		if n, ok := ddbNumber(s); ok {
			return "N:" + n.RatString()
		}
	}
	return t + ":" + s
}

// avAdd implements UpdateExpression ADD: numbers add, sets take the union.
func avAdd(cur, delta any) (any, error) {
	td, pd := avType(delta)
	if cur == nil {
		return delta, nil
	}
	tc, pc := avType(cur)
	if tc != td {
		return nil, errorf("ValidationException", "An operand in the update expression has an incorrect data type")
	}
	switch td {
	case "N":
		x, _ := ddbNumber(pc.(string))
		y, _ := ddbNumber(pd.(string))
		return doc{"N": ratText(new(big.Rat).Add(x, y))}, nil
	case "SS", "NS", "BS":
		out := slices.Clone(pc.([]any))
		have := setKeys(tc, pc)
		for _, e := range pd.([]any) {
			if !slices.Contains(have, setKeys(td, []any{e})[0]) {
				out = append(out, e)
			}
		}
		return doc{td: out}, nil
	}
	return nil, errorf("ValidationException", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: %s", td)
}

// avSubtract implements DELETE (set difference) and the "-" of SET.
func avSubtract(cur, delta any, numeric bool) (any, error) {
	tc, pc := avType(cur)
	td, pd := avType(delta)
	if tc != td || (numeric && tc != "N") || (!numeric && !strings.HasSuffix(tc, "S")) || tc == "S" {
		return nil, errorf("ValidationException", "An operand in the update expression has an incorrect data type")
	}
	if numeric {
		x, _ := ddbNumber(pc.(string))
		y, _ := ddbNumber(pd.(string))
		return doc{"N": ratText(new(big.Rat).Sub(x, y))}, nil
	}
	drop := setKeys(td, pd)
	var out []any
	for _, e := range pc.([]any) {
		if !slices.Contains(drop, setKeys(tc, []any{e})[0]) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, nil // an emptied set removes the attribute
	}
	return doc{tc: out}, nil
}
