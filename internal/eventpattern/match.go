package eventpattern

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Pattern is a compiled event pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	// roots holds one tree per "$or" branch; the pattern matches when any
	// tree does.
	roots []*node
}

// node is the pattern at one object level of the event.
type node struct {
	fields []*field
}

// field is the pattern for one key: values to test (leaf), a nested object
// pattern (child), or both when a pattern names a path as leaf and parent.
type field struct {
	name  string
	path  []string // from the event root; exists:false looks the path up
	leaf  *leaf
	child *node
}

// buildTree turns a branch's flat path list back into nested objects, so
// that matching can keep the fields of one pattern object inside one array
// element of the event.
func buildTree(b branch) *node {
	root := &node{}
	for _, e := range b {
		n := root
		for i, name := range e.path {
			f := n.field(name, e.path[:i+1])
			if i == len(e.path)-1 {
				f.leaf = e.leaf
				break
			}
			if f.child == nil {
				f.child = &node{}
			}
			n = f.child
		}
	}
	return root
}

func (n *node) field(name string, path []string) *field {
	for _, f := range n.fields {
		if f.name == name {
			return f
		}
	}
	f := &field{name: name, path: path}
	n.fields = append(n.fields, f)
	return f
}

// Match reports whether the JSON event matches. It returns an error only when
// event is not a well-formed JSON object.
func (p *Pattern) Match(event []byte) (bool, error) {
	obj, err := decodeEvent(event)
	if err != nil {
		return false, fmt.Errorf("decoding event: %w", err)
	}
	return p.MatchValue(obj), nil
}

// MatchValue reports whether an already-decoded event matches. Numbers may be
// json.Number (exact) or float64; values of other Go types are ignored, as
// if the field were absent.
func (p *Pattern) MatchValue(event map[string]any) bool {
	for _, root := range p.roots {
		if root.match(event, event) {
			return true
		}
	}
	return false
}

// match tests the fields of n against obj, one event object (nil when the
// event has no object here). event is the whole event, for exists:false.
func (n *node) match(obj, event map[string]any) bool {
	for _, f := range n.fields {
		v, present := obj[f.name]
		if !f.match(v, present, event) {
			return false
		}
	}
	return true
}

func (f *field) match(v any, present bool, event map[string]any) bool {
	var values []any
	if present {
		values = flatten(v, nil)
	}
	if f.leaf != nil && !f.leaf.match(values, f.path, event) {
		return false
	}
	if f.child == nil {
		return true
	}
	// All fields of the child pattern must be found in one object:
	// EventBridge does not combine fields from different array elements.
	sawObject := false
	for _, v := range values {
		if obj, ok := v.(map[string]any); ok {
			sawObject = true
			if f.child.match(obj, event) {
				return true
			}
		}
	}
	return !sawObject && f.child.match(nil, event)
}

func (l *leaf) match(values []any, path []string, event map[string]any) bool {
	for _, v := range values {
		if !isLeafValue(v) {
			continue
		}
		for _, m := range l.matchers {
			if m.match(v) {
				return true
			}
		}
	}
	// event-ruler decides absence for the field name over the whole event,
	// not per array element; doing the same never matches more than AWS.
	return l.absent && !hasLeafAt(event, path)
}

// flatten appends v to out, replacing arrays (at any depth) by their elements.
func flatten(v any, out []any) []any {
	arr, ok := v.([]any)
	if !ok {
		return append(out, v)
	}
	for _, e := range arr {
		out = flatten(e, out)
	}
	return out
}

// isLeafValue reports whether v is a JSON scalar that patterns can test.
func isLeafValue(v any) bool {
	switch v.(type) {
	case nil, bool, string, float64, json.Number:
		return true
	}
	return false
}

// hasLeafAt reports whether any leaf value exists at path, looking through
// every array on the way.
func hasLeafAt(event map[string]any, path []string) bool {
	level := []any{event}
	for _, name := range path {
		var next []any
		for _, v := range level {
			if obj, ok := v.(map[string]any); ok {
				if child, present := obj[name]; present {
					next = flatten(child, next)
				}
			}
		}
		level = next
	}
	return slices.ContainsFunc(level, isLeafValue)
}
