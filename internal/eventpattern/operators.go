package eventpattern

import (
	"encoding/json"
	"fmt"
	"net/netip"
)

// compileOperator compiles one operator object such as {"prefix": "us-"}.
// absent is true for {"exists": false}, which is not a value test: it holds
// when the field has no leaf value at all.
func compileOperator(obj *object, loc string) (m valueMatcher, absent bool, err error) {
	if len(obj.keys) != 1 {
		return nil, false, invalid(loc, "an operator object must have exactly one key, found %d", len(obj.keys))
	}
	op, val := obj.keys[0], obj.vals[0]
	oloc := loc + "." + op
	switch op {
	case "prefix", "suffix":
		s, ignoreCase, err := caseOption(val, oloc)
		if err != nil {
			return nil, false, err
		}
		if op == "prefix" {
			return prefixTest(s, ignoreCase), false, nil
		}
		return suffixTest(s, ignoreCase), false, nil
	case "equals-ignore-case":
		s, err := stringValue(val, oloc)
		if err != nil {
			return nil, false, err
		}
		return equalsIgnoreCaseTest(s), false, nil
	case "wildcard":
		w, err := wildcardValue(val, oloc)
		if err != nil {
			return nil, false, err
		}
		return stringTest(w.match), false, nil
	case "anything-but":
		m, err := compileAnythingBut(val, oloc)
		return m, false, err
	case "numeric":
		m, err := compileNumeric(val, oloc)
		return m, false, err
	case "cidr":
		s, err := stringValue(val, oloc)
		if err != nil {
			return nil, false, err
		}
		prefix, perr := netip.ParsePrefix(s)
		if perr != nil {
			return nil, false, invalid(oloc, "%q is not a CIDR block", s)
		}
		return cidrMatch(prefix.Masked()), false, nil
	case "exists":
		b, ok := val.(bool)
		if !ok {
			return nil, false, invalid(oloc, "exists must be true or false, not %s", jsonKind(val))
		}
		if !b {
			return nil, true, nil
		}
		return existsMatch{}, false, nil
	}
	return nil, false, invalid(loc, "unknown operator %q", op)
}

// caseOption reads the value of prefix or suffix: a string, or
// {"equals-ignore-case": string}.
func caseOption(val any, loc string) (string, bool, error) {
	obj, ok := val.(*object)
	if !ok {
		s, err := stringValue(val, loc)
		return s, false, err
	}
	if len(obj.keys) != 1 || obj.keys[0] != "equals-ignore-case" {
		return "", false, invalid(loc, `an object here must be {"equals-ignore-case": "..."}`)
	}
	s, err := stringValue(obj.vals[0], loc+".equals-ignore-case")
	return s, true, err
}

func stringValue(val any, loc string) (string, error) {
	s, ok := val.(string)
	if !ok {
		return "", invalid(loc, "value must be a string, not %s", jsonKind(val))
	}
	return s, nil
}

func wildcardValue(val any, loc string) (wildcard, error) {
	s, err := stringValue(val, loc)
	if err != nil {
		return nil, err
	}
	w, werr := parseWildcard(s)
	if werr != nil {
		return nil, invalid(loc, "%q: %v", s, werr)
	}
	return w, nil
}

// numberValue reads a number that numeric and anything-but compare by value;
// EventBridge rejects numbers it cannot represent there.
func numberValue(val any, loc string) (int64, error) {
	n, ok := val.(json.Number)
	if !ok {
		return 0, invalid(loc, "value must be a number, not %s", jsonKind(val))
	}
	scaled, ok := scaledNumber(string(n))
	if !ok {
		return 0, invalid(loc, "%s must be between -5e9 and 5e9 with at most 6 decimal places", n)
	}
	return scaled, nil
}

func numberEquals(n int64) numericRange {
	return numericRange{low: n, high: n, hasLow: true, hasHigh: true}
}

// compileAnythingBut compiles the value of anything-but: a string, a number,
// a list of only strings or only numbers, or an object applying it to
// prefix, suffix, equals-ignore-case or wildcard.
func compileAnythingBut(val any, loc string) (valueMatcher, error) {
	switch t := val.(type) {
	case string:
		return anythingBut{excluded: []valueMatcher{exactString(t)}}, nil
	case json.Number:
		n, err := numberValue(t, loc)
		if err != nil {
			return nil, err
		}
		return anythingBut{excluded: []valueMatcher{numberEquals(n)}}, nil
	case []any:
		return anythingButList(t, loc)
	case *object:
		return anythingButOperator(t, loc)
	}
	return nil, invalid(loc, "anything-but takes a string, a number, a list or an object, not %s", jsonKind(val))
}

func anythingButList(list []any, loc string) (valueMatcher, error) {
	if len(list) == 0 {
		return nil, invalid(loc, "anything-but list must not be empty")
	}
	var excluded []valueMatcher
	var strings, numbers bool
	for i, v := range list {
		eloc := fmt.Sprintf("%s[%d]", loc, i)
		switch t := v.(type) {
		case string:
			strings = true
			excluded = append(excluded, exactString(t))
		case json.Number:
			numbers = true
			n, err := numberValue(t, eloc)
			if err != nil {
				return nil, err
			}
			excluded = append(excluded, numberEquals(n))
		default:
			return nil, invalid(eloc, "anything-but list values must be strings or numbers, not %s", jsonKind(v))
		}
	}
	if strings && numbers {
		return nil, invalid(loc, "anything-but list must hold only strings or only numbers")
	}
	return anythingBut{excluded: excluded}, nil
}

func anythingButOperator(obj *object, loc string) (valueMatcher, error) {
	if len(obj.keys) != 1 {
		return nil, invalid(loc, "an anything-but object must have exactly one key, found %d", len(obj.keys))
	}
	op, val := obj.keys[0], obj.vals[0]
	oloc := loc + "." + op
	var build func(s, loc string) (valueMatcher, error)
	switch op {
	case "prefix", "suffix":
		build = func(s, loc string) (valueMatcher, error) {
			if s == "" {
				return nil, invalid(loc, "anything-but %s must not be empty", op)
			}
			if op == "prefix" {
				return prefixTest(s, false), nil
			}
			return suffixTest(s, false), nil
		}
	case "equals-ignore-case":
		build = func(s, _ string) (valueMatcher, error) { return equalsIgnoreCaseTest(s), nil }
	case "wildcard":
		build = func(s, loc string) (valueMatcher, error) {
			w, err := wildcardValue(s, loc)
			if err != nil {
				return nil, err
			}
			return stringTest(w.match), nil
		}
	default:
		return nil, invalid(loc, "unsupported anything-but operator %q", op)
	}

	values, ok := val.([]any)
	if !ok {
		values = []any{val}
	} else if len(values) == 0 {
		return nil, invalid(oloc, "list must not be empty")
	}
	excluded := make([]valueMatcher, 0, len(values))
	for i, v := range values {
		vloc := oloc
		if ok {
			vloc = fmt.Sprintf("%s[%d]", oloc, i)
		}
		s, err := stringValue(v, vloc)
		if err != nil {
			return nil, err
		}
		m, err := build(s, vloc)
		if err != nil {
			return nil, err
		}
		excluded = append(excluded, m)
	}
	return anythingBut{excluded: excluded}, nil
}

// compileNumeric compiles ["=", n], [">"|">=", n], ["<"|"<=", n] or
// [">"|">=", low, "<"|"<=", high], the forms event-ruler accepts.
func compileNumeric(val any, loc string) (valueMatcher, error) {
	arr, ok := val.([]any)
	if !ok {
		return nil, invalid(loc, "numeric must be an array, not %s", jsonKind(val))
	}
	if len(arr) < 2 {
		return nil, invalid(loc, "numeric needs an operator and a number")
	}
	op, ok := arr[0].(string)
	if !ok {
		return nil, invalid(loc+"[0]", "numeric operator must be a string, not %s", jsonKind(arr[0]))
	}
	n, err := numberValue(arr[1], loc+"[1]")
	if err != nil {
		return nil, err
	}
	var r numericRange
	switch op {
	case "=":
		r = numberEquals(n)
	case "<", "<=":
		if n <= -maxScaledValue {
			return nil, invalid(loc+"[1]", "upper bound must be above -5e9")
		}
		r = numericRange{high: n, hasHigh: true, highOpen: op == "<"}
	case ">", ">=":
		if n >= maxScaledValue {
			return nil, invalid(loc+"[1]", "lower bound must be below 5e9")
		}
		r = numericRange{low: n, hasLow: true, lowOpen: op == ">"}
		if len(arr) == 4 {
			return completeRange(r, arr, loc)
		}
	default:
		return nil, invalid(loc+"[0]", "unknown numeric operator %q", op)
	}
	if len(arr) != 2 {
		return nil, invalid(loc, "too many elements in numeric expression")
	}
	return r, nil
}

// completeRange adds the upper bound of a two-sided range.
func completeRange(r numericRange, arr []any, loc string) (valueMatcher, error) {
	op, ok := arr[2].(string)
	if !ok || (op != "<" && op != "<=") {
		return nil, invalid(loc+"[2]", `second numeric operator must be "<" or "<="`)
	}
	high, err := numberValue(arr[3], loc+"[3]")
	if err != nil {
		return nil, err
	}
	if r.low >= high {
		return nil, invalid(loc, "lower bound must be less than upper bound")
	}
	r.high, r.hasHigh, r.highOpen = high, true, op == "<"
	return r, nil
}
