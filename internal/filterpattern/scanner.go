package filterpattern

import (
	"fmt"
	"strings"
)

// scanner walks a pattern byte by byte and produces positioned SyntaxErrors.
// All offsets are relative to the whole pattern string.
type scanner struct {
	src string
	pos int
}

func (s *scanner) errorf(format string, args ...any) error {
	return &SyntaxError{Offset: s.pos, Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

func (s *scanner) peek() byte {
	if s.eof() {
		return 0
	}
	return s.src[s.pos]
}

func (s *scanner) skipSpace() {
	for !s.eof() && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

// accept skips spaces and consumes tok if it comes next.
func (s *scanner) accept(tok string) bool {
	s.skipSpace()
	if strings.HasPrefix(s.src[s.pos:], tok) {
		s.pos += len(tok)
		return true
	}
	return false
}

func (s *scanner) expect(tok string) error {
	if !s.accept(tok) {
		return s.errorf("expected %q, found %s", tok, s.describeNext())
	}
	return nil
}

// describeNext names what sits at the current position, for error messages.
func (s *scanner) describeNext() string {
	if s.eof() {
		return "end of pattern"
	}
	return fmt.Sprintf("%q", s.src[s.pos])
}

// word consumes a run of upper-case letters (a keyword such as IS or EXISTS).
func (s *scanner) word() string {
	start := s.pos
	for !s.eof() && s.src[s.pos] >= 'A' && s.src[s.pos] <= 'Z' {
		s.pos++
	}
	return s.src[start:s.pos]
}

// quoted consumes a double-quoted string starting at the current position and
// returns its content. Backslash escapes only the quote and the backslash;
// any other backslash is kept, so Windows paths and regex-looking text survive.
func (s *scanner) quoted() (string, error) {
	start := s.pos
	s.pos++ // opening quote
	var b strings.Builder
	for !s.eof() {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), nil
		case c == '\\' && s.pos+1 < len(s.src) && (s.src[s.pos+1] == '"' || s.src[s.pos+1] == '\\'):
			b.WriteByte(s.src[s.pos+1])
			s.pos += 2
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	s.pos = start
	return "", s.errorf("unterminated quoted string")
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
