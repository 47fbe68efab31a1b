package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestS3BucketEncryption(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, u, mgmt, "us-east-1")
	createBucket(t, c, "enc-bucket")
	b := aws.String("enc-bucket")

	// Every new bucket starts with SSE-S3.
	got, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	mustNoErr(t, err)
	if r := got.ServerSideEncryptionConfiguration.Rules; len(r) != 1 || r[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("default encryption = %+v", r)
	}

	rule := func(algo, key string) *types.ServerSideEncryptionConfiguration {
		d := &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryption(algo)}
		if key != "" {
			d.KMSMasterKeyID = aws.String(key)
		}
		return &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: d, BucketKeyEnabled: aws.Bool(true)}}}
	}
	for _, tc := range []struct{ name, algo, key, code string }{
		{"unknown algorithm", "DES", "", "MalformedXML"},
		{"key without kms", "AES256", "alias/x", "InvalidArgument"},
		{"kms", "aws:kms", "arn:aws:kms:us-east-1:111111111111:key/k1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: rule(tc.algo, tc.key)})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	got, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	mustNoErr(t, err)
	r := got.ServerSideEncryptionConfiguration.Rules[0]
	if r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms || aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != "arn:aws:kms:us-east-1:111111111111:key/k1" || !aws.ToBool(r.BucketKeyEnabled) {
		t.Fatalf("encryption after put = %+v", r)
	}
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("no-such-bucket")})
	wantCode(t, err, "NoSuchBucket")
}

func TestS3BucketPublicAccessBlock(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, u, mgmt, "us-east-1")
	createBucket(t, c, "pab-bucket")
	b := aws.String("pab-bucket")

	got, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	mustNoErr(t, err)
	if cfg := got.PublicAccessBlockConfiguration; !aws.ToBool(cfg.BlockPublicAcls) || !aws.ToBool(cfg.RestrictPublicBuckets) {
		t.Fatalf("new bucket block public access = %+v", cfg)
	}
	_, err = c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: b})
	mustNoErr(t, err)
	_, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")

	_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true)}})
	mustNoErr(t, err)
	got, err = c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	mustNoErr(t, err)
	if cfg := got.PublicAccessBlockConfiguration; aws.ToBool(cfg.BlockPublicAcls) || !aws.ToBool(cfg.BlockPublicPolicy) || !aws.ToBool(cfg.IgnorePublicAcls) || aws.ToBool(cfg.RestrictPublicBuckets) {
		t.Fatalf("after put = %+v", cfg)
	}
	_, err = c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("no-such-bucket"), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{}})
	wantCode(t, err, "NoSuchBucket")
}

func TestS3BucketVersioningAndLifecycle(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, u, mgmt, "us-east-1")
	createBucket(t, c, "logs-bucket")
	b := aws.String("logs-bucket")

	v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	mustNoErr(t, err)
	if v.Status != "" {
		t.Fatalf("never-versioned status = %q", v.Status)
	}
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: "On"}})
	wantCode(t, err, "MalformedXML")
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	mustNoErr(t, err)
	v, err = c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
	mustNoErr(t, err)
	if v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("status = %q", v.Status)
	}

	_, err = c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	wantCode(t, err, "NoSuchLifecycleConfiguration")
	expire := types.LifecycleRule{ID: aws.String("expire"), Status: types.ExpirationStatusEnabled,
		Filter: &types.LifecycleRuleFilter{Prefix: aws.String("AWSLogs/")}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(365)}}
	noAction := types.LifecycleRule{ID: aws.String("noop"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}}
	for _, tc := range []struct {
		name  string
		rules []types.LifecycleRule
		code  string
	}{
		{"rule without action", []types.LifecycleRule{noAction}, "InvalidRequest"},
		{"duplicate ids", []types.LifecycleRule{expire, expire}, "InvalidArgument"},
		{"expiration", []types.LifecycleRule{expire}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: b, LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: tc.rules}})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
	mustNoErr(t, err)
	if len(lc.Rules) != 1 || aws.ToString(lc.Rules[0].ID) != "expire" || aws.ToInt32(lc.Rules[0].Expiration.Days) != 365 || aws.ToString(lc.Rules[0].Filter.Prefix) != "AWSLogs/" {
		t.Fatalf("lifecycle = %+v", lc.Rules)
	}
}

func TestS3BucketTagging(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, u, mgmt, "us-east-1")
	createBucket(t, c, "tagged-bucket")
	b := aws.String("tagged-bucket")

	_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	wantCode(t, err, "NoSuchTagSet")
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	for _, tc := range []struct {
		name string
		tags []types.Tag
		code string
	}{
		{"reserved prefix", []types.Tag{tag("aws:owner", "x")}, "InvalidTag"},
		{"duplicate key", []types.Tag{tag("team", "a"), tag("team", "b")}, "InvalidTag"},
		{"valid", []types.Tag{tag("team", "platform"), tag("landfall", "baseline")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tc.tags}})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	got, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
	mustNoErr(t, err)
	if len(got.TagSet) != 2 || aws.ToString(got.TagSet[0].Key) != "landfall" || aws.ToString(got.TagSet[1].Value) != "platform" {
		t.Fatalf("tags = %+v", got.TagSet)
	}
}
