package baseline

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/landfall/landfall/pkg/awsx"
)

// configFixture is the fixture with AWS Config turned on and the account's
// CloudTrail bucket in place, as the cloudtrail item leaves it.
func configFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	f.spec.Profile.Items.AWSConfig.Enabled = true
	createConfigBucket(t, f)
	return f
}

func TestAWSConfig(t *testing.T) {
	f := configFixture(t)
	e := itemEngine("aws-config-role", "aws-config")
	mustApply(t, f, e, f.cfg, ScopeAll)

	ctx := context.Background()
	role := configRoleName(f.spec)
	attached, err := iam.NewFromConfig(f.cfg).ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	if err != nil || len(attached.AttachedPolicies) != 1 || aws.ToString(attached.AttachedPolicies[0].PolicyArn) != configRoleManagedPolicy {
		t.Errorf("policies of %s: %v %+v", role, err, attached)
	}
	for _, region := range f.spec.Regions {
		client := configservice.NewFromConfig(awsx.InRegion(f.cfg, region))
		rec := readRecorder(t, client)
		wantGlobal := region == f.spec.HomeRegion()
		if aws.ToString(rec.Name) != "default" || aws.ToString(rec.RoleARN) != awsx.RoleARN(f.member, role) ||
			!rec.RecordingGroup.AllSupported || rec.RecordingGroup.IncludeGlobalResourceTypes != wantGlobal {
			t.Errorf("%s: recorder %s role %s, recording group %+v", region, aws.ToString(rec.Name), aws.ToString(rec.RoleARN), rec.RecordingGroup)
		}
		ch, err := client.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
		if err != nil || len(ch.DeliveryChannels) != 1 || aws.ToString(ch.DeliveryChannels[0].S3BucketName) != configBucket(f.spec) {
			t.Errorf("%s: delivery channels = %v %+v", region, err, ch)
		}
		if !recording(t, client) {
			t.Errorf("%s: recorder is not recording", region)
		}
	}

	// Drift: someone stops the recorder in one region.
	west := configservice.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
	if _, err := west.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	if got["aws-config recording/default eu-west-1"] != Update || got["aws-config recording/default us-east-1"] != Unchanged ||
		got["aws-config configuration-recorder/default eu-west-1"] != Unchanged {
		t.Fatalf("after stopping the recorder in eu-west-1:\n%s", plan)
	}
	want := []Diff{{"Recording", "false", "true"}}
	if d := changeOf(plan, "aws-config", "recording/default", "eu-west-1").Diffs; !slices.Equal(d, want) {
		t.Fatalf("diffs = %+v, want %+v", d, want)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatal(err)
	}
	if !recording(t, west) {
		t.Fatal("recorder still stopped after repair")
	}
}

// TestAWSConfigForeignRecorder: a recorder under another name (Control
// Tower's, say) is a conflict and stays as it is.
func TestAWSConfigForeignRecorder(t *testing.T) {
	ctx := context.Background()
	f := configFixture(t)
	if _, err := itemEngine("aws-config-role").Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	client := configservice.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
	foreign := &cstypes.ConfigurationRecorder{Name: aws.String("controltower"), RoleARN: aws.String(awsx.RoleARN(f.member, configRoleName(f.spec)))}
	if _, err := client.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: foreign}); err != nil {
		t.Fatal(err)
	}
	rep, err := itemEngine("aws-config").Apply(ctx, f.spec, f.cfg, ScopeRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Items[0].Changes
	if len(c) != 1 || c[0].Action != Conflict || !strings.Contains(c[0].Detail, "controltower") {
		t.Fatalf("changes = %+v, want one conflict naming controltower", c)
	}
	if rec := readRecorder(t, client); aws.ToString(rec.Name) != "controltower" || recording(t, client) {
		t.Fatalf("foreign recorder changed: %+v", rec)
	}
}

func readRecorder(t *testing.T, client *configservice.Client) cstypes.ConfigurationRecorder {
	t.Helper()
	out, err := client.DescribeConfigurationRecorders(context.Background(), &configservice.DescribeConfigurationRecordersInput{})
	if err != nil || len(out.ConfigurationRecorders) != 1 {
		t.Fatalf("recorders: %v %+v", err, out)
	}
	return out.ConfigurationRecorders[0]
}

func recording(t *testing.T, client *configservice.Client) bool {
	t.Helper()
	out, err := client.DescribeConfigurationRecorderStatus(context.Background(), &configservice.DescribeConfigurationRecorderStatusInput{})
	if err != nil || len(out.ConfigurationRecordersStatus) != 1 {
		t.Fatalf("recorder status: %v %+v", err, out)
	}
	return out.ConfigurationRecordersStatus[0].Recording
}

// AWS Config delivers where the trail does. With the local endpoint
// deciding as IAM does, Config takes the account's own trail bucket through
// the role the baseline writes, and the organization's log archive bucket
// only when its policy admits Config as well as CloudTrail, which is what
// LogArchiveBucketPolicy (and the README) say.
func TestConfigDeliveryUnderTheAuthorizer(t *testing.T) {
	ctx := context.Background()
	e := itemEngine("cloudtrail", "aws-config-role", "aws-config")
	t.Run("the account's trail bucket", func(t *testing.T) {
		f := newFixture(t)
		f.spec.Profile.Items.AWSConfig.Enabled = true
		if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the log archive", func(t *testing.T) {
		f := newFixture(t)
		f.spec.Profile.Items.AWSConfig.Enabled = true
		f.spec.Config.Organization.LogArchive.AccountID, f.spec.Config.Organization.LogArchive.Bucket = mgmt, "acme-log-archive"
		archive := s3.NewFromConfig(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)))
		if _, err := archive.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acme-log-archive")}); err != nil {
			t.Fatal(err)
		}
		putPolicy := func(policy string) {
			t.Helper()
			if _, err := archive.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("acme-log-archive"), Policy: aws.String(policy)}); err != nil {
				t.Fatal(err)
			}
		}
		// A policy for CloudTrail alone: the trail is taken, Config is not.
		putPolicy(strings.ReplaceAll(LogArchiveBucketPolicy("acme-log-archive", f.spec.OrganizationID), `"config.amazonaws.com"`, `"cloudtrail.amazonaws.com"`))
		// Waiting for IAM would not help: the error says so at once.
		_, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll)
		var terminal *awsx.TerminalError
		if !errors.As(err, &terminal) || !strings.Contains(err.Error(), "InsufficientDeliveryPolicyException") ||
			!strings.Contains(err.Error(), `the log archive bucket acme-log-archive does not let AWS Config write for this account; give it the policy in the README's "Log archive bucket"`) {
			t.Fatalf("applying with a bucket closed to Config: %v", err)
		}
		putPolicy(LogArchiveBucketPolicy("acme-log-archive", f.spec.OrganizationID))
		if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
			t.Fatal(err)
		}
	})
}

// The README's log archive policy is LogArchiveBucketPolicy's, which the
// test above proves.
func TestREADMELogArchivePolicy(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### Log archive bucket\n")
	_, block, ok2 := strings.Cut(section, "```json\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal(`README.md has no "### Log archive bucket" section with a json block`)
	}
	if want := LogArchiveBucketPolicy("<log-archive-bucket>", "<organization-id>"); !iamPoliciesEquivalent(block, want) {
		t.Fatalf("README's log archive policy differs from LogArchiveBucketPolicy:\n%s", want)
	}
}
