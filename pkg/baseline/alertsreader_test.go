package baseline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/landfall/landfall/pkg/awsx"
)

// TestAlertsReaderRole: the formatter's role, and only it, may assume the
// role, which reads the trail's log group and nothing else.
func TestAlertsReaderRole(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mustApplyGlobal(t, f, itemEngine("alerts-reader-role"), f.cfg)
	logs := cloudwatchlogs.NewFromConfig(f.cfg)
	for _, g := range []string{f.spec.Config.TrailLogGroupName(), "payroll"} {
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	mayAssume := func(target string) iamStatement {
		return iamStatement{Effect: "Allow", Action: []string{"sts:AssumeRole"}, Resource: []string{target}}
	}
	// The formatter's role as the CDK app makes it (infra/functions.go):
	// it may assume the reader role in any account.
	formatter := awsx.AssumeRole(admin, createManagementRole(t, f, f.spec.Config.AlertFormatterRolePath(), f.spec.Config.AlertFormatterRoleName(),
		mayAssume(awsx.RoleARN("*", f.spec.Config.AlertsReaderRoleName()))), "test")
	other := awsx.AssumeRole(admin, createManagementRole(t, f, "/", "acme-other", mayAssume("*")), "test")
	reader := awsx.RoleARN(f.member, f.spec.Config.AlertsReaderRoleName())

	asReader := cloudwatchlogs.NewFromConfig(awsx.AssumeRole(formatter, reader, "landfall-alert-formatter"))
	if _, err := asReader.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(f.spec.Config.TrailLogGroupName())}); err != nil {
		t.Errorf("the formatter cannot read the trail's metric filters: %v", err)
	}
	if _, err := asReader.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(f.spec.Config.TrailLogGroupName())}); err != nil {
		t.Errorf("the formatter cannot search the trail: %v", err)
	}
	for what, call := range map[string]func() error{
		"search another log group": func() error {
			_, err := asReader.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("payroll")})
			return err
		},
		"delete the trail's log group": func() error {
			_, err := asReader.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(f.spec.Config.TrailLogGroupName())})
			return err
		},
		"assume the reader role as another role of the formatter's account": func() error {
			_, err := awsx.AssumeRole(other, reader, "intruder").Credentials.Retrieve(ctx)
			return err
		},
		"assume the reader role as the formatter's account's administrator": func() error {
			_, err := awsx.AssumeRole(admin, reader, "intruder").Credentials.Retrieve(ctx)
			return err
		},
	} {
		if err := call(); !isAccessDenied(err) {
			t.Errorf("the formatter could %s: %v", what, err)
		}
	}
}
