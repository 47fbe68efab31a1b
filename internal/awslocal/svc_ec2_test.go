package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func ec2Client(t *testing.T, s *Server, u, account, region string) *ec2.Client {
	return ec2.NewFromConfig(sdkConfig(t, s, u, account, region))
}

func ec2Filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

func defaultVPC(t *testing.T, c *ec2.Client) string {
	t.Helper()
	out, err := c.DescribeVpcs(context.Background(), &ec2.DescribeVpcsInput{Filters: []types.Filter{ec2Filter("isDefault", "true")}})
	mustNoErr(t, err)
	if len(out.Vpcs) != 1 {
		t.Fatalf("default VPCs = %d", len(out.Vpcs))
	}
	return aws.ToString(out.Vpcs[0].VpcId)
}

func TestEC2EbsEncryptionByDefault(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	east := ec2Client(t, s, u, mgmt, "us-east-1")
	get := func(c *ec2.Client) bool {
		t.Helper()
		out, err := c.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
		mustNoErr(t, err)
		return aws.ToBool(out.EbsEncryptionByDefault)
	}
	if get(east) {
		t.Fatal("EBS encryption by default starts enabled")
	}
	on, err := east.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{})
	mustNoErr(t, err)
	if !aws.ToBool(on.EbsEncryptionByDefault) || !get(east) {
		t.Fatal("EnableEbsEncryptionByDefault did not enable it")
	}
	// The setting is per account and region.
	if get(ec2Client(t, s, u, mgmt, "eu-west-1")) || get(ec2Client(t, s, u, foreignAccount, "us-east-1")) {
		t.Fatal("the setting leaked to another region or account")
	}
	_, err = east.DisableEbsEncryptionByDefault(ctx, &ec2.DisableEbsEncryptionByDefaultInput{})
	mustNoErr(t, err)
	if get(east) {
		t.Fatal("DisableEbsEncryptionByDefault did not disable it")
	}
	_, err = east.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	if get(east) {
		t.Fatal("a dry run changed the setting")
	}
}

func TestEC2DescribeRegions(t *testing.T) {
	s, u, _ := newTestServer(t)
	c := ec2Client(t, s, u, mgmt, "us-east-1")
	remove := s.InjectFault(Fault{Kind: Throttle, Service: "ec2", Operation: "DescribeRegions", FirstN: 1})
	_, err := c.DescribeRegions(context.Background(), &ec2.DescribeRegionsInput{})
	wantCode(t, err, "RequestLimitExceeded")
	remove()
	for _, tc := range []struct {
		name string
		in   ec2.DescribeRegionsInput
		want int
		code string
	}{
		{"enabled regions", ec2.DescribeRegionsInput{}, len(ec2DefaultRegions), ""},
		{"all regions", ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)}, len(ec2DefaultRegions) + len(ec2OptInRegions), ""},
		{"by name", ec2.DescribeRegionsInput{RegionNames: []string{"eu-west-1", "me-south-1"}}, 2, ""},
		{"by filter", ec2.DescribeRegionsInput{AllRegions: aws.Bool(true), Filters: []types.Filter{ec2Filter("opt-in-status", "not-opted-in")}}, len(ec2OptInRegions), ""},
		{"unknown name", ec2.DescribeRegionsInput{RegionNames: []string{"mars-north-1"}}, 0, "InvalidParameterValue"},
		{"unknown filter", ec2.DescribeRegionsInput{Filters: []types.Filter{ec2Filter("colour", "blue")}}, 0, "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.DescribeRegions(context.Background(), &tc.in)
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			mustNoErr(t, err)
			if len(out.Regions) != tc.want {
				t.Fatalf("regions = %d, want %d", len(out.Regions), tc.want)
			}
		})
	}
}

func TestEC2DefaultVPCShape(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ec2Client(t, s, u, mgmt, "us-east-1")
	vpc := defaultVPC(t, c)

	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})
	mustNoErr(t, err)
	if v := vpcs.Vpcs[0]; aws.ToString(v.CidrBlock) != "172.31.0.0/16" || !aws.ToBool(v.IsDefault) || aws.ToString(v.OwnerId) != mgmt {
		t.Fatalf("vpc = %+v", v)
	}
	subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{ec2Filter("vpc-id", vpc)}})
	mustNoErr(t, err)
	zones := map[string]bool{}
	for _, sn := range subnets.Subnets {
		zones[aws.ToString(sn.AvailabilityZone)] = aws.ToBool(sn.DefaultForAz)
	}
	if len(zones) != 3 || !zones["us-east-1a"] || !zones["us-east-1b"] || !zones["us-east-1c"] {
		t.Fatalf("default subnets by zone = %v", zones)
	}
	igws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{ec2Filter("attachment.vpc-id", vpc)}})
	mustNoErr(t, err)
	if len(igws.InternetGateways) != 1 || aws.ToString(igws.InternetGateways[0].Attachments[0].VpcId) != vpc {
		t.Fatalf("internet gateways = %+v", igws.InternetGateways)
	}
	sgs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{ec2Filter("vpc-id", vpc)}})
	mustNoErr(t, err)
	if len(sgs.SecurityGroups) != 1 || aws.ToString(sgs.SecurityGroups[0].GroupName) != "default" || len(sgs.SecurityGroups[0].IpPermissionsEgress) != 1 {
		t.Fatalf("security groups = %+v", sgs.SecurityGroups)
	}
	rts, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{ec2Filter("association.main", "true"), ec2Filter("vpc-id", vpc)}})
	mustNoErr(t, err)
	if len(rts.RouteTables) != 1 || !aws.ToBool(rts.RouteTables[0].Associations[0].Main) || len(rts.RouteTables[0].Routes) != 2 {
		t.Fatalf("route tables = %+v", rts.RouteTables)
	}
	acls, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{ec2Filter("default", "true")}})
	mustNoErr(t, err)
	if len(acls.NetworkAcls) != 1 || len(acls.NetworkAcls[0].Associations) != 3 || len(acls.NetworkAcls[0].Entries) != 4 {
		t.Fatalf("network ACLs = %+v", acls.NetworkAcls)
	}

	// Each account has its own default VPC; another's id is not found.
	other := ec2Client(t, s, u, foreignAccount, "us-east-1")
	if defaultVPC(t, other) == vpc {
		t.Fatal("two accounts share a default VPC id")
	}
	_, err = other.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})
	wantCode(t, err, "InvalidVpcID.NotFound")
	_, err = c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{ec2Filter("no-such-filter", "x")}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{"subnet-00000000000000000"}})
	wantCode(t, err, "InvalidSubnetID.NotFound")
}

func TestEC2TagsPaging(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ec2Client(t, s, u, mgmt, "us-east-1")
	vpc := defaultVPC(t, c)
	subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	mustNoErr(t, err)
	ids := []string{vpc}
	for _, sn := range subnets.Subnets {
		ids = append(ids, aws.ToString(sn.SubnetId))
	}
	tag := func(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }
	for _, tc := range []struct {
		name string
		ids  []string
		tags []types.Tag
		code string
	}{
		{"unknown resource", []string{"vpc-00000000000000000"}, []types.Tag{tag("landfall", "x")}, "InvalidID"},
		{"reserved key", ids, []types.Tag{tag("aws:owner", "x")}, "InvalidParameterValue"},
		{"tag vpc and subnets", ids, []types.Tag{tag("landfall", "default-vpc"), tag("team", "platform")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: tc.ids, Tags: tc.tags})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}

	tagged, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []types.Filter{ec2Filter("tag:landfall", "default-vpc")}})
	mustNoErr(t, err)
	if len(tagged.Vpcs) != 1 || len(tagged.Vpcs[0].Tags) != 2 {
		t.Fatalf("tagged VPCs = %+v", tagged.Vpcs)
	}
	// 4 resources x 2 tags = 8 tag descriptions, over two pages of 5.
	pages, n := 0, 0
	p := ec2.NewDescribeTagsPaginator(c, &ec2.DescribeTagsInput{MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		pages++
		n += len(out.Tags)
	}
	if pages != 2 || n != 8 {
		t.Fatalf("DescribeTags: %d pages, %d tags", pages, n)
	}
	byType, err := c.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []types.Filter{ec2Filter("resource-type", "vpc")}})
	mustNoErr(t, err)
	if len(byType.Tags) != 2 || byType.Tags[0].ResourceType != types.ResourceTypeVpc {
		t.Fatalf("vpc tags = %+v", byType.Tags)
	}
	_, err = c.DescribeTags(ctx, &ec2.DescribeTagsInput{MaxResults: aws.Int32(3)})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.DescribeTags(ctx, &ec2.DescribeTagsInput{NextToken: aws.String("bogus")})
	wantCode(t, err, "InvalidPaginationToken")
}
