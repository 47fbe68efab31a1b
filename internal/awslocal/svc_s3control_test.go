package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

func TestS3ControlPublicAccessBlock(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := s3control.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	_, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(mgmt)})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")
	remove := s.InjectFault(Fault{Kind: Throttle, Service: "s3-control", FirstN: 1})
	_, err = c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(mgmt)})
	wantCode(t, err, "SlowDown")
	remove()

	all := &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
	for _, tc := range []struct{ name, account, code string }{
		{"another account", foreignAccount, "AccessDenied"},
		{"own account", mgmt, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(tc.account), PublicAccessBlockConfiguration: all})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	got, err := c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(mgmt)})
	mustNoErr(t, err)
	if cfg := got.PublicAccessBlockConfiguration; !aws.ToBool(cfg.BlockPublicAcls) || !aws.ToBool(cfg.IgnorePublicAcls) || !aws.ToBool(cfg.BlockPublicPolicy) || !aws.ToBool(cfg.RestrictPublicBuckets) {
		t.Fatalf("configuration = %+v", cfg)
	}

	// The account-level setting blocks a public bucket policy even when the
	// bucket's own setting is gone.
	b := s3Client(t, s, u, mgmt, "us-east-1")
	createBucket(t, b, "acct-blocked")
	_, err = b.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("acct-blocked")})
	mustNoErr(t, err)
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acct-blocked/*"}]}`
	_, err = b.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("acct-blocked"), Policy: aws.String(public)})
	wantCode(t, err, "AccessDenied")

	// Another account's configuration is its own.
	other := s3control.NewFromConfig(sdkConfig(t, s, u, foreignAccount, "us-east-1"))
	_, err = other.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(foreignAccount)})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")

	_, err = c.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(mgmt)})
	mustNoErr(t, err)
	_, err = c.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(mgmt)})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")
	_, err = b.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("acct-blocked"), Policy: aws.String(public)})
	mustNoErr(t, err)
}
