package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// AWS Config takes a delivery channel only when it could write there: as
// the recorder's role (which must trust config.amazonaws.com for this
// account and may write the bucket), or, for another account's bucket, as
// config.amazonaws.com with the keys Config sends, aws:SourceAccount and
// aws:SourceOrgID.
func TestAuthorizeConfigDeliveryChannel(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")
	mgmtCfg, memberCfg := sdkConfig(t, s, u, mgmt, "us-east-1"), sdkConfig(t, s, u, member, "us-east-1")
	orgOut, err := organizations.NewFromConfig(mgmtCfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	mustNoErr(t, err)
	mustNoErr(t, errOf(s3.NewFromConfig(memberCfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("config-local")})))
	archive := s3.NewFromConfig(mgmtCfg)
	mustNoErr(t, errOf(archive.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("config-archive")})))

	admin := iam.NewFromConfig(memberCfg)
	trust := func(account string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole",` +
			`"Condition":{"StringEquals":{"aws:SourceAccount":"` + account + `"}}}]}`)
	}
	mustNoErr(t, errOf(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("recorder"), AssumeRolePolicyDocument: trust(member)})))
	mustNoErr(t, errOf(admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("recorder"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")})))
	cs := configservice.NewFromConfig(memberCfg)
	mustNoErr(t, errOf(cs.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{
		Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + member + ":role/recorder")}})))
	channel := func(bucket, prefix string) error {
		ch := &cfgtypes.DeliveryChannel{Name: aws.String("default"), S3BucketName: aws.String(bucket)}
		if prefix != "" {
			ch.S3KeyPrefix = aws.String(prefix)
		}
		_, err := cs.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: ch})
		return err
	}

	// AWS_ConfigRole reads the bucket's ACL but may not write to it.
	wantCode(t, channel("config-local", ""), "InsufficientDeliveryPolicyException")
	// The role policy the Config guide gives for a bucket: any bucket here.
	write := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectAcl"],"Resource":"arn:aws:s3:::*/AWSLogs/` + member + `/*",` +
		`"Condition":{"StringLike":{"s3:x-amz-acl":"bucket-owner-full-control"}}},` +
		`{"Effect":"Allow","Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::*"}]}`
	mustNoErr(t, errOf(admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("recorder"), PolicyName: aws.String("delivery"), PolicyDocument: aws.String(write)})))
	mustNoErr(t, channel("config-local", ""))
	mustNoErr(t, channel("config-local", "config"))
	// A trust for another account's Config leaves the role unusable.
	mustNoErr(t, errOf(admin.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("recorder"), PolicyDocument: trust(mgmt)})))
	wantCode(t, channel("config-local", ""), "InsufficientDeliveryPolicyException")
	mustNoErr(t, errOf(admin.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("recorder"), PolicyDocument: trust(member)})))

	// Another account's bucket: the role's grant is not enough without the
	// bucket policy, which may admit Config by the keys it sends and no
	// others.
	wantCode(t, channel("config-archive", ""), "InsufficientDeliveryPolicyException")
	bucketPolicy := func(condition string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::config-archive","Condition":{"StringEquals":` + condition + `}},` +
			`{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::config-archive/AWSLogs/*",` +
			`"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}},` +
			`{"Effect":"Deny","Principal":{"Service":"config.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::config-archive/*",` +
			`"Condition":{"StringNotEquals":` + condition + `}}]}`)
	}
	for _, tc := range []struct {
		name, condition, prefix string
		code                    string
	}{
		{"source account", `{"aws:SourceAccount":"` + member + `"}`, "", ""},
		{"organization", `{"aws:SourceOrgID":"` + aws.ToString(orgOut.Organization.Id) + `"}`, "", ""},
		{"another account", `{"aws:SourceAccount":"` + mgmt + `"}`, "", "InsufficientDeliveryPolicyException"},
		{"source ARN, which Config does not send", `{"aws:SourceArn":"arn:aws:config:us-east-1:` + member + `:config-recorder/default"}`, "", "InsufficientDeliveryPolicyException"},
		{"prefix outside the grant", `{"aws:SourceAccount":"` + member + `"}`, "config", "InsufficientDeliveryPolicyException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustNoErr(t, errOf(archive.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("config-archive"), Policy: bucketPolicy(tc.condition)})))
			err := channel("config-archive", tc.prefix)
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	if f := s.AuthorizationFaults(); len(f) > 0 {
		t.Fatalf("undecided deliveries: %q", f)
	}
}
