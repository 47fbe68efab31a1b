package awslocal

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// queryProtocol is awsQuery (IAM, STS, SNS) and, with ec2 set, ec2Query:
// form-encoded requests, XML responses.
type queryProtocol struct{ ec2 bool }

func (p queryProtocol) decode(svc *service, r *http.Request, body []byte) (string, doc, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "", nil, errorf("MalformedQueryString", "request body is not form-encoded: %v", err)
	}
	for k, v := range r.URL.Query() {
		form[k] = append(form[k], v...)
	}
	op := form.Get("Action")
	if op == "" {
		return "", nil, errorf("MissingAction", "the request has no Action parameter")
	}
	delete(form, "Action")
	delete(form, "Version")
	return op, unflattenQuery(form), nil
}

// unflattenQuery turns query keys such as Tags.member.1.Key (awsQuery
// lists), Attributes.entry.1.key (maps) and Filter.1.Value.1 (ec2Query
// lists) into nested documents.
func unflattenQuery(form url.Values) doc {
	root := map[string]any{}
	for key, vals := range form {
		if len(vals) == 0 {
			continue
		}
		node := root
		parts := strings.Split(key, ".")
		for i, part := range parts {
			if i == len(parts)-1 {
				node[part] = vals[0]
				break
			}
			child, ok := node[part].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[part] = child
			}
			node = child
		}
	}
	return normalizeQuery(root).(map[string]any)
}

func normalizeQuery(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	for k, child := range m {
		m[k] = normalizeQuery(child)
	}
	if inner, ok := m["member"]; ok && len(m) == 1 {
		if l, ok := inner.([]any); ok {
			return l
		}
	}
	if inner, ok := m["entry"]; ok && len(m) == 1 {
		out := map[string]any{}
		for _, e := range asList(inner) {
			if em, ok := e.(map[string]any); ok {
				out[str(em, "key")] = em["value"]
			}
		}
		return out
	}
	if isIndexMap(m) {
		idx := make([]int, 0, len(m))
		for k := range m {
			n, _ := strconv.Atoi(k)
			idx = append(idx, n)
		}
		sort.Ints(idx)
		out := make([]any, 0, len(idx))
		for _, n := range idx {
			out = append(out, m[strconv.Itoa(n)])
		}
		return out
	}
	return m
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func isIndexMap(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for k := range m {
		if n, err := strconv.Atoi(k); err != nil || n < 1 {
			return false
		}
	}
	return true
}

func (p queryProtocol) encode(w http.ResponseWriter, c *call, out doc) {
	var b strings.Builder
	b.WriteString(xml.Header)
	if p.ec2 {
		b.WriteString("<" + c.op + "Response xmlns=\"" + c.svc.xmlns + "\"><requestId>" + c.srv.requestID() + "</requestId>")
		writeXMLFields(&b, out, "item")
		b.WriteString("</" + c.op + "Response>")
	} else {
		b.WriteString("<" + c.op + "Response xmlns=\"" + c.svc.xmlns + "\">")
		if out != nil {
			b.WriteString("<" + c.op + "Result>")
			writeXMLFields(&b, out, "member")
			b.WriteString("</" + c.op + "Result>")
		}
		b.WriteString("<ResponseMetadata><RequestId>" + c.srv.requestID() + "</RequestId></ResponseMetadata></" + c.op + "Response>")
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(b.String()))
}

func (p queryProtocol) encodeError(w http.ResponseWriter, c *call, e *APIError) {
	var b strings.Builder
	b.WriteString(xml.Header)
	if p.ec2 {
		b.WriteString("<Response><Errors><Error><Code>" + xmlEscape(e.Code) + "</Code><Message>" + xmlEscape(e.Message) +
			"</Message></Error></Errors><RequestID>" + c.srv.requestID() + "</RequestID></Response>")
	} else {
		typ := "Sender"
		if !e.sender() {
			typ = "Receiver"
		}
		// A service that also speaks JSON (CloudWatch) keeps its query code
		// apart from its JSON error name.
		code := e.Code
		if e.QueryCode != "" {
			code = e.QueryCode
		}
		b.WriteString("<ErrorResponse xmlns=\"" + c.svc.xmlns + "\"><Error><Type>" + typ + "</Type><Code>" + xmlEscape(code) +
			"</Code><Message>" + xmlEscape(e.Message) + "</Message></Error><RequestId>" + c.srv.requestID() + "</RequestId></ErrorResponse>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(b.String()))
}

// xmlMap marks a string map that the query protocol encodes as
// <entry><key/><value/></entry> (SNS attributes) rather than as a structure.
type xmlMap map[string]string

// writeXMLFields writes a document's members as XML elements, sorted by name.
// Lists wrap each element in itemName (member for awsQuery, item for EC2).
func writeXMLFields(b *strings.Builder, d doc, itemName string) {
	for _, k := range sortedKeys(d) {
		writeXMLValue(b, k, d[k], itemName)
	}
}

func writeXMLValue(b *strings.Builder, name string, v any, itemName string) {
	switch x := v.(type) {
	case nil:
		return
	case doc:
		b.WriteString("<" + name + ">")
		writeXMLFields(b, x, itemName)
		b.WriteString("</" + name + ">")
	case xmlMap:
		b.WriteString("<" + name + ">")
		for _, k := range sortedKeys(x) {
			b.WriteString("<entry><key>" + xmlEscape(k) + "</key><value>" + xmlEscape(x[k]) + "</value></entry>")
		}
		b.WriteString("</" + name + ">")
	case []any:
		b.WriteString("<" + name + ">")
		for _, e := range x {
			writeXMLValue(b, itemName, e, itemName)
		}
		b.WriteString("</" + name + ">")
	default:
		b.WriteString("<" + name + ">" + xmlEscape(scalarText(x)) + "</" + name + ">")
	}
}

// scalarText renders a scalar the way XML protocols send it.
func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return ""
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
