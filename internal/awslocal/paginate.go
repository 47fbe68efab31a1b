package awslocal

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// page returns one page of items starting at the opaque token, and the
// token for the next page ("" when done). The page size is the caller's
// limit capped by Options.PageSize, which is deliberately small so that a
// client that ignores pagination sees missing items in tests.
func page[T any](s *Server, items []T, token string, limit int, invalid func() error) ([]T, string, error) {
	start := 0
	if token != "" {
		raw, err := base64.RawURLEncoding.DecodeString(token)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(raw), "landfall-page:"))
		if err != nil || convErr != nil || !strings.HasPrefix(string(raw), "landfall-page:") || n < 0 || n > len(items) {
			return nil, "", invalid()
		}
		start = n
	}
	size := s.opts.PageSize
	if limit > 0 && limit < size {
		size = limit
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("landfall-page:" + strconv.Itoa(end)))
	}
	return items[start:end], next, nil
}

// withToken adds to a page's answer the token for the next page, under the
// name the service uses for it, when more items remain.
func withToken(out doc, key, next string) doc {
	if next != "" {
		out[key] = next
	}
	return out
}
