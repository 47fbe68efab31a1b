package baseline

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// The trail's bucket in the account, used when the organization has no log
// archive bucket: encrypted, closed to the public, writable by this trail
// only, readable only over TLS, and versioned, so that deleting or
// overwriting a log file keeps the earlier version ("Security best
// practices in AWS CloudTrail", CloudTrail User Guide).

// trailBucketName is unique across S3 because it carries the account and
// the region.
func trailBucketName(s *Spec) string {
	return s.Name("cloudtrail") + "-" + s.Account.ID + "-" + s.HomeRegion()
}

// trailBucketPolicy follows "Amazon S3 bucket policy for CloudTrail" in the
// CloudTrail User Guide, with aws:SourceArn naming this trail.
func trailBucketPolicy(s *Spec, t trail) iamPolicy {
	bucket := "arn:aws:s3:::" + t.Bucket
	cloudTrail := map[string][]string{"Service": {"cloudtrail.amazonaws.com"}}
	source := map[string][]string{"aws:SourceArn": {t.ARN}}
	return newIAMPolicy(
		iamStatement{Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: cloudTrail, Action: []string{"s3:GetBucketAcl"},
			Resource: []string{bucket}, Condition: map[string]map[string][]string{"StringEquals": source}},
		iamStatement{Sid: "CloudTrailWrite", Effect: "Allow", Principal: cloudTrail, Action: []string{"s3:PutObject"},
			Resource:  []string{bucket + "/AWSLogs/" + s.Account.ID + "/*"},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceArn": {t.ARN}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}},
		iamStatement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"s3:*"},
			Resource: []string{bucket, bucket + "/*"}, Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}}},
	)
}

// LogArchiveBucketPolicy is the policy the organization's log archive
// bucket (organization.logArchive) needs before landfall writes to it:
// CloudTrail and AWS Config of the organization's accounts may check the
// bucket and write under AWSLogs/, admitted by aws:SourceOrgID, which both
// send to S3 ("Amazon S3 bucket policy in the audit account", Control Tower
// User Guide; "Permissions for the Amazon S3 Bucket for the AWS Config
// Delivery Channel", AWS Config Developer Guide, which adds the existence
// check); nothing reads or writes without TLS. Config must be admitted as
// its service principal: its role, in the member account, is not granted
// by the bucket.
func LogArchiveBucketPolicy(bucket, orgID string) string {
	arn := "arn:aws:s3:::" + bucket
	services := map[string][]string{"Service": {"cloudtrail.amazonaws.com", "config.amazonaws.com"}}
	org := map[string][]string{"aws:SourceOrgID": {orgID}}
	return newIAMPolicy(
		iamStatement{Sid: "AWSBucketPermissionsCheck", Effect: "Allow", Principal: services, Action: []string{"s3:GetBucketAcl"},
			Resource: []string{arn}, Condition: map[string]map[string][]string{"StringEquals": org}},
		iamStatement{Sid: "AWSConfigBucketExistenceCheck", Effect: "Allow", Principal: map[string][]string{"Service": {"config.amazonaws.com"}},
			Action: []string{"s3:ListBucket"}, Resource: []string{arn}, Condition: map[string]map[string][]string{"StringEquals": org}},
		iamStatement{Sid: "AWSBucketDelivery", Effect: "Allow", Principal: services, Action: []string{"s3:PutObject"},
			Resource:  []string{arn + "/AWSLogs/*"},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceOrgID": {orgID}, "s3:x-amz-acl": {"bucket-owner-full-control"}}}},
		iamStatement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"s3:*"},
			Resource: []string{arn, arn + "/*"}, Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}}},
	).JSON()
}

func planTrailBucket(ctx context.Context, env *Env, t trail) (Change, error) {
	client := s3.NewFromConfig(env.AWS)
	spec := env.Spec
	resource := "bucket/" + t.Bucket
	policy := trailBucketPolicy(spec, t)
	found := findBucketByName(ctx, client, t.Bucket)
	if isForbidden(found) {
		return Change{Resource: resource, Action: Conflict, Detail: fmt.Sprintf(
			"S3 bucket %s belongs to another account, so the trail cannot use it: delete it there, or set organization.logArchive", t.Bucket)}, nil
	}
	c, _, err := planOwned(ctx, spec, owned[struct{}]{
		Kind: "S3 bucket", Name: t.Bucket, Resource: resource,
		Find: func(context.Context) (struct{}, error) { return struct{}{}, found },
		Tags: func(ctx context.Context, _ struct{}) (map[string]string, error) {
			return findBucketTags(ctx, client, t.Bucket)
		},
		// PutBucketTagging replaces the whole set: keep the tags others added.
		Tag: func(ctx context.Context, _ struct{}, _, all map[string]string) error {
			return putBucketTags(ctx, client, t.Bucket, all)
		},
		Create: func(ctx context.Context) error {
			return createTrailBucket(ctx, client, spec, t.Bucket, env.Region, policy)
		},
		Edits: func(ctx context.Context, _ struct{}) ([]edit, error) {
			return diffTrailBucket(ctx, client, spec, t.Bucket, policy)
		},
	})
	return c, err
}

// diffTrailBucket lists the edits of an existing bucket: its policy,
// versioning and public access block.
func diffTrailBucket(ctx context.Context, client *s3.Client, spec *Spec, bucket string, policy iamPolicy) ([]edit, error) {
	var edits []edit
	doc, err := findBucketPolicy(ctx, client, bucket)
	if err != nil {
		return nil, err
	}
	if !iamPoliciesEquivalent(doc, policy.JSON()) {
		edits = append(edits, edit{[]Diff{{"Policy", displayIAMPolicy(doc), policy.JSON()}}, func(ctx context.Context) error {
			return putBucketPolicy(ctx, client, bucket, policy)
		}})
	}
	versioning, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		return nil, fmt.Errorf("reading S3 bucket versioning (%s): %w", bucket, err)
	}
	if have := string(versioning.Status); have != string(s3types.BucketVersioningStatusEnabled) {
		edits = append(edits, edit{[]Diff{{"Versioning", displayVersioning(have), string(s3types.BucketVersioningStatusEnabled)}},
			func(ctx context.Context) error { return versionBucket(ctx, client, bucket) }})
	}
	pab, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if err != nil && !awsx.IsCode(err, "NoSuchPublicAccessBlockConfiguration") {
		return nil, fmt.Errorf("reading S3 bucket public access block (%s): %w", bucket, err)
	}
	var havePAB publicAccessBlock
	if err == nil {
		c := pab.PublicAccessBlockConfiguration
		havePAB = publicAccessBlock{aws.ToBool(c.BlockPublicAcls), aws.ToBool(c.IgnorePublicAcls), aws.ToBool(c.BlockPublicPolicy), aws.ToBool(c.RestrictPublicBuckets)}
	}
	if diffs := diffPublicAccessBlock(havePAB, desiredPublicAccessBlock(spec)); len(diffs) > 0 {
		edits = append(edits, edit{diffs, func(ctx context.Context) error { return blockBucketPublicAccess(ctx, client, spec, bucket) }})
	}
	return edits, nil
}

// createTrailBucket creates the bucket and then, one write each, its tags
// (first, so a half-made bucket is still recognised as landfall's),
// encryption, versioning, public access block and policy.
func createTrailBucket(ctx context.Context, client *s3.Client, spec *Spec, name, region string, policy iamPolicy) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	// us-east-1 is the default location and S3 rejects it as a constraint.
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := client.CreateBucket(ctx, in); err != nil {
		return fmt.Errorf("creating S3 bucket (%s): %w", name, err)
	}
	if err := putBucketTags(ctx, client, name, spec.Tags); err != nil {
		return fmt.Errorf("tagging S3 bucket (%s): %w", name, err)
	}
	_, err := client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{
			{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}})
	if err != nil {
		return fmt.Errorf("putting S3 bucket encryption (%s): %w", name, err)
	}
	if err := versionBucket(ctx, client, name); err != nil {
		return err
	}
	if err := blockBucketPublicAccess(ctx, client, spec, name); err != nil {
		return err
	}
	return putBucketPolicy(ctx, client, name, policy)
}

// displayVersioning names a bucket's versioning status; a bucket that never
// had versioning answers none.
func displayVersioning(status string) string {
	if status == "" {
		return "never enabled"
	}
	return status
}

func versionBucket(ctx context.Context, client *s3.Client, name string) error {
	_, err := client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	if err != nil {
		return fmt.Errorf("enabling S3 bucket versioning (%s): %w", name, err)
	}
	return nil
}

func blockBucketPublicAccess(ctx context.Context, client *s3.Client, spec *Spec, name string) error {
	p := desiredPublicAccessBlock(spec)
	_, err := client.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(name),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(p.BlockPublicAcls),
			IgnorePublicAcls: aws.Bool(p.IgnorePublicAcls), BlockPublicPolicy: aws.Bool(p.BlockPublicPolicy), RestrictPublicBuckets: aws.Bool(p.RestrictPublicBuckets)}})
	if err != nil {
		return fmt.Errorf("putting S3 bucket public access block (%s): %w", name, err)
	}
	return nil
}

func putBucketPolicy(ctx context.Context, client *s3.Client, name string, policy iamPolicy) error {
	if _, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(name), Policy: aws.String(policy.JSON())}); err != nil {
		return fmt.Errorf("putting S3 bucket policy (%s): %w", name, err)
	}
	return nil
}

// putBucketTags replaces the bucket's tags with tags.
func putBucketTags(ctx context.Context, client *s3.Client, name string, tags map[string]string) error {
	_, err := client.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name), Tagging: &s3types.Tagging{
		TagSet: tagList(tags, func(k, v *string) s3types.Tag { return s3types.Tag{Key: k, Value: v} })}})
	return err
}

// findBucketByName reports whether the caller can see the bucket: a
// NotFoundError when nobody has it, a 403 when another account does.
func findBucketByName(ctx context.Context, client *s3.Client, name string) error {
	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err != nil {
		return fmt.Errorf("reading S3 bucket (%s): %w", name, awsx.AsNotFound(err, "S3 bucket ("+name+")", "NotFound"))
	}
	return nil
}

// findBucketPolicy returns the bucket's policy, "" when it has none.
func findBucketPolicy(ctx context.Context, client *s3.Client, name string) (string, error) {
	out, err := client.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)})
	if awsx.IsCode(err, "NoSuchBucketPolicy") {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading S3 bucket policy (%s): %w", name, err)
	}
	return aws.ToString(out.Policy), nil
}

func findBucketTags(ctx context.Context, client *s3.Client, name string) (map[string]string, error) {
	out, err := client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	if awsx.IsCode(err, "NoSuchTagSet") {
		return map[string]string{}, nil // a bucket without tags
	}
	if err != nil {
		return nil, fmt.Errorf("reading S3 bucket tags (%s): %w", name, err)
	}
	return tagMap(out.TagSet, func(t s3types.Tag) (k, v *string) { return t.Key, t.Value }), nil
}

// isForbidden reports an HTTP 403, which is all HeadBucket says about a
// bucket another account owns (HEAD responses carry no error code).
func isForbidden(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusForbidden
}
