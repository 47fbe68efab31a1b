package notify

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// maxSubjectLen is the SNS limit for an email subject, in characters. SNS
// also rejects subjects with line breaks or non-ASCII control characters,
// so subjects are reduced to printable ASCII.
const maxSubjectLen = 100

// subject builds a valid SNS subject: severity tag, then summary reduced to
// one line of printable ASCII and cut at maxSubjectLen with an ellipsis.
func subject(severity, summary string) string {
	s := "[" + strings.ToUpper(severity) + "] " + asciiLine(summary)
	if len(s) <= maxSubjectLen {
		return s
	}
	return strings.TrimRight(s[:maxSubjectLen-3], " ") + "..."
}

// asciiLine collapses s to a single line of printable ASCII: whitespace runs
// become one space and other characters outside the range become '?'. Letters
// with diacritics are common in names ("Sao Paulo", user names), so the most
// frequent ones keep their base letter rather than turning into '?'.
func asciiLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch {
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte(foldRune(r))
		}
	}
	return b.String()
}

// foldRune maps a few common Latin letters with diacritics to ASCII.
func foldRune(r rune) byte {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã', 'å':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ç':
		return 'c'
	case 'ñ':
		return 'n'
	}
	return '?'
}

// oneLine removes line breaks and control characters from a value that is
// printed on a labelled line of the body, so untrusted content (alarm
// descriptions, user names) cannot forge extra lines in the email.
func oneLine(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// body accumulates the plain-text email body.
type body struct {
	b strings.Builder
}

// para writes a paragraph followed by a blank line.
func (w *body) para(s string) {
	w.b.WriteString(strings.TrimSpace(s))
	w.b.WriteString("\n\n")
}

// field writes "Label:     value" with values aligned; empty values are
// skipped so the reader never sees a label without information.
func (w *body) field(label, value string) {
	value = oneLine(value)
	if value == "" {
		return
	}
	fmt.Fprintf(&w.b, "%-12s%s\n", label+":", value)
}

// section writes a heading and indented lines, then a blank line.
func (w *body) section(heading string, lines []string) {
	if len(lines) == 0 {
		return
	}
	w.b.WriteString(heading + "\n")
	for _, l := range lines {
		w.b.WriteString("  - " + l + "\n")
	}
	w.b.WriteString("\n")
}

// end closes the field block with a blank line.
func (w *body) end() {
	w.b.WriteString("\n")
}

// links writes the link list; it is always the last part of the body.
func (w *body) links(links []Link) {
	if len(links) == 0 {
		return
	}
	w.b.WriteString("Links:\n")
	for _, l := range links {
		fmt.Fprintf(&w.b, "  %s: %s\n", l.Label, l.URL)
	}
}

func (w *body) String() string {
	return strings.TrimRight(w.b.String(), "\n") + "\n"
}

// accountLabel renders "name (id)" when the name is known, otherwise the id.
func accountLabel(id, name string) string {
	name = oneLine(name)
	switch {
	case id == "" && name == "":
		return "unknown account"
	case id == "":
		return name
	case name == "" || name == id:
		return id
	}
	return name + " (" + id + ")"
}

// displayTime renders a timestamp as "2006-01-02 15:04:05 UTC", or returns
// the input unchanged when it cannot be parsed. CloudWatch writes
// "2006-01-02T15:04:05.000+0000"; the other sources use RFC 3339.
func displayTime(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		}
	}
	return s
}

// firstNonEmpty returns the first value that is not blank.
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
