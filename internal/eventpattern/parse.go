package eventpattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// ErrInvalidPattern is wrapped by every error Parse returns for a pattern
// EventBridge would refuse (the service answers InvalidEventPatternException).
var ErrInvalidPattern = errors.New("invalid event pattern")

// maxBranches caps how many alternatives "$or" may expand into. Expansion is
// a product over nested "$or" arrays, so a short pattern could otherwise
// demand exponential memory. The number is landfall's, not AWS's.
const maxBranches = 1000

// orKey introduces alternatives; see the "$or" section of the content
// filtering page.
const orKey = "$or"

// isOperatorName reports whether name is a match operator; event-ruler
// refuses these as field names inside "$or" because they would be ambiguous.
func isOperatorName(name string) bool {
	switch name {
	case "anything-but", "cidr", "equals", "equals-ignore-case", "exists",
		"numeric", "prefix", "suffix", "wildcard":
		return true
	}
	return false
}

// leaf is the compiled array of alternatives for one field path.
type leaf struct {
	matchers []valueMatcher
	absent   bool // {"exists": false} is one of the alternatives
}

// entry binds a leaf to its field path from the event root.
type entry struct {
	path []string
	leaf *leaf
}

// branch is one way to satisfy the pattern once "$or" is expanded: every
// entry must match.
type branch []entry

// set adds or replaces the entry for path; a repeated key replaces the
// earlier one, as the content filtering page notes.
func (b branch) set(e entry) branch {
	for i := range b {
		if slices.Equal(b[i].path, e.path) {
			b[i] = e
			return b
		}
	}
	return append(b, e)
}

func invalid(loc, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidPattern, loc, fmt.Sprintf(format, args...))
}

// Parse compiles an EventBridge event pattern. Errors for patterns that
// EventBridge rejects wrap ErrInvalidPattern and name the offending location
// (for example "detail.state[0].anything-but").
func Parse(pattern []byte) (*Pattern, error) {
	doc, err := decodePattern(pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: decoding JSON: %w", ErrInvalidPattern, err)
	}
	root, ok := doc.(*object)
	if !ok {
		return nil, invalid("top level", "pattern must be a JSON object, not %s", jsonKind(doc))
	}
	branches, err := compileObject(root, nil, "", []branch{nil}, false)
	if err != nil {
		return nil, err
	}
	p := &Pattern{roots: make([]*node, 0, len(branches))}
	for _, b := range branches {
		p.roots = append(p.roots, buildTree(b))
	}
	return p, nil
}

// compileObject adds the fields of obj, found at path, to every branch.
// loc is the human-readable location used in errors.
func compileObject(obj *object, path []string, loc string, branches []branch, inOr bool) ([]branch, error) {
	if len(obj.keys) == 0 {
		return nil, invalid(orTop(loc), "empty objects are not allowed")
	}
	for i, key := range obj.keys {
		val := obj.vals[i]
		kloc := joinLoc(loc, key)
		if key == orKey {
			var err error
			if branches, err = compileOr(val, path, kloc, branches); err != nil {
				return nil, err
			}
			continue
		}
		if inOr && isOperatorName(key) {
			return nil, invalid(kloc, "operator name %q cannot be used as a field name inside $or", key)
		}
		kpath := slices.Concat(path, []string{key})
		switch v := val.(type) {
		case *object:
			var err error
			if branches, err = compileObject(v, kpath, kloc, branches, inOr); err != nil {
				return nil, err
			}
		case []any:
			l, err := compileLeaf(v, kloc)
			if err != nil {
				return nil, err
			}
			for j := range branches {
				branches[j] = branches[j].set(entry{path: kpath, leaf: l})
			}
		default:
			return nil, invalid(kloc, "value must be an object or an array, not %s", jsonKind(val))
		}
	}
	return branches, nil
}

// compileOr forks every branch once per alternative object.
func compileOr(val any, path []string, loc string, branches []branch) ([]branch, error) {
	alts, ok := val.([]any)
	if !ok {
		return nil, invalid(loc, "$or must be an array of objects, not %s", jsonKind(val))
	}
	if len(alts) < 2 {
		return nil, invalid(loc, "$or must contain at least 2 objects")
	}
	var out []branch
	for i, alt := range alts {
		aloc := fmt.Sprintf("%s[%d]", loc, i)
		obj, ok := alt.(*object)
		if !ok {
			return nil, invalid(aloc, "$or elements must be objects, not %s", jsonKind(alt))
		}
		forked := make([]branch, len(branches))
		for j, b := range branches {
			forked[j] = slices.Clone(b)
		}
		forked, err := compileObject(obj, path, aloc, forked, true)
		if err != nil {
			return nil, err
		}
		out = append(out, forked...)
		if len(out) > maxBranches {
			return nil, invalid(loc, "$or expands to more than %d combinations", maxBranches)
		}
	}
	return out, nil
}

// compileLeaf compiles the array of alternatives for one field.
func compileLeaf(arr []any, loc string) (*leaf, error) {
	if len(arr) == 0 {
		return nil, invalid(loc, "empty arrays are not allowed")
	}
	l := &leaf{}
	for i, v := range arr {
		eloc := fmt.Sprintf("%s[%d]", loc, i)
		switch t := v.(type) {
		case string:
			l.matchers = append(l.matchers, exactString(t))
		case json.Number:
			n, ok := scaledNumber(string(t))
			l.matchers = append(l.matchers, exactNumber{literal: string(t), scaled: n, hasScaled: ok})
		case bool:
			l.matchers = append(l.matchers, exactBool(t))
		case nil:
			l.matchers = append(l.matchers, exactNull{})
		case *object:
			m, absent, err := compileOperator(t, eloc)
			if err != nil {
				return nil, err
			}
			if absent {
				l.absent = true
				continue
			}
			l.matchers = append(l.matchers, m)
		default:
			return nil, invalid(eloc, "match value must be a string, number, true, false, null or an operator object, not %s", jsonKind(v))
		}
	}
	return l, nil
}

func joinLoc(loc, key string) string {
	if loc == "" {
		return key
	}
	return loc + "." + key
}

func orTop(loc string) string {
	if loc == "" {
		return "top level"
	}
	return loc
}
