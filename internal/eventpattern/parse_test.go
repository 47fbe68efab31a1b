package eventpattern

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseRejectsInvalidPatterns(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		wantLoc string // the location the error must name
	}{
		{"not JSON", `{"source": [`, "decoding JSON"},
		{"trailing data", `{"source": ["a"]} {}`, "decoding JSON"},
		{"top level array", `[{"source": ["a"]}]`, "top level"},
		{"top level string", `"aws.ec2"`, "top level"},
		{"empty pattern", `{}`, "top level"},
		{"empty nested object", `{"detail": {}}`, "detail"},
		{"leaf is a string", `{"source": "aws.ec2"}`, "source"},
		{"leaf is a number", `{"detail": {"n": 5}}`, "detail.n"},
		{"empty array", `{"source": []}`, "source"},
		{"nested array", `{"source": [["a"]]}`, "source[0]"},
		{"unknown operator", `{"source": [{"contains": "ec2"}]}`, "source[0]"},
		{"undocumented equals operator", `{"source": [{"equals": "aws.ec2"}]}`, "source[0]"},
		{"empty operator object", `{"source": [{}]}`, "source[0]"},
		{"two operators in one object", `{"source": [{"prefix": "a", "suffix": "b"}]}`, "source[0]"},
		{"prefix number", `{"source": [{"prefix": 1}]}`, "source[0].prefix"},
		{"prefix unknown option", `{"source": [{"prefix": {"wildcard": "a*"}}]}`, "source[0].prefix"},
		{"suffix ignore case number", `{"f": [{"suffix": {"equals-ignore-case": 1}}]}`, "f[0].suffix.equals-ignore-case"},
		{"equals-ignore-case list", `{"f": [{"equals-ignore-case": ["a"]}]}`, "f[0].equals-ignore-case"},
		{"wildcard consecutive stars", `{"f": [{"wildcard": "a**b"}]}`, "f[0].wildcard"},
		{"wildcard bad escape", `{"f": [{"wildcard": "a\\b"}]}`, "f[0].wildcard"},
		{"wildcard trailing backslash", `{"f": [{"wildcard": "a\\"}]}`, "f[0].wildcard"},
		{"anything-but mixed list", `{"f": [{"anything-but": [1, "a"]}]}`, "f[0].anything-but"},
		{"anything-but empty list", `{"f": [{"anything-but": []}]}`, "f[0].anything-but"},
		{"anything-but null", `{"f": [{"anything-but": null}]}`, "f[0].anything-but"},
		{"anything-but boolean in list", `{"f": [{"anything-but": [true]}]}`, "f[0].anything-but[0]"},
		{"anything-but empty prefix", `{"f": [{"anything-but": {"prefix": ""}}]}`, "f[0].anything-but.prefix"},
		{"anything-but empty suffix in list", `{"f": [{"anything-but": {"suffix": ["a", ""]}}]}`, "f[0].anything-but.suffix[1]"},
		{"anything-but unknown operator", `{"f": [{"anything-but": {"numeric": [">", 1]}}]}`, "f[0].anything-but"},
		{"anything-but bad wildcard", `{"f": [{"anything-but": {"wildcard": "**"}}]}`, "f[0].anything-but.wildcard"},
		{"anything-but number out of range", `{"f": [{"anything-but": 6e9}]}`, "f[0].anything-but"},
		{"numeric not an array", `{"n": [{"numeric": 5}]}`, "n[0].numeric"},
		{"numeric empty", `{"n": [{"numeric": []}]}`, "n[0].numeric"},
		{"numeric unknown operator", `{"n": [{"numeric": ["!=", 5]}]}`, "n[0].numeric[0]"},
		{"numeric string value", `{"n": [{"numeric": [">", "5"]}]}`, "n[0].numeric[1]"},
		{"numeric two lower bounds", `{"n": [{"numeric": [">", 5, ">", 6]}]}`, "n[0].numeric[2]"},
		{"numeric upper bound first", `{"n": [{"numeric": ["<", 5, ">", 1]}]}`, "n[0].numeric"},
		{"numeric equals with range", `{"n": [{"numeric": ["=", 5, "<", 6]}]}`, "n[0].numeric"},
		{"numeric inverted range", `{"n": [{"numeric": [">", 10, "<", 5]}]}`, "n[0].numeric"},
		{"numeric empty range", `{"n": [{"numeric": [">=", 5, "<", 5]}]}`, "n[0].numeric"},
		{"numeric too large", `{"n": [{"numeric": ["=", 5000000001]}]}`, "n[0].numeric[1]"},
		{"numeric too precise", `{"n": [{"numeric": ["=", 0.0000001]}]}`, "n[0].numeric[1]"},
		{"numeric three elements", `{"n": [{"numeric": [">", 1, "<"]}]}`, "n[0].numeric"},
		{"cidr prefix too long", `{"ip": [{"cidr": "10.0.0.0/33"}]}`, "ip[0].cidr"},
		{"cidr without mask", `{"ip": [{"cidr": "10.0.0.1"}]}`, "ip[0].cidr"},
		{"exists string", `{"f": [{"exists": "true"}]}`, "f[0].exists"},
		{"$or single object", `{"$or": [{"a": ["x"]}]}`, "$or"},
		{"$or not an array", `{"$or": {"a": ["x"]}}`, "$or"},
		{"$or element not an object", `{"$or": [{"a": ["x"]}, ["b"]]}`, "$or[1]"},
		{"$or empty alternative", `{"$or": [{"a": ["x"]}, {}]}`, "$or[1]"},
		{"$or operator as field name", `{"detail": {"$or": [{"prefix": ["x"]}, {"b": ["y"]}]}}`, "detail.$or[0].prefix"},
		{"$or invalid nested leaf", `{"$or": [{"a": ["x"]}, {"b": {"c": []}}]}`, "$or[1].b.c"},
		{"$or explosion", explodingOr(4, 6), "$or"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.pattern))
			if err == nil {
				t.Fatalf("Parse(%s) = %v, want an error", tt.pattern, p)
			}
			if !errors.Is(err, ErrInvalidPattern) {
				t.Errorf("error %q does not wrap ErrInvalidPattern", err)
			}
			if !strings.Contains(err.Error(), tt.wantLoc) {
				t.Errorf("error %q does not name %q", err, tt.wantLoc)
			}
		})
	}
}

// explodingOr builds a pattern of depth nested "$or" arrays of width
// alternatives each, which expands to width^depth branches.
func explodingOr(width, depth int) string {
	var b strings.Builder
	b.WriteString("{")
	for d := range depth {
		if d > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"l%d": {"$or": [`, d)
		for w := range width {
			if w > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"f%d": ["v"]}`, w)
		}
		b.WriteString("]}")
	}
	b.WriteString("}")
	return b.String()
}

func TestParseAcceptsValidPatterns(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
	}{
		{"$or at the limit", explodingOr(10, 3)},
		{"$or used twice in one object", `{"$or": [{"a": ["x"]}, {"b": ["y"]}], "$or": [{"c": ["x"]}, {"d": ["y"]}]}`},
		{"anything-but prefix list", `{"f": [{"anything-but": {"prefix": ["a", "b"]}}]}`},
		{"numeric bounds at the limits", `{"n": [{"numeric": [">=", -5e9, "<=", 5e9]}]}`},
		{"exact number beyond numeric range", `{"account": [123456789012]}`},
		{"plain prefix may be empty", `{"f": [{"prefix": ""}]}`},
		{"field named like an operator outside $or", `{"detail": {"prefix": ["x"]}}`},
		{"all scalar kinds", `{"f": ["s", 1, -2.5, true, false, null]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse([]byte(tt.pattern)); err != nil {
				t.Errorf("Parse(%s): %v", tt.pattern, err)
			}
		})
	}
}
