package baseline

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var defaultVPCsItem = Item{
	Name:     "default-vpcs",
	Regional: true,
	Enabled:  func(s *Spec) bool { return s.Profile.Items.DefaultVPCs.Remove },
	Plan:     planDefaultVPC,
	Permissions: func(s *Spec) []iamStatement {
		out := []iamStatement{allow("EC2", anyResource,
			"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeInternetGateways", "ec2:DescribeNetworkInterfaces")}
		if s.Profile.Items.DefaultVPCs.Remove {
			// EC2 names no condition key for a default VPC, so where the
			// profile asks for their removal the role may delete any VPC;
			// elsewhere it may delete none.
			out = append(out, allow("EC2RemoveDefaultVPCs", anyResource,
				"ec2:DeleteSubnet", "ec2:DetachInternetGateway", "ec2:DeleteInternetGateway", "ec2:DeleteVpc"))
		}
		return out
	},
}

// The default VPC of one region, removed when nothing uses it. AWS creates
// a default VPC with public subnets and an internet gateway in every
// region, so an instance launched without thought is on the internet.
//
// A default VPC with any network interface is in use (an instance, a
// Lambda in the VPC, an endpoint, a load balancer all have one): it is
// reported as a Finding and never touched, because deleting a VPC cannot be
// undone. Only an empty one is deleted: its internet gateways are detached
// and deleted, then its subnets, then the VPC, which takes its default
// security group, network ACL and main route table with it.

// defaultVPC is an empty default VPC and what must go before it.
type defaultVPC struct {
	ID         string
	Gateways   []string
	Subnets    []string
	Interfaces []string // network interfaces; any means the VPC is in use
}

const defaultVPCResource = "default-vpc"

func planDefaultVPC(ctx context.Context, env *Env) ([]Change, error) {
	client := ec2.NewFromConfig(env.AWS)
	vpc, err := findDefaultVPC(ctx, client, env.Region)
	if awsx.NotFound(err) {
		return []Change{{Resource: defaultVPCResource, Action: Unchanged}}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(vpc.Interfaces) > 0 {
		return []Change{{Resource: defaultVPCResource, Action: Finding, Detail: fmt.Sprintf(
			"the default VPC %s in %s has %d network interfaces in use (%s), so landfall does not delete it: move what uses it to a VPC of your own, or set items.defaultVpcs.remove: false in profile %s",
			vpc.ID, env.Region, len(vpc.Interfaces), strings.Join(vpc.Interfaces, ", "), env.Spec.Profile.Name)}}, nil
	}
	return []Change{{
		Resource: defaultVPCResource, Action: Delete,
		Detail: fmt.Sprintf("the default VPC %s is empty, and profile %s sets items.defaultVpcs.remove", vpc.ID, env.Spec.Profile.Name),
		Apply:  func(ctx context.Context) error { return deleteDefaultVPC(ctx, client, vpc) },
	}}, nil
}

// deleteDefaultVPC deletes the VPC's dependencies in the order EC2 requires
// (https://docs.aws.amazon.com/vpc/latest/userguide/delete-vpc.html). A
// failure part way leaves a VPC the next plan finds again with fewer parts.
func deleteDefaultVPC(ctx context.Context, client *ec2.Client, vpc *defaultVPC) error {
	for _, igw := range vpc.Gateways {
		if _, err := client.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(vpc.ID)}); err != nil {
			return fmt.Errorf("detaching internet gateway %s from default VPC (%s): %w", igw, vpc.ID, err)
		}
		if _, err := client.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(igw)}); err != nil {
			return fmt.Errorf("deleting internet gateway (%s): %w", igw, err)
		}
	}
	for _, subnet := range vpc.Subnets {
		if _, err := client.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(subnet)}); err != nil {
			return fmt.Errorf("deleting subnet (%s): %w", subnet, err)
		}
	}
	if _, err := client.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpc.ID)}); err != nil {
		return fmt.Errorf("deleting default VPC (%s): %w", vpc.ID, err)
	}
	return nil
}

// findDefaultVPC returns the region's default VPC with its gateways,
// subnets and network interfaces, or a NotFoundError when the region has
// none.
func findDefaultVPC(ctx context.Context, client *ec2.Client, region string) (*defaultVPC, error) {
	var ids []string
	vpcs := ec2.NewDescribeVpcsPaginator(client, &ec2.DescribeVpcsInput{Filters: ec2Filter("is-default", "true")})
	for vpcs.HasMorePages() {
		page, err := vpcs.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing default VPCs (%s): %w", region, err)
		}
		for _, v := range page.Vpcs {
			ids = append(ids, aws.ToString(v.VpcId))
		}
	}
	if len(ids) == 0 {
		return nil, &awsx.NotFoundError{What: "default VPC (" + region + ")"}
	}
	vpc := &defaultVPC{ID: ids[0]}
	enis := ec2.NewDescribeNetworkInterfacesPaginator(client, &ec2.DescribeNetworkInterfacesInput{Filters: ec2Filter("vpc-id", vpc.ID)})
	for enis.HasMorePages() {
		page, err := enis.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing network interfaces of default VPC (%s): %w", vpc.ID, err)
		}
		for _, e := range page.NetworkInterfaces {
			vpc.Interfaces = append(vpc.Interfaces, aws.ToString(e.NetworkInterfaceId))
		}
	}
	igws := ec2.NewDescribeInternetGatewaysPaginator(client, &ec2.DescribeInternetGatewaysInput{Filters: ec2Filter("attachment.vpc-id", vpc.ID)})
	for igws.HasMorePages() {
		page, err := igws.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing internet gateways of default VPC (%s): %w", vpc.ID, err)
		}
		for _, g := range page.InternetGateways {
			vpc.Gateways = append(vpc.Gateways, aws.ToString(g.InternetGatewayId))
		}
	}
	subnets := ec2.NewDescribeSubnetsPaginator(client, &ec2.DescribeSubnetsInput{Filters: ec2Filter("vpc-id", vpc.ID)})
	for subnets.HasMorePages() {
		page, err := subnets.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing subnets of default VPC (%s): %w", vpc.ID, err)
		}
		for _, s := range page.Subnets {
			vpc.Subnets = append(vpc.Subnets, aws.ToString(s.SubnetId))
		}
	}
	return vpc, nil
}

func ec2Filter(name, value string) []ec2types.Filter {
	return []ec2types.Filter{{Name: aws.String(name), Values: []string{value}}}
}
