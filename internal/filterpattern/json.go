package filterpattern

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
)

// jsonExpr is a node of a compiled JSON pattern, evaluated against the
// decoded log event.
type jsonExpr = expr[any]

// predicate is a unary test on a selector: EXISTS, IS NULL, IS TRUE ...
type predicate int

const (
	predExists predicate = iota
	predNotExists
	predIsNull
	predIsTrue
	predIsFalse
)

type predicateExpr struct {
	sel  selector
	pred predicate
}

func (p predicateExpr) eval(doc any) bool {
	v, found := p.sel.resolve(doc)
	switch p.pred {
	case predExists:
		return found
	case predNotExists:
		return !found
	case predIsNull:
		return found && v == nil
	case predIsTrue:
		b, isBool := v.(bool)
		return found && isBool && b
	default:
		b, isBool := v.(bool)
		return found && isBool && !b
	}
}

// comparison is "selector op literal". A selector that resolves to nothing
// matches neither = nor !=: CloudWatch does not treat a missing field as
// "not equal" (observed in DataBiosphere/azul#5884, where
// `$.userIdentity.invokedBy != "x"` did not match records without invokedBy).
type comparison struct {
	sel selector
	op  operator
	lit literal
}

func (c comparison) eval(doc any) bool {
	v, found := c.sel.resolve(doc)
	return found && compare(v, c.op, c.lit)
}

// step is one element of a selector path: a property name or an array index.
type step struct {
	key   string
	index int
	isIdx bool
}

// selector is a compiled "$.a.b[0].c" path.
type selector []step

func (s selector) resolve(doc any) (any, bool) {
	cur := doc
	for _, st := range s {
		if st.isIdx {
			arr, ok := cur.([]any)
			if !ok || st.index >= len(arr) {
				return nil, false
			}
			cur = arr[st.index]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[st.key]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// jsonPattern is a compiled "{ ... }" pattern.
type jsonPattern struct{ root jsonExpr }

func (p jsonPattern) match(message string) (fields, bool) {
	doc, ok := decodeEvent(message)
	if !ok || !p.root.eval(doc) {
		return nil, false
	}
	return jsonFields{doc}, true
}

// decodeEvent decodes a log event that is exactly one JSON object. Numbers
// stay json.Number so integers such as account ids compare exactly.
func decodeEvent(message string) (map[string]any, bool) {
	dec := json.NewDecoder(strings.NewReader(message))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return doc, true
}

// jsonFields resolves "$.a.b" metric value selectors against a matched event.
type jsonFields struct{ doc map[string]any }

func (f jsonFields) lookup(sel string) (any, bool) {
	s := &scanner{src: sel}
	path, err := s.selector()
	if err != nil || !s.eof() {
		return nil, false
	}
	return path.resolve(f.doc)
}

func parseJSONPattern(src string, start int) (matcher, error) {
	s := &scanner{src: src, pos: start}
	if err := s.expect("{"); err != nil {
		return nil, err
	}
	root, err := s.jsonOr()
	if err != nil {
		return nil, err
	}
	if err := s.expect("}"); err != nil {
		return nil, err
	}
	if s.skipSpace(); !s.eof() {
		return nil, s.errorf("unexpected %s after closing brace", s.describeNext())
	}
	return jsonPattern{root}, nil
}

// jsonOr parses "a || b || c". The User Guide gives the precedence as
// () > && > ||.
func (s *scanner) jsonOr() (jsonExpr, error) {
	return chain(s, "||", newAnyOf[any], s.jsonAnd)
}

func (s *scanner) jsonAnd() (jsonExpr, error) {
	return chain(s, "&&", newAllOf[any], s.jsonPrimary)
}

func (s *scanner) jsonPrimary() (jsonExpr, error) {
	if s.accept("(") {
		e, err := s.jsonOr()
		if err != nil {
			return nil, err
		}
		if err := s.expect(")"); err != nil {
			return nil, err
		}
		return e, nil
	}
	s.skipSpace()
	sel, err := s.selector()
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if c := s.peek(); c >= 'A' && c <= 'Z' {
		return s.jsonPredicate(sel)
	}
	op, lit, found, err := s.opLiteral()
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, s.errorf("expected an operator (=, !=, <, <=, >, >=, IS, EXISTS, NOT EXISTS), found %s", s.describeNext())
	}
	return comparison{sel: sel, op: op, lit: lit}, nil
}

func (s *scanner) jsonPredicate(sel selector) (jsonExpr, error) {
	at := s.pos
	switch kw := s.word(); kw {
	case "EXISTS":
		return predicateExpr{sel, predExists}, nil
	case "NOT":
		s.skipSpace()
		if s.word() == "EXISTS" {
			return predicateExpr{sel, predNotExists}, nil
		}
	case "IS":
		s.skipSpace()
		switch s.word() {
		case "NULL":
			return predicateExpr{sel, predIsNull}, nil
		case "TRUE":
			return predicateExpr{sel, predIsTrue}, nil
		case "FALSE":
			return predicateExpr{sel, predIsFalse}, nil
		}
	}
	s.pos = at
	return nil, s.errorf("expected EXISTS, NOT EXISTS, IS NULL, IS TRUE or IS FALSE")
}

// selector parses "$.a.b[0].c". Property names are alphanumeric plus '-' and
// '_' (User Guide); an array index must follow a property.
func (s *scanner) selector() (selector, error) {
	if s.peek() != '$' {
		return nil, s.errorf("expected a selector starting with \"$.\", found %s", s.describeNext())
	}
	s.pos++
	var path selector
	for !s.eof() {
		switch s.peek() {
		case '.':
			s.pos++
			start := s.pos
			for !s.eof() && (isAlnum(s.peek()) || s.peek() == '_' || s.peek() == '-') {
				s.pos++
			}
			if s.pos == start {
				return nil, s.errorf("expected a property name, found %s", s.describeNext())
			}
			path = append(path, step{key: s.src[start:s.pos]})
		case '[':
			if len(path) == 0 {
				return nil, s.errorf("an array index must follow a property")
			}
			s.pos++
			start := s.pos
			for !s.eof() && s.peek() >= '0' && s.peek() <= '9' {
				s.pos++
			}
			idx, err := strconv.Atoi(s.src[start:s.pos])
			if err != nil {
				s.pos = start
				return nil, s.errorf("expected an array index, found %s", s.describeNext())
			}
			if err := s.expect("]"); err != nil {
				return nil, err
			}
			path = append(path, step{index: idx, isIdx: true})
		default:
			if len(path) == 0 {
				return nil, s.errorf("expected \".\" after \"$\", found %s", s.describeNext())
			}
			return path, nil
		}
	}
	if len(path) == 0 {
		return nil, s.errorf("expected \".\" after \"$\", found end of pattern")
	}
	return path, nil
}
