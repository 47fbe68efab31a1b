package awslocal

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// doc is a decoded request or response body, independent of the wire
// protocol: query parameters, JSON, CBOR and REST inputs all decode into it,
// and every encoder writes it. Numbers arrive as float64 (JSON, CBOR) or as
// strings (query); the accessors below accept both.
type doc = map[string]any

func str(d doc, key string) string {
	switch v := d[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// has reports whether the caller sent the member at all, which matters for
// AWS's "omitted means unchanged" update semantics.
func has(d doc, key string) bool {
	_, ok := d[key]
	return ok
}

func num(d doc, key string) (float64, bool) {
	switch v := d[key].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

func intOr(d doc, key string, def int) int {
	if f, ok := num(d, key); ok {
		return int(f)
	}
	return def
}

func boolean(d doc, key string) (bool, bool) {
	switch v := d[key].(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

func boolOr(d doc, key string, def bool) bool {
	if b, ok := boolean(d, key); ok {
		return b
	}
	return def
}

func obj(d doc, key string) doc {
	if m, ok := d[key].(map[string]any); ok {
		return m
	}
	return nil
}

// list returns the member as a list of documents; a single object is treated
// as a one-element list, which is how a query-protocol list with one member
// and an XML body with one child both look after generic decoding.
func list(d doc, key string) []doc {
	switch v := d[key].(type) {
	case []any:
		out := make([]doc, 0, len(v))
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	case map[string]any:
		return []doc{v}
	}
	return nil
}

func strs(d doc, key string) []string {
	switch v := d[key].(type) {
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	case string:
		return []string{v}
	}
	return nil
}

// tagList reads the common [{Key, Value}] tag shape.
func tagList(d doc, key string) map[string]string {
	tags := map[string]string{}
	for _, t := range list(d, key) {
		k := str(t, "Key")
		if k == "" {
			k = str(t, "key")
		}
		v := str(t, "Value")
		if !has(t, "Value") {
			v = str(t, "value")
		}
		tags[k] = v
	}
	return tags
}

// tagsOut renders tags back in the [{Key, Value}] shape, sorted by key so
// responses are deterministic.
func tagsOut(tags map[string]string) []any {
	out := make([]any, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		out = append(out, doc{"Key": k, "Value": tags[k]})
	}
	return out
}

func anyList[T any](items []T, f func(T) any) []any {
	out := make([]any, 0, len(items))
	for _, it := range items {
		out = append(out, f(it))
	}
	return out
}

func stringList(items []string) []any {
	return anyList(items, func(s string) any { return s })
}

// epoch is how JSON-protocol timestamps travel: seconds since 1970.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
