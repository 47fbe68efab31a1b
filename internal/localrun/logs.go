package localrun

import (
	"bytes"
	"io"
	"sync"
)

// lineWriter writes whole lines to w, each with a prefix. A function's
// processes write to one lineWriter concurrently (stdout and stderr, several
// environments); a line is only written once complete, so lines from
// different processes never interleave mid-line.
type lineWriter struct {
	w      io.Writer
	prefix []byte

	mu      sync.Mutex
	partial []byte
}

func newLineWriter(w io.Writer, prefix string) *lineWriter {
	return &lineWriter{w: w, prefix: []byte(prefix)}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := append(append([]byte{}, l.prefix...), l.partial[:i+1]...)
		l.partial = l.partial[i+1:]
		if _, err := l.w.Write(line); err != nil {
			return len(p), err
		}
	}
}
