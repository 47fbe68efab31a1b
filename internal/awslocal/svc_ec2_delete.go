package awslocal

import "net/http"

// EC2 deletions used to remove the default VPC, with the dependency checks
// AWS makes (see the operation list in svc_ec2.go).

func ec2DetachInternetGateway(c *call) (doc, error) {
	st := ec2Of(c)
	igwID, vpcID := str(c.in, "InternetGatewayId"), str(c.in, "VpcId")
	g := st.igws[igwID]
	if g == nil {
		return nil, ec2NotFound("InvalidInternetGatewayID.NotFound", "internetGateway ID")(igwID)
	}
	if st.vpcs[vpcID] == nil {
		return nil, ec2NotFound("InvalidVpcID.NotFound", "vpc ID")(vpcID)
	}
	if g.VPC != vpcID {
		return nil, errorf("Gateway.NotAttached", "resource %s is not attached to network %s", igwID, vpcID)
	}
	g.VPC = ""
	return doc{"return": true}, nil
}

func ec2DeleteInternetGateway(c *call) (doc, error) {
	st := ec2Of(c)
	id := str(c.in, "InternetGatewayId")
	g := st.igws[id]
	if g == nil {
		return nil, ec2NotFound("InvalidInternetGatewayID.NotFound", "internetGateway ID")(id)
	}
	if g.VPC != "" {
		return nil, errDependency("internetGateway", id)
	}
	delete(st.igws, id)
	delete(st.tags, id)
	return doc{"return": true}, nil
}

func ec2DeleteSubnet(c *call) (doc, error) {
	st := ec2Of(c)
	id := str(c.in, "SubnetId")
	if st.subnets[id] == nil {
		return nil, ec2NotFound("InvalidSubnetID.NotFound", "subnet ID")(id)
	}
	if st.enisIn(func(e *ec2ENI) bool { return e.Subnet == id }) > 0 {
		return nil, errDependency("subnet", id)
	}
	delete(st.subnets, id)
	delete(st.tags, id)
	return doc{"return": true}, nil
}

// DeleteVpc refuses while anything but the VPC's own defaults remains:
// subnets, attached gateways, network interfaces, and security groups, route
// tables or network ACLs the user created. The defaults go with the VPC.
func ec2DeleteVpc(c *call) (doc, error) {
	st := ec2Of(c)
	id := str(c.in, "VpcId")
	if st.vpcs[id] == nil {
		return nil, ec2NotFound("InvalidVpcID.NotFound", "vpc ID")(id)
	}
	inUse := st.enisIn(func(e *ec2ENI) bool { return e.VPC == id }) > 0
	for _, sn := range st.subnets {
		inUse = inUse || sn.VPC == id
	}
	for _, g := range st.igws {
		inUse = inUse || g.VPC == id
	}
	for _, g := range st.securityGroups {
		inUse = inUse || g.VPC == id && g.Name != "default"
	}
	for _, rt := range st.routeTables {
		inUse = inUse || rt.VPC == id && rt.MainAssociation == ""
	}
	for _, acl := range st.nacls {
		inUse = inUse || acl.VPC == id && !acl.Default
	}
	if inUse {
		return nil, errDependency("vpc", id)
	}
	for gid, g := range st.securityGroups {
		if g.VPC == id {
			delete(st.securityGroups, gid)
			delete(st.tags, gid)
		}
	}
	for rid, rt := range st.routeTables {
		if rt.VPC == id {
			delete(st.routeTables, rid)
			delete(st.tags, rid)
		}
	}
	for aid, acl := range st.nacls {
		if acl.VPC == id {
			delete(st.nacls, aid)
			delete(st.tags, aid)
		}
	}
	delete(st.vpcs, id)
	delete(st.tags, id)
	return doc{"return": true}, nil
}

// errDependency is EC2's answer when a resource is still in use.
func errDependency(kind, id string) error {
	return statusErrorf(http.StatusBadRequest, "DependencyViolation", "The %s '%s' has dependencies and cannot be deleted.", kind, id)
}
