package baseline

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestEBSEncryption(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("ebs-encryption")
	mustApply(t, f, e, f.cfg, ScopeAll)

	ctx := context.Background()
	for _, region := range f.spec.Regions {
		if !ebsEncryptionOn(t, ec2.NewFromConfig(awsx.InRegion(f.cfg, region))) {
			t.Errorf("%s: EBS encryption by default is off after apply", region)
		}
	}

	// Drift: someone turns it off in one region.
	client := ec2.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
	if _, err := client.DisableEbsEncryptionByDefault(ctx, &ec2.DisableEbsEncryptionByDefaultInput{}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	if got["ebs-encryption ebs-encryption-by-default eu-west-1"] != Create || got["ebs-encryption ebs-encryption-by-default us-east-1"] != Unchanged {
		t.Fatalf("after turning it off in eu-west-1:\n%s", plan)
	}
	want := []Diff{{"EbsEncryptionByDefault", "false", "true"}}
	if d := changeOf(plan, "ebs-encryption", "ebs-encryption-by-default", "eu-west-1").Diffs; !slices.Equal(d, want) {
		t.Fatalf("diffs = %+v, want %+v", d, want)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatal(err)
	}
	if !ebsEncryptionOn(t, client) {
		t.Fatal("EBS encryption by default still off after repair")
	}
}

func ebsEncryptionOn(t *testing.T, client *ec2.Client) bool {
	t.Helper()
	out, err := client.GetEbsEncryptionByDefault(context.Background(), &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToBool(out.EbsEncryptionByDefault)
}
