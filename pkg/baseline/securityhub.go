package baseline

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var securityHubItem = Item{
	Name:     "security-hub",
	Regional: true,
	Needs: []Need{{&awsConfigItem,
		"Security Hub's controls are AWS Config rules: they report nothing until the region's recorder runs"}},
	Enabled: func(s *Spec) bool { return s.Profile.Items.SecurityHub.Enabled },
	Plan:    planSecurityHub,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{
			serviceLinkedRole("securityhub.amazonaws.com"),
			allow("SecurityHub", anyResource, "securityhub:DescribeHub", "securityhub:EnableSecurityHub", "securityhub:GetEnabledStandards",
				"securityhub:BatchEnableStandards", "securityhub:TagResource", "securityhub:ListTagsForResource"),
		}
	},
}

// Security Hub in one region, and the standards the profile lists. The hub
// is a per-account, per-region singleton like the GuardDuty detector, so the
// baseline owns it whoever enabled it: it is never a conflict, it gets
// landfall's tags and the listed standards. It is enabled without AWS's
// default standards so that exactly the profile's standards run (each one
// costs money per check). Standards enabled by someone else are left on:
// turning a standard off is a decision for the people who enabled it.

// securityHubStandardPaths are the standards' ARN paths by their config
// name, as the Security Hub standards reference lists them
// (https://docs.aws.amazon.com/securityhub/latest/userguide/standards-reference.html).
// CIS and PCI DSS are the latest versions Security Hub offers.
var securityHubStandardPaths = map[string]string{
	"fsbp": "standards/aws-foundational-security-best-practices/v/1.0.0",
	"cis":  "standards/cis-aws-foundations-benchmark/v/3.0.0",
	"nist": "standards/nist-800-53/v/5.0.0",
	"pci":  "standards/pci-dss/v/4.0.1",
}

// securityHubEnabled are the subscription states in which a standard runs
// or is starting to; the others (DELETING, FAILED) mean it needs enabling.
var securityHubEnabled = []shtypes.StandardsStatus{shtypes.StandardsStatusReady, shtypes.StandardsStatusPending, shtypes.StandardsStatusIncomplete}

// securityHubStandard is one standard the profile asks for.
type securityHubStandard struct {
	Key string // the config's name: fsbp, cis, nist, pci
	ARN string
}

func desiredSecurityHubStandards(s *Spec, region string) []securityHubStandard {
	var out []securityHubStandard
	for _, key := range s.Profile.Items.SecurityHub.Standards {
		out = append(out, securityHubStandard{Key: key, ARN: "arn:aws:securityhub:" + region + "::" + securityHubStandardPaths[key]})
	}
	return out
}

func planSecurityHub(ctx context.Context, env *Env) ([]Change, error) {
	client := securityhub.NewFromConfig(env.AWS)
	spec := env.Spec
	want := desiredSecurityHubStandards(spec, env.Region)
	hubARN, err := findHubARN(ctx, client, env.Region)
	if awsx.NotFound(err) {
		changes := []Change{{Resource: "hub", Action: Create, Apply: func(ctx context.Context) error {
			_, err := client.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{
				EnableDefaultStandards: aws.Bool(false), Tags: spec.Tags,
			})
			if err != nil {
				return fmt.Errorf("enabling Security Hub (%s): %w", env.Region, err)
			}
			return nil
		}}}
		for _, std := range want {
			changes = append(changes, Change{Resource: "standard/" + std.Key, Action: Create, Apply: enableStandard(client, std)})
		}
		return changes, nil
	}
	if err != nil {
		return nil, err
	}
	tags, err := findHubTags(ctx, client, hubARN)
	if err != nil {
		return nil, err
	}
	var edits []edit
	if e, ok := tagEdit("Security Hub hub", hubARN, tags, spec.Tags, func(ctx context.Context, missing, _ map[string]string) error {
		_, err := client.TagResource(ctx, &securityhub.TagResourceInput{ResourceArn: aws.String(hubARN), Tags: missing})
		return err
	}); ok {
		edits = append(edits, e)
	}
	hub := editsChange("hub", edits)
	enabled, err := findEnabledStandards(ctx, client, env.Region)
	if err != nil {
		return nil, err
	}
	changes := []Change{hub}
	for _, std := range want {
		resource := "standard/" + std.Key
		status, ok := enabled[std.ARN]
		if ok && slices.Contains(securityHubEnabled, status) {
			changes = append(changes, Change{Resource: resource, Action: Unchanged})
			continue
		}
		have := "disabled"
		if ok {
			have = string(status)
		}
		changes = append(changes, Change{Resource: resource, Action: Update,
			Diffs: []Diff{{Field: "StandardsSubscription " + std.ARN, Have: have, Want: "enabled"}},
			Apply: enableStandard(client, std)})
	}
	return changes, nil
}

// enableStandard subscribes the account to one standard. One call per
// standard keeps each plan entry's write its own.
func enableStandard(client *securityhub.Client, std securityHubStandard) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := client.BatchEnableStandards(ctx, &securityhub.BatchEnableStandardsInput{
			StandardsSubscriptionRequests: []shtypes.StandardsSubscriptionRequest{{StandardsArn: aws.String(std.ARN)}},
		})
		if err != nil {
			return fmt.Errorf("enabling Security Hub standard (%s): %w", std.ARN, err)
		}
		for _, s := range out.StandardsSubscriptions {
			if s.StandardsStatus == shtypes.StandardsStatusFailed {
				return fmt.Errorf("enabling Security Hub standard (%s): subscription failed: %s", std.ARN, reasonOf(s))
			}
		}
		return nil
	}
}

func reasonOf(s shtypes.StandardsSubscription) string {
	if s.StandardsStatusReason != nil {
		return string(s.StandardsStatusReason.StatusReasonCode)
	}
	return "no reason given"
}

// findHubARN returns the region's hub; Security Hub answers
// InvalidAccessException when the account is not subscribed, and documents
// ResourceNotFoundException for a hub that is not there.
func findHubARN(ctx context.Context, client *securityhub.Client, region string) (string, error) {
	out, err := client.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	if err != nil {
		return "", awsx.AsNotFound(err, "Security Hub hub ("+region+")", "InvalidAccessException", "ResourceNotFoundException")
	}
	return aws.ToString(out.HubArn), nil
}

func findHubTags(ctx context.Context, client *securityhub.Client, arn string) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &securityhub.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("listing tags of Security Hub hub (%s): %w", arn, err)
	}
	return out.Tags, nil
}

// findEnabledStandards returns the status of each standard the account is
// subscribed to, by standard ARN.
func findEnabledStandards(ctx context.Context, client *securityhub.Client, region string) (map[string]shtypes.StandardsStatus, error) {
	out := map[string]shtypes.StandardsStatus{}
	pages := securityhub.NewGetEnabledStandardsPaginator(client, &securityhub.GetEnabledStandardsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing Security Hub standards subscriptions (%s): %w", region, err)
		}
		for _, s := range page.StandardsSubscriptions {
			out[aws.ToString(s.StandardsArn)] = s.StandardsStatus
		}
	}
	return out, nil
}
