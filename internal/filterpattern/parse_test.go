package filterpattern

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name       string
		pattern    string
		wantOffset int
		wantMsg    string // a fragment of the message
	}{
		{"json/unclosed brace", `{ $.a = 1`, 9, `expected "}"`},
		{"json/unclosed parenthesis", `{ ($.a = 1 }`, 11, `expected ")"`},
		{"json/missing selector", `{ = 1 }`, 2, "selector"},
		{"json/bare dollar", `{ $ = 1 }`, 3, `"." after "$"`},
		{"json/empty property", `{ $.a. = 1 }`, 6, "property name"},
		{"json/index first", `{ $[0] = 1 }`, 3, "array index must follow"},
		{"json/bad index", `{ $.a[x] = 1 }`, 6, "array index"},
		{"json/missing operator", `{ $.a 1 }`, 6, "expected an operator"},
		{"json/missing value", `{ $.a = }`, 8, "expected a value"},
		{"json/unquoted special character", `{ $.a = foo@bar }`, 11, "quoted value"},
		{"json/unterminated string", `{ $.a = "abc }`, 8, "unterminated"},
		{"json/relational on string", `{ $.a > abc }`, 8, "needs a number"},
		{"json/unknown keyword", `{ $.a IS MAYBE }`, 6, "IS NULL"},
		{"json/dangling and", `{ $.a = 1 && }`, 13, "selector"},
		{"json/text after brace", `{ $.a = 1 } extra`, 12, "after closing brace"},
		{"json/regex unsupported", `{ $.a = %ab% }`, 8, "regular expressions"},
		{"terms/unquoted punctuation", `ERROR: x`, 5, "quoted term"},
		{"terms/mixed alternatives", `ERROR ?WARN`, 6, "cannot mix"},
		{"terms/lone minus", `ERROR - x`, 7, "expected a term"},
		{"terms/regex unsupported", `%ERROR%`, 0, "regular expressions"},
		{"delimited/unclosed", `[a, b`, 5, `expected "]"`},
		{"delimited/empty", `[]`, 0, "at least one field"},
		{"delimited/duplicate name", `[a, a]`, 5, "used twice"},
		{"delimited/foreign condition", `[a = 1 && b = 2, b]`, 10, "not supported"},
		{"delimited/relational on string", `[a > x]`, 5, "needs a number"},
		{"offset counts leading spaces", `   { $.a = }`, 11, "expected a value"},
		{"too long", strings.Repeat("a", 1025), 1024, "longer than 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.pattern)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.pattern, p)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", tt.pattern, err)
			}
			if se.Offset != tt.wantOffset || !strings.Contains(se.Msg, tt.wantMsg) {
				t.Errorf("Parse(%q) = %v (offset %d), want offset %d and message containing %q", tt.pattern, err, se.Offset, tt.wantOffset, tt.wantMsg)
			}
		})
	}
}
