package eventpattern

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// valueMatcher tests one leaf value of an event: a string, json.Number,
// float64, bool or nil. Objects never reach a valueMatcher.
type valueMatcher interface {
	match(v any) bool
}

// exactString matches a string value byte for byte.
type exactString string

func (m exactString) match(v any) bool {
	s, ok := v.(string)
	return ok && s == string(m)
}

// exactNumber matches a number by identical JSON text or, when both sides
// are comparable, by value (event-ruler registers both forms for a number).
type exactNumber struct {
	literal   string
	scaled    int64
	hasScaled bool
}

func (m exactNumber) match(v any) bool {
	lit, ok := numberLiteral(v)
	if !ok {
		return false
	}
	if lit == m.literal {
		return true
	}
	if !m.hasScaled {
		return false
	}
	n, ok := scaledNumber(lit)
	return ok && n == m.scaled
}

// exactBool matches the JSON literal true or false.
type exactBool bool

func (m exactBool) match(v any) bool {
	b, ok := v.(bool)
	return ok && b == bool(m)
}

// exactNull matches the JSON literal null, which is distinct from "".
type exactNull struct{}

func (exactNull) match(v any) bool { return v == nil }

// stringTest adapts a predicate on strings to valueMatcher; prefix, suffix,
// equals-ignore-case and wildcard only ever match string values.
type stringTest func(string) bool

func (m stringTest) match(v any) bool {
	s, ok := v.(string)
	return ok && m(s)
}

func prefixTest(prefix string, ignoreCase bool) stringTest {
	if ignoreCase {
		return func(s string) bool { _, ok := trimPrefixFold(s, prefix); return ok }
	}
	return func(s string) bool { return strings.HasPrefix(s, prefix) }
}

func suffixTest(suffix string, ignoreCase bool) stringTest {
	if ignoreCase {
		return func(s string) bool { return hasSuffixFold(s, suffix) }
	}
	return func(s string) bool { return strings.HasSuffix(s, suffix) }
}

func equalsIgnoreCaseTest(want string) stringTest {
	return func(s string) bool {
		rest, ok := trimPrefixFold(s, want)
		return ok && rest == ""
	}
}

// numericRange matches numbers inside an optional lower and upper bound,
// both expressed as scaled values.
type numericRange struct {
	low, high         int64
	hasLow, hasHigh   bool
	lowOpen, highOpen bool
}

func (m numericRange) match(v any) bool {
	lit, ok := numberLiteral(v)
	if !ok {
		return false
	}
	n, ok := scaledNumber(lit)
	if !ok {
		return false
	}
	if m.hasLow && (n < m.low || (m.lowOpen && n == m.low)) {
		return false
	}
	if m.hasHigh && (n > m.high || (m.highOpen && n == m.high)) {
		return false
	}
	return true
}

// cidrMatch matches strings that parse as an IP address inside the prefix.
// netip.Prefix.Contains never matches across address families, as AWS does.
type cidrMatch netip.Prefix

func (m cidrMatch) match(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	addr, err := netip.ParseAddr(s)
	return err == nil && addr.Zone() == "" && netip.Prefix(m).Contains(addr)
}

// existsMatch matches any leaf value, including null.
type existsMatch struct{}

func (existsMatch) match(any) bool { return true }

// anythingBut matches every value the excluded matcher does not match.
// Values of another type are never excluded: anything-but "x" matches 5.
type anythingBut struct {
	excluded []valueMatcher
}

func (m anythingBut) match(v any) bool {
	for _, e := range m.excluded {
		if e.match(v) {
			return false
		}
	}
	return true
}

// trimPrefixFold reports whether s starts with prefix under simple Unicode
// case folding, and returns the rest of s.
func trimPrefixFold(s, prefix string) (string, bool) {
	for prefix != "" {
		if s == "" {
			return "", false
		}
		pr, pn := utf8.DecodeRuneInString(prefix)
		sr, sn := utf8.DecodeRuneInString(s)
		if !runesEqualFold(sr, pr) {
			return "", false
		}
		prefix, s = prefix[pn:], s[sn:]
	}
	return s, true
}

// hasSuffixFold is trimPrefixFold from the other end.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeLastRuneInString(suffix)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if !runesEqualFold(sr, pr) {
			return false
		}
		suffix, s = suffix[:len(suffix)-pn], s[:len(s)-sn]
	}
	return true
}

// runesEqualFold compares the lower- and upper-case forms, which is what
// event-ruler does per character when it builds case-insensitive matchers.
func runesEqualFold(a, b rune) bool {
	return a == b || unicode.ToLower(a) == unicode.ToLower(b) || unicode.ToUpper(a) == unicode.ToUpper(b)
}
