package baseline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// The CloudWatch Logs group the trail delivers to and the metric filters
// read, with the configured retention.

// logGroupARN is a log group's ARN in the home region, without the ":*"
// suffix (the tagging APIs want it bare, CloudTrail wants the suffix).
func logGroupARN(s *Spec, name string) string {
	return "arn:aws:logs:" + s.HomeRegion() + ":" + s.Account.ID + ":log-group:" + name
}

// trailLogGroupARN is the log group the trail delivers to, in the home
// region (config's TrailLogGroupName, which the formatter reads too).
func trailLogGroupARN(s *Spec) string { return logGroupARN(s, s.Config.TrailLogGroupName()) }

func planTrailLogGroup(ctx context.Context, env *Env) (Change, error) {
	client := cloudwatchlogs.NewFromConfig(env.AWS)
	spec := env.Spec
	name := spec.Config.TrailLogGroupName()
	arn := trailLogGroupARN(spec)
	retention := int32(spec.Profile.Items.CloudTrail.LogRetentionDays)
	putRetention := func(ctx context.Context) error {
		_, err := client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(retention)})
		if err != nil {
			return fmt.Errorf("putting retention of CloudWatch Logs group (%s): %w", name, err)
		}
		return nil
	}
	c, _, err := planOwned(ctx, spec, owned[*logstypes.LogGroup]{
		Kind: "CloudWatch Logs group", Name: name, Resource: "log-group/" + name,
		Find: func(ctx context.Context) (*logstypes.LogGroup, error) { return findLogGroupByName(ctx, client, name) },
		Tags: func(ctx context.Context, _ *logstypes.LogGroup) (map[string]string, error) {
			out, err := client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				return nil, fmt.Errorf("listing tags of CloudWatch Logs group (%s): %w", name, err)
			}
			return out.Tags, nil
		},
		Tag: func(ctx context.Context, _ *logstypes.LogGroup, missing, _ map[string]string) error {
			_, err := client.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: missing})
			return err
		},
		Create: func(ctx context.Context) error {
			if _, err := client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: spec.Tags}); err != nil {
				return fmt.Errorf("creating CloudWatch Logs group (%s): %w", name, err)
			}
			return putRetention(ctx)
		},
		Edits: func(_ context.Context, group *logstypes.LogGroup) ([]edit, error) {
			if have := aws.ToInt32(group.RetentionInDays); have != retention {
				return []edit{{[]Diff{{"RetentionInDays", strconv.Itoa(int(have)), strconv.Itoa(int(retention))}}, putRetention}}, nil
			}
			return nil, nil
		},
	})
	return c, err
}

// findLogGroupByName pages DescribeLogGroups by prefix for the exact name:
// the API has no get-by-name.
func findLogGroupByName(ctx context.Context, client *cloudwatchlogs.Client, name string) (*logstypes.LogGroup, error) {
	pages := cloudwatchlogs.NewDescribeLogGroupsPaginator(client, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading CloudWatch Logs group (%s): %w", name, err)
		}
		for _, g := range page.LogGroups {
			if aws.ToString(g.LogGroupName) == name {
				return &g, nil
			}
		}
	}
	return nil, &awsx.NotFoundError{What: "CloudWatch Logs group (" + name + ")"}
}
