package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestEC2DeleteDefaultVPC walks the deletion order landfall uses: detach and
// delete the gateway, delete the subnets, then the VPC; every step out of
// order answers DependencyViolation.
func TestEC2DeleteDefaultVPC(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ec2Client(t, s, u, mgmt, "eu-west-1")
	vpc := defaultVPC(t, c)
	igws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{ec2Filter("attachment.vpc-id", vpc)}})
	mustNoErr(t, err)
	igw := aws.ToString(igws.InternetGateways[0].InternetGatewayId)
	subnets, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []types.Filter{ec2Filter("vpc-id", vpc)}})
	mustNoErr(t, err)

	steps := []struct {
		name string
		run  func() error
		code string
	}{
		{"vpc with subnets and gateway", func() error {
			_, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
			return err
		}, "DependencyViolation"},
		{"attached gateway", func() error {
			_, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)})
			return err
		}, "DependencyViolation"},
		{"detach from unknown vpc", func() error {
			_, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String("vpc-00000000000000000")})
			return err
		}, "InvalidVpcID.NotFound"},
		{"detach", func() error {
			_, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)})
			return err
		}, ""},
		{"detach again", func() error {
			_, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc)})
			return err
		}, "Gateway.NotAttached"},
		{"delete gateway", func() error {
			_, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)})
			return err
		}, ""},
		{"delete gateway again", func() error {
			_, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)})
			return err
		}, "InvalidInternetGatewayID.NotFound"},
		{"vpc with subnets", func() error {
			_, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
			return err
		}, "DependencyViolation"},
		{"subnets", func() error {
			for _, sn := range subnets.Subnets {
				if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sn.SubnetId}); err != nil {
					return err
				}
			}
			return nil
		}, ""},
		{"vpc", func() error {
			_, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
			return err
		}, ""},
		{"vpc again", func() error {
			_, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
			return err
		}, "InvalidVpcID.NotFound"},
	}
	for _, st := range steps {
		err := st.run()
		if st.code == "" && err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if st.code != "" {
			wantCode(t, err, st.code)
		}
	}

	// The VPC's default security group, main route table and ACL went with it.
	sgs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	mustNoErr(t, err)
	rts, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{})
	mustNoErr(t, err)
	acls, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{})
	mustNoErr(t, err)
	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	mustNoErr(t, err)
	if len(sgs.SecurityGroups)+len(rts.RouteTables)+len(acls.NetworkAcls)+len(vpcs.Vpcs) != 0 {
		t.Fatalf("left behind: %d groups, %d route tables, %d ACLs, %d VPCs", len(sgs.SecurityGroups), len(rts.RouteTables), len(acls.NetworkAcls), len(vpcs.Vpcs))
	}
	// Other regions keep their default VPC.
	defaultVPC(t, ec2Client(t, s, u, mgmt, "us-east-1"))
}

func TestEC2NetworkInterfaceBlocksDeletion(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ec2Client(t, s, u, mgmt, "us-east-1")
	vpc := defaultVPC(t, c)
	eni, err := s.AddNetworkInterface(mgmt, "us-east-1", vpc)
	mustNoErr(t, err)
	if _, err := s.AddNetworkInterface(mgmt, "us-east-1", "vpc-00000000000000000"); err == nil {
		t.Fatal("AddNetworkInterface accepted an unknown VPC")
	}

	enis, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{ec2Filter("vpc-id", vpc)}})
	mustNoErr(t, err)
	if len(enis.NetworkInterfaces) != 1 || aws.ToString(enis.NetworkInterfaces[0].NetworkInterfaceId) != eni {
		t.Fatalf("network interfaces = %+v", enis.NetworkInterfaces)
	}
	_, err = c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: enis.NetworkInterfaces[0].SubnetId})
	wantCode(t, err, "DependencyViolation")
	_, err = c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String("subnet-00000000000000000")})
	wantCode(t, err, "InvalidSubnetID.NotFound")

	other, err := ec2Client(t, s, u, mgmt, "us-west-2").DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{})
	mustNoErr(t, err)
	if len(other.NetworkInterfaces) != 0 {
		t.Fatalf("interface visible in another region: %+v", other.NetworkInterfaces)
	}
}
