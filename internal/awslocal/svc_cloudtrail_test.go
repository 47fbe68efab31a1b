package awslocal

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const trustCloudTrail = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// trailFixture creates what a trail needs in the management account: a
// bucket, a log group, a role CloudTrail may assume (and one it may not)
// and a key.
func trailFixture(t *testing.T, s *Server, u string) (groupARN, roleARN string) {
	t.Helper()
	ctx := context.Background()
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	trailBucket(t, cfg, "landfall-trail", mgmt)
	_, err := cloudwatchlogs.NewFromConfig(cfg).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("landfall-trail")})
	mustNoErr(t, err)
	_, err = iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("not-for-trail"), AssumeRolePolicyDocument: aws.String(trustMgmt)})
	mustNoErr(t, err)
	// The key alias/landfall, which CloudTrail may encrypt with.
	kc := kms.NewFromConfig(cfg)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}]}`)})
	mustNoErr(t, err)
	_, err = kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/landfall"), TargetKeyId: key.KeyMetadata.KeyId})
	mustNoErr(t, err)
	return "arn:aws:logs:us-east-1:" + mgmt + ":log-group:landfall-trail:*", trailRole(t, cfg, mgmt, "trail-to-logs", "landfall-trail")
}

// trailBucket creates bucket in cfg's account with the bucket policy AWS
// documents for a trail of account ("Amazon S3 bucket policy for
// CloudTrail", CloudTrail User Guide), under any key prefix, without its
// optional conditions.
func trailBucket(t *testing.T, cfg aws.Config, bucket, account string) {
	t.Helper()
	ctx := context.Background()
	c := s3.NewFromConfig(cfg)
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	mustNoErr(t, err)
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `"},` +
		`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/*AWSLogs/` + account + `/*",` +
		`"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)})
	mustNoErr(t, err)
}

// trailRole creates a role in account that CloudTrail may assume to write
// to the streams of log group, and returns its ARN.
func trailRole(t *testing.T, cfg aws.Config, account, name, group string) string {
	t.Helper()
	return serviceRole(t, cfg, name, "cloudtrail.amazonaws.com", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],`+
		`"Resource":"arn:aws:logs:*:`+account+`:log-group:`+group+`:log-stream:*"}]}`)
}

func trailClient(t *testing.T, s *Server, u, region string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(sdkConfig(t, s, u, mgmt, region))
}

func TestCloudTrailCreateValidation(t *testing.T) {
	s, u, _ := newTestServer(t)
	group, role := trailFixture(t, s, u)
	ct := trailClient(t, s, u, "us-east-1")
	for _, tc := range []struct {
		name string
		in   cloudtrail.CreateTrailInput
		code string
	}{
		{"valid", cloudtrail.CreateTrailInput{Name: aws.String("landfall"), S3BucketName: aws.String("landfall-trail"), CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(role), KmsKeyId: aws.String("alias/landfall")}, ""},
		{"exists", cloudtrail.CreateTrailInput{Name: aws.String("landfall"), S3BucketName: aws.String("landfall-trail")}, "TrailAlreadyExistsException"},
		{"bad name", cloudtrail.CreateTrailInput{Name: aws.String("-x"), S3BucketName: aws.String("landfall-trail")}, "InvalidTrailNameException"},
		{"no bucket", cloudtrail.CreateTrailInput{Name: aws.String("trail-2"), S3BucketName: aws.String("nope")}, "S3BucketDoesNotExistException"},
		{"group without role", cloudtrail.CreateTrailInput{Name: aws.String("trail-3"), S3BucketName: aws.String("landfall-trail"), CloudWatchLogsLogGroupArn: aws.String(group)}, "InvalidCloudWatchLogsRoleArnException"},
		{"role without group", cloudtrail.CreateTrailInput{Name: aws.String("trail-4"), S3BucketName: aws.String("landfall-trail"), CloudWatchLogsRoleArn: aws.String(role)}, "InvalidCloudWatchLogsLogGroupArnException"},
		{"missing group", cloudtrail.CreateTrailInput{Name: aws.String("trail-5"), S3BucketName: aws.String("landfall-trail"), CloudWatchLogsLogGroupArn: aws.String(strings.Replace(group, "landfall-trail", "other", 1)), CloudWatchLogsRoleArn: aws.String(role)}, "InvalidCloudWatchLogsLogGroupArnException"},
		{"untrusting role", cloudtrail.CreateTrailInput{Name: aws.String("trail-6"), S3BucketName: aws.String("landfall-trail"), CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/not-for-trail")}, "InvalidCloudWatchLogsRoleArnException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			out, err := ct.CreateTrail(context.Background(), &in)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			mustNoErr(t, err)
			if aws.ToString(out.TrailARN) != "arn:aws:cloudtrail:us-east-1:"+mgmt+":trail/landfall" || aws.ToString(out.KmsKeyId) != "alias/landfall" {
				t.Fatalf("created = %+v", out)
			}
		})
	}
}

func TestCloudTrailShadowTrailsAndHomeRegion(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	trailFixture(t, s, u)
	east, west := trailClient(t, s, u, "us-east-1"), trailClient(t, s, u, "us-west-2")
	_, err := east.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("landfall-trail"), IsMultiRegionTrail: aws.Bool(true)})
	mustNoErr(t, err)
	_, err = east.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("local"), S3BucketName: aws.String("landfall-trail")})
	mustNoErr(t, err)

	got, err := west.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("org")})
	mustNoErr(t, err)
	if aws.ToString(got.Trail.HomeRegion) != "us-east-1" || !aws.ToBool(got.Trail.IsMultiRegionTrail) {
		t.Fatalf("shadow trail = %+v", got.Trail)
	}
	_, err = west.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("local")})
	wantCode(t, err, "TrailNotFoundException")
	_, err = west.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("org")})
	wantCode(t, err, "InvalidHomeRegionException")
	_, err = west.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: got.Trail.TrailARN})
	wantCode(t, err, "InvalidHomeRegionException")
	_, err = west.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("landfall-trail")})
	wantCode(t, err, "TrailAlreadyExistsException")

	for _, tc := range []struct {
		client  *cloudtrail.Client
		shadows bool
		names   []string
		want    int
	}{
		{east, true, nil, 2}, {west, true, nil, 1}, {west, false, nil, 0}, {east, true, []string{"local", "missing"}, 1},
	} {
		out, err := tc.client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(tc.shadows), TrailNameList: tc.names})
		mustNoErr(t, err)
		if len(out.TrailList) != tc.want {
			t.Fatalf("DescribeTrails(shadows=%v, %v) = %d trails, want %d", tc.shadows, tc.names, len(out.TrailList), tc.want)
		}
	}

	_, err = east.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("local"), S3KeyPrefix: aws.String("logs")})
	mustNoErr(t, err)
	_, err = east.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("local"), S3BucketName: aws.String("gone")})
	wantCode(t, err, "S3BucketDoesNotExistException")
	after, err := east.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("local")})
	mustNoErr(t, err)
	if aws.ToString(after.Trail.S3KeyPrefix) != "logs" || aws.ToString(after.Trail.S3BucketName) != "landfall-trail" {
		t.Fatalf("after update = %+v", after.Trail)
	}
	_, err = east.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("local")})
	mustNoErr(t, err)
	_, err = east.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("local")})
	wantCode(t, err, "TrailNotFoundException")
}

func TestCloudTrailTagsAndEventSelectors(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	trailFixture(t, s, u)
	ct := trailClient(t, s, u, "us-east-1")
	out, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("landfall"), S3BucketName: aws.String("landfall-trail"),
		TagsList: []cttypes.Tag{{Key: aws.String("owner"), Value: aws.String("landfall")}}})
	mustNoErr(t, err)
	_, err = ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: out.TrailARN, TagsList: []cttypes.Tag{{Key: aws.String("tier"), Value: aws.String("cis")}}})
	mustNoErr(t, err)
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{aws.ToString(out.TrailARN)}})
	mustNoErr(t, err)
	if len(tags.ResourceTagList) != 1 || len(tags.ResourceTagList[0].TagsList) != 2 {
		t.Fatalf("tags = %+v", tags.ResourceTagList)
	}
	_, err = ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String("arn:aws:cloudtrail:us-east-1:" + mgmt + ":trail/none"), TagsList: []cttypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{"landfall"}})
	wantCode(t, err, "CloudTrailARNInvalidException")

	sel, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("landfall")})
	mustNoErr(t, err)
	if len(sel.EventSelectors) != 1 || sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll || !aws.ToBool(sel.EventSelectors[0].IncludeManagementEvents) {
		t.Fatalf("default selectors = %+v", sel.EventSelectors)
	}
	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("landfall"), EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true)}}})
	mustNoErr(t, err)
	sel, err = ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("landfall")})
	mustNoErr(t, err)
	if sel.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeWriteOnly {
		t.Fatalf("selectors = %+v", sel.EventSelectors)
	}
	_, err = ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("landfall"), EventSelectors: []cttypes.EventSelector{{ReadWriteType: "Sometimes"}}})
	wantCode(t, err, "InvalidEventSelectorsException")
	_, err = ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("none")})
	wantCode(t, err, "TrailNotFoundException")
}

const rootLogin = `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"111111111111","arn":"arn:aws:iam::111111111111:root","accountId":"111111111111"},"eventTime":"2026-11-23T12:00:10Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","eventType":"AwsConsoleSignIn","readOnly":false,"responseElements":{"ConsoleLogin":"Success"}}`

func TestCloudTrailDeliversRecordsWhileLogging(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	group, role := trailFixture(t, s, u)
	ct := trailClient(t, s, u, "us-east-1")
	_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("landfall"), S3BucketName: aws.String("landfall-trail"),
		IsMultiRegionTrail: aws.Bool(true), CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(role)})
	mustNoErr(t, err)
	logs := logsClient(t, s, u, mgmt)
	count := func() int {
		t.Helper()
		out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("landfall-trail"),
			LogStreamNames: []string{mgmt + "_CloudTrail_us-east-1"}, FilterPattern: aws.String(`{ $.eventName = "ConsoleLogin" }`)})
		mustNoErr(t, err)
		return len(out.Events)
	}
	status := func() bool {
		t.Helper()
		st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("landfall")})
		mustNoErr(t, err)
		return aws.ToBool(st.IsLogging)
	}

	mustNoErr(t, s.RecordCloudTrailEvent(mgmt, []byte(rootLogin)))
	if status() || count() != 0 {
		t.Fatal("a trail that is not logging delivered a record")
	}
	_, err = ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("landfall")})
	mustNoErr(t, err)
	mustNoErr(t, s.RecordCloudTrailEvent(mgmt, []byte(rootLogin)))
	if !status() || count() != 1 {
		t.Fatalf("logging trail: IsLogging=%v, delivered %d", status(), count())
	}
	_, err = ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("landfall")})
	mustNoErr(t, err)
	mustNoErr(t, s.RecordCloudTrailEvent(mgmt, []byte(rootLogin)))
	if status() || count() != 1 {
		t.Fatalf("stopped trail: IsLogging=%v, delivered %d", status(), count())
	}
	if err := s.RecordCloudTrailEvent(mgmt, []byte("not json")); err == nil {
		t.Fatal("accepted a record that is not JSON")
	}
	_, err = ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("none")})
	wantCode(t, err, "TrailNotFoundException")
}

// TestCloudTrailRootLoginRaisesAlarmInMember replays a root ConsoleLogin
// into a member account whose baseline (trail, log group, CIS metric filter
// and alarm) was applied through an assumed role, and checks that the alarm
// fires there and nothing leaks into the management account.
func TestCloudTrailRootLoginRaisesAlarmInMember(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	got := capturePublish(s)
	member := newMember(t, s, u, clk, "workload")
	cfg, err := assume(t, s, u, member, "OrganizationAccountAccessRole")
	mustNoErr(t, err)

	trailBucket(t, cfg, "workload-trail", member)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	_, err = logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("landfall-trail")})
	mustNoErr(t, err)
	trailRole(t, cfg, member, "trail-to-logs", "landfall-trail")
	ct := cloudtrail.NewFromConfig(cfg)
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("landfall"), S3BucketName: aws.String("workload-trail"), IsMultiRegionTrail: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + member + ":log-group:landfall-trail:*"),
		CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + member + ":role/trail-to-logs")})
	mustNoErr(t, err)
	_, err = ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("landfall")})
	mustNoErr(t, err)
	_, err = logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String("landfall-trail"), FilterName: aws.String("root"),
		FilterPattern:         aws.String(`{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`),
		MetricTransformations: []logstypes.MetricTransformation{{MetricName: aws.String("RootUserEventCount"), MetricNamespace: aws.String("CloudTrailMetrics"), MetricValue: aws.String("1")}},
	})
	mustNoErr(t, err)
	alarm := rootAlarm("landfall-cis-root-usage")
	topic := "arn:aws:sns:us-east-1:" + member + ":landfall-alerts"
	alarm.AlarmActions, alarm.OKActions = []string{topic}, nil
	_, err = cloudwatch.NewFromConfig(cfg).PutMetricAlarm(ctx, alarm)
	mustNoErr(t, err)

	// The management account has no trail: its replay is dropped.
	mustNoErr(t, s.RecordCloudTrailEvent(mgmt, []byte(rootLogin)))
	if len(*got) != 0 {
		t.Fatalf("published before the member's root login: %+v", *got)
	}
	mustNoErr(t, s.RecordCloudTrailEvent(member, []byte(strings.ReplaceAll(rootLogin, mgmt, member))))
	if len(*got) != 1 || (*got)[0].topic != topic || !strings.Contains((*got)[0].message, `"AWSAccountId":"`+member+`"`) {
		t.Fatalf("published = %+v", *got)
	}
	mine, err := cwClient(t, s, u, mgmt).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	mustNoErr(t, err)
	trails, err := trailClient(t, s, u, "us-east-1").DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	mustNoErr(t, err)
	if len(mine.MetricAlarms) != 0 || len(trails.TrailList) != 0 {
		t.Fatalf("management account sees %d alarms and %d trails of the member", len(mine.MetricAlarms), len(trails.TrailList))
	}
}
