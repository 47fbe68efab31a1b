package awslocal

import (
	"crypto/md5"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// S3 objects, as far as CloudTrail's log delivery needs them: PutObject and
// ListObjectsV2 (see the operation list in svc_s3.go).

type s3Object struct {
	Key          string
	Body         []byte
	ContentType  string
	ETag         string
	LastModified time.Time
}

// put stores an object; services that deliver into a bucket (CloudTrail's
// log files) call it after checking bucketAllows. Callers hold s.mu.
func (b *s3Bucket) put(key string, body []byte, contentType string, now time.Time) *s3Object {
	sum := md5.Sum(body)
	o := &s3Object{Key: key, Body: append([]byte(nil), body...), ContentType: contentType,
		ETag: `"` + hex.EncodeToString(sum[:]) + `"`, LastModified: now}
	b.Objects[key] = o
	return o
}

func s3PutObject(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	key := str(c.in, "Key")
	if len(key) > 1024 {
		return nil, errorf("KeyTooLongError", "Your key is too long")
	}
	body, _ := c.in["Body"].([]byte)
	o := b.put(key, body, str(c.in, "Content-Type"), c.srv.now())
	return doc{s3Headers: map[string]string{"ETag": o.ETag}}, nil
}

func s3ListObjectsV2(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	if str(c.in, "list-type") != "2" {
		return nil, errorf("InvalidArgument", "Invalid List Type specified")
	}
	prefix, after := str(c.in, "prefix"), str(c.in, "start-after")
	var keys []string
	for k := range b.Objects {
		if strings.HasPrefix(k, prefix) && k > after {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	limit := intOr(c.in, "max-keys", 1000)
	if limit < 0 {
		return nil, errorf("InvalidArgument", "Provided max-keys not an integer or within integer range")
	}
	token := str(c.in, "continuation-token")
	keys, next, err := page(c.srv, keys, token, limit, func() error {
		return errorf("InvalidArgument", "The continuation token provided is incorrect")
	})
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		keys, next = nil, ""
	}
	out := doc{
		restRoot: "ListBucketResult", "Name": b.Name, "Prefix": prefix, "MaxKeys": limit,
		"KeyCount": len(keys), "IsTruncated": next != "",
		"Contents": anyList(keys, func(k string) any {
			o := b.Objects[k]
			return doc{"Key": o.Key, "LastModified": o.LastModified, "ETag": o.ETag, "Size": len(o.Body), "StorageClass": "STANDARD"}
		}),
	}
	if token != "" {
		out["ContinuationToken"] = token
	}
	if next != "" {
		out["NextContinuationToken"] = next
	}
	if after != "" {
		out["StartAfter"] = after
	}
	return out, nil
}
