package baseline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/landfall/landfall/pkg/awsx"
)

var cloudTrailItem = Item{
	Name:    "cloudtrail",
	Needs:   []Need{needBoundary},
	Enabled: func(*Spec) bool { return true },
	Plan:    planCloudTrail,
	Permissions: func(s *Spec) []iamStatement {
		p := s.Prefix
		return slices.Concat(ownedKeyPermissions(s.Config.TrailKeyAlias()), ownedRolePermissions(trailLogsRole(s, desiredTrail(s))), []iamStatement{
			allow("CloudTrail", []string{"arn:aws:cloudtrail:*:*:trail/" + p + "-*"},
				"cloudtrail:CreateTrail", "cloudtrail:UpdateTrail", "cloudtrail:StartLogging", "cloudtrail:PutEventSelectors", "cloudtrail:AddTags",
				"cloudtrail:GetTrail", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors", "cloudtrail:ListTags"),
			allow("Logs", []string{"arn:aws:logs:*:*:log-group:" + p + "-*"},
				"logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:ListTagsForResource"),
			allow("LogsRead", anyResource, "logs:DescribeLogGroups"),
			allow("S3LandfallBuckets", []string{"arn:aws:s3:::" + p + "-*"},
				"s3:CreateBucket", "s3:ListBucket", "s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration",
				"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:GetBucketTagging", "s3:PutBucketTagging",
				"s3:GetBucketVersioning", "s3:PutBucketVersioning"),
		})
	},
}

// The account's multi-region trail in the home region and what it needs:
// its KMS key, its bucket (unless the organization's log archive takes the
// logs), the CloudWatch Logs group the metric-filter alarms read, and the
// IAM role CloudTrail delivers to that group with. The plan lists them in
// that order, which is also the order they must be created in.

// trail is the desired trail.
type trail struct {
	Name        string
	ARN         string
	Bucket      string
	KeyAlias    string // "" when the profile turns trail encryption off
	LogGroupARN string // the ":*" form CloudTrail requires
	RoleARN     string
}

func desiredTrail(s *Spec) trail {
	t := trail{Name: s.Config.TrailName(), Bucket: s.Config.Organization.LogArchive.Bucket,
		LogGroupARN: trailLogGroupARN(s) + ":*", RoleARN: awsx.RoleARN(s.Account.ID, s.Name("cloudtrail-logs"))}
	t.ARN = "arn:aws:cloudtrail:" + s.HomeRegion() + ":" + s.Account.ID + ":trail/" + t.Name
	if t.Bucket == "" {
		t.Bucket = trailBucketName(s)
	}
	if s.Profile.Items.CloudTrail.KMS {
		t.KeyAlias = s.Config.TrailKeyAlias()
	}
	return t
}

// trailKey lets CloudTrail encrypt this trail's log files, and only this
// trail's: aws:SourceArn is the confused-deputy guard AWS recommends.
func trailKey(s *Spec, t trail) ownedKey {
	cond := map[string]map[string][]string{"StringEquals": {"aws:SourceArn": {t.ARN}}}
	return ownedKey{Alias: t.KeyAlias, Description: "landfall: encrypts the account's CloudTrail log files",
		Policy: ownedKeyPolicy(s,
			iamStatement{Sid: "CloudTrailEncrypts", Effect: "Allow", Principal: map[string][]string{"Service": {"cloudtrail.amazonaws.com"}},
				Action: []string{"kms:GenerateDataKey*", "kms:DescribeKey"}, Resource: []string{"*"}, Condition: cond}),
	}
}

// trailLogsRole is what CloudTrail assumes to write to the log group: the
// group's streams, nothing else.
func trailLogsRole(s *Spec, t trail) ownedRole {
	return ownedRole{
		Name: s.Name("cloudtrail-logs"), Description: "landfall: CloudTrail delivers the account trail to CloudWatch Logs", MaxSession: 3600, Boundary: boundaryARN(s),
		// No aws:SourceAccount condition: the CloudTrail User Guide's role for
		// CloudWatch Logs delivery has none, and the role can only write to
		// this account's log group anyway.
		Trust: newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"Service": {"cloudtrail.amazonaws.com"}},
			Action: []string{"sts:AssumeRole"}}),
		Inline: map[string]iamPolicy{"cloudtrail-logs": newIAMPolicy(iamStatement{Effect: "Allow",
			Action:   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: []string{trailLogGroupARN(s) + ":log-stream:*"}})},
	}
}

// trailRoleTimeout bounds CreateTrail and UpdateTrail retrying while the
// logs role, or its policy, written moments ago has not propagated. It is
// IAM propagation, so it gets IAM's bound.
const trailRoleTimeout = iamPropagationTimeout

// trailRoleNotReady reports CloudTrail's answers while it cannot yet assume
// the logs role (InvalidCloudWatchLogsRoleArnException) or the role's
// policy does not yet let it write (InvalidCloudWatchLogsLogGroupArnException),
// both "Access denied...". terraform-provider-aws retries the same two; a
// log group ARN CloudTrail cannot validate is worded otherwise and fails.
func trailRoleNotReady(err error) bool {
	var ae smithy.APIError
	return awsx.IsCode(err, "InvalidCloudWatchLogsRoleArnException", "InvalidCloudWatchLogsLogGroupArnException") &&
		errors.As(err, &ae) && strings.HasPrefix(ae.ErrorMessage(), "Access denied")
}

func planCloudTrail(ctx context.Context, env *Env) ([]Change, error) {
	spec := env.Spec
	want := desiredTrail(spec)
	kmsClient := kms.NewFromConfig(env.AWS)
	var changes []Change
	if want.KeyAlias != "" {
		c, err := planOwnedKey(ctx, kmsClient, spec, trailKey(spec, want))
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	if spec.Config.Organization.LogArchive.Bucket == "" {
		c, err := planTrailBucket(ctx, env, want)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	group, err := planTrailLogGroup(ctx, env)
	if err != nil {
		return nil, err
	}
	role, err := planOwnedRole(ctx, iam.NewFromConfig(env.AWS), spec, trailLogsRole(spec, want))
	if err != nil {
		return nil, err
	}
	c, err := planTrail(ctx, cloudtrail.NewFromConfig(env.AWS), kmsClient, spec, want)
	if err != nil {
		return nil, err
	}
	return append(changes, group, role, c), nil
}

func planTrail(ctx context.Context, client *cloudtrail.Client, kmsClient *kms.Client, spec *Spec, want trail) (Change, error) {
	keyARN := func(ctx context.Context) (string, error) { return trailKeyARN(ctx, kmsClient, want) }
	c, _, err := planOwned(ctx, spec, owned[*cttypes.Trail]{
		Kind: "CloudTrail trail", Name: want.Name, Resource: "trail/" + want.Name,
		Find: func(ctx context.Context) (*cttypes.Trail, error) { return findTrailByName(ctx, client, want.Name) },
		Tags: func(ctx context.Context, _ *cttypes.Trail) (map[string]string, error) {
			return findTrailTags(ctx, client, want.ARN)
		},
		Tag: func(ctx context.Context, _ *cttypes.Trail, missing, _ map[string]string) error {
			_, err := client.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(want.ARN), TagsList: tagList(missing, newTrailTag)})
			return err
		},
		Create: func(ctx context.Context) error { return createTrail(ctx, client, spec, want, keyARN) },
		Edits: func(ctx context.Context, have *cttypes.Trail) ([]edit, error) {
			return diffTrailState(ctx, client, want, have, keyARN)
		},
	})
	return c, err
}

// diffTrailState lists the edits of an existing trail: its settings, its
// logging and its event selectors.
func diffTrailState(ctx context.Context, client *cloudtrail.Client, want trail, have *cttypes.Trail, keyARN func(context.Context) (string, error)) ([]edit, error) {
	wantKey := want.KeyAlias
	if wantKey != "" {
		// CloudTrail answers with the key's ARN; the plan compares with it when
		// the key exists already (when it does not, the trail differs anyway).
		if arn, err := keyARN(ctx); err == nil {
			wantKey = arn
		} else if !awsx.NotFound(err) {
			return nil, err
		}
	}
	var edits []edit
	if diffs := diffTrail(have, want, wantKey); len(diffs) > 0 {
		edits = append(edits, edit{diffs, func(ctx context.Context) error {
			in, err := expandUpdateTrail(ctx, want, keyARN)
			if err != nil {
				return err
			}
			return retryTrailRole(ctx, want.Name, "updating", func() error { _, err := client.UpdateTrail(ctx, in); return err })
		}})
	}
	status, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(want.ARN)})
	if err != nil {
		return nil, fmt.Errorf("reading CloudTrail trail status (%s): %w", want.Name, err)
	}
	if !aws.ToBool(status.IsLogging) {
		edits = append(edits, edit{[]Diff{{"IsLogging", "false", "true"}}, func(ctx context.Context) error { return startLogging(ctx, client, want.Name) }})
	}
	selectors, err := client.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(want.ARN)})
	if err != nil {
		return nil, fmt.Errorf("reading CloudTrail event selectors (%s): %w", want.Name, err)
	}
	if !allManagementEvents(selectors.EventSelectors) {
		edits = append(edits, edit{[]Diff{{"EventSelectors", "management events not all selected", "management events All"}}, func(ctx context.Context) error {
			return selectAllManagementEvents(ctx, client, want)
		}})
	}
	return edits, nil
}

func diffTrail(have *cttypes.Trail, want trail, wantKey string) []Diff {
	var d []Diff
	diffField(&d, "S3BucketName", aws.ToString(have.S3BucketName), want.Bucket)
	diffField(&d, "KmsKeyId", aws.ToString(have.KmsKeyId), wantKey)
	diffField(&d, "CloudWatchLogsLogGroupArn", aws.ToString(have.CloudWatchLogsLogGroupArn), want.LogGroupARN)
	diffField(&d, "CloudWatchLogsRoleArn", aws.ToString(have.CloudWatchLogsRoleArn), want.RoleARN)
	diffField(&d, "IsMultiRegionTrail", aws.ToBool(have.IsMultiRegionTrail), true)
	diffField(&d, "LogFileValidationEnabled", aws.ToBool(have.LogFileValidationEnabled), true)
	diffField(&d, "IncludeGlobalServiceEvents", aws.ToBool(have.IncludeGlobalServiceEvents), true)
	return d
}

// allManagementEvents reports whether the selectors record every management
// event, read and write, as a new trail does by default.
func allManagementEvents(selectors []cttypes.EventSelector) bool {
	for _, s := range selectors {
		if aws.ToBool(s.IncludeManagementEvents) && s.ReadWriteType == cttypes.ReadWriteTypeAll && len(s.ExcludeManagementEventSources) == 0 {
			return true
		}
	}
	return false
}

// createTrail creates the trail and starts it: a new trail does not log
// until StartLogging.
func createTrail(ctx context.Context, client *cloudtrail.Client, spec *Spec, want trail, keyARN func(context.Context) (string, error)) error {
	up, err := expandUpdateTrail(ctx, want, keyARN)
	if err != nil {
		return err
	}
	in := &cloudtrail.CreateTrailInput{Name: up.Name, S3BucketName: up.S3BucketName, KmsKeyId: up.KmsKeyId,
		CloudWatchLogsLogGroupArn: up.CloudWatchLogsLogGroupArn, CloudWatchLogsRoleArn: up.CloudWatchLogsRoleArn,
		IsMultiRegionTrail: up.IsMultiRegionTrail, EnableLogFileValidation: up.EnableLogFileValidation,
		IncludeGlobalServiceEvents: up.IncludeGlobalServiceEvents, TagsList: tagList(spec.Tags, newTrailTag)}
	if err := retryTrailRole(ctx, want.Name, "creating", func() error { _, err := client.CreateTrail(ctx, in); return err }); err != nil {
		return err
	}
	// A trail created without selectors logs every management event
	// (EventSelector, CloudTrail API Reference); landfall writes them all
	// the same, so what the trail records is stated, not assumed from a
	// default that other implementations do not share.
	if err := selectAllManagementEvents(ctx, client, want); err != nil {
		return err
	}
	return startLogging(ctx, client, want.Name)
}

// selectAllManagementEvents makes the trail record every management event,
// read and write.
func selectAllManagementEvents(ctx context.Context, client *cloudtrail.Client, want trail) error {
	_, err := client.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(want.ARN), EventSelectors: []cttypes.EventSelector{
		{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeAll}}})
	if err != nil {
		return fmt.Errorf("putting CloudTrail event selectors (%s): %w", want.Name, err)
	}
	return nil
}

// retryTrailRole runs a trail write, retrying while CloudTrail cannot use
// the logs role yet.
func retryTrailRole(ctx context.Context, name, doing string, write func() error) error {
	if err := awsx.Retry(ctx, trailRoleTimeout, trailRoleNotReady, write); err != nil {
		return fmt.Errorf("%s CloudTrail trail (%s): %w", doing, name, err)
	}
	return nil
}

func startLogging(ctx context.Context, client *cloudtrail.Client, name string) error {
	if _, err := client.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		return fmt.Errorf("starting CloudTrail logging (%s): %w", name, err)
	}
	return nil
}

// trailKeyARN resolves the trail key's alias to its ARN, which is what
// CloudTrail stores and returns.
func trailKeyARN(ctx context.Context, client *kms.Client, want trail) (string, error) {
	if want.KeyAlias == "" {
		return "", nil
	}
	key, err := findKeyByAlias(ctx, client, want.KeyAlias)
	if err != nil {
		return "", err
	}
	return aws.ToString(key.Arn), nil
}

func findTrailByName(ctx context.Context, client *cloudtrail.Client, name string) (*cttypes.Trail, error) {
	out, err := client.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("reading CloudTrail trail (%s): %w", name, awsx.AsNotFound(err, "CloudTrail trail ("+name+")", "TrailNotFoundException"))
	}
	return out.Trail, nil
}

func findTrailTags(ctx context.Context, client *cloudtrail.Client, arn string) (map[string]string, error) {
	tags := map[string]string{}
	pages := cloudtrail.NewListTagsPaginator(client, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing tags of CloudTrail trail (%s): %w", arn, err)
		}
		for _, r := range page.ResourceTagList {
			maps.Copy(tags, tagMap(r.TagsList, func(t cttypes.Tag) (k, v *string) { return t.Key, t.Value }))
		}
	}
	return tags, nil
}

// expandUpdateTrail is every setting the baseline owns, so one UpdateTrail
// repairs any of them.
func expandUpdateTrail(ctx context.Context, want trail, keyARN func(context.Context) (string, error)) (*cloudtrail.UpdateTrailInput, error) {
	in := &cloudtrail.UpdateTrailInput{Name: aws.String(want.Name), S3BucketName: aws.String(want.Bucket),
		CloudWatchLogsLogGroupArn: aws.String(want.LogGroupARN), CloudWatchLogsRoleArn: aws.String(want.RoleARN),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true)}
	if want.KeyAlias != "" {
		arn, err := keyARN(ctx)
		if err != nil {
			return nil, err
		}
		in.KmsKeyId = aws.String(arn)
	}
	return in, nil
}

func newTrailTag(k, v *string) cttypes.Tag { return cttypes.Tag{Key: k, Value: v} }
