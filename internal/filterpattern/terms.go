package filterpattern

import "strings"

// termPattern matches unstructured text. Terms are case-sensitive substrings
// (the User Guide's example: ERROR matches "Exiting with ERRORCODE: -1").
// Plain terms must all appear, "?term"s are alternatives of which one must
// appear, and "-term"s must not appear. An empty pattern matches everything.
type termPattern struct {
	required, optional, excluded []string
}

func (p termPattern) match(message string) (fields, bool) {
	for _, t := range p.required {
		if !strings.Contains(message, t) {
			return nil, false
		}
	}
	for _, t := range p.excluded {
		if strings.Contains(message, t) {
			return nil, false
		}
	}
	if len(p.optional) > 0 && !containsAny(message, p.optional) {
		return nil, false
	}
	return noFields{}, true
}

func containsAny(message string, terms []string) bool {
	for _, t := range terms {
		if strings.Contains(message, t) {
			return true
		}
	}
	return false
}

func parseTermPattern(src string, start int) (matcher, error) {
	s := &scanner{src: src, pos: start}
	var p termPattern
	for s.skipSpace(); !s.eof(); s.skipSpace() {
		termStart := s.pos
		dest := &p.required
		switch s.peek() {
		case '?':
			dest = &p.optional
			s.pos++
		case '-':
			dest = &p.excluded
			s.pos++
		case '%':
			return nil, s.errorf("regular expressions (%%...%%) are not supported by this evaluator")
		}
		term, err := s.term()
		if err != nil {
			return nil, err
		}
		if len(p.required) > 0 && dest == &p.optional || len(p.optional) > 0 && dest == &p.required {
			// The User Guide defines "?a ?b" (any) and "a b" (all) but not a
			// mix; refusing it is safer than guessing a meaning.
			s.pos = termStart
			return nil, s.errorf("cannot mix ?-alternatives with required terms")
		}
		*dest = append(*dest, term)
	}
	return p, nil
}

// term parses one quoted phrase or one unquoted word. Unquoted words are
// letters, digits and '_' only: the User Guide requires quotes around terms
// with any other character.
func (s *scanner) term() (string, error) {
	if s.peek() == '"' {
		return s.quoted()
	}
	start := s.pos
	for !s.eof() && !isSpace(s.peek()) {
		if c := s.peek(); !isAlnum(c) && c != '_' {
			return "", s.errorf("character %q must be inside a quoted term", c)
		}
		s.pos++
	}
	if s.pos == start {
		return "", s.errorf("expected a term, found %s", s.describeNext())
	}
	return s.src[start:s.pos], nil
}
