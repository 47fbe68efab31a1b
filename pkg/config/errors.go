package config

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// FieldError is one problem in the config file, located precisely enough for an
// operator to fix it without reading landfall's source.
type FieldError struct {
	// File is the file name as given to Load or Parse.
	File string
	// Line and Column are 1-based; they point at the offending key or value, or
	// at the nearest enclosing key when a required key is missing.
	Line, Column int
	// Field is the dotted path of the key, for example
	// "profiles[0].items.budget.amount". Empty for YAML syntax errors.
	Field string
	// Message says what is wrong and what is allowed.
	Message string
}

// Error formats the problem as "file:line: field: message".
func (e *FieldError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	}
	return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Message)
}

// Errors is every problem found in one config file, sorted by line. Load and
// Parse return it as their error, so callers can print each problem on its own
// line (errors.As(err, &errs)) or just print err.
type Errors []*FieldError

// Error joins the problems, one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap exposes each *FieldError to errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// sortErrors orders problems by position, then field, so output is stable and
// reads top to bottom like the file.
func sortErrors(es Errors) {
	slices.SortStableFunc(es, func(a, b *FieldError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column), strings.Compare(a.Field, b.Field))
	})
}

// notOneOf builds the message for a value outside an allowed set: it names the
// value, suggests the closest allowed value when one is plausibly a typo, and
// lists everything allowed.
func notOneOf(value, what string, allowed []string) string {
	msg := fmt.Sprintf("%q is not %s", value, what)
	if s := suggest(value, allowed); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg + "; use one of " + strings.Join(allowed, ", ")
}

// suggest returns the candidate closest to s when it is close enough to be a
// typo (a case difference, or an edit distance of at most a third of the
// length, minimum one), or "" when nothing is close.
func suggest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		if strings.EqualFold(s, c) {
			return c
		}
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist >= 0 && bestDist <= max(1, len(s)/3) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes (keys and
// enum values are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
