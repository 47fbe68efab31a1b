package awslocal

import (
	"net/http"
	"slices"
	"strings"
)

// S3 bucket configuration: policy, default encryption, Block Public Access,
// versioning, lifecycle and tags (see the operation list in svc_s3.go).

func s3PutBucketPolicy(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	text := str(c.in, "Policy")
	p, err := parseBucketPolicy(b.Name, text)
	if err != nil {
		return nil, err
	}
	if c.srv.blocksPublicPolicy(b) && policyIsPublic(p) {
		return nil, statusErrorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::%s\" because public policies are blocked by the BlockPublicPolicy block public access setting.", c.principal.ARN, b.Name)
	}
	b.Policy = text
	return doc{restStatus: http.StatusNoContent}, nil
}

// parseBucketPolicy validates a bucket policy as S3 does: IAM grammar, a
// principal in every statement, and resources inside this bucket.
func parseBucketPolicy(bucket, text string) (*policyDoc, error) {
	if !strings.HasPrefix(strings.TrimSpace(text), "{") {
		return nil, errorf("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'")
	}
	p, err := parsePolicy(text)
	if err != nil {
		return nil, errorf("MalformedPolicy", "%s", asAPIError(err).Message)
	}
	for _, st := range p.Statement {
		if st.Principal.empty() && st.NotPrincipal.empty() {
			return nil, errorf("MalformedPolicy", "Missing required field Principal")
		}
		resources := append(append([]string(nil), st.Resource...), st.NotResource...)
		if len(resources) == 0 {
			return nil, errorf("MalformedPolicy", "Missing required field Resource")
		}
		for _, r := range resources {
			if r != "arn:aws:s3:::"+bucket && !strings.HasPrefix(r, "arn:aws:s3:::"+bucket+"/") {
				return nil, errorf("MalformedPolicy", "Policy has invalid resource")
			}
		}
	}
	return p, nil
}

// policyIsPublic applies the Block Public Access definition in its simplest
// form: an Allow for any principal ("*") with no condition.
func policyIsPublic(p *policyDoc) bool {
	for _, st := range p.Statement {
		if st.Effect != "Allow" || len(st.Condition) > 0 {
			continue
		}
		if st.Principal.Any || slices.Contains(st.Principal.Keys["AWS"], "*") {
			return true
		}
	}
	return false
}

// blocksPublicPolicy reports whether the bucket's or its owner account's
// Block Public Access settings reject public bucket policies.
func (s *Server) blocksPublicPolicy(b *s3Bucket) bool {
	if boolOr(b.PublicAccessBlock, "BlockPublicPolicy", false) {
		return true
	}
	a := s.accounts[b.Owner]
	return a != nil && boolOr(s3ControlOf(a).publicAccessBlock, "BlockPublicPolicy", false)
}

func s3GetBucketPolicy(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	if b.Policy == "" {
		return nil, statusErrorf(http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
	}
	return doc{s3Payload: b.Policy}, nil
}

func s3DeleteBucketPolicy(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	b.Policy = ""
	return doc{restStatus: http.StatusNoContent}, nil
}

func defaultBucketEncryption() doc {
	return doc{"Rule": doc{"ApplyServerSideEncryptionByDefault": doc{"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": false}}
}

func s3PutBucketEncryption(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	rules := list(c.in, "Rule")
	if len(rules) != 1 {
		return nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	def := obj(rules[0], "ApplyServerSideEncryptionByDefault")
	algo, key := str(def, "SSEAlgorithm"), str(def, "KMSMasterKeyID")
	switch algo {
	case "AES256":
		if key != "" {
			return nil, errorf("InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		}
	case "aws:kms", "aws:kms:dsse":
	default:
		return nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	rule := doc{"ApplyServerSideEncryptionByDefault": doc{"SSEAlgorithm": algo}, "BucketKeyEnabled": boolOr(rules[0], "BucketKeyEnabled", false)}
	if key != "" {
		obj(rule, "ApplyServerSideEncryptionByDefault")["KMSMasterKeyID"] = key
	}
	b.Encryption = doc{"Rule": rule}
	return nil, nil
}

func s3GetBucketEncryption(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	return doc{restRoot: "ServerSideEncryptionConfiguration", "Rule": b.Encryption["Rule"]}, nil
}

// publicAccessBlockFlags are the four Block Public Access settings, shared
// by the bucket-level (S3) and account-level (S3 Control) operations.
var publicAccessBlockFlags = []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}

// readPublicAccessBlock reads the settings from a request body; omitted
// settings are false, as in AWS.
func readPublicAccessBlock(in doc) (doc, error) {
	out := doc{}
	for _, f := range publicAccessBlockFlags {
		if !has(in, f) {
			out[f] = false
			continue
		}
		v, ok := boolean(in, f)
		if !ok {
			return nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		out[f] = v
	}
	return out, nil
}

func s3PutPublicAccessBlock(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	pab, err := readPublicAccessBlock(c.in)
	if err != nil {
		return nil, err
	}
	b.PublicAccessBlock = pab
	return nil, nil
}

func noSuchPublicAccessBlock() *APIError {
	return statusErrorf(http.StatusNotFound, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
}

func s3GetPublicAccessBlock(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	if b.PublicAccessBlock == nil {
		return nil, noSuchPublicAccessBlock()
	}
	out := doc{restRoot: "PublicAccessBlockConfiguration"}
	for k, v := range b.PublicAccessBlock {
		out[k] = v
	}
	return out, nil
}

func s3DeletePublicAccessBlock(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	b.PublicAccessBlock = nil
	return doc{restStatus: http.StatusNoContent}, nil
}

func s3PutBucketVersioning(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	status, mfa := str(c.in, "Status"), str(c.in, "MfaDelete")
	if status != "Enabled" && status != "Suspended" || mfa != "" && mfa != "Enabled" && mfa != "Disabled" {
		return nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if mfa == "Enabled" && c.req.Header.Get("X-Amz-Mfa") == "" {
		return nil, errorf("InvalidRequest", "DevPay and Mfa are mutually exclusive authorization methods")
	}
	b.Versioning = status
	if mfa != "" {
		b.MFADelete = mfa
	}
	return nil, nil
}

// GetBucketVersioning answers an empty configuration for a bucket that was
// never versioned.
func s3GetBucketVersioning(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	out := doc{restRoot: "VersioningConfiguration"}
	if b.Versioning != "" {
		out["Status"] = b.Versioning
	}
	if b.MFADelete != "" {
		out["MfaDelete"] = b.MFADelete
	}
	return out, nil
}

// lifecycleActions are the elements of which a lifecycle rule needs at least one.
var lifecycleActions = []string{"Expiration", "Transition", "NoncurrentVersionExpiration", "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload"}

func s3PutBucketLifecycle(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	rules := list(c.in, "Rule")
	if len(rules) == 0 || len(rules) > 1000 {
		return nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
	}
	ids := map[string]bool{}
	for _, r := range rules {
		if st := str(r, "Status"); st != "Enabled" && st != "Disabled" {
			return nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		id := str(r, "ID")
		if len(id) > 255 {
			return nil, errorf("InvalidArgument", "ID length should not exceed allowed limit of 255")
		}
		if id != "" && ids[id] {
			return nil, errorf("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule")
		}
		ids[id] = true
		if !has(r, "Filter") && !has(r, "Prefix") {
			return nil, errorf("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		action := false
		for _, a := range lifecycleActions {
			action = action || has(r, a)
		}
		if !action {
			return nil, errorf("InvalidRequest", "At least one action needs to be specified in a rule")
		}
	}
	b.Lifecycle = doc{"Rule": anyList(rules, func(r doc) any { return r })}
	return nil, nil
}

func s3GetBucketLifecycle(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	if b.Lifecycle == nil {
		return nil, statusErrorf(http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
	}
	return doc{restRoot: "LifecycleConfiguration", "Rule": b.Lifecycle["Rule"]}, nil
}

func s3PutBucketTagging(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	tagDocs := list(obj(c.in, "TagSet"), "Tag")
	if len(tagDocs) > 50 {
		return nil, errorf("InvalidTag", "Object tags cannot be greater than 50")
	}
	tags := map[string]string{}
	for _, t := range tagDocs {
		k, v := str(t, "Key"), str(t, "Value")
		_, dup := tags[k]
		switch {
		case k == "" || len(k) > 128 || len(v) > 256:
			return nil, errorf("InvalidTag", "The TagKey you have provided is invalid")
		case strings.HasPrefix(k, "aws:"):
			return nil, errorf("InvalidTag", "Your TagKey cannot be prefixed with aws:")
		case dup:
			return nil, errorf("InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		tags[k] = v
	}
	b.Tags = tags
	return doc{restStatus: http.StatusNoContent}, nil
}

func s3GetBucketTagging(c *call) (doc, error) {
	b, err := c.bucket()
	if err != nil {
		return nil, err
	}
	if len(b.Tags) == 0 {
		return nil, statusErrorf(http.StatusNotFound, "NoSuchTagSet", "The TagSet does not exist")
	}
	return doc{restRoot: "Tagging", "TagSet": doc{"Tag": tagsOut(b.Tags)}}, nil
}
