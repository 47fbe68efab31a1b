package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// awsConfigRoleItem is the recorder's role. IAM is global, so the role is
// an account item, applied before any region runs, rather than created by
// each region in a race.
var awsConfigRoleItem = Item{
	Name:        "aws-config-role",
	Needs:       []Need{needBoundary},
	Enabled:     func(s *Spec) bool { return s.Profile.Items.AWSConfig.Enabled },
	Plan:        planRole(desiredConfigRole),
	Permissions: func(s *Spec) []iamStatement { return ownedRolePermissions(desiredConfigRole(s)) },
}

// awsConfigItem records each region's resources with the recorder's role
// (awsConfigRoleItem, of the global scope, which runs first).
var awsConfigItem = Item{
	Name:     "aws-config",
	Regional: true,
	Enabled:  func(s *Spec) bool { return s.Profile.Items.AWSConfig.Enabled },
	Plan:     planAWSConfig,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{
			serviceLinkedRole("config.amazonaws.com"),
			allow("Config", anyResource,
				"config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus", "config:DescribeDeliveryChannels",
				"config:PutConfigurationRecorder", "config:PutDeliveryChannel", "config:StartConfigurationRecorder"),
		}
	},
}

// AWS Config: the recorder and delivery channel of each region, recording
// every supported resource type, and the IAM role they use.
//
// The role is global, so it is its own global item (aws-config-role): the
// engine applies global items before regional ones, and regions applied
// concurrently never race to create it. The recorder records global
// resources (IAM) only in the home region, or every region would record
// the same IAM changes again.
//
// AWS Config allows one recorder and one delivery channel per account and
// region. landfall names its own "default" (the name the console uses too)
// and owns a recorder or channel of that name as a setting, like the
// password policy; one with another name belongs to someone else (Control
// Tower names its own) and is a conflict unless the profile adopts it.

// configRoleManagedPolicy is AWS's policy for Config's service role
// (https://docs.aws.amazon.com/config/latest/developerguide/iamrole-permissions.html).
const configRoleManagedPolicy = "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"

// configRecorderName is the name of the recorder and of the channel.
const configRecorderName = "default"

// configRecorder and configChannel are what the baseline compares. Other
// recording-group fields (exclusions, recording strategy, mode) are server
// defaults of "all supported" and are not compared.
type configRecorder struct {
	Name          string
	RoleARN       string
	AllSupported  bool
	IncludeGlobal bool
}

type configChannel struct {
	Name   string
	Bucket string
	// Shared is true when the bucket is the log archive of another
	// account, whose policy alone decides whether Config may write.
	Shared bool
}

func configRoleName(s *Spec) string { return s.Name("config") }

// configBucket is where Config delivers: the trail's bucket, which is the
// organization's log archive when the config names one, else the account's
// own CloudTrail bucket.
func configBucket(s *Spec) string { return desiredTrail(s).Bucket }

func desiredConfigRole(s *Spec) ownedRole {
	bucket := configBucket(s)
	return ownedRole{
		Name:        configRoleName(s),
		Description: "AWS Config recorder role, managed by landfall",
		// aws:SourceAccount stops another account's Config from using the
		// role (the confused deputy problem).
		Trust: newIAMPolicy(iamStatement{
			Effect: "Allow", Principal: map[string][]string{"Service": {"config.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {s.Account.ID}}},
		}),
		MaxSession: 3600,
		Boundary:   boundaryARN(s),
		Managed:    []string{configRoleManagedPolicy},
		// AWS_ConfigRole reads resources; delivering to the bucket needs
		// its own grant, as Config's documentation for an IAM role says.
		Inline: map[string]iamPolicy{"config-delivery": newIAMPolicy(
			iamStatement{Effect: "Allow", Action: []string{"s3:PutObject", "s3:PutObjectAcl"},
				Resource:  []string{"arn:aws:s3:::" + bucket + "/AWSLogs/" + s.Account.ID + "/*"},
				Condition: map[string]map[string][]string{"StringLike": {"s3:x-amz-acl": {"bucket-owner-full-control"}}}},
			iamStatement{Effect: "Allow", Action: []string{"s3:GetBucketAcl"}, Resource: []string{"arn:aws:s3:::" + bucket}},
		)},
	}
}

func desiredConfigRecorder(s *Spec, region string) configRecorder {
	return configRecorder{Name: configRecorderName, RoleARN: awsx.RoleARN(s.Account.ID, configRoleName(s)),
		AllSupported: true, IncludeGlobal: region == s.HomeRegion()}
}

func planAWSConfig(ctx context.Context, env *Env) ([]Change, error) {
	client := configservice.NewFromConfig(env.AWS)
	spec := env.Spec
	rec, err := findConfigRecorder(ctx, client, env.Region)
	if err != nil && !awsx.NotFound(err) {
		return nil, err
	}
	if rec != nil && rec.Name != configRecorderName && !spec.Profile.Adopt {
		return []Change{conflictRecorder(spec, rec.Name)}, nil
	}
	want := desiredConfigRecorder(spec, env.Region)
	if rec != nil {
		want.Name = rec.Name // adopted: AWS cannot rename a recorder
	}
	changes := []Change{planRecorder(client, want, rec)}

	ch, err := findDeliveryChannel(ctx, client, env.Region)
	if err != nil && !awsx.NotFound(err) {
		return nil, err
	}
	if ch != nil && ch.Name != configRecorderName && !spec.Profile.Adopt {
		return append(changes, conflictRecorder(spec, ch.Name)), nil
	}
	archive := spec.Config.Organization.LogArchive
	wantCh := configChannel{Name: configRecorderName, Bucket: configBucket(spec), Shared: archive.Bucket != "" && archive.AccountID != spec.Account.ID}
	if ch != nil {
		wantCh.Name = ch.Name
	}
	changes = append(changes, planChannel(client, wantCh, ch))

	recording, err := findRecording(ctx, client, want.Name)
	if err != nil && !awsx.NotFound(err) {
		return nil, err
	}
	start := func(ctx context.Context) error {
		if _, err := client.StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String(want.Name)}); err != nil {
			return fmt.Errorf("starting AWS Config recorder (%s): %w", want.Name, err)
		}
		return nil
	}
	switch {
	case rec == nil:
		changes = append(changes, Change{Resource: "recording/" + want.Name, Action: Create, Apply: start})
	case !recording:
		changes = append(changes, Change{Resource: "recording/" + want.Name, Action: Update,
			Diffs: []Diff{{Field: "Recording", Have: "false", Want: "true"}}, Apply: start})
	default:
		changes = append(changes, Change{Resource: "recording/" + want.Name, Action: Unchanged})
	}
	return changes, nil
}

func conflictRecorder(spec *Spec, name string) Change {
	return Change{Resource: "config/" + name, Action: Conflict, Detail: fmt.Sprintf("AWS Config in this region already has a recorder or delivery channel named %s, not landfall's %q; AWS allows one of each, so landfall leaves it alone: remove it, or set adopt: true in profile %s to take it over",
		name, configRecorderName, spec.Profile.Name)}
}

func planRecorder(client *configservice.Client, want configRecorder, have *configRecorder) Change {
	resource := "configuration-recorder/" + want.Name
	put := func(ctx context.Context) error {
		// A role created moments ago by aws-config-role may not be
		// assumable by Config yet.
		err := awsx.Retry(ctx, iamPropagationTimeout, awsx.OnCodes("InvalidRoleException"), func() error {
			_, err := client.PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: expandConfigRecorder(want)})
			return err
		})
		if err != nil {
			return fmt.Errorf("putting AWS Config recorder (%s): %w", want.Name, err)
		}
		return nil
	}
	if have == nil {
		return Change{Resource: resource, Action: Create, Apply: put}
	}
	var diffs []Diff
	diffField(&diffs, "RoleARN", have.RoleARN, want.RoleARN)
	diffField(&diffs, "RecordingGroup.AllSupported", have.AllSupported, want.AllSupported)
	diffField(&diffs, "RecordingGroup.IncludeGlobalResourceTypes", have.IncludeGlobal, want.IncludeGlobal)
	if len(diffs) == 0 {
		return Change{Resource: resource, Action: Unchanged}
	}
	return Change{Resource: resource, Action: Update, Diffs: diffs, Apply: put}
}

func planChannel(client *configservice.Client, want configChannel, have *configChannel) Change {
	resource := "delivery-channel/" + want.Name
	put := func(ctx context.Context) error {
		// Config checks it can write to the bucket with the recorder's
		// role, which may not have propagated yet. For another account's
		// bucket it then tries as its service principal, which only the
		// bucket policy decides: waiting changes nothing.
		write := func() error {
			_, err := client.PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cstypes.DeliveryChannel{
				Name: aws.String(want.Name), S3BucketName: aws.String(want.Bucket),
			}})
			return err
		}
		insufficient := awsx.OnCodes("InsufficientDeliveryPolicyException")
		var err error
		if want.Shared {
			err = write()
		} else {
			err = awsx.Retry(ctx, iamPropagationTimeout, insufficient, write)
		}
		if want.Shared && insufficient(err) {
			return awsx.Terminal(fmt.Errorf("putting AWS Config delivery channel (%s): the log archive bucket %s does not let AWS Config write for this account; give it the policy in the README's \"Log archive bucket\": %w",
				want.Name, want.Bucket, err))
		}
		if err != nil {
			return fmt.Errorf("putting AWS Config delivery channel (%s): %w", want.Name, err)
		}
		return nil
	}
	switch {
	case have == nil:
		return Change{Resource: resource, Action: Create, Apply: put}
	case have.Bucket != want.Bucket:
		return Change{Resource: resource, Action: Update, Diffs: []Diff{{Field: "S3BucketName", Have: have.Bucket, Want: want.Bucket}}, Apply: put}
	}
	return Change{Resource: resource, Action: Unchanged}
}

// findConfigRecorder returns the region's recorder (there is at most one
// customer-managed recorder).
func findConfigRecorder(ctx context.Context, client *configservice.Client, region string) (*configRecorder, error) {
	out, err := client.DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
	if err != nil {
		return nil, fmt.Errorf("reading AWS Config recorders (%s): %w", region, err)
	}
	for _, r := range out.ConfigurationRecorders {
		if r.ServicePrincipal == nil { // service-linked recorders belong to their service
			return flattenConfigRecorder(r), nil
		}
	}
	return nil, &awsx.NotFoundError{What: "AWS Config recorder (" + region + ")"}
}

func findDeliveryChannel(ctx context.Context, client *configservice.Client, region string) (*configChannel, error) {
	out, err := client.DescribeDeliveryChannels(ctx, &configservice.DescribeDeliveryChannelsInput{})
	if err != nil {
		return nil, fmt.Errorf("reading AWS Config delivery channels (%s): %w", region, err)
	}
	if len(out.DeliveryChannels) == 0 {
		return nil, &awsx.NotFoundError{What: "AWS Config delivery channel (" + region + ")"}
	}
	c := out.DeliveryChannels[0]
	return &configChannel{Name: aws.ToString(c.Name), Bucket: aws.ToString(c.S3BucketName)}, nil
}

// findRecording reports whether the named recorder is recording.
func findRecording(ctx context.Context, client *configservice.Client, name string) (bool, error) {
	out, err := client.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{name}})
	if err != nil {
		return false, fmt.Errorf("reading AWS Config recorder status (%s): %w", name, awsx.AsNotFound(err, "AWS Config recorder ("+name+")", "NoSuchConfigurationRecorderException"))
	}
	for _, s := range out.ConfigurationRecordersStatus {
		if aws.ToString(s.Name) == name {
			return s.Recording, nil
		}
	}
	return false, nil
}

func expandConfigRecorder(r configRecorder) *cstypes.ConfigurationRecorder {
	return &cstypes.ConfigurationRecorder{
		Name: aws.String(r.Name), RoleARN: aws.String(r.RoleARN),
		RecordingGroup: &cstypes.RecordingGroup{AllSupported: r.AllSupported, IncludeGlobalResourceTypes: r.IncludeGlobal},
	}
}

func flattenConfigRecorder(r cstypes.ConfigurationRecorder) *configRecorder {
	out := &configRecorder{Name: aws.ToString(r.Name), RoleARN: aws.ToString(r.RoleARN)}
	if g := r.RecordingGroup; g != nil {
		out.AllSupported, out.IncludeGlobal = g.AllSupported, g.IncludeGlobalResourceTypes
	}
	return out
}
