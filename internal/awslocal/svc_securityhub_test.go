package awslocal

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	sht "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

func TestSecurityHubNotSubscribed(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	sh := securityhub.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	calls := []struct {
		name string
		call func() error
	}{
		{"DescribeHub", func() error { _, err := sh.DescribeHub(ctx, &securityhub.DescribeHubInput{}); return err }},
		{"DisableSecurityHub", func() error {
			_, err := sh.DisableSecurityHub(ctx, &securityhub.DisableSecurityHubInput{})
			return err
		}},
		{"GetEnabledStandards", func() error {
			_, err := sh.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
			return err
		}},
		{"DescribeStandards", func() error {
			_, err := sh.DescribeStandards(ctx, &securityhub.DescribeStandardsInput{})
			return err
		}},
		{"BatchEnableStandards", func() error {
			_, err := sh.BatchEnableStandards(ctx, &securityhub.BatchEnableStandardsInput{StandardsSubscriptionRequests: []sht.StandardsSubscriptionRequest{
				{StandardsArn: aws.String("arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0")}}})
			return err
		}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), "InvalidAccessException") })
	}
}

func TestSecurityHubStandards(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	sh := securityhub.NewFromConfig(sdkConfig(t, s, u, mgmt, "eu-west-1"))
	_, err := sh.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{EnableDefaultStandards: aws.Bool(false), Tags: map[string]string{"owner": "landfall"}})
	mustNoErr(t, err)
	_, err = sh.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{EnableDefaultStandards: aws.Bool(false)})
	wantCode(t, err, "ResourceConflictException")

	hub, err := sh.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	mustNoErr(t, err)
	hubARN := "arn:aws:securityhub:eu-west-1:" + mgmt + ":hub/default"
	if aws.ToString(hub.HubArn) != hubARN || aws.ToString(hub.SubscribedAt) == "" {
		t.Fatalf("hub = %+v", hub)
	}
	enabled, err := sh.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
	mustNoErr(t, err)
	if len(enabled.StandardsSubscriptions) != 0 {
		t.Fatalf("EnableDefaultStandards=false enabled %+v", enabled.StandardsSubscriptions)
	}

	var standards []string
	pages := 0
	for p := securityhub.NewDescribeStandardsPaginator(sh, &securityhub.DescribeStandardsInput{}); p.HasMorePages(); pages++ {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, st := range out.Standards {
			standards = append(standards, aws.ToString(st.StandardsArn))
		}
	}
	fsbp := "arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0"
	cis14 := "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/1.4.0"
	cis30 := "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0"
	for _, want := range []string{fsbp, cis14, cis30} {
		if !slices.Contains(standards, want) {
			t.Errorf("DescribeStandards lacks %s (got %v)", want, standards)
		}
	}
	if pages < 2 {
		t.Errorf("DescribeStandards answered in %d page(s); paging must show", pages)
	}

	req := func(arns ...string) []sht.StandardsSubscriptionRequest {
		var out []sht.StandardsSubscriptionRequest
		for _, a := range arns {
			out = append(out, sht.StandardsSubscriptionRequest{StandardsArn: aws.String(a)})
		}
		return out
	}
	bad := []struct {
		name string
		reqs []sht.StandardsSubscriptionRequest
	}{
		{"other region's ARN", req("arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0")},
		{"unknown standard", req("arn:aws:securityhub:eu-west-1::standards/made-up/v/1.0.0")},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sh.BatchEnableStandards(ctx, &securityhub.BatchEnableStandardsInput{StandardsSubscriptionRequests: tc.reqs})
			wantCode(t, err, "InvalidInputException")
		})
	}
	on, err := sh.BatchEnableStandards(ctx, &securityhub.BatchEnableStandardsInput{StandardsSubscriptionRequests: req(fsbp, cis30)})
	mustNoErr(t, err)
	if len(on.StandardsSubscriptions) != 2 || on.StandardsSubscriptions[0].StandardsStatus != sht.StandardsStatusPending {
		t.Fatalf("enabled = %+v", on.StandardsSubscriptions)
	}
	enabled, err = sh.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
	mustNoErr(t, err)
	var subs []string
	for _, sub := range enabled.StandardsSubscriptions {
		if sub.StandardsStatus != sht.StandardsStatusReady {
			t.Errorf("status = %s", sub.StandardsStatus)
		}
		subs = append(subs, aws.ToString(sub.StandardsSubscriptionArn))
	}
	wantSub := "arn:aws:securityhub:eu-west-1:" + mgmt + ":subscription/aws-foundational-security-best-practices/v/1.0.0"
	if len(subs) != 2 || !slices.Contains(subs, wantSub) {
		t.Fatalf("subscriptions = %v", subs)
	}

	_, err = sh.BatchDisableStandards(ctx, &securityhub.BatchDisableStandardsInput{StandardsSubscriptionArns: []string{wantSub + "x"}})
	wantCode(t, err, "InvalidInputException")
	_, err = sh.BatchDisableStandards(ctx, &securityhub.BatchDisableStandardsInput{StandardsSubscriptionArns: []string{wantSub}})
	mustNoErr(t, err)
	enabled, err = sh.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
	mustNoErr(t, err)
	if len(enabled.StandardsSubscriptions) != 1 || aws.ToString(enabled.StandardsSubscriptions[0].StandardsArn) != cis30 {
		t.Fatalf("after disable = %+v", enabled.StandardsSubscriptions)
	}

	_, err = sh.TagResource(ctx, &securityhub.TagResourceInput{ResourceArn: aws.String(hubARN), Tags: map[string]string{"cost": "sec"}})
	mustNoErr(t, err)
	tags, err := sh.ListTagsForResource(ctx, &securityhub.ListTagsForResourceInput{ResourceArn: aws.String(hubARN)})
	mustNoErr(t, err)
	if len(tags.Tags) != 2 || tags.Tags["owner"] != "landfall" {
		t.Fatalf("tags = %v", tags.Tags)
	}
	_, err = sh.ListTagsForResource(ctx, &securityhub.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:securityhub:eu-west-1:" + mgmt + ":hub/other")})
	wantCode(t, err, "ResourceNotFoundException")

	_, err = sh.DisableSecurityHub(ctx, &securityhub.DisableSecurityHubInput{})
	mustNoErr(t, err)
	_, err = sh.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	wantCode(t, err, "InvalidAccessException")
	// Enabling again with default standards turns on FSBP and CIS 1.2.
	_, err = sh.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{})
	mustNoErr(t, err)
	enabled, err = sh.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{})
	mustNoErr(t, err)
	if len(enabled.StandardsSubscriptions) != 2 {
		t.Fatalf("default standards = %+v", enabled.StandardsSubscriptions)
	}
}
