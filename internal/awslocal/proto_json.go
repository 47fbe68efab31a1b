package awslocal

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"
)

// jsonProtocol is AWS JSON 1.0/1.1: POST /, the operation in X-Amz-Target,
// a JSON body both ways, errors named by __type.
type jsonProtocol struct {
	version string // "1.0" or "1.1"
	// queryCompatible services (SQS) also send the legacy query error code
	// in X-Amzn-Query-Error, which the SDK prefers.
	queryCompatible bool
}

func (p jsonProtocol) decode(svc *service, r *http.Request, body []byte) (string, doc, error) {
	// The target is the service's target prefix and the operation; the AWS
	// CLI writes the prefix with the model's namespace
	// (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails).
	target := r.Header.Get("X-Amz-Target")
	i := strings.LastIndex(target, ".")
	op := target[i+1:]
	if i <= 0 || op == "" {
		return "", nil, errorf("UnknownOperationException", "missing or malformed X-Amz-Target header %q", target)
	}
	in, err := decodeJSONBody(body)
	return op, in, err
}

func decodeJSONBody(body []byte) (doc, error) {
	in := doc{}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, nil
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, errorf("SerializationException", "request body is not a JSON object: %v", err)
	}
	return in, nil
}

func (p jsonProtocol) encode(w http.ResponseWriter, c *call, out doc) {
	if out == nil {
		out = doc{}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-"+p.version)
	w.Header().Set("X-Amzn-Requestid", c.srv.requestID())
	_, _ = w.Write(mustJSON(jsonValue(out)))
}

func (p jsonProtocol) encodeError(w http.ResponseWriter, c *call, e *APIError) {
	w.Header().Set("Content-Type", "application/x-amz-json-"+p.version)
	w.Header().Set("X-Amzn-Requestid", c.srv.requestID())
	if p.queryCompatible && e.QueryCode != "" {
		w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";"+faultWord(e))
	}
	w.WriteHeader(e.Status)
	_, _ = w.Write(mustJSON(map[string]any{"__type": e.Code, "message": e.Message}))
}

func faultWord(e *APIError) string {
	if e.sender() {
		return "Sender"
	}
	return "Receiver"
}

// jsonValue converts times to epoch seconds, the JSON protocols' default
// timestamp format, and the query-only xmlMap to a plain object.
func jsonValue(v any) any {
	switch x := v.(type) {
	case doc:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				m[k] = jsonValue(e)
			}
		}
		return m
	case xmlMap:
		return map[string]string(x)
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = jsonValue(e)
		}
		return l
	case time.Time:
		return epoch(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	}
	return v
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only values built by this package reach here; a failure is a bug.
		panic("awslocal: encoding JSON response: " + err.Error())
	}
	return b
}
