package baseline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestCloudTrail(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("cloudtrail")
	mustApplyGlobal(t, f, e, f.cfg)

	ctx := context.Background()
	trails := cloudtrail.NewFromConfig(f.cfg)
	want := desiredTrail(f.spec)
	key, err := findKeyByAlias(ctx, kms.NewFromConfig(f.cfg), "alias/acme-cloudtrail")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := findTrailByName(ctx, trails, "acme-trail")
	if err != nil || !aws.ToBool(tr.IsMultiRegionTrail) || !aws.ToBool(tr.LogFileValidationEnabled) || !aws.ToBool(tr.IncludeGlobalServiceEvents) ||
		aws.ToString(tr.KmsKeyId) != aws.ToString(key.Arn) || aws.ToString(tr.S3BucketName) != "acme-cloudtrail-"+f.member+"-us-east-1" ||
		aws.ToString(tr.CloudWatchLogsRoleArn) != want.RoleARN || aws.ToString(tr.CloudWatchLogsLogGroupArn) != want.LogGroupARN {
		t.Fatalf("trail after apply: %v %+v", err, tr)
	}
	group, err := findLogGroupByName(ctx, cloudwatchlogs.NewFromConfig(f.cfg), "acme-cloudtrail")
	if err != nil || aws.ToInt32(group.RetentionInDays) != 365 {
		t.Fatalf("log group after apply: %v %+v", err, group)
	}
	if _, err := findRoleByName(ctx, iam.NewFromConfig(f.cfg), "acme-cloudtrail-logs"); err != nil {
		t.Fatal(err)
	}
	bucket := s3.NewFromConfig(f.cfg)
	policy, err := bucket.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: tr.S3BucketName})
	if err != nil || !iamPoliciesEquivalent(aws.ToString(policy.Policy), trailBucketPolicy(f.spec, want).JSON()) {
		t.Fatalf("bucket policy: %v %+v", err, policy)
	}
	// Versioning keeps a deleted or overwritten log file.
	versioning, err := bucket.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: tr.S3BucketName})
	if err != nil || versioning.Status != s3types.BucketVersioningStatusEnabled {
		t.Fatalf("bucket versioning: %v %+v", err, versioning)
	}

	// Drift: someone stops the trail, shortens the log retention and
	// suspends the bucket's versioning, so that deleting a log file is
	// for good.
	if _, err := trails.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("acme-trail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bucket.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: tr.S3BucketName,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudwatchlogs.NewFromConfig(f.cfg).PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("acme-cloudtrail"), RetentionInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	plan := mustPlan(t, f, e)
	byResource := map[string]Change{}
	for _, c := range plan.Changes {
		byResource[c.Resource] = c
	}
	if c := byResource["trail/acme-trail"]; c.Action != Update || len(c.Diffs) != 1 || c.Diffs[0] != (Diff{"IsLogging", "false", "true"}) {
		t.Fatalf("after StopLogging:\n%s", plan)
	}
	if c := byResource["log-group/acme-cloudtrail"]; c.Action != Update || len(c.Diffs) != 1 || c.Diffs[0] != (Diff{"RetentionInDays", "7", "365"}) {
		t.Fatalf("after retention change:\n%s", plan)
	}
	if c := byResource["bucket/"+aws.ToString(tr.S3BucketName)]; c.Action != Update || len(c.Diffs) != 1 || c.Diffs[0] != (Diff{"Versioning", "Suspended", "Enabled"}) {
		t.Fatalf("after suspending versioning:\n%s", plan)
	}
	if n := plan.Count(); n[Update] != 3 || n[Create] != 0 {
		t.Fatalf("plan changes more than the drift:\n%s", plan)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	status, err := trails.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("acme-trail")})
	if err != nil || !aws.ToBool(status.IsLogging) {
		t.Fatalf("trail after repair: %v %+v", err, status)
	}
	if versioning, err := bucket.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: tr.S3BucketName}); err != nil || versioning.Status != s3types.BucketVersioningStatusEnabled {
		t.Fatalf("bucket versioning after repair: %v %+v", err, versioning)
	}
}

func TestCloudTrailLogGroupOwnership(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(f.cfg)
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("acme-cloudtrail")}); err != nil {
		t.Fatal(err)
	}
	plan := mustPlan(t, f, itemEngine("cloudtrail"))
	if actions(plan)["cloudtrail log-group/acme-cloudtrail"] != Conflict {
		t.Fatalf("unowned log group:\n%s", plan)
	}
	adopt := *f.spec.Profile
	adopt.Adopt = true
	f.spec.Profile = &adopt
	if _, err := itemEngine("cloudtrail").Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	tags, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(logGroupARN(f.spec, "acme-cloudtrail"))})
	if err != nil || !Owned(tags.Tags) {
		t.Fatalf("adopted log group: %v %+v", err, tags)
	}
}

// A run that stopped after creating the logs role, before its policy,
// leaves a role that has long propagated and a policy that has not: the
// next run writes the policy and waits for CloudTrail to see it.
func TestCloudTrailWaitsForTheLogsRolePolicy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	e := itemEngine("cloudtrail")
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtrail.NewFromConfig(f.cfg).DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("acme-trail")}); err != nil {
		t.Fatal(err)
	}
	role := iam.NewFromConfig(f.cfg)
	if _, err := role.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("acme-cloudtrail-logs"), PolicyName: aws.String("cloudtrail-logs")}); err != nil {
		t.Fatal(err)
	}
	f.srv.SettleIAM()
	plan := mustPlan(t, f, e)
	if a := actions(plan); a["cloudtrail trail/acme-trail"] != Create || a["cloudtrail role/acme-cloudtrail-logs"] != Update {
		t.Fatalf("repair:\n%s", plan)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
}

// The bucket, key and role the baseline writes admit CloudTrail with the
// condition keys it really sends: with the local endpoint deciding as IAM
// does, CloudTrail takes the trail and delivers its events to the log
// group, where the metric filters read them.
func TestTrailDestinationsAdmitCloudTrail(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := itemEngine("cloudtrail").Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	record := `{"eventVersion":"1.08","eventName":"CreateUser","eventSource":"iam.amazonaws.com","awsRegion":"eu-west-1","readOnly":false}`
	if err := f.srv.RecordCloudTrailEvent(f.member, []byte(record)); err != nil {
		t.Fatal(err)
	}
	out, err := cloudwatchlogs.NewFromConfig(f.cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("acme-cloudtrail")})
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("the trail's log group after one event: %v %+v", err, out)
	}
}
