package filterpattern

import "testing"

func TestMatchTerms(t *testing.T) {
	// The three events of the User Guide's OR pattern matching example.
	const (
		both    = "ERROR WARN message"
		errOnly = "ERROR message"
		warn    = "WARN message"
	)
	tests := []struct {
		name    string
		pattern string
		message string
		want    bool
	}{
		// Matching terms in unstructured log events.
		{"single term", "ERROR", "[ERROR] A fatal exception has occurred", true},
		{"single term is a substring", "ERROR", "Exiting with ERRORCODE: -1", true},
		{"single term absent", "ERROR", "[INFO] all good", false},
		{"case sensitive", "ERROR", "[error] lower case", false},
		{"quoted single term", `"ERROR"`, "[ERROR] A fatal exception has occurred", true},
		{"include and exclude", `ERROR -Exiting`, "Exiting with ERRORCODE: -1", false},
		{"include and exclude keeps others", `ERROR -Exiting`, "[ERROR] A fatal exception has occurred", true},
		{"multiple terms all present", "ERROR Exception", "[ERROR] Caught IllegalArgumentException", true},
		{"multiple terms one missing", "ERROR Exception", "[ERROR] Unhandled failure", false},
		{"multiple words anywhere", "Failed to process the request", "[ERROR] Unable to continue: Failed to process the request", true},
		{"exact phrase", `"Failed to process"`, "[WARN] Failed to process the request", true},
		{"exact phrase out of order", `"process Failed"`, "[WARN] Failed to process the request", false},
		{"quoted punctuation", `"ERROR:"`, "ERROR: disk full", true},
		{"excluded phrase", `ERROR -"disk full"`, "ERROR: disk full", false},
		// OR pattern matching.
		{"or/ERROR matches 1", "ERROR", both, true},
		{"or/ERROR matches 2", "ERROR", errOnly, true},
		{"or/ERROR skips 3", "ERROR", warn, false},
		{"or/?ERROR ?WARN matches 1", "?ERROR ?WARN", both, true},
		{"or/?ERROR ?WARN matches 2", "?ERROR ?WARN", errOnly, true},
		{"or/?ERROR ?WARN matches 3", "?ERROR ?WARN", warn, true},
		{"or/?ERROR ?WARN skips others", "?ERROR ?WARN", "INFO message", false},
		{"or/ERROR WARN matches 1", "ERROR WARN", both, true},
		{"or/ERROR WARN skips 2", "ERROR WARN", errOnly, false},
		{"or/ERROR -WARN skips 1", "ERROR -WARN", both, false},
		{"or/ERROR -WARN matches 2", "ERROR -WARN", errOnly, true},
		{"or/ERROR -WARN skips 3", "ERROR -WARN", warn, false},
		{"or/quoted alternatives", `?"Task timed out" ?"Process exited"`, "2024 Process exited before completing", true},
		// An empty pattern matches every event.
		{"empty pattern", "", "anything at all", true},
		{"blank pattern", "   ", "anything at all", true},
		{"empty pattern on empty event", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.pattern, err)
			}
			if got := p.Match(tt.message); got != tt.want {
				t.Errorf("Parse(%q).Match(%q) = %v, want %v", tt.pattern, tt.message, got, tt.want)
			}
		})
	}
}
