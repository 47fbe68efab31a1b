package awslocal

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// foreignAccount is an account outside the organization, for isolation checks.
const foreignAccount = "222222222222"

func s3Client(t *testing.T, s *Server, u, account, region string) *s3.Client {
	return s3.NewFromConfig(sdkConfig(t, s, u, account, region))
}

func createBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)})
	mustNoErr(t, err)
}

func TestS3CreateBucketValidation(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	east := s3Client(t, s, u, mgmt, "us-east-1")
	west := s3Client(t, s, u, mgmt, "eu-west-1")
	createBucket(t, east, "taken-bucket")

	for _, tc := range []struct {
		name, bucket, constraint string
		client                   *s3.Client
		code                     string
	}{
		{"too short", "ab", "", east, "InvalidBucketName"},
		{"upper case", "MyBucket", "", east, "InvalidBucketName"},
		{"ip address", "192.168.5.4", "", east, "InvalidBucketName"},
		{"adjacent dots", "my..bucket", "", east, "InvalidBucketName"},
		{"reserved prefix", "xn--bucket", "", east, "InvalidBucketName"},
		{"reserved suffix", "bucket-s3alias", "", east, "InvalidBucketName"},
		{"regional endpoint needs a constraint", "west-bucket", "", west, "IllegalLocationConstraintException"},
		{"constraint must match the endpoint", "west-bucket", "eu-central-1", west, "IllegalLocationConstraintException"},
		{"us-east-1 is never a constraint", "east-bucket", "us-east-1", east, "InvalidLocationConstraint"},
		{"own bucket outside us-east-1", "taken-bucket", "eu-west-1", west, "BucketAlreadyOwnedByYou"},
		{"valid in us-east-1", "my.valid-bucket-1", "", east, ""},
		{"own bucket again in us-east-1", "taken-bucket", "", east, ""},
		{"valid with constraint", "west-bucket", "eu-west-1", west, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &s3.CreateBucketInput{Bucket: aws.String(tc.bucket)}
			if tc.constraint != "" {
				in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(tc.constraint)}
			}
			_, err := tc.client.CreateBucket(ctx, in)
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}

	// Bucket names are global: another account cannot take one.
	_, err := s3Client(t, s, u, foreignAccount, "us-east-1").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("taken-bucket")})
	wantCode(t, err, "BucketAlreadyExists")

	s.mu.Lock()
	b := s.findBucket("west-bucket")
	s.mu.Unlock()
	if b == nil || b.Owner != mgmt {
		t.Fatalf("findBucket(west-bucket) = %+v, want owned by %s", b, mgmt)
	}
}

func TestS3HeadListDeleteBucket(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, u, mgmt, "us-east-1")
	var names []string
	for i := range 7 {
		names = append(names, fmt.Sprintf("bucket-%02d", i))
		createBucket(t, c, names[i])
	}

	head, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bucket-00")})
	mustNoErr(t, err)
	if aws.ToString(head.BucketRegion) != "us-east-1" {
		t.Fatalf("HeadBucket region = %q", aws.ToString(head.BucketRegion))
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
	wantCode(t, err, "NotFound")
	_, err = s3Client(t, s, u, foreignAccount, "us-east-1").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bucket-00")})
	wantCode(t, err, "Forbidden")

	// Unpaged ListBuckets returns everything; paged, it follows tokens.
	all, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustNoErr(t, err)
	if len(all.Buckets) != 7 || all.ContinuationToken != nil {
		t.Fatalf("unpaged ListBuckets: %d buckets, token %v", len(all.Buckets), all.ContinuationToken)
	}
	var got []string
	p := s3.NewListBucketsPaginator(c, &s3.ListBucketsInput{MaxBuckets: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		pages++
		for _, b := range out.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("paged ListBuckets: %d pages, %v", pages, got)
	}
	defer s.InjectFault(Fault{Kind: Throttle, Service: "s3", Operation: "ListBuckets", FirstN: 1})()
	_, err = c.ListBuckets(ctx, &s3.ListBucketsInput{})
	wantCode(t, err, "SlowDown")
	other, err := s3Client(t, s, u, foreignAccount, "us-east-1").ListBuckets(ctx, &s3.ListBucketsInput{})
	mustNoErr(t, err)
	if len(other.Buckets) != 0 {
		t.Fatalf("another account sees %d buckets", len(other.Buckets))
	}

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket-01"), Key: aws.String("k"), Body: strings.NewReader("x")})
	mustNoErr(t, err)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bucket-01")})
	wantCode(t, err, "BucketNotEmpty")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("no-such-bucket")})
	wantCode(t, err, "NoSuchBucket")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bucket-00")})
	mustNoErr(t, err)
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bucket-00")})
	wantCode(t, err, "NotFound")
}

const cloudTrailBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AclCheck","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-logs"},
 {"Sid":"Write","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs/AWSLogs/111111111111/*"}]}`

func TestS3BucketPolicy(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, u, mgmt, "us-east-1")
	createBucket(t, c, "trail-logs")

	_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs")})
	wantCode(t, err, "NoSuchBucketPolicy")

	for _, tc := range []struct{ name, policy, code string }{
		{"not json", "Allow everything", "MalformedPolicy"},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::trail-logs/*"}]}`, "MalformedPolicy"},
		{"other bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::elsewhere/*"}]}`, "MalformedPolicy"},
		{"public while blocked", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::trail-logs/*"}]}`, "AccessDenied"},
		{"cloudtrail", cloudTrailBucketPolicy, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(tc.policy)})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}

	got, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs")})
	mustNoErr(t, err)
	if aws.ToString(got.Policy) != cloudTrailBucketPolicy {
		t.Fatalf("policy = %s", aws.ToString(got.Policy))
	}
	_, err = s3Client(t, s, u, foreignAccount, "us-east-1").GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs")})
	wantCode(t, err, "AccessDenied")
	_, err = c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("trail-logs")})
	mustNoErr(t, err)
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs")})
	wantCode(t, err, "NoSuchBucketPolicy")
	_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("no-such-bucket")})
	wantCode(t, err, "NoSuchBucket")
}

func TestS3ObjectsPaging(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, u, mgmt, "us-east-1")
	createBucket(t, c, "trail-logs")
	var want []string
	for i := range 12 {
		key := fmt.Sprintf("AWSLogs/%s/CloudTrail/%02d.json.gz", mgmt, i)
		want = append(want, key)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key), Body: strings.NewReader("{}")})
		mustNoErr(t, err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String("other/x"), Body: strings.NewReader("x")})
	mustNoErr(t, err)

	var got []string
	pages := 0
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("trail-logs"), Prefix: aws.String("AWSLogs/")})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		pages++
		for _, o := range out.Contents {
			got = append(got, aws.ToString(o.Key))
			if aws.ToInt64(o.Size) != 2 {
				t.Fatalf("size of %s = %d", aws.ToString(o.Key), aws.ToInt64(o.Size))
			}
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ListObjectsV2: %d pages, %v", pages, got)
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("trail-logs"), ContinuationToken: aws.String("bogus")})
	wantCode(t, err, "InvalidArgument")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
	wantCode(t, err, "NoSuchBucket")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchBucket")
}

// The SDK addresses buckets as <bucket>.<host> when the endpoint is a host
// name; requests reach the endpoint through the proxy hop in SDKConfig.
func TestS3VirtualHostedAddressing(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3Client(t, s, strings.Replace(u, "127.0.0.1", "localhost", 1), mgmt, "us-east-1")
	createBucket(t, c, "hosted-bucket")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("hosted-bucket"), Key: aws.String("a/b.txt"), Body: strings.NewReader("hello")})
	mustNoErr(t, err)
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("hosted-bucket")})
	mustNoErr(t, err)
	if len(out.Contents) != 1 || aws.ToString(out.Contents[0].Key) != "a/b.txt" {
		t.Fatalf("contents = %+v", out.Contents)
	}
	list, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	mustNoErr(t, err)
	if len(list.Buckets) != 1 {
		t.Fatalf("ListBuckets = %d buckets", len(list.Buckets))
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("hosted-bucket")})
	wantCode(t, err, "NoSuchTagSet")
	// Path-style clients see the same bucket.
	_, err = s3Client(t, s, u, mgmt, "us-east-1").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("hosted-bucket")})
	mustNoErr(t, err)
}
