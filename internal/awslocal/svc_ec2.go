package awslocal

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// EC2 (ec2Query), following the Amazon EC2 API Reference
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/):
//
//   - GetEbsEncryptionByDefault, EnableEbsEncryptionByDefault,
//     DisableEbsEncryptionByDefault: API_GetEbsEncryptionByDefault.html (and Enable/Disable)
//   - DescribeRegions: API_DescribeRegions.html
//   - DescribeVpcs, DescribeSubnets, DescribeInternetGateways,
//     DescribeNetworkInterfaces, DescribeSecurityGroups, DescribeRouteTables,
//     DescribeNetworkAcls: API_Describe*.html, with the default VPC as
//     https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html describes it
//   - DetachInternetGateway, DeleteInternetGateway, DeleteSubnet, DeleteVpc:
//     API_DetachInternetGateway.html, API_DeleteInternetGateway.html,
//     API_DeleteSubnet.html, API_DeleteVpc.html and
//     https://docs.aws.amazon.com/vpc/latest/userguide/delete-vpc.html for the dependencies
//   - CreateTags, DescribeTags: API_CreateTags.html, API_DescribeTags.html
//   - error codes: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
//
// Known differences from AWS:
//   - Describe* operations always page at Options.PageSize (AWS returns
//     everything when MaxResults is omitted); a caller that follows
//     NextToken sees the same results.
//   - Filters match exact values only (no * or ? wildcards), and only the
//     filter names listed in ec2Filters; others answer InvalidParameterValue.
//   - DryRun answers DryRunOperation without checking the request further.
//   - The only way to create a network interface is the AddNetworkInterface
//     helper; instances, Elastic IPs and endpoints are absent.

func registerEC2(s *Server) {
	ops := map[string]handler{
		"GetEbsEncryptionByDefault":     ec2GetEbsEncryptionByDefault,
		"EnableEbsEncryptionByDefault":  ec2SetEbsEncryptionByDefault(true),
		"DisableEbsEncryptionByDefault": ec2SetEbsEncryptionByDefault(false),
		"DescribeRegions":               ec2DescribeRegions,
		"DescribeVpcs":                  ec2DescribeVpcs,
		"DescribeSubnets":               ec2DescribeSubnets,
		"DescribeInternetGateways":      ec2DescribeInternetGateways,
		"DescribeNetworkInterfaces":     ec2DescribeNetworkInterfaces,
		"DescribeSecurityGroups":        ec2DescribeSecurityGroups,
		"DescribeRouteTables":           ec2DescribeRouteTables,
		"DescribeNetworkAcls":           ec2DescribeNetworkAcls,
		"DetachInternetGateway":         ec2DetachInternetGateway,
		"DeleteInternetGateway":         ec2DeleteInternetGateway,
		"DeleteSubnet":                  ec2DeleteSubnet,
		"DeleteVpc":                     ec2DeleteVpc,
		"CreateTags":                    ec2CreateTags,
		"DescribeTags":                  ec2DescribeTags,
	}
	for name, h := range ops {
		ops[name] = ec2DryRun(h)
	}
	s.register(&service{
		name: "ec2", protocol: queryProtocol{ec2: true}, xmlns: "http://ec2.amazonaws.com/doc/2016-11-15/",
		throttle: *statusErrorf(http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded."),
		ops:      ops,
	})
}

// ec2DryRun answers DryRunOperation when the caller only asks whether it
// could make the request; every caller is authorized here.
func ec2DryRun(h handler) handler {
	return func(c *call) (doc, error) {
		if boolOr(c.in, "DryRun", false) {
			return nil, statusErrorf(http.StatusPreconditionFailed, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
		}
		return h(c)
	}
}

// ec2State is one account's EC2 resources in one region.
type ec2State struct {
	owner          string
	ebsByDefault   bool
	vpcs           map[string]*ec2VPC
	subnets        map[string]*ec2Subnet
	igws           map[string]*ec2IGW
	enis           map[string]*ec2ENI
	securityGroups map[string]*ec2SecurityGroup
	routeTables    map[string]*ec2RouteTable
	nacls          map[string]*ec2NACL
	tags           map[string]map[string]string // resource id -> tags
}

type ec2VPC struct {
	ID, CIDR, DHCPOptions string
	IsDefault             bool
}

type ec2Subnet struct {
	ID, VPC, CIDR, AZ string
	DefaultForAZ      bool
}

type ec2IGW struct {
	ID  string
	VPC string // attached VPC, "" when detached
}

type ec2ENI struct{ ID, VPC, Subnet, AZ string }

type ec2SecurityGroup struct {
	ID, Name, VPC, Description string
}

type ec2RouteTable struct {
	ID, VPC, MainAssociation string // MainAssociation is "" for a non-main table
}

type ec2NACL struct {
	ID, VPC string
	Default bool
}

// ec2Of returns the caller's EC2 state in the request's region; a region is
// first seen with its default VPC in place, as every account's regions are.
func ec2Of(c *call) *ec2State {
	return ec2StateFor(c.srv, c.account, c.region)
}

func ec2StateFor(s *Server, a *account, region string) *ec2State {
	return state(a, "ec2/"+region, func() *ec2State {
		st := &ec2State{
			owner: a.ID, vpcs: map[string]*ec2VPC{}, subnets: map[string]*ec2Subnet{}, igws: map[string]*ec2IGW{},
			enis: map[string]*ec2ENI{}, securityGroups: map[string]*ec2SecurityGroup{}, routeTables: map[string]*ec2RouteTable{},
			nacls: map[string]*ec2NACL{}, tags: map[string]map[string]string{},
		}
		st.addDefaultVPC(s, region)
		return st
	})
}

// addDefaultVPC creates the default VPC: 172.31.0.0/16, a /20 default subnet
// in each of three zones, an attached internet gateway, and the main route
// table, default network ACL and default security group.
func (st *ec2State) addDefaultVPC(s *Server, region string) {
	id := func(prefix string) string { return prefix + "-" + s.newID(17) }
	vpc := &ec2VPC{ID: id("vpc"), CIDR: "172.31.0.0/16", DHCPOptions: id("dopt"), IsDefault: true}
	st.vpcs[vpc.ID] = vpc
	for i, zone := range []string{"a", "b", "c"} {
		sn := &ec2Subnet{ID: id("subnet"), VPC: vpc.ID, CIDR: fmt.Sprintf("172.31.%d.0/20", 16*i), AZ: region + zone, DefaultForAZ: true}
		st.subnets[sn.ID] = sn
	}
	igw := &ec2IGW{ID: id("igw"), VPC: vpc.ID}
	st.igws[igw.ID] = igw
	rt := &ec2RouteTable{ID: id("rtb"), VPC: vpc.ID, MainAssociation: id("rtbassoc")}
	st.routeTables[rt.ID] = rt
	acl := &ec2NACL{ID: id("acl"), VPC: vpc.ID, Default: true}
	st.nacls[acl.ID] = acl
	sg := &ec2SecurityGroup{ID: id("sg"), Name: "default", VPC: vpc.ID, Description: "default VPC security group"}
	st.securityGroups[sg.ID] = sg
}

// AddNetworkInterface creates a network interface in the VPC's first subnet
// (by id), which makes the subnet and VPC "in use" the way a Lambda or an
// instance would. It returns the interface id.
func (s *Server) AddNetworkInterface(account, region, vpcID string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return "", fmt.Errorf("adding network interface (account %s): no such account", account)
	}
	st := ec2StateFor(s, a, region)
	var subnet *ec2Subnet
	for _, id := range sortedKeys(st.subnets) {
		if sn := st.subnets[id]; sn.VPC == vpcID {
			subnet = sn
			break
		}
	}
	if subnet == nil {
		return "", fmt.Errorf("adding network interface (vpc %s): no subnet of that VPC in %s/%s", vpcID, account, region)
	}
	eni := &ec2ENI{ID: "eni-" + s.newID(17), VPC: vpcID, Subnet: subnet.ID, AZ: subnet.AZ}
	st.enis[eni.ID] = eni
	return eni.ID, nil
}

func ec2GetEbsEncryptionByDefault(c *call) (doc, error) {
	return doc{"ebsEncryptionByDefault": ec2Of(c).ebsByDefault, "sseType": "sse-ebs"}, nil
}

func ec2SetEbsEncryptionByDefault(on bool) handler {
	return func(c *call) (doc, error) {
		ec2Of(c).ebsByDefault = on
		return doc{"ebsEncryptionByDefault": on}, nil
	}
}

// ec2Regions are the commercial regions; the second group needs opting in.
var (
	ec2DefaultRegions = []string{"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
		"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2"}
	ec2OptInRegions = []string{"af-south-1", "ap-east-1", "ap-south-2", "ap-southeast-3", "eu-central-2", "eu-south-1", "eu-south-2", "il-central-1", "me-central-1", "me-south-1"}
)

// DescribeRegions lists the regions enabled for the account, or all of them
// with AllRegions; opt-in regions are never enabled here.
func ec2DescribeRegions(c *call) (doc, error) {
	var items []ec2Item
	add := func(name, status string) {
		items = append(items, ec2Item{id: name,
			out:    doc{"regionName": name, "regionEndpoint": "ec2." + name + ".amazonaws.com", "optInStatus": status},
			filter: map[string][]string{"region-name": {name}, "opt-in-status": {status}, "endpoint": {"ec2." + name + ".amazonaws.com"}}})
	}
	for _, r := range ec2DefaultRegions {
		add(r, "opt-in-not-required")
	}
	names := strs(c.in, "RegionName")
	if boolOr(c.in, "AllRegions", false) || len(names) > 0 {
		for _, r := range ec2OptInRegions {
			add(r, "not-opted-in")
		}
	}
	var unknown []string
	for _, n := range names {
		if !slices.Contains(ec2DefaultRegions, n) && !slices.Contains(ec2OptInRegions, n) {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return nil, errorf("InvalidParameterValue", "Invalid region names: %s", strings.Join(unknown, ", "))
	}
	sel, err := ec2Select(c, items, "RegionName", nil)
	if err != nil {
		return nil, err
	}
	return doc{"regionInfo": anyList(sel, func(it ec2Item) any { return it.out })}, nil
}
