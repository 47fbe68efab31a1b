package baseline

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestSecurityHub(t *testing.T) {
	// Security Hub needs AWS Config on (its recorder is the aws-config
	// item's, not this test's).
	f := configFixture(t)
	f.spec.Profile.Items.SecurityHub.Enabled = true
	e := itemEngine("security-hub")
	mustApply(t, f, e, f.cfg, ScopeAll)

	ctx := context.Background()
	for _, region := range f.spec.Regions {
		client := securityhub.NewFromConfig(awsx.InRegion(f.cfg, region))
		want := []string{
			"arn:aws:securityhub:" + region + "::standards/aws-foundational-security-best-practices/v/1.0.0",
			"arn:aws:securityhub:" + region + "::standards/cis-aws-foundations-benchmark/v/3.0.0",
		}
		if got := slices.Sorted(maps.Keys(enabledStandards(t, client))); !slices.Equal(got, want) {
			t.Errorf("%s: standards = %v, want exactly %v (no AWS defaults)", region, got, want)
		}
		hub, err := client.DescribeHub(ctx, &securityhub.DescribeHubInput{})
		if err != nil {
			t.Fatal(err)
		}
		tags, err := client.ListTagsForResource(ctx, &securityhub.ListTagsForResourceInput{ResourceArn: hub.HubArn})
		if err != nil || tags.Tags[TagManaged] != "true" {
			t.Errorf("%s: hub tags = %v %v", region, err, tags)
		}
	}

	// Drift: someone disables the CIS standard in one region.
	client := securityhub.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
	cis := "arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0"
	if _, err := client.BatchDisableStandards(ctx, &securityhub.BatchDisableStandardsInput{
		StandardsSubscriptionArns: []string{enabledStandards(t, client)[cis]}}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	if got["security-hub standard/cis eu-west-1"] != Update || got["security-hub standard/fsbp eu-west-1"] != Unchanged ||
		got["security-hub standard/cis us-east-1"] != Unchanged || got["security-hub hub eu-west-1"] != Unchanged {
		t.Fatalf("after disabling CIS in eu-west-1:\n%s", plan)
	}
	want := []Diff{{"StandardsSubscription " + cis, "disabled", "enabled"}}
	if d := changeOf(plan, "security-hub", "standard/cis", "eu-west-1").Diffs; !slices.Equal(d, want) {
		t.Fatalf("diffs = %+v, want %+v", d, want)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatal(err)
	}
	if _, ok := enabledStandards(t, client)[cis]; !ok {
		t.Fatal("CIS standard still disabled after repair")
	}
}

// enabledStandards maps each enabled standard's ARN to its subscription ARN.
func enabledStandards(t *testing.T, client *securityhub.Client) map[string]string {
	t.Helper()
	out, err := client.GetEnabledStandards(context.Background(), &securityhub.GetEnabledStandardsInput{})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, s := range out.StandardsSubscriptions {
		m[aws.ToString(s.StandardsArn)] = aws.ToString(s.StandardsSubscriptionArn)
	}
	return m
}
