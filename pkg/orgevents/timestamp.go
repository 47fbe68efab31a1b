package orgevents

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTimestamp reads a timestamp the way Organizations, Control Tower and the AWS APIs write them:
// Organizations' "May 17, 2022 10:47:37 AM" (UTC), RFC 3339, Control Tower's "2019-11-15T11:45:18+0000",
// or Unix epoch seconds, possibly fractional, as the APIs return ("1481656459.257"). The result is in UTC.
func ParseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"Jan 2, 2006 3:04:05 PM",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, ok := parseEpoch(s); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("parsing timestamp (%s): not RFC 3339, %q or epoch seconds", quote(s), "Jan 2, 2006 3:04:05 PM")
}

// parseEpoch reads decimal Unix seconds with an optional fraction, exactly (no float rounding). Only
// digits are accepted, so strings such as "NaN" or "1e9" are not mistaken for times.
func parseEpoch(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(whole, 10, 64)
	// Beyond the year 9999 the value is not a timestamp AWS could have sent.
	if err != nil || sec > maxEpochSeconds {
		return time.Time{}, false
	}
	var nsec int64
	if frac != "" {
		digits := (frac + "000000000")[:9]
		nsec, _ = strconv.ParseInt(digits, 10, 64) // nine digits always parse
	}
	return time.Unix(sec, nsec).UTC(), true
}

// maxEpochSeconds is 9999-12-31T23:59:59Z.
const maxEpochSeconds = 253402300799

// timestampOrZero parses an informational service timestamp, returning the zero time when s is empty or
// unreadable (see the package documentation for why that is not an error).
func timestampOrZero(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		return time.Time{}
	}
	return t
}
