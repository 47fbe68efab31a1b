package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestApproved(t *testing.T) {
	tests := []struct {
		name  string
		stdin io.Reader
		want  bool
	}{
		{"yes", strings.NewReader("yes\n"), true},
		{"yes at the end of input", strings.NewReader("yes"), true},
		{"yes among spaces", strings.NewReader("  yes \r\n"), true},
		{"Yes", strings.NewReader("Yes\n"), false},
		{"y", strings.NewReader("y\n"), false},
		{"no, then yes", strings.NewReader("no\nyes\n"), false},
		{"an empty line", strings.NewReader("\n"), false},
		{"no input", strings.NewReader(""), false},
		{"no stdin", nil, false},
		{"yes after a long line", strings.NewReader(strings.Repeat(" ", 100) + "yes\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			e := Env{Stdin: tt.stdin, Stdout: &out}
			if got := e.Approved("Restore it?"); got != tt.want {
				t.Errorf("Approved = %t, want %t", got, tt.want)
			}
			if !strings.HasPrefix(out.String(), "Restore it?\n  Only 'yes' will be accepted to approve.\n") {
				t.Errorf("the question reads %q", out.String())
			}
		})
	}
}
