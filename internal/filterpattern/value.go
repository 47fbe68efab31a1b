package filterpattern

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// operator is a comparison between a field and a literal.
type operator int

const (
	opEq operator = iota
	opNe
	opLt
	opLe
	opGt
	opGe
)

func (o operator) relational() bool { return o >= opLt }

// literal is the right-hand side of a comparison.
type literal struct {
	text  string  // as written, without quotes
	num   float64 // numeric value when isNum
	isNum bool    // an unquoted number: compared numerically where possible
	// A leading and/or trailing "*" is a wildcard; an interior "*" is a
	// literal asterisk ("Ev*ent only matches the actual string Ev*ent").
	anyPrefix, anySuffix bool
	core                 string // text without the wildcard stars
}

func newLiteral(text string, quoted bool) literal {
	l := literal{text: text, core: text}
	if !quoted {
		l.num, l.isNum = parseNumber(text, true)
	}
	if strings.HasPrefix(l.core, "*") {
		l.anyPrefix = true
		l.core = l.core[1:]
	}
	if strings.HasSuffix(l.core, "*") {
		l.anySuffix = true
		l.core = l.core[:len(l.core)-1]
	}
	return l
}

// matchText reports whether s equals the literal, honouring wildcards.
func (l literal) matchText(s string) bool {
	switch {
	case l.anyPrefix && l.anySuffix:
		return strings.Contains(s, l.core)
	case l.anyPrefix:
		return strings.HasSuffix(s, l.core)
	case l.anySuffix:
		return strings.HasPrefix(s, l.core)
	}
	return s == l.core
}

// compare applies op between a field value and the literal. v is a decoded
// JSON value (string, json.Number, bool, nil, map, slice) or a string taken
// from a space-delimited field. Only value nodes compare: the User Guide says
// a selector that points at an array or object matches neither = nor !=, and
// the same holds here for null.
func compare(v any, op operator, l literal) bool {
	var (
		text   string
		num    float64
		hasNum bool
	)
	switch x := v.(type) {
	case string:
		text = x
		num, hasNum = parseNumber(x, false)
	case json.Number:
		text = x.String()
		num, hasNum = parseNumber(text, true)
	case bool:
		text = strconv.FormatBool(x)
	default:
		return false
	}
	if op.relational() {
		if !hasNum || !l.isNum {
			return false
		}
		switch op {
		case opLt:
			return num < l.num
		case opLe:
			return num <= l.num
		case opGt:
			return num > l.num
		default:
			return num >= l.num
		}
	}
	eq := l.matchText(text)
	if l.isNum && hasNum {
		eq = num == l.num
	}
	if op == opEq {
		return eq
	}
	return !eq
}

// opLiteral parses "op value". found is false, with only spaces consumed, when no
// operator comes next. Ordering operators need a number on the right.
func (s *scanner) opLiteral() (op operator, lit literal, found bool, err error) {
	// Two-character operators first, so that "<=" wins over "<".
	operators := [...]struct {
		tok string
		op  operator
	}{
		{"!=", opNe}, {"<=", opLe}, {">=", opGe}, {"=", opEq}, {"<", opLt}, {">", opGt},
	}
	for _, o := range operators {
		if !s.accept(o.tok) {
			continue
		}
		s.skipSpace()
		at := s.pos
		if lit, err = s.literal(); err != nil {
			return 0, literal{}, true, err
		}
		if o.op.relational() && !lit.isNum {
			return 0, literal{}, true, &SyntaxError{Offset: at, Msg: fmt.Sprintf("operator %s needs a number, found %q", o.tok, lit.text)}
		}
		return o.op, lit, true, nil
	}
	return 0, literal{}, false, nil
}

// literal parses the value after an operator: a quoted string, or an
// unquoted word of letters, digits and "_-.+*" (the User Guide requires quotes
// around anything else).
func (s *scanner) literal() (literal, error) {
	s.skipSpace()
	switch c := s.peek(); {
	case c == '"':
		text, err := s.quoted()
		return newLiteral(text, true), err
	case c == '%':
		return literal{}, s.errorf("regular expressions (%%...%%) are not supported by this evaluator")
	}
	start := s.pos
	for !s.eof() {
		c := s.peek()
		if isSpace(c) || strings.IndexByte(")}]&|(,", c) >= 0 {
			break
		}
		if !isAlnum(c) && strings.IndexByte("_-.+*", c) < 0 {
			return literal{}, s.errorf("character %q must be inside a quoted value", c)
		}
		s.pos++
	}
	if s.pos == start {
		return literal{}, s.errorf("expected a value, found %s", s.describeNext())
	}
	return newLiteral(s.src[start:s.pos], false), nil
}
