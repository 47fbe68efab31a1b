package awslocal

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// cborProtocol is Smithy RPC v2 CBOR, which the current SDK uses for
// CloudWatch: POST /service/<Service>/operation/<Op>, CBOR bodies, the
// Smithy-Protocol header, and errors named by __type. CloudWatch is "query
// compatible", so errors also carry X-Amzn-Query-Error with the legacy code.
type cborProtocol struct{}

func (cborProtocol) decode(svc *service, r *http.Request, body []byte) (string, doc, error) {
	if r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		return "", nil, errorf("InvalidRequest", "missing Smithy-Protocol: rpc-v2-cbor header")
	}
	i := strings.LastIndex(r.URL.Path, "/operation/")
	if i < 0 {
		return "", nil, errorf("UnknownOperationException", "path %q does not name an operation", r.URL.Path)
	}
	op := r.URL.Path[i+len("/operation/"):]
	if len(body) == 0 {
		return op, doc{}, nil
	}
	v, err := cbor.Decode(body)
	if err != nil {
		return "", nil, errorf("SerializationException", "request body is not CBOR: %v", err)
	}
	m, ok := fromCBOR(v).(map[string]any)
	if !ok {
		return "", nil, errorf("SerializationException", "request body is not a CBOR map")
	}
	return op, m, nil
}

func (cborProtocol) encode(w http.ResponseWriter, c *call, out doc) {
	if out == nil {
		out = doc{}
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("X-Amzn-Requestid", c.srv.requestID())
	_, _ = w.Write(cbor.Encode(toCBOR(out)))
}

func (cborProtocol) encodeError(w http.ResponseWriter, c *call, e *APIError) {
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.Header().Set("X-Amzn-Requestid", c.srv.requestID())
	code := e.QueryCode
	if code == "" {
		code = e.Code
	}
	w.Header().Set("X-Amzn-Query-Error", code+";"+faultWord(e))
	w.WriteHeader(e.Status)
	_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String(e.Code), "message": cbor.String(e.Message)}))
}

// fromCBOR maps CBOR values onto the plain Go values documents hold.
func fromCBOR(v cbor.Value) any {
	switch x := v.(type) {
	case cbor.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = fromCBOR(e)
		}
		return m
	case cbor.List:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = fromCBOR(e)
		}
		return l
	case cbor.String:
		return string(x)
	case cbor.Uint:
		return float64(x)
	case cbor.NegInt:
		return -float64(x)
	case cbor.Float32:
		return float64(x)
	case cbor.Float64:
		return float64(x)
	case cbor.Bool:
		return bool(x)
	case *cbor.Tag:
		if t, err := cbor.AsTime(x); err == nil {
			return t
		}
		return fromCBOR(x.Value)
	case cbor.Slice:
		return []byte(x)
	}
	return nil
}

// toCBOR encodes a document; times become tag 1 epoch seconds.
func toCBOR(v any) cbor.Value {
	switch x := v.(type) {
	case doc:
		m := make(cbor.Map, len(x))
		for k, e := range x {
			if e != nil {
				m[k] = toCBOR(e)
			}
		}
		return m
	case []any:
		l := make(cbor.List, len(x))
		for i, e := range x {
			l[i] = toCBOR(e)
		}
		return l
	case string:
		return cbor.String(x)
	case bool:
		return cbor.Bool(x)
	case int:
		return toCBOR(float64(x))
	case int64:
		return toCBOR(float64(x))
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			if x >= 0 {
				return cbor.Uint(uint64(x))
			}
			return cbor.NegInt(uint64(-x)) // the package applies the -1 bias itself
		}
		return cbor.Float64(x)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(epoch(x))}
	}
	panic(fmt.Sprintf("awslocal: no CBOR encoding for %T", v))
}
