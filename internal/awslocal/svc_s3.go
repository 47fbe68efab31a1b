package awslocal

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

// S3 (restXml), following the Amazon S3 API Reference:
//
//   - CreateBucket, HeadBucket, DeleteBucket, ListBuckets:
//     https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (and API_HeadBucket,
//     API_DeleteBucket, API_ListBuckets), bucket naming rules from
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
//   - Put/Get/DeleteBucketPolicy: API_PutBucketPolicy.html, API_GetBucketPolicy.html, API_DeleteBucketPolicy.html
//   - Put/GetBucketEncryption: API_PutBucketEncryption.html, API_GetBucketEncryption.html and
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html
//   - Put/Get/DeletePublicAccessBlock: API_PutPublicAccessBlock.html (and Get/Delete),
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
//   - Put/GetBucketVersioning: API_PutBucketVersioning.html, API_GetBucketVersioning.html
//   - Put/GetBucketLifecycleConfiguration: API_PutBucketLifecycleConfiguration.html (and Get)
//   - Put/GetBucketTagging: API_PutBucketTagging.html, API_GetBucketTagging.html
//   - PutObject, ListObjectsV2: API_PutObject.html, API_ListObjectsV2.html (minimal: CloudTrail's log delivery)
//
// Known differences from AWS:
//   - Bucket names are global across the endpoint's accounts, but a bucket is
//     reachable only by its owner: cross-account requests answer AccessDenied
//     whatever the bucket policy allows.
//   - Requests to a bucket through another region's endpoint are served
//     instead of redirected (PermanentRedirect).
//   - Virtual-hosted addressing assumes the endpoint's own host is an IP
//     address or a single label (localhost): every label before the last is
//     the bucket name.
//   - New buckets start with SSE-S3 default encryption and all four Block
//     Public Access settings on, as AWS has done since 2023, so
//     ServerSideEncryptionConfigurationNotFoundError is never returned.
//   - Objects keep no versions, metadata or checksums; ListObjectsV2 supports
//     prefix, start-after, max-keys and continuation tokens, not delimiters.
//   - ACLs, object ownership, bucket ARNs and directory buckets are absent.

// s3XMLNS is the namespace of every S3 response document.
const s3XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"

// Response members the S3 protocol sends outside the XML body.
const (
	s3Headers = "__headers" // map[string]string: response headers
	s3Payload = "__payload" // string: a raw (JSON) body, as GetBucketPolicy returns
)

func registerS3(s *Server) {
	s.register(&service{
		name: "s3", protocol: s3Protocol{}, xmlns: s3XMLNS,
		throttle: *statusErrorf(http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate."),
		routes: []route{
			newRoute("GET", "/", "ListBuckets"),
			newRoute("PUT", "/{Bucket}", "CreateBucket"),
			newRoute("HEAD", "/{Bucket}", "HeadBucket"),
			newRoute("DELETE", "/{Bucket}", "DeleteBucket"),
			newRoute("PUT", "/{Bucket}?policy", "PutBucketPolicy"),
			newRoute("GET", "/{Bucket}?policy", "GetBucketPolicy"),
			newRoute("DELETE", "/{Bucket}?policy", "DeleteBucketPolicy"),
			newRoute("PUT", "/{Bucket}?encryption", "PutBucketEncryption"),
			newRoute("GET", "/{Bucket}?encryption", "GetBucketEncryption"),
			newRoute("PUT", "/{Bucket}?publicAccessBlock", "PutPublicAccessBlock"),
			newRoute("GET", "/{Bucket}?publicAccessBlock", "GetPublicAccessBlock"),
			newRoute("DELETE", "/{Bucket}?publicAccessBlock", "DeletePublicAccessBlock"),
			newRoute("PUT", "/{Bucket}?versioning", "PutBucketVersioning"),
			newRoute("GET", "/{Bucket}?versioning", "GetBucketVersioning"),
			newRoute("PUT", "/{Bucket}?lifecycle", "PutBucketLifecycleConfiguration"),
			newRoute("GET", "/{Bucket}?lifecycle", "GetBucketLifecycleConfiguration"),
			newRoute("PUT", "/{Bucket}?tagging", "PutBucketTagging"),
			newRoute("GET", "/{Bucket}?tagging", "GetBucketTagging"),
			newRoute("GET", "/{Bucket}?list-type", "ListObjectsV2"),
			newRoute("PUT", "/{Bucket}/{Key+}", "PutObject"),
		},
		ops: map[string]handler{
			"ListBuckets":                     s3ListBuckets,
			"CreateBucket":                    s3CreateBucket,
			"HeadBucket":                      s3HeadBucket,
			"DeleteBucket":                    s3DeleteBucket,
			"PutBucketPolicy":                 s3PutBucketPolicy,
			"GetBucketPolicy":                 s3GetBucketPolicy,
			"DeleteBucketPolicy":              s3DeleteBucketPolicy,
			"PutBucketEncryption":             s3PutBucketEncryption,
			"GetBucketEncryption":             s3GetBucketEncryption,
			"PutPublicAccessBlock":            s3PutPublicAccessBlock,
			"GetPublicAccessBlock":            s3GetPublicAccessBlock,
			"DeletePublicAccessBlock":         s3DeletePublicAccessBlock,
			"PutBucketVersioning":             s3PutBucketVersioning,
			"GetBucketVersioning":             s3GetBucketVersioning,
			"PutBucketLifecycleConfiguration": s3PutBucketLifecycle,
			"GetBucketLifecycleConfiguration": s3GetBucketLifecycle,
			"PutBucketTagging":                s3PutBucketTagging,
			"GetBucketTagging":                s3GetBucketTagging,
			"PutObject":                       s3PutObject,
			"ListObjectsV2":                   s3ListObjectsV2,
		},
	})
}

// s3Protocol is restXml plus S3's addressing: a virtual-hosted request
// (<bucket>.<endpoint host>) is matched as its path-style equivalent, object
// bodies are kept as bytes, and a few responses carry headers or a raw body.
type s3Protocol struct{ restXMLProtocol }

func (p s3Protocol) decode(svc *service, r *http.Request, body []byte) (string, doc, error) {
	// The signature covers the path as sent, so matching works on a copy.
	if bucket := virtualHostBucket(r.Host); bucket != "" {
		r = r.Clone(r.Context())
		r.URL.Path = "/" + bucket + r.URL.Path
		r.URL.RawPath = ""
		if strings.HasSuffix(r.URL.Path, "/") && strings.Count(r.URL.Path, "/") == 2 {
			r.URL.Path = strings.TrimSuffix(r.URL.Path, "/")
		}
	}
	op, in, err := matchRoute(svc, r)
	if err != nil {
		return "", nil, err
	}
	// Object data and bucket policies are payloads, not XML documents.
	switch op {
	case "PutObject":
		in["Body"] = body
		in["Content-Type"] = r.Header.Get("Content-Type")
		return op, in, nil
	case "PutBucketPolicy":
		in["Policy"] = string(body)
		return op, in, nil
	}
	return p.restXMLProtocol.decode(svc, r, body)
}

func (p s3Protocol) encode(w http.ResponseWriter, c *call, out doc) {
	if h, ok := out[s3Headers].(map[string]string); ok {
		for k, v := range h {
			w.Header().Set(k, v)
		}
		delete(out, s3Headers)
	}
	if payload, ok := out[s3Payload].(string); ok {
		w.Header().Set("X-Amz-Request-Id", c.srv.requestID())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(payload))
		return
	}
	p.restXMLProtocol.encode(w, c, out)
}

// virtualHostBucket returns the bucket a virtual-hosted request names, or ""
// for a path-style request. The endpoint itself is reached by IP address or
// by a single-label name such as localhost.
func virtualHostBucket(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return ""
	}
	i := strings.LastIndex(host, ".")
	if i <= 0 {
		return ""
	}
	return host[:i]
}

// s3State holds the buckets an account owns.
type s3State struct {
	buckets map[string]*s3Bucket
}

type s3Bucket struct {
	Name, Owner, Region string
	Created             time.Time
	Policy              string
	Encryption          doc // the ServerSideEncryptionConfiguration members
	PublicAccessBlock   doc // nil when deleted
	Versioning          string
	MFADelete           string
	Lifecycle           doc               // the LifecycleConfiguration members, nil when unset
	Tags                map[string]string // nil when unset
	Objects             map[string]*s3Object
}

func s3Of(a *account) *s3State {
	return state(a, "s3", func() *s3State { return &s3State{buckets: map[string]*s3Bucket{}} })
}

// findBucket looks a bucket up in every account: bucket names are global.
// Callers hold s.mu.
func (s *Server) findBucket(name string) *s3Bucket {
	for _, a := range s.accounts {
		if st, ok := a.data["s3"].(*s3State); ok {
			if b, ok := st.buckets[name]; ok {
				return b
			}
		}
	}
	return nil
}

// canonicalUserID stands in for the 64-hex-digit canonical user id S3 shows
// as a bucket owner: stable per account.
func canonicalUserID(account string) string {
	sum := sha256.Sum256([]byte("landfall-canonical:" + account))
	return hex.EncodeToString(sum[:])
}

var (
	bucketNameChars = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ipLike          = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)
)

// validBucketName applies the general purpose bucket naming rules.
func validBucketName(name string) bool {
	if !bucketNameChars.MatchString(name) || strings.Contains(name, "..") || ipLike.MatchString(name) {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return false
		}
	}
	return true
}

func noSuchBucket(name string) *APIError {
	return statusErrorf(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist: %s", name)
}

// bucket returns the bucket the request names, owned by the caller.
func (c *call) bucket() (*s3Bucket, error) {
	name := str(c.in, "Bucket")
	b := c.srv.findBucket(name)
	if b == nil {
		return nil, noSuchBucket(name)
	}
	if b.Owner != c.principal.AccountID {
		return nil, statusErrorf(http.StatusForbidden, "AccessDenied", "Access Denied")
	}
	return b, nil
}

func s3CreateBucket(c *call) (doc, error) {
	name := str(c.in, "Bucket")
	if !validBucketName(name) {
		return nil, errorf("InvalidBucketName", "The specified bucket is not valid.")
	}
	constraint := str(c.in, "LocationConstraint")
	switch {
	case constraint == "" && c.region != "us-east-1":
		return nil, errorf("IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case constraint == "us-east-1":
		return nil, errorf("InvalidLocationConstraint", "The specified location-constraint is not valid")
	case constraint != "" && constraint != c.region:
		return nil, errorf("IllegalLocationConstraintException", "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	}
	if b := c.srv.findBucket(name); b != nil {
		if b.Owner != c.principal.AccountID {
			return nil, statusErrorf(http.StatusConflict, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		}
		// us-east-1 keeps its legacy answer: re-creating your own bucket succeeds.
		if c.region != "us-east-1" || b.Region != "us-east-1" {
			return nil, statusErrorf(http.StatusConflict, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
		}
		return doc{s3Headers: map[string]string{"Location": "/" + name}}, nil
	}
	s3Of(c.account).buckets[name] = &s3Bucket{
		Name: name, Owner: c.principal.AccountID, Region: c.region, Created: c.srv.now(),
		Encryption:        defaultBucketEncryption(),
		PublicAccessBlock: doc{"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true},
		Objects:           map[string]*s3Object{},
	}
	return doc{s3Headers: map[string]string{"Location": "/" + name}}, nil
}

// HeadBucket answers with a status and headers only; the SDK names the
// error after the status (NotFound, Forbidden).
func s3HeadBucket(c *call) (doc, error) {
	name := str(c.in, "Bucket")
	b := c.srv.findBucket(name)
	if b == nil {
		return nil, statusErrorf(http.StatusNotFound, "NotFound", "Not Found")
	}
	if b.Owner != c.principal.AccountID {
		return nil, statusErrorf(http.StatusForbidden, "Forbidden", "Forbidden")
	}
	return doc{s3Headers: map[string]string{"X-Amz-Bucket-Region": b.Region}}, nil
}

func s3DeleteBucket(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	if len(b.Objects) > 0 {
		return nil, statusErrorf(http.StatusConflict, "BucketNotEmpty", "The bucket you tried to delete is not empty")
	}
	delete(s3Of(c.account).buckets, b.Name)
	return doc{restStatus: http.StatusNoContent}, nil
}

// ListBuckets returns every bucket unless the caller pages with max-buckets
// or a continuation token, as AWS does for accounts at the default quota.
func s3ListBuckets(c *call) (doc, error) {
	var names []string
	for name, b := range s3Of(c.account).buckets {
		if strings.HasPrefix(name, str(c.in, "prefix")) && (str(c.in, "bucket-region") == "" || b.Region == str(c.in, "bucket-region")) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	token, next := str(c.in, "continuation-token"), ""
	if has(c.in, "max-buckets") || token != "" {
		limit := intOr(c.in, "max-buckets", 0)
		if has(c.in, "max-buckets") && (limit < 1 || limit > 10000) {
			return nil, errorf("InvalidArgument", "Argument max-buckets must be an integer between 1 and 10000")
		}
		var err error
		names, next, err = page(c.srv, names, token, limit, func() error {
			return errorf("InvalidArgument", "The continuation token provided is incorrect")
		})
		if err != nil {
			return nil, err
		}
	}
	buckets := anyList(names, func(n string) any {
		b := s3Of(c.account).buckets[n]
		return doc{"Name": b.Name, "CreationDate": b.Created, "BucketRegion": b.Region}
	})
	out := doc{
		restRoot:  "ListAllMyBucketsResult",
		"Buckets": doc{"Bucket": buckets},
		"Owner":   doc{"ID": canonicalUserID(c.principal.AccountID)},
	}
	if next != "" {
		out["ContinuationToken"] = next
	}
	if p := str(c.in, "prefix"); p != "" {
		out["Prefix"] = p
	}
	return out, nil
}
