package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// decoder writes a YAML node tree over a defaulted Go value, one key at a time.
// It is hand-written instead of yaml.Node.Decode so that it can reject unknown
// keys with a suggestion, keep going after the first problem, and remember
// where every key was written for the validation messages that follow.
type decoder struct {
	file string
	errs Errors
	// pos maps a field path ("organization.homeRegion", "profiles[0].name") to
	// where it was written: the key for mapping entries, the item for sequence
	// entries; "" is the document. Paths absent from the file are absent.
	pos map[string]*yaml.Node
	// values maps the same paths to their value nodes, for checks that depend
	// on how a value was written (an unquoted account id).
	values map[string]*yaml.Node
	// values decoded so far and how deep the decoder is, each bounded
	// (enter); stopped once a bound is reached.
	decoded, depth int
	stopped        bool
	// dropped counts the problems past maxErrors.
	dropped int
}

// Bounds on what a file can make the decoder do. yaml.v3 keeps aliases as
// references in the node tree, and the decoder follows them, so a few
// hundred bytes of nested merge keys ("<<: [*a, *a, *a]" in the mapping
// *b names, and so on) would otherwise expand into millions of values,
// and an alias inside the mapping it names into an endless descent. A real
// config decodes to a few thousand values, a few levels deep.
const (
	maxDecodedValues = 100_000
	maxDecodeDepth   = 40
	// maxErrors is how many problems are reported; the rest are counted.
	maxErrors = 100
)

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]*yaml.Node{}, values: map[string]*yaml.Node{}}
}

// addError records a problem at node n.
func (d *decoder) addError(n *yaml.Node, field, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		d.dropped++
		return
	}
	d.errs = append(d.errs, &FieldError{File: d.file, Line: n.Line, Column: n.Column, Field: field, Message: fmt.Sprintf(format, args...)})
}

// durationType is decoded from Go duration syntax rather than as a number.
var durationType = reflect.TypeFor[Duration]()

// decode writes node n (located by key k, which is n itself for sequence
// items) into v, which holds the defaults.
func (d *decoder) decode(path string, k, n *yaml.Node, v reflect.Value) {
	if !d.enter(path, n) {
		return
	}
	defer d.leave()
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	d.pos[path] = k
	d.values[path] = n
	// An explicit null ("key:" or "key: ~") means "use the default".
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if v.Type() == durationType {
		d.decodeDuration(path, n, v)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		d.decode(path, k, n, elem.Elem())
		v.Set(elem)
	case reflect.Struct:
		d.decodeStruct(path, n, v)
	case reflect.Map:
		d.decodeStringMap(path, n, v)
	case reflect.Slice:
		d.decodeSlice(path, n, v)
	case reflect.String:
		if d.expectKind(path, n, yaml.ScalarNode, "a string") {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		d.decodeScalar(path, n, v, "true or false", "!!bool")
	case reflect.Int:
		d.decodeScalar(path, n, v, "a whole number", "!!int")
	case reflect.Float64:
		d.decodeScalar(path, n, v, "a number", "!!int", "!!float")
	default:
		// Only reachable when a new field type is added to the config types
		// without teaching the decoder; TestDecoderCoversEveryField guards it.
		panic(fmt.Sprintf("config: no decoder for %s at %s", v.Type(), path))
	}
}

// enter counts one more value decoded, one level deeper, and reports
// whether the decoder may go on; past a bound it records why and stops
// for good. leave undoes the level.
func (d *decoder) enter(path string, n *yaml.Node) bool {
	switch {
	case d.stopped:
		return false
	case d.decoded >= maxDecodedValues:
		d.stop(path, n, fmt.Sprintf("the file expands to more than %d values through aliases (*name) and merge keys (<<); "+
			"landfall stops reading it here: write the repeated parts out, or merge fewer times", maxDecodedValues))
		return false
	case d.depth >= maxDecodeDepth:
		d.stop(path, n, fmt.Sprintf("the file nests more than %d levels deep, counting what aliases (*name) and merge keys (<<) bring in; "+
			"landfall stops reading it here: an alias inside the mapping it names never ends", maxDecodeDepth))
		return false
	}
	d.decoded++
	d.depth++
	return true
}

func (d *decoder) leave() { d.depth-- }

// stop records why decoding stops; nothing after it is decoded or checked.
func (d *decoder) stop(path string, n *yaml.Node, msg string) {
	d.stopped = true
	if len(d.errs) >= maxErrors { // the reason to stop is always reported
		d.errs = d.errs[:maxErrors-1]
		d.dropped++
	}
	d.addError(n, path, "%s", msg)
}

// expectKind reports whether n is of kind want, recording a problem if not.
func (d *decoder) expectKind(path string, n *yaml.Node, want yaml.Kind, what string) bool {
	if n.Kind == want {
		return true
	}
	d.addError(n, path, "expected %s, got %s", what, describeNode(n))
	return false
}

// decodeScalar decodes a bool or number, accepting only the listed YAML tags so
// that "yes" or "10%" is an error rather than a surprise.
func (d *decoder) decodeScalar(path string, n *yaml.Node, v reflect.Value, what string, tags ...string) {
	if n.Kind != yaml.ScalarNode || !slices.Contains(tags, n.Tag) {
		d.addError(n, path, "expected %s, got %s", what, describeNode(n))
		return
	}
	old := reflect.ValueOf(v.Interface())
	if err := n.Decode(v.Addr().Interface()); err != nil {
		d.addError(n, path, "expected %s, got %s", what, describeNode(n))
		return
	}
	// .nan and .inf are YAML floats, but every number in the config is a
	// finite amount, and NaN would slip through every range check.
	if v.Kind() == reflect.Float64 && (math.IsNaN(v.Float()) || math.IsInf(v.Float(), 0)) {
		v.Set(old)
		d.addError(n, path, "expected a finite number, got %s", describeNode(n))
	}
}

func (d *decoder) decodeDuration(path string, n *yaml.Node, v reflect.Value) {
	if !d.expectKind(path, n, yaml.ScalarNode, "a duration") {
		return
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil {
		d.addError(n, path, "%q is not a duration; use a number with a unit, such as 90s, 15m, 24h or 1h30m", n.Value)
		return
	}
	v.SetInt(int64(dur))
}

func (d *decoder) decodeStruct(path string, n *yaml.Node, v reflect.Value) {
	if !d.expectKind(path, n, yaml.MappingNode, "a mapping of keys") {
		return
	}
	// Merge keys ("<<: *shared") are applied first, so that the keys written
	// in this mapping win over merged ones, as YAML's merge key type says.
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == mergeTag {
			d.decodeMerge(path, n.Content[i+1], v)
		}
	}
	fields := yamlFields(v.Type())
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Tag == mergeTag {
			continue
		}
		child := joinPath(path, key.Value)
		if first, dup := seen[key.Value]; dup {
			d.addError(key, child, "duplicate key; it is already set on line %d", first.Line)
			continue
		}
		seen[key.Value] = key
		f, ok := fieldByKey(fields, key.Value)
		if !ok {
			d.addError(key, child, "%s", unknownKeyMessage(key.Value, fields))
			continue
		}
		d.decode(child, key, val, v.Field(f.index))
	}
}

// mergeTag is the tag yaml.v3 gives the "<<" merge key.
const mergeTag = "!!merge"

// decodeMerge applies the value of a merge key: one mapping, or a list of
// mappings where earlier ones win (so they are applied last).
func (d *decoder) decodeMerge(path string, n *yaml.Node, v reflect.Value) {
	if !d.enter(path, n) {
		return
	}
	defer d.leave()
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode:
		d.decodeStruct(path, n, v)
		return
	case yaml.SequenceNode:
		for _, item := range slices.Backward(n.Content) {
			d.decodeMerge(path, item, v)
		}
		return
	}
	d.addError(n, joinPath(path, "<<"), "a merge key takes a mapping or a list of mappings, got %s", describeNode(n))
}

// unknownKeyMessage says a key is unknown, suggests the likely intended key and
// lists the keys allowed at that level.
func unknownKeyMessage(key string, fields []yamlField) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	msg := "unknown key"
	if s := suggest(key, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(names) == 0 {
		return msg + "; this item takes no settings, write {}"
	}
	return msg + "; allowed keys: " + strings.Join(names, ", ")
}

// decodeStringMap decodes a map[string]string, such as tags.
func (d *decoder) decodeStringMap(path string, n *yaml.Node, v reflect.Value) {
	if !d.expectKind(path, n, yaml.MappingNode, "a mapping of keys to values") {
		return
	}
	m := reflect.MakeMap(v.Type())
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		child := joinPath(path, key.Value)
		d.pos[child], d.values[child] = key, val
		if m.MapIndex(reflect.ValueOf(key.Value)).IsValid() {
			d.addError(key, child, "duplicate key")
			continue
		}
		if !d.expectKind(child, val, yaml.ScalarNode, "a string value") {
			continue
		}
		m.SetMapIndex(reflect.ValueOf(key.Value), reflect.ValueOf(val.Value))
	}
	v.Set(m)
}

// decodeSlice replaces the default list with the file's list; lists are never
// merged with their defaults.
func (d *decoder) decodeSlice(path string, n *yaml.Node, v reflect.Value) {
	if !d.expectKind(path, n, yaml.SequenceNode, "a list") {
		return
	}
	s := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		elem := reflect.New(v.Type().Elem())
		if p, ok := elem.Interface().(*Profile); ok {
			*p = *newProfile()
		}
		d.decode(fmt.Sprintf("%s[%d]", path, i), item, item, elem.Elem())
		s = reflect.Append(s, elem.Elem())
	}
	v.Set(s)
}

// yamlField is one key a struct accepts.
type yamlField struct {
	name  string
	index int
}

// yamlFields lists the keys a config struct accepts, in declaration order.
// Every field of the config types carries a yaml tag naming its key.
func yamlFields(t reflect.Type) []yamlField {
	fields := make([]yamlField, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fields = append(fields, yamlField{name: name, index: i})
	}
	return fields
}

func fieldByKey(fields []yamlField, key string) (yamlField, bool) {
	for _, f := range fields {
		if f.name == key {
			return f, true
		}
	}
	return yamlField{}, false
}

// joinPath appends a key to a dotted field path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describeNode says what a node holds, for "expected X, got Y" messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}
