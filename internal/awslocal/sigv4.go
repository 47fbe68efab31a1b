package awslocal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// sigScope is what the SigV4 Authorization header says about a request.
type sigScope struct {
	accessKey     string
	date          string
	region        string
	service       string
	signedHeaders []string
	signature     string
}

// parseAuthorization reads the SigV4 header. A request without one is
// answered as AWS does for an unsigned call (MissingAuthenticationToken);
// the error is returned after routing so it is encoded in the service's
// protocol.
func parseAuthorization(r *http.Request) (sigScope, error) {
	h := r.Header.Get("Authorization")
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(h, algo) {
		return sigScope{}, statusErrorf(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	}
	var sc sigScope
	for _, part := range strings.Split(strings.TrimPrefix(h, algo), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return sigScope{}, statusErrorf(http.StatusForbidden, "IncompleteSignature", "Credential %q is not of the form AKID/date/region/service/aws4_request", v)
			}
			sc.accessKey, sc.date, sc.region, sc.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			sc.signedHeaders = strings.Split(v, ";")
		case "Signature":
			sc.signature = v
		}
	}
	if sc.accessKey == "" || sc.signature == "" || len(sc.signedHeaders) == 0 {
		return sigScope{}, statusErrorf(http.StatusForbidden, "IncompleteSignature", "Authorization header lacks Credential, SignedHeaders or Signature")
	}
	return sc, nil
}

// verifySignature recomputes the SigV4 signature with the secret the
// endpoint issued, so a client that signs with the wrong credentials fails
// here as it would against AWS (SignatureDoesNotMatch).
func verifySignature(r *http.Request, body []byte, sc sigScope, secret string, s3Style bool) bool {
	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		sum := sha256.Sum256(body)
		payloadHash = hex.EncodeToString(sum[:])
	}
	var canonHeaders strings.Builder
	for _, name := range sc.signedHeaders {
		var v string
		if name == "host" {
			v = r.Host
		} else {
			v = strings.Join(r.Header.Values(name), ",")
		}
		canonHeaders.WriteString(name + ":" + strings.Join(strings.Fields(v), " ") + "\n")
	}
	path := r.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	if !s3Style {
		path = escapePath(path)
	}
	canonical := strings.Join([]string{
		r.Method, path, canonicalQuery(r.URL.Query()), canonHeaders.String(),
		strings.Join(sc.signedHeaders, ";"), payloadHash,
	}, "\n")
	creq := sha256.Sum256([]byte(canonical))
	scope := strings.Join([]string{sc.date, sc.region, sc.service, "aws4_request"}, "/")
	toSign := strings.Join([]string{"AWS4-HMAC-SHA256", r.Header.Get("X-Amz-Date"), scope, hex.EncodeToString(creq[:])}, "\n")
	key := hmacSHA256([]byte("AWS4"+secret), sc.date)
	for _, part := range []string{sc.region, sc.service, "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	return hmac.Equal([]byte(want), []byte(sc.signature))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// escapePath applies SigV4's second round of URI encoding for non-S3
// services, segment by segment.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = uriEncode(s)
	}
	return strings.Join(segs, "/")
}

func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, uriEncode(k)+"="+uriEncode(v))
		}
	}
	return strings.Join(parts, "&")
}

// uriEncode is SigV4's encoding: unreserved characters stay, everything else
// becomes %XX with upper-case hex.
func uriEncode(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	return b.String()
}
