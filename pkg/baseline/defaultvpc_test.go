package baseline

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/landfall/landfall/pkg/awsx"
)

// TestDefaultVPCs removes the empty default VPC of us-east-1 and reports the
// one in eu-west-1 that a network interface uses: the finding stays, and
// the runs after the first change nothing.
func TestDefaultVPCs(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.spec.Profile.Items.DefaultVPCs.Remove = true
	e := itemEngine("default-vpcs")
	east := ec2.NewFromConfig(awsx.InRegion(f.cfg, "us-east-1"))
	west := ec2.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
	eastVPC, westVPC := defaultVPCID(t, east), defaultVPCID(t, west)
	eni, err := f.srv.AddNetworkInterface(f.member, "eu-west-1", westVPC)
	if err != nil {
		t.Fatal(err)
	}

	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	removal := changeOf(plan, "default-vpcs", "default-vpc", "us-east-1")
	if removal.Action != Delete || !strings.Contains(removal.Detail, eastVPC) {
		t.Fatalf("us-east-1 = %s %q, want delete of %s", removal.Action, removal.Detail, eastVPC)
	}
	inUse := changeOf(plan, "default-vpcs", "default-vpc", "eu-west-1")
	if inUse.Action != Finding || !strings.Contains(inUse.Detail, westVPC) || !strings.Contains(inUse.Detail, eni) {
		t.Fatalf("eu-west-1 = %s %q, want a finding naming %s and %s", inUse.Action, inUse.Detail, westVPC, eni)
	}

	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if id := defaultVPCID(t, east); id != "" {
		t.Errorf("us-east-1 still has default VPC %s", id)
	}
	for _, check := range []struct {
		what string
		n    func() (int, error)
	}{
		{"subnets", func() (int, error) {
			out, err := east.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: ec2Filter("vpc-id", eastVPC)})
			return len(out.Subnets), err
		}},
		{"internet gateways", func() (int, error) {
			out, err := east.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: ec2Filter("attachment.vpc-id", eastVPC)})
			return len(out.InternetGateways), err
		}},
	} {
		if n, err := check.n(); err != nil || n != 0 {
			t.Errorf("us-east-1 %s of the removed VPC: %d (%v)", check.what, n, err)
		}
	}
	if id := defaultVPCID(t, west); id != westVPC {
		t.Errorf("eu-west-1 default VPC in use = %q after apply, want %s kept", id, westVPC)
	}

	again, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() || actions(again)["default-vpcs default-vpc us-east-1"] != Unchanged {
		t.Fatalf("plan after apply:\n%s", again)
	}
	f.srv.ResetCalls()
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatal(err)
	}
	for _, w := range countedWrites(f, "") {
		t.Errorf("second apply wrote: %s", w)
	}
}

func defaultVPCID(t *testing.T, client *ec2.Client) string {
	t.Helper()
	out, err := client.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{Filters: ec2Filter("is-default", "true")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Vpcs) == 0 {
		return ""
	}
	return aws.ToString(out.Vpcs[0].VpcId)
}
