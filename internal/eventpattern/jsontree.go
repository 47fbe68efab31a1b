package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// object is a JSON object that keeps its keys in document order, including
// repeated keys. Pattern compilation needs both: a repeated key replaces the
// earlier one, and errors should point at the first offending field.
type object struct {
	keys []string
	vals []any
}

// decodePattern decodes a pattern document into object, []any, string,
// json.Number, bool and nil values. encoding/json's own decoding into maps
// would lose key order and repeated keys.
func decodePattern(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the pattern object")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return decodeObject(dec)
		case '[':
			return decodeArray(dec)
		}
		return nil, fmt.Errorf("unexpected %q", rune(t))
	default:
		return t, nil
	}
}

func decodeObject(dec *json.Decoder) (*object, error) {
	obj := &object{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key is %v, not a string", tok)
		}
		val, err := decodeValue(dec)
		if err != nil {
			return nil, err
		}
		obj.keys = append(obj.keys, key)
		obj.vals = append(obj.vals, val)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, err
	}
	return obj, nil
}

func decodeArray(dec *json.Decoder) ([]any, error) {
	arr := []any{}
	for dec.More() {
		val, err := decodeValue(dec)
		if err != nil {
			return nil, err
		}
		arr = append(arr, val)
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return nil, err
	}
	return arr, nil
}

// decodeEvent decodes an event document, keeping numbers as json.Number so
// that exact number matching can compare the original JSON text.
func decodeEvent(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the event object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("event is a JSON %s, not an object", jsonKind(v))
	}
	return obj, nil
}

// jsonKind names the JSON type of a decoded value for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case *object, map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
