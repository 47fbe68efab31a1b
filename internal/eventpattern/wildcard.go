package eventpattern

import (
	"errors"
	"strings"
)

// wildcard is a compiled wildcard expression: the literal text between
// unescaped stars. "a*b*c" is {"a", "b", "c"}; a pattern without stars has one
// part and must equal the value.
type wildcard []string

// parseWildcard applies event-ruler's rules: "\*" is a literal star, "\\" a
// literal backslash, any other escape is an error, and two wildcards in a row
// are an error.
func parseWildcard(expr string) (wildcard, error) {
	var parts wildcard
	var cur strings.Builder
	lastWasStar := false
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; c {
		case '\\':
			if i+1 == len(expr) || (expr[i+1] != '*' && expr[i+1] != '\\') {
				return nil, errors.New(`a backslash in a wildcard must escape "*" or "\"`)
			}
			i++
			cur.WriteByte(expr[i])
			lastWasStar = false
		case '*':
			if lastWasStar {
				return nil, errors.New("consecutive wildcard characters are not allowed")
			}
			parts = append(parts, cur.String())
			cur.Reset()
			lastWasStar = true
		default:
			cur.WriteByte(c)
			lastWasStar = false
		}
	}
	return append(parts, cur.String()), nil
}

// match is the classic linear glob match: fixed head and tail, then each
// middle part at its leftmost position. Leftmost is always safe because a
// star can absorb whatever is skipped.
func (w wildcard) match(s string) bool {
	if len(w) == 1 {
		return s == w[0]
	}
	head, tail := w[0], w[len(w)-1]
	if len(s) < len(head)+len(tail) || !strings.HasPrefix(s, head) || !strings.HasSuffix(s, tail) {
		return false
	}
	s = s[len(head) : len(s)-len(tail)]
	for _, part := range w[1 : len(w)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return true
}
