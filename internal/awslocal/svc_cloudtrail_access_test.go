package awslocal

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// CloudTrail takes a trail only when it can write where the trail says:
// the bucket policy must admit cloudtrail.amazonaws.com for this trail (by
// aws:SourceArn, or by aws:SourceOrgID, which CloudTrail sends to S3), the
// key policy must let it generate data keys for this trail, and the role
// must be assumable by CloudTrail and allowed to write the trail's stream.
// Delivery checks the role again: once its policy is gone, events stop
// and the trail status says why.
func TestAuthorizeCloudTrailDestinations(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	newMember(t, s, u, clk, "workload") // an organization for aws:SourceOrgID
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	orgOut, err := organizations.NewFromConfig(cfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	mustNoErr(t, err)
	const trailARN = "arn:aws:cloudtrail:us-east-1:" + mgmt + ":trail/audit"
	b := s3.NewFromConfig(cfg)
	mustNoErr(t, errOf(b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("audit-logs")})))
	ct := cloudtrail.NewFromConfig(cfg)
	create := func() error {
		_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("audit-logs")})
		return err
	}
	wantCode(t, create(), "InsufficientS3BucketPolicyException")

	bucketPolicy := func(condition string) string {
		return `{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::audit-logs","Condition":{"StringEquals":` + condition + `}},` +
			`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::audit-logs/AWSLogs/` + mgmt + `/*",` +
			`"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}},` +
			`{"Effect":"Deny","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::audit-logs/*",` +
			`"Condition":{"StringNotEquals":` + condition + `}}]}`
	}
	putBucketPolicy := func(policy string) {
		t.Helper()
		mustNoErr(t, errOf(b.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("audit-logs"), Policy: aws.String(policy)})))
	}
	putBucketPolicy(bucketPolicy(`{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:` + mgmt + `:trail/other"}`))
	wantCode(t, create(), "InsufficientS3BucketPolicyException")
	putBucketPolicy(bucketPolicy(`{"aws:SourceOrgID":"` + aws.ToString(orgOut.Organization.Id) + `"}`))
	mustNoErr(t, create())
	putBucketPolicy(bucketPolicy(`{"aws:SourceArn":"` + trailARN + `"}`))

	kc := kms.NewFromConfig(cfg)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	update := func(in cloudtrail.UpdateTrailInput) error {
		in.Name = aws.String("audit")
		_, err := ct.UpdateTrail(ctx, &in)
		return err
	}
	wantCode(t, update(cloudtrail.UpdateTrailInput{KmsKeyId: key.KeyMetadata.Arn}), "InsufficientEncryptionPolicyException")
	root := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"}`
	trailUse := `{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"}}}`
	mustNoErr(t, errOf(kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyMetadata.KeyId, Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + root + `,` + trailUse + `]}`)})))
	mustNoErr(t, update(cloudtrail.UpdateTrailInput{KmsKeyId: key.KeyMetadata.Arn}))

	logs := cloudwatchlogs.NewFromConfig(cfg)
	mustNoErr(t, errOf(logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("audit")})))
	ic := iam.NewFromConfig(cfg)
	mustNoErr(t, errOf(ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("audit-logs"), AssumeRolePolicyDocument: aws.String(trustCloudTrail)})))
	toLogs := cloudtrail.UpdateTrailInput{CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + mgmt + ":log-group:audit:*"),
		CloudWatchLogsRoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/audit-logs")}
	wantCode(t, update(toLogs), "InvalidCloudWatchLogsLogGroupArnException")
	writeStreams := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],` +
		`"Resource":"arn:aws:logs:us-east-1:` + mgmt + `:log-group:audit:log-stream:*"}]}`
	mustNoErr(t, errOf(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("audit-logs"), PolicyName: aws.String("logs"), PolicyDocument: aws.String(writeStreams)})))
	mustNoErr(t, update(toLogs))
	mustNoErr(t, errOf(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")})))

	record := func(name, region string) int {
		t.Helper()
		mustNoErr(t, s.RecordCloudTrailEvent(mgmt, []byte(`{"eventVersion":"1.08","eventName":"`+name+`","awsRegion":"`+region+`","readOnly":false}`)))
		out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("audit")})
		mustNoErr(t, err)
		return len(out.Events)
	}
	if n := record("CreateUser", "us-east-1"); n != 1 {
		t.Fatalf("the log group has %d events, want the one recorded", n)
	}
	mustNoErr(t, errOf(ic.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("audit-logs"), PolicyName: aws.String("logs")})))
	if n := record("DeleteUser", "us-east-1"); n != 1 {
		t.Fatalf("the log group has %d events after the role lost its policy, want still 1", n)
	}
	status, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	mustNoErr(t, err)
	if !strings.Contains(aws.ToString(status.LatestCloudWatchLogsDeliveryError), "Check the permissions for your role") {
		t.Fatalf("LatestCloudWatchLogsDeliveryError = %q, want the role's permissions blamed", aws.ToString(status.LatestCloudWatchLogsDeliveryError))
	}

	// Each region's events go to that region's stream: a role that may
	// write only the home region's stream loses the other regions' events.
	homeStream := strings.Replace(writeStreams, "log-stream:*", "log-stream:"+mgmt+"_CloudTrail_us-east-1", 1)
	mustNoErr(t, errOf(ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("audit-logs"), PolicyName: aws.String("logs"), PolicyDocument: aws.String(homeStream)})))
	mustNoErr(t, update(cloudtrail.UpdateTrailInput{IsMultiRegionTrail: aws.Bool(true)}))
	if n := record("CreateUser", "eu-west-1"); n != 1 {
		t.Fatalf("the log group has %d events after an event the role may not write, want still 1", n)
	}
	if n := record("CreateUser", "us-east-1"); n != 2 {
		t.Fatalf("the log group has %d events after a home-region event, want 2", n)
	}
}
