package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgt "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestConfigRecorderAndChannel(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	cs := configservice.NewFromConfig(cfg)
	// The role policy the Config guide gives for delivery to a bucket of
	// the account ("Permissions for the Amazon S3 Bucket").
	roleARN := serviceRole(t, cfg, "landfall-config", "config.amazonaws.com", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::landfall-config-`+mgmt+`/*AWSLogs/`+mgmt+`/*",`+
		`"Condition":{"StringLike":{"s3:x-amz-acl":"bucket-owner-full-control"}}},`+
		`{"Effect":"Allow","Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::landfall-config-`+mgmt+`"}]}`)
	_, err := s3.NewFromConfig(cfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("landfall-config-" + mgmt)})
	mustNoErr(t, err)

	recorder := func(name, role string, g *cfgt.RecordingGroup) *configservice.PutConfigurationRecorderInput {
		return &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cfgt.ConfigurationRecorder{Name: aws.String(name), RoleARN: aws.String(role), RecordingGroup: g}}
	}
	channel := func(name, bucket, prefix string) *configservice.PutDeliveryChannelInput {
		ch := &cfgt.DeliveryChannel{Name: aws.String(name), S3BucketName: aws.String(bucket)}
		if prefix != "" {
			ch.S3KeyPrefix = aws.String(prefix)
		}
		return &configservice.PutDeliveryChannelInput{DeliveryChannel: ch}
	}

	// Before anything exists.
	_, err = cs.PutDeliveryChannel(ctx, channel("default", "landfall-config-"+mgmt, ""))
	wantCode(t, err, "NoAvailableConfigurationRecorderException")
	_, err = cs.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	wantCode(t, err, "NoSuchConfigurationRecorderException")

	recErrs := []struct {
		name string
		in   *configservice.PutConfigurationRecorderInput
		code string
	}{
		{"missing role", recorder("default", "arn:aws:iam::"+mgmt+":role/nope", nil), "InvalidRoleException"},
		{"malformed role", recorder("default", "landfall-config", nil), "InvalidRoleException"},
		{"all supported with types", recorder("default", roleARN, &cfgt.RecordingGroup{AllSupported: true, ResourceTypes: []cfgt.ResourceType{cfgt.ResourceTypeBucket}}), "InvalidRecordingGroupException"},
		{"global without all", recorder("default", roleARN, &cfgt.RecordingGroup{IncludeGlobalResourceTypes: true, ResourceTypes: []cfgt.ResourceType{cfgt.ResourceTypeBucket}}), "InvalidRecordingGroupException"},
	}
	for _, tc := range recErrs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cs.PutConfigurationRecorder(ctx, tc.in)
			wantCode(t, err, tc.code)
		})
	}
	_, err = cs.PutConfigurationRecorder(ctx, recorder("default", roleARN, &cfgt.RecordingGroup{AllSupported: true, IncludeGlobalResourceTypes: true}))
	mustNoErr(t, err)
	_, err = cs.PutConfigurationRecorder(ctx, recorder("second", roleARN, nil))
	wantCode(t, err, "MaxNumberOfConfigurationRecordersExceededException")

	recs, err := cs.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	mustNoErr(t, err)
	if len(recs.ConfigurationRecorders) != 1 || aws.ToString(recs.ConfigurationRecorders[0].RoleARN) != roleARN ||
		!recs.ConfigurationRecorders[0].RecordingGroup.IncludeGlobalResourceTypes {
		t.Fatalf("recorders = %+v", recs.ConfigurationRecorders)
	}
	_, err = cs.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{ConfigurationRecorderNames: []string{"other"}})
	wantCode(t, err, "NoSuchConfigurationRecorderException")

	_, err = cs.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	wantCode(t, err, "NoAvailableDeliveryChannelException")

	chErrs := []struct {
		name string
		in   *configservice.PutDeliveryChannelInput
		code string
	}{
		{"no bucket name", channel("default", "", ""), "NoSuchBucketException"},
		{"missing bucket", channel("default", "no-such-bucket-anywhere", ""), "NoSuchBucketException"},
		{"AWSLogs prefix", channel("default", "landfall-config-"+mgmt, "AWSLogs"), "InvalidS3KeyPrefixException"},
	}
	for _, tc := range chErrs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cs.PutDeliveryChannel(ctx, tc.in)
			wantCode(t, err, tc.code)
		})
	}
	_, err = cs.PutDeliveryChannel(ctx, channel("default", "landfall-config-"+mgmt, "config"))
	mustNoErr(t, err)
	_, err = cs.PutDeliveryChannel(ctx, channel("second", "landfall-config-"+mgmt, ""))
	wantCode(t, err, "MaxNumberOfDeliveryChannelsExceededException")
	chs, err := cs.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	mustNoErr(t, err)
	if len(chs.DeliveryChannels) != 1 || aws.ToString(chs.DeliveryChannels[0].S3KeyPrefix) != "config" {
		t.Fatalf("channels = %+v", chs.DeliveryChannels)
	}

	_, err = cs.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	mustNoErr(t, err)
	st, err := cs.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	mustNoErr(t, err)
	if len(st.ConfigurationRecordersStatus) != 1 || !st.ConfigurationRecordersStatus[0].Recording || st.ConfigurationRecordersStatus[0].LastStartTime == nil {
		t.Fatalf("status = %+v", st.ConfigurationRecordersStatus)
	}
	_, err = cs.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")})
	wantCode(t, err, "LastDeliveryChannelDeleteFailedException")

	// Another region of the same account has nothing.
	other := configservice.NewFromConfig(sdkConfig(t, s, u, mgmt, "eu-west-1"))
	none, err := other.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	mustNoErr(t, err)
	if len(none.ConfigurationRecorders) != 0 {
		t.Fatalf("eu-west-1 recorders = %+v", none.ConfigurationRecorders)
	}

	_, err = cs.StopConfigurationRecorder(ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	mustNoErr(t, err)
	st, err = cs.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{})
	mustNoErr(t, err)
	if st.ConfigurationRecordersStatus[0].Recording || st.ConfigurationRecordersStatus[0].LastStopTime == nil {
		t.Fatalf("status after stop = %+v", st.ConfigurationRecordersStatus)
	}
	_, err = cs.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")})
	mustNoErr(t, err)
	_, err = cs.DeleteDeliveryChannel(ctx, &configservice.DeleteDeliveryChannelInput{DeliveryChannelName: aws.String("default")})
	wantCode(t, err, "NoSuchDeliveryChannelException")
	_, err = cs.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	mustNoErr(t, err)
	_, err = cs.DeleteConfigurationRecorder(ctx, &configservice.DeleteConfigurationRecorderInput{ConfigurationRecorderName: aws.String("default")})
	wantCode(t, err, "NoSuchConfigurationRecorderException")
}
