package filterpattern

import (
	"strconv"
	"strings"
)

// delimitedPattern matches space-delimited events such as access logs:
// "[ip, user, ..., status_code = 4*, bytes]". Each slot takes one field of the
// message; "..." takes any number of fields. Text inside [] or "" in the
// message is a single field (User Guide, "Using filter patterns to match
// terms in space-delimited log events").
type delimitedPattern struct {
	slots    []slot
	fixed    int  // slots that take exactly one field
	variadic bool // whether any slot is "..."
}

type slot struct {
	name     string    // "" for an anonymous slot
	ellipsis bool      // "..." matches zero or more fields
	cond     delimExpr // nil when the slot only names its field
}

// delimExpr is a condition on one field's text.
type delimExpr = expr[string]

type delimCmp struct {
	op  operator
	lit literal
}

func (c delimCmp) eval(f string) bool { return compare(f, c.op, c.lit) }

func (sl slot) accepts(field string) bool { return sl.cond == nil || sl.cond.eval(field) }

func (p delimitedPattern) match(message string) (fields, bool) {
	tokens := splitFields(message)
	n, m := len(p.slots), len(tokens)
	if m < p.fixed || !p.variadic && m != p.fixed {
		return nil, false
	}
	// memo[i*(m+1)+j] caches whether slots[i:] can consume tokens[j:]:
	// 0 unknown, 1 yes, 2 no. It keeps "..." matching polynomial.
	memo := make([]uint8, (n+1)*(m+1))
	var fit func(i, j int) bool
	fit = func(i, j int) bool {
		if i == n {
			return j == m
		}
		k := i*(m+1) + j
		if memo[k] != 0 {
			return memo[k] == 1
		}
		var ok bool
		if p.slots[i].ellipsis {
			ok = fit(i+1, j) || j < m && fit(i, j+1)
		} else {
			ok = j < m && p.slots[i].accepts(tokens[j]) && fit(i+1, j+1)
		}
		memo[k] = 2
		if ok {
			memo[k] = 1
		}
		return ok
	}
	if !fit(0, 0) {
		return nil, false
	}
	// Walk the successful path again to bind names; "..." takes as few
	// fields as it can.
	named := map[string]string{}
	for i, j := 0, 0; i < n; {
		sl := p.slots[i]
		switch {
		case sl.ellipsis && fit(i+1, j):
			i++
		case sl.ellipsis:
			j++
		default:
			if sl.name != "" {
				named[sl.name] = tokens[j]
			}
			i, j = i+1, j+1
		}
	}
	return delimFields{named: named, tokens: tokens}, true
}

// delimFields resolves "$name" and "$N" (1-based field position) metric
// value selectors.
type delimFields struct {
	named  map[string]string
	tokens []string
}

func (f delimFields) lookup(sel string) (any, bool) {
	name := strings.TrimPrefix(sel, "$")
	if i, err := strconv.Atoi(name); err == nil {
		if i < 1 || i > len(f.tokens) {
			return nil, false
		}
		return f.tokens[i-1], true
	}
	v, ok := f.named[name]
	return v, ok
}

// splitFields splits a message on runs of spaces, keeping "..." and [...]
// groups as single fields without their delimiters.
func splitFields(message string) []string {
	var out []string
	for i := 0; i < len(message); {
		if isSpace(message[i]) {
			i++
			continue
		}
		closer := byte(0)
		switch message[i] {
		case '"':
			closer = '"'
		case '[':
			closer = ']'
		}
		if closer != 0 {
			if end := strings.IndexByte(message[i+1:], closer); end >= 0 {
				out = append(out, message[i+1:i+1+end])
				i += end + 2
				continue
			}
		}
		start := i
		for i < len(message) && !isSpace(message[i]) {
			i++
		}
		out = append(out, message[start:i])
	}
	return out
}

func parseDelimitedPattern(src string, start int) (matcher, error) {
	s := &scanner{src: src, pos: start}
	if err := s.expect("["); err != nil {
		return nil, err
	}
	var p delimitedPattern
	seen := map[string]bool{}
	for {
		sl, err := s.slot()
		if err != nil {
			return nil, err
		}
		if sl.name != "" {
			if seen[sl.name] {
				return nil, s.errorf("field name %q is used twice", sl.name)
			}
			seen[sl.name] = true
		}
		p.slots = append(p.slots, sl)
		if sl.ellipsis {
			p.variadic = true
		} else {
			p.fixed++
		}
		if s.accept(",") {
			continue
		}
		if err := s.expect("]"); err != nil {
			return nil, err
		}
		break
	}
	if len(p.slots) == 1 && !p.slots[0].ellipsis && p.slots[0].name == "" {
		return nil, &SyntaxError{Offset: start, Msg: "a space-delimited pattern needs at least one field"}
	}
	if s.skipSpace(); !s.eof() {
		return nil, s.errorf("unexpected %s after closing bracket", s.describeNext())
	}
	return p, nil
}

// slot parses one comma-separated element: empty (an anonymous field),
// "...", a name, or conditions on the name joined by && and ||.
func (s *scanner) slot() (slot, error) {
	s.skipSpace()
	if s.accept("...") || s.accept("…") {
		return slot{ellipsis: true}, nil
	}
	if c := s.peek(); c == ',' || c == ']' {
		return slot{}, nil
	}
	name, err := s.fieldName()
	if err != nil {
		return slot{}, err
	}
	s.skipSpace()
	if c := s.peek(); c == ',' || c == ']' || s.eof() {
		return slot{name: name}, nil
	}
	cond, err := s.delimOr(name, true)
	return slot{name: name, cond: cond}, err
}

func (s *scanner) fieldName() (string, error) {
	start := s.pos
	for !s.eof() && (isAlnum(s.peek()) || s.peek() == '_') {
		s.pos++
	}
	if s.pos == start {
		return "", s.errorf("expected a field name, found %s", s.describeNext())
	}
	return s.src[start:s.pos], nil
}

func (s *scanner) delimOr(name string, first bool) (delimExpr, error) {
	return chain(s, "||", newAnyOf[string], func() (delimExpr, error) {
		e, err := s.delimAnd(name, first)
		first = false
		return e, err
	})
}

func (s *scanner) delimAnd(name string, first bool) (delimExpr, error) {
	return chain(s, "&&", newAllOf[string], func() (delimExpr, error) {
		e, err := s.delimCmp(name, first)
		first = false
		return e, err
	})
}

// delimCmp parses "name op value"; for the first condition of a slot the
// name has already been read. Every condition must test the slot's own field.
func (s *scanner) delimCmp(name string, first bool) (delimExpr, error) {
	if !first {
		s.skipSpace()
		at := s.pos
		other, err := s.fieldName()
		if err != nil {
			return nil, err
		}
		if other != name {
			s.pos = at
			return nil, s.errorf("condition on %q inside the slot of %q is not supported", other, name)
		}
	}
	op, lit, found, err := s.opLiteral()
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, s.errorf("expected an operator (=, !=, <, <=, >, >=), found %s", s.describeNext())
	}
	return delimCmp{op: op, lit: lit}, nil
}
