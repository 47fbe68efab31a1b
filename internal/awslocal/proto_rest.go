package awslocal

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Special response members that REST protocols put outside the body.
const (
	restStatus = "__status" // int: HTTP status other than 200
	restRoot   = "__root"   // string: REST-XML root element name
)

// matchRoute finds the operation for a REST request and merges path
// parameters and the query string into the input. Handlers of REST services
// read members by their wire names (path and query names as the API
// reference spells them).
func matchRoute(svc *service, r *http.Request) (string, doc, error) {
	path := r.URL.EscapedPath()
	// Routes that name a query key (S3's ?policy, ?tagging) are more specific
	// than the plain path, so they are tried first.
	for _, pass := range []bool{true, false} {
		for _, rt := range svc.routes {
			if (rt.query != "") != pass || rt.method != r.Method {
				continue
			}
			m := rt.re.FindStringSubmatch(path)
			if m == nil || (rt.query != "" && !r.URL.Query().Has(rt.query)) {
				continue
			}
			in, err := routeInput(rt, r, m)
			return rt.op, in, err
		}
	}
	return "", nil, statusErrorf(http.StatusNotFound, "UnknownOperationException", "no operation matches %s %s", r.Method, path)
}

func routeInput(rt route, r *http.Request, m []string) (doc, error) {
	in := doc{}
	for k, v := range r.URL.Query() {
		in[k] = v[0]
	}
	for i, name := range rt.params {
		v, err := url.PathUnescape(m[i+1])
		if err != nil {
			return nil, errorf("InvalidRequest", "path parameter %s is not URL-encoded correctly", name)
		}
		in[name] = v
	}
	return in, nil
}

// restJSONProtocol is restJson1 (GuardDuty, Security Hub, Access Analyzer,
// Account, Lambda).
type restJSONProtocol struct{}

func (restJSONProtocol) decode(svc *service, r *http.Request, body []byte) (string, doc, error) {
	op, in, err := matchRoute(svc, r)
	if err != nil {
		return "", nil, err
	}
	b, err := decodeJSONBody(body)
	if err != nil {
		return "", nil, err
	}
	for k, v := range b {
		in[k] = v
	}
	return op, in, nil
}

func (restJSONProtocol) encode(w http.ResponseWriter, c *call, out doc) {
	status := http.StatusOK
	if out != nil {
		if s, ok := out[restStatus].(int); ok {
			status = s
		}
		delete(out, restStatus)
	}
	w.Header().Set("X-Amzn-Requestid", c.srv.requestID())
	if out == nil || status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(mustJSON(jsonValue(out)))
}

func (restJSONProtocol) encodeError(w http.ResponseWriter, c *call, e *APIError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.Header().Set("X-Amzn-Requestid", c.srv.requestID())
	w.WriteHeader(e.Status)
	_, _ = w.Write(mustJSON(map[string]any{"message": e.Message, "Message": e.Message, "__type": e.Code}))
}

// restXMLProtocol is restXml (S3 and, with wrapped errors, S3 Control).
type restXMLProtocol struct{ wrappedErrors bool }

func (restXMLProtocol) decode(svc *service, r *http.Request, body []byte) (string, doc, error) {
	op, in, err := matchRoute(svc, r)
	if err != nil {
		return "", nil, err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		b, err := decodeXMLDoc(body)
		if err != nil {
			return "", nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: %v", err)
		}
		for k, v := range b {
			in[k] = v
		}
	}
	return op, in, nil
}

func (restXMLProtocol) encode(w http.ResponseWriter, c *call, out doc) {
	status := http.StatusOK
	w.Header().Set("X-Amz-Request-Id", c.srv.requestID())
	if out == nil {
		w.WriteHeader(status)
		return
	}
	if s, ok := out[restStatus].(int); ok {
		status = s
	}
	root, _ := out[restRoot].(string)
	delete(out, restStatus)
	delete(out, restRoot)
	if root == "" {
		w.WriteHeader(status)
		return
	}
	var b strings.Builder
	b.WriteString(xml.Header)
	b.WriteString("<" + root + " xmlns=\"" + c.svc.xmlns + "\">")
	for _, k := range sortedKeys(out) {
		writeFlatXML(&b, k, out[k])
	}
	b.WriteString("</" + root + ">")
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// writeFlatXML writes REST-XML members: S3 lists are flattened (repeated
// elements, no wrapper), which is how ListBuckets' <Buckets><Bucket> and
// tag sets' <TagSet><Tag> look once the handler names the wrapper itself.
func writeFlatXML(b *strings.Builder, name string, v any) {
	switch x := v.(type) {
	case nil:
	case doc:
		b.WriteString("<" + name + ">")
		for _, k := range sortedKeys(x) {
			writeFlatXML(b, k, x[k])
		}
		b.WriteString("</" + name + ">")
	case []any:
		for _, e := range x {
			writeFlatXML(b, name, e)
		}
	default:
		b.WriteString("<" + name + ">" + xmlEscape(scalarText(x)) + "</" + name + ">")
	}
}

func (p restXMLProtocol) encodeError(w http.ResponseWriter, c *call, e *APIError) {
	inner := "<Code>" + xmlEscape(e.Code) + "</Code><Message>" + xmlEscape(e.Message) + "</Message>"
	body := "<Error>" + inner + "<RequestId>" + c.srv.requestID() + "</RequestId></Error>"
	if p.wrappedErrors {
		body = "<ErrorResponse><Error>" + inner + "</Error><RequestId>" + c.srv.requestID() + "</RequestId></ErrorResponse>"
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header + body))
}

// decodeXMLDoc turns an XML request body into a document: the root element's
// children become members; repeated children become lists; text becomes a
// string.
func decodeXMLDoc(body []byte) (doc, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return doc{}, nil
		}
		if err != nil {
			return nil, err
		}
		if _, ok := tok.(xml.StartElement); ok {
			v, err := decodeXMLElement(dec)
			if err != nil {
				return nil, err
			}
			if d, ok := v.(doc); ok {
				return d, nil
			}
			return doc{}, nil
		}
	}
}

func decodeXMLElement(dec *xml.Decoder) (any, error) {
	children := doc{}
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := decodeXMLElement(dec)
			if err != nil {
				return nil, err
			}
			name := t.Name.Local
			switch prev := children[name].(type) {
			case nil:
				children[name] = v
			case []any:
				children[name] = append(prev, v)
			default:
				children[name] = []any{prev, v}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(children) == 0 {
				return strings.TrimSpace(text.String()), nil
			}
			return children, nil
		}
	}
}
