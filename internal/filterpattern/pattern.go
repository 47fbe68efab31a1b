package filterpattern

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Pattern is a compiled CloudWatch Logs filter pattern. It is immutable after
// Parse, so one Pattern may be shared by any number of goroutines.
type Pattern struct {
	source string
	m      matcher
}

// matcher is one of the three pattern families (terms, JSON, space-delimited).
// match reports whether the message matches and, when it does, returns the
// fields that a metric transformation's "$..." metricValue may read.
type matcher interface {
	match(message string) (fields, bool)
}

// fields resolves a metricValue selector ("$.latency", "$bytes", "$7") against
// a message that matched. Term patterns have no fields.
type fields interface {
	lookup(selector string) (any, bool)
}

// noFields is the fields of a term pattern: no selector resolves.
type noFields struct{}

func (noFields) lookup(string) (any, bool) { return nil, false }

// SyntaxError describes an invalid filter pattern. Offset is the 0-based byte
// offset in the pattern where the problem was found, so the local endpoint can
// answer InvalidParameterException with a message that points at it.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid filter pattern at offset %d: %s", e.Offset, e.Msg)
}

// maxPatternLength is PutMetricFilter's limit on filterPattern (CloudWatch
// Logs API Reference). Enforcing it also bounds the parser's recursion.
const maxPatternLength = 1024

// Parse compiles a filter pattern. The family is chosen the way CloudWatch
// Logs chooses it: a pattern starting with "{" is a JSON pattern, one starting
// with "[" is a space-delimited pattern, anything else is a term pattern (and
// an empty pattern matches every event).
func Parse(pattern string) (*Pattern, error) {
	if len(pattern) > maxPatternLength {
		return nil, &SyntaxError{Offset: maxPatternLength, Msg: fmt.Sprintf("pattern is longer than %d characters", maxPatternLength)}
	}
	trimmed := strings.TrimLeft(pattern, " \t\r\n")
	lead := len(pattern) - len(trimmed)
	var (
		m   matcher
		err error
	)
	switch {
	case strings.HasPrefix(trimmed, "{"):
		m, err = parseJSONPattern(pattern, lead)
	case strings.HasPrefix(trimmed, "["):
		m, err = parseDelimitedPattern(pattern, lead)
	default:
		m, err = parseTermPattern(pattern, lead)
	}
	if err != nil {
		return nil, err
	}
	return &Pattern{source: pattern, m: m}, nil
}

// String returns the pattern as it was given to Parse.
func (p *Pattern) String() string { return p.source }

// Match reports whether a log event message matches the pattern.
func (p *Pattern) Match(message string) bool {
	_, ok := p.m.match(message)
	return ok
}

// MetricValue returns the value a metric filter with this pattern publishes
// for message, given the metric transformation's metricValue: either a number
// ("1", "0.5") or a selector into the matched event ("$.latency" for JSON
// patterns, "$name" or "$N" for space-delimited ones). ok is false when the
// message does not match, the selector resolves to nothing, or the value it
// resolves to is not numeric; in all those cases CloudWatch Logs publishes no
// value for the event.
func (p *Pattern) MetricValue(message, metricValue string) (value float64, ok bool) {
	f, matched := p.m.match(message)
	if !matched {
		return 0, false
	}
	mv := strings.TrimSpace(metricValue)
	if !strings.HasPrefix(mv, "$") {
		return parseNumber(mv, true)
	}
	v, found := f.lookup(mv)
	if !found {
		return 0, false
	}
	switch x := v.(type) {
	case json.Number:
		return parseNumber(x.String(), true)
	case string:
		// Values inside strings may not use scientific notation (User
		// Guide, "Matching terms in JSON log events").
		return parseNumber(x, false)
	}
	return 0, false
}

// parseNumber parses the number forms the User Guide allows: an integer or a
// decimal with an optional sign, optionally (when sci) followed by an
// exponent. Words strconv would accept ("Inf", "NaN", hex, "1_000") are
// rejected.
func parseNumber(s string, sci bool) (float64, bool) {
	if s == "" {
		return 0, false
	}
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
		case c == '+' || c == '-':
			if i != 0 && s[i-1] != 'e' && s[i-1] != 'E' {
				return 0, false
			}
		case (c == 'e' || c == 'E') && sci:
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}
