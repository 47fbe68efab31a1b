package eventpattern

import (
	"encoding/json"
	"math"
	"strconv"
)

// EventBridge compares numbers as fixed-point values: at most six decimal
// places, within plus or minus five billion (event-ruler ComparableNumber).
// Storing value*1e6 in an int64 makes every comparison exact.
const (
	numberScale    = 1_000_000
	maxScaledValue = 5_000_000_000 * numberScale
	maxDecimals    = 6
)

// scaledNumber converts a JSON number literal to value*1e6. ok is false when
// the literal is malformed, has more than six significant decimals, or lies
// outside [-5e9, 5e9]; such numbers can only be matched by their literal text.
func scaledNumber(lit string) (scaled int64, ok bool) {
	i := 0
	neg := false
	if i < len(lit) && lit[i] == '-' {
		neg = true
		i++
	}
	start := i
	for i < len(lit) && isDigit(lit[i]) {
		i++
	}
	digits := lit[start:i]
	if digits == "" {
		return 0, false
	}
	exp := 0
	if i < len(lit) && lit[i] == '.' {
		i++
		fracStart := i
		for i < len(lit) && isDigit(lit[i]) {
			i++
		}
		if i == fracStart {
			return 0, false
		}
		digits += lit[fracStart:i]
		exp -= i - fracStart
	}
	if i < len(lit) && (lit[i] == 'e' || lit[i] == 'E') {
		e, good := parseExponent(lit[i+1:])
		if !good {
			return 0, false
		}
		exp += e
		i = len(lit)
	}
	if i != len(lit) {
		return 0, false
	}

	// Normalise to digits * 10^exp with no leading or trailing zeros.
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	if digits == "" {
		return 0, true
	}
	for digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp++
	}
	if exp < -maxDecimals {
		return 0, false
	}
	shift := exp + maxDecimals
	// 5e15 has 16 digits; anything longer is out of range, and checking
	// here also keeps the int64 arithmetic below from overflowing.
	if len(digits)+shift > 16 {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, false
	}
	for range shift {
		n *= 10
	}
	if n > maxScaledValue {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseExponent parses the digits after 'e'. Exponents too large for any
// representable value are clamped; they are rejected by the range checks.
func parseExponent(s string) (int, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	e := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		if e < 1_000_000 {
			e = e*10 + int(s[i]-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// numberLiteral returns the JSON text of an event number: json.Number as
// decoded, or float64 in Go's shortest form (integers without an exponent, so
// that account IDs decoded as float64 still match their literal).
func numberLiteral(v any) (string, bool) {
	switch n := v.(type) {
	case json.Number:
		return string(n), true
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return "", false
		}
		if n == math.Trunc(n) && math.Abs(n) < 1e21 {
			return strconv.FormatFloat(n, 'f', -1, 64), true
		}
		return strconv.FormatFloat(n, 'g', -1, 64), true
	}
	return "", false
}
