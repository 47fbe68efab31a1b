package awslocal

import (
	"slices"
	"sort"
	"strconv"
)

// EC2 Describe* operations: each builds its resources as items (response
// document plus filterable values), then selects by id, filters and page.

// ec2Item is one resource as a Describe operation sees it.
type ec2Item struct {
	id     string
	out    doc
	filter map[string][]string // filter name -> the resource's values
}

// ec2Select keeps the items the request's ids (idParam.N) and filters
// (Filter.N.Name / Filter.N.Value.M) name. An id that does not exist is an
// error, as in AWS; notFound is nil for resources that are not ids.
func ec2Select(c *call, items []ec2Item, idParam string, notFound func(id string) error) ([]ec2Item, error) {
	sort.Slice(items, func(i, j int) bool { return items[i].id < items[j].id })
	if ids := strs(c.in, idParam); len(ids) > 0 {
		byID := map[string]ec2Item{}
		for _, it := range items {
			byID[it.id] = it
		}
		var sel []ec2Item
		for _, id := range ids {
			it, ok := byID[id]
			if !ok && notFound != nil {
				return nil, notFound(id)
			}
			if ok {
				sel = append(sel, it)
			}
		}
		items = sel
	}
	filters := list(c.in, "Filter")
	known := map[string]bool{"tag-key": true}
	for _, it := range items {
		for name := range it.filter {
			known[name] = true
		}
	}
	var out []ec2Item
	for _, it := range items {
		keep := true
		for _, f := range filters {
			name := str(f, "Name")
			if !known[name] && !isTagFilter(name) {
				return nil, errorf("InvalidParameterValue", "The filter '%s' is invalid", name)
			}
			keep = keep && intersects(it.filter[name], strs(f, "Value"))
		}
		if keep {
			out = append(out, it)
		}
	}
	return out, nil
}

func isTagFilter(name string) bool { return len(name) > 4 && name[:4] == "tag:" }

func intersects(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

// ec2Describe selects and pages items into {setName: [...], nextToken}.
func ec2Describe(c *call, setName string, items []ec2Item, idParam string, notFound func(id string) error) (doc, error) {
	limit := 0
	if has(c.in, "MaxResults") {
		limit = intOr(c.in, "MaxResults", 0)
		if limit < 5 || limit > 1000 {
			return nil, errorf("InvalidParameterValue", "Value ( %s ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.", str(c.in, "MaxResults"))
		}
		if len(strs(c.in, idParam)) > 0 {
			return nil, errorf("InvalidParameterCombination", "The parameter %ss cannot be used with the parameter maxResults", lowerFirst(idParam))
		}
	}
	sel, err := ec2Select(c, items, idParam, notFound)
	if err != nil {
		return nil, err
	}
	sel, next, err := page(c.srv, sel, str(c.in, "NextToken"), limit, func() error {
		return errorf("InvalidPaginationToken", "Invalid pagination token")
	})
	if err != nil {
		return nil, err
	}
	out := doc{setName: anyList(sel, func(it ec2Item) any { return it.out })}
	return withToken(out, "nextToken", next), nil
}

// tagged adds a resource's tags to its item: tagSet in the response and the
// tag:<key> and tag-key filters.
func (st *ec2State) tagged(id string, out doc, filter map[string][]string) ec2Item {
	tags := st.tags[id]
	set := make([]any, 0, len(tags))
	for _, k := range sortedKeys(tags) {
		set = append(set, doc{"key": k, "value": tags[k]})
		filter["tag:"+k] = []string{tags[k]}
		filter["tag-key"] = append(filter["tag-key"], k)
	}
	out["tagSet"] = set
	out["ownerId"] = st.owner
	filter["owner-id"] = []string{st.owner}
	return ec2Item{id: id, out: out, filter: filter}
}

func ec2NotFound(code, what string) func(string) error {
	return func(id string) error {
		return errorf(code, "The %s '%s' does not exist", what, id)
	}
}

func ec2DescribeVpcs(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, v := range st.vpcs {
		items = append(items, st.tagged(v.ID, doc{
			"vpcId": v.ID, "cidrBlock": v.CIDR, "dhcpOptionsId": v.DHCPOptions, "state": "available",
			"instanceTenancy": "default", "isDefault": v.IsDefault,
			"cidrBlockAssociationSet": []any{doc{"associationId": "vpc-cidr-assoc-" + v.ID[4:], "cidrBlock": v.CIDR, "cidrBlockState": doc{"state": "associated"}}},
		}, map[string][]string{"vpc-id": {v.ID}, "isDefault": {strconv.FormatBool(v.IsDefault)}, "is-default": {strconv.FormatBool(v.IsDefault)},
			"cidr": {v.CIDR}, "cidr-block": {v.CIDR}, "state": {"available"}, "dhcp-options-id": {v.DHCPOptions}}))
	}
	return ec2Describe(c, "vpcSet", items, "VpcId", ec2NotFound("InvalidVpcID.NotFound", "vpc ID"))
}

func ec2DescribeSubnets(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, sn := range st.subnets {
		arn := "arn:aws:ec2:" + c.region + ":" + st.owner + ":subnet/" + sn.ID
		items = append(items, st.tagged(sn.ID, doc{
			"subnetId": sn.ID, "subnetArn": arn, "vpcId": sn.VPC, "cidrBlock": sn.CIDR, "availabilityZone": sn.AZ,
			"defaultForAz": sn.DefaultForAZ, "mapPublicIpOnLaunch": sn.DefaultForAZ, "state": "available",
			"availableIpAddressCount": 4091 - st.enisIn(func(e *ec2ENI) bool { return e.Subnet == sn.ID }),
		}, map[string][]string{"subnet-id": {sn.ID}, "vpc-id": {sn.VPC}, "availability-zone": {sn.AZ}, "availabilityZone": {sn.AZ},
			"default-for-az": {strconv.FormatBool(sn.DefaultForAZ)}, "defaultForAz": {strconv.FormatBool(sn.DefaultForAZ)},
			"cidr-block": {sn.CIDR}, "state": {"available"}, "subnet-arn": {arn}}))
	}
	return ec2Describe(c, "subnetSet", items, "SubnetId", ec2NotFound("InvalidSubnetID.NotFound", "subnet ID"))
}

func (st *ec2State) enisIn(match func(*ec2ENI) bool) int {
	n := 0
	for _, e := range st.enis {
		if match(e) {
			n++
		}
	}
	return n
}

func ec2DescribeInternetGateways(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, g := range st.igws {
		attachments, filter := []any{}, map[string][]string{"internet-gateway-id": {g.ID}}
		if g.VPC != "" {
			attachments = append(attachments, doc{"vpcId": g.VPC, "state": "available"})
			filter["attachment.vpc-id"] = []string{g.VPC}
			filter["attachment.state"] = []string{"available"}
		}
		items = append(items, st.tagged(g.ID, doc{"internetGatewayId": g.ID, "attachmentSet": attachments}, filter))
	}
	return ec2Describe(c, "internetGatewaySet", items, "InternetGatewayId", ec2NotFound("InvalidInternetGatewayID.NotFound", "internetGateway ID"))
}

func ec2DescribeNetworkInterfaces(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, e := range st.enis {
		items = append(items, st.tagged(e.ID, doc{
			"networkInterfaceId": e.ID, "vpcId": e.VPC, "subnetId": e.Subnet, "availabilityZone": e.AZ,
			"status": "in-use", "interfaceType": "interface", "description": "", "requesterManaged": false, "sourceDestCheck": true,
		}, map[string][]string{"network-interface-id": {e.ID}, "vpc-id": {e.VPC}, "subnet-id": {e.Subnet}, "availability-zone": {e.AZ}, "status": {"in-use"}}))
	}
	return ec2Describe(c, "networkInterfaceSet", items, "NetworkInterfaceId", ec2NotFound("InvalidNetworkInterfaceID.NotFound", "networkInterface ID"))
}

func ec2DescribeSecurityGroups(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, g := range st.securityGroups {
		items = append(items, st.tagged(g.ID, doc{
			"groupId": g.ID, "groupName": g.Name, "vpcId": g.VPC, "groupDescription": g.Description,
			"securityGroupArn":    "arn:aws:ec2:" + c.region + ":" + st.owner + ":security-group/" + g.ID,
			"ipPermissions":       []any{doc{"ipProtocol": "-1", "groups": []any{doc{"groupId": g.ID, "userId": st.owner}}}},
			"ipPermissionsEgress": []any{doc{"ipProtocol": "-1", "ipRanges": []any{doc{"cidrIp": "0.0.0.0/0"}}}},
		}, map[string][]string{"group-id": {g.ID}, "group-name": {g.Name}, "vpc-id": {g.VPC}, "description": {g.Description}}))
	}
	if names := strs(c.in, "GroupName"); len(names) > 0 {
		c.in["Filter"] = append(anyList(list(c.in, "Filter"), func(d doc) any { return d }), doc{"Name": "group-name", "Value": stringList(names)})
	}
	return ec2Describe(c, "securityGroupInfo", items, "GroupId", ec2NotFound("InvalidGroup.NotFound", "security group"))
}

func ec2DescribeRouteTables(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, rt := range st.routeTables {
		vpc := st.vpcs[rt.VPC]
		routes := []any{doc{"destinationCidrBlock": vpc.CIDR, "gatewayId": "local", "state": "active", "origin": "CreateRouteTable"}}
		// A default VPC's main table routes 0.0.0.0/0 to its gateway; the
		// route turns into a blackhole once the gateway is detached.
		if vpc.IsDefault && rt.MainAssociation != "" {
			for _, id := range sortedKeys(st.igws) {
				if g := st.igws[id]; g.VPC == vpc.ID {
					routes = append(routes, doc{"destinationCidrBlock": "0.0.0.0/0", "gatewayId": g.ID, "state": "active", "origin": "CreateRoute"})
				}
			}
		}
		assocs, main := []any{}, "false"
		if rt.MainAssociation != "" {
			main = "true"
			assocs = append(assocs, doc{"main": true, "routeTableAssociationId": rt.MainAssociation, "routeTableId": rt.ID, "associationState": doc{"state": "associated"}})
		}
		items = append(items, st.tagged(rt.ID, doc{"routeTableId": rt.ID, "vpcId": rt.VPC, "routeSet": routes, "associationSet": assocs, "propagatingVgwSet": []any{}},
			map[string][]string{"route-table-id": {rt.ID}, "vpc-id": {rt.VPC}, "association.main": {main}}))
	}
	return ec2Describe(c, "routeTableSet", items, "RouteTableId", ec2NotFound("InvalidRouteTableID.NotFound", "routeTable ID"))
}

func ec2DescribeNetworkAcls(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, acl := range st.nacls {
		var assocs []any
		for _, id := range sortedKeys(st.subnets) {
			if sn := st.subnets[id]; sn.VPC == acl.VPC && acl.Default {
				assocs = append(assocs, doc{"networkAclAssociationId": "aclassoc-" + sn.ID[7:], "networkAclId": acl.ID, "subnetId": sn.ID})
			}
		}
		entries := []any{}
		for _, egress := range []bool{false, true} {
			entries = append(entries,
				doc{"ruleNumber": 100, "protocol": "-1", "ruleAction": "allow", "egress": egress, "cidrBlock": "0.0.0.0/0"},
				doc{"ruleNumber": 32767, "protocol": "-1", "ruleAction": "deny", "egress": egress, "cidrBlock": "0.0.0.0/0"})
		}
		items = append(items, st.tagged(acl.ID, doc{"networkAclId": acl.ID, "vpcId": acl.VPC, "default": acl.Default, "entrySet": entries, "associationSet": assocs},
			map[string][]string{"network-acl-id": {acl.ID}, "vpc-id": {acl.VPC}, "default": {strconv.FormatBool(acl.Default)}}))
	}
	return ec2Describe(c, "networkAclSet", items, "NetworkAclId", ec2NotFound("InvalidNetworkAclID.NotFound", "network ACL"))
}

// resourceType names the resource behind an id for tagging; false when
// the id does not exist in the caller's region.
func (st *ec2State) resourceType(id string) (string, bool) {
	for typ, exists := range map[string]bool{
		"vpc": st.vpcs[id] != nil, "subnet": st.subnets[id] != nil, "internet-gateway": st.igws[id] != nil,
		"network-interface": st.enis[id] != nil, "security-group": st.securityGroups[id] != nil,
		"route-table": st.routeTables[id] != nil, "network-acl": st.nacls[id] != nil,
	} {
		if exists {
			return typ, true
		}
	}
	return "", false
}

func ec2CreateTags(c *call) (doc, error) {
	st := ec2Of(c)
	ids, tags := strs(c.in, "ResourceId"), list(c.in, "Tag")
	if len(ids) == 0 {
		return nil, errorf("MissingParameter", "The request must contain the parameter resourceIdSet")
	}
	for _, id := range ids {
		if _, ok := st.resourceType(id); !ok {
			return nil, errorf("InvalidID", "The ID '%s' is not valid", id)
		}
	}
	for _, t := range tags {
		k := str(t, "Key")
		if k == "" || len(k) > 128 || len(str(t, "Value")) > 256 {
			return nil, errorf("InvalidParameterValue", "Tag key must be 1 to 128 characters and value at most 256")
		}
		if len(k) >= 4 && k[:4] == "aws:" {
			return nil, errorf("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
		}
	}
	// Check the limit for every resource before changing any, so a failed
	// call leaves no tags behind.
	for _, id := range ids {
		merged := map[string]bool{}
		for k := range st.tags[id] {
			merged[k] = true
		}
		for _, t := range tags {
			merged[str(t, "Key")] = true
		}
		if len(merged) > 50 {
			return nil, errorf("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
		}
	}
	for _, id := range ids {
		if st.tags[id] == nil {
			st.tags[id] = map[string]string{}
		}
		for _, t := range tags {
			st.tags[id][str(t, "Key")] = str(t, "Value")
		}
	}
	return doc{"return": true}, nil
}

func ec2DescribeTags(c *call) (doc, error) {
	st := ec2Of(c)
	var items []ec2Item
	for _, id := range sortedKeys(st.tags) {
		typ, ok := st.resourceType(id)
		if !ok {
			continue
		}
		for _, k := range sortedKeys(st.tags[id]) {
			v := st.tags[id][k]
			items = append(items, ec2Item{id: id + "\x00" + k,
				out:    doc{"resourceId": id, "resourceType": typ, "key": k, "value": v},
				filter: map[string][]string{"resource-id": {id}, "resource-type": {typ}, "key": {k}, "value": {v}}})
		}
	}
	return ec2Describe(c, "tagSet", items, "", nil)
}
