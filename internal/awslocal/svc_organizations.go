package awslocal

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Organizations (JSON 1.1), following the AWS Organizations API Reference.
// The organization lives in the management account. CreateAccount is
// asynchronous: it answers IN_PROGRESS and finishes after
// Options.AccountCreationDelay, creating the member account with its entry
// role and emitting the CreateAccountResult event in us-east-1, as
// Organizations does (only in us-east-1). Its write calls reach EventBridge
// as "AWS API Call via CloudTrail" only while a trail records them ("Events
// from AWS services", EventBridge User Guide: a trail with logging enabled
// is required), see recordsGlobalAPICallLocked. Each call is recorded in
// the account that makes it: InviteAccountToOrganization in the management
// account, AcceptHandshake and DeclineHandshake in the invited account
// (AcceptHandshake API reference). Organizations also logs an
// AccountJoinedOrganization event in the management account when an
// invitation is accepted, but AWS does not document its record, so the
// endpoint does not emit it and landfall does not rely on it; the
// management account follows an invitation with DescribeHandshake.

type organization struct {
	ID, RootID string
	created    time.Time
	ous        map[string]*orgUnit
	parent     map[string]string // account or OU id -> parent id
	joined     map[string]time.Time
	method     map[string]string // CREATED | INVITED
	creates    map[string]doc    // create-account request id -> status
	handshakes map[string]doc
	tags       map[string]map[string]string // by root, OU, account or policy id

	policies    map[string]*orgPolicy // by id
	attached    map[string][]string   // root, OU or account id -> policy ids
	policyTypes map[string]bool       // enabled on the root
}

type orgUnit struct{ ID, Name, Parent string }

func registerOrganizations(s *Server) {
	s.register(&service{
		name: "organizations", protocol: jsonProtocol{version: "1.1"}, unknownOp: "UnknownOperationException",
		throttle: *errorf("TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress."),
		ops: map[string]handler{
			"CreateOrganization": orgCreateOrganization, "DescribeOrganization": orgDescribeOrganization,
			"ListRoots": orgListRoots, "CreateOrganizationalUnit": orgCreateOU, "DescribeOrganizationalUnit": orgDescribeOU,
			"ListOrganizationalUnitsForParent": orgListOUsForParent, "ListParents": orgListParents,
			"CreateAccount": orgCreateAccount, "DescribeCreateAccountStatus": orgDescribeCreateAccountStatus,
			"DescribeAccount": orgDescribeAccount, "ListAccounts": orgListAccounts, "ListAccountsForParent": orgListAccountsForParent,
			"MoveAccount": orgMoveAccount, "TagResource": orgTagResource, "UntagResource": orgUntagResource,
			"ListTagsForResource":         orgListTagsForResource,
			"InviteAccountToOrganization": orgInviteAccount, "AcceptHandshake": orgAcceptHandshake,
			"DescribeHandshake": orgDescribeHandshake, "DeclineHandshake": orgDeclineHandshake,
			"CloseAccount": orgCloseAccount, "RemoveAccountFromOrganization": orgRemoveAccount,
			"EnablePolicyType": orgEnablePolicyType, "DisablePolicyType": orgDisablePolicyType,
			"CreatePolicy": orgCreatePolicy, "UpdatePolicy": orgUpdatePolicy, "DescribePolicy": orgDescribePolicy,
			"ListPolicies": orgListPolicies, "AttachPolicy": orgAttachPolicy, "DetachPolicy": orgDetachPolicy,
			"ListPoliciesForTarget": orgListPoliciesForTarget, "ListTargetsForPolicy": orgListTargetsForPolicy,
			"DeletePolicy": orgDeletePolicy,
		},
	})
}

// AccountCreationDelay is how long CreateAccount stays IN_PROGRESS. AWS's
// documented example finishes in about 3 seconds; new accounts then take
// longer to become usable, which MakeUnreachable models.
const AccountCreationDelay = 3 * time.Second

func (s *Server) orgIDOf(accountID string) string {
	if s.org == nil {
		return ""
	}
	if accountID == s.opts.ManagementAccountID {
		return s.org.ID
	}
	if _, ok := s.org.parent[accountID]; ok {
		return s.org.ID
	}
	return ""
}

// ancestors are the root and the OUs above an account or OU, root first.
func (o *organization) ancestors(id string) []string {
	var up []string
	for p := o.parent[id]; p != ""; p = o.parent[p] {
		up = append(up, p)
	}
	slices.Reverse(up)
	return up
}

// addOrgKeysLocked adds the organization keys of account to ctx, with the
// prefix aws:Principal or aws:Resource: its organization (OrgID) and its
// path in it (OrgPaths: the organization, the root and each OU down to
// the account's parent, each followed by "/"), when the account belongs
// to the organization ("AWS global condition context keys", IAM User
// Guide).
func (s *Server) addOrgKeysLocked(ctx map[string][]string, prefix, account string) {
	orgID := s.orgIDOf(account)
	if orgID == "" {
		return
	}
	ctx[prefix+"OrgID"] = []string{orgID}
	ctx[prefix+"OrgPaths"] = []string{orgID + "/" + strings.Join(s.org.ancestors(account), "/") + "/"}
}

// orgFor returns the organization when the caller belongs to it; member
// accounts may describe it, only the management account may manage it.
func orgFor(c *call, manage bool) (*organization, error) {
	o := c.srv.org
	if o == nil || c.srv.orgIDOf(c.account.ID) == "" {
		return nil, errorf("AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	if manage && c.account.ID != c.srv.opts.ManagementAccountID {
		return nil, errorf("AccessDeniedException", "You don't have permissions to access this resource.")
	}
	return o, nil
}

func orgCreateOrganization(c *call) (doc, error) {
	s := c.srv
	if s.org != nil {
		return nil, errorf("AlreadyInOrganizationException", "The provided account is already a member of an organization.")
	}
	if c.account.ID != s.opts.ManagementAccountID {
		return nil, errorf("AccessDeniedException", "only the management account configured for the endpoint can create the organization")
	}
	id := s.opts.OrganizationID
	if id == "" {
		id = "o-" + s.newID(10)
	}
	s.org = &organization{
		ID: id, RootID: "r-" + s.newID(4), created: s.now(),
		ous: map[string]*orgUnit{}, parent: map[string]string{}, joined: map[string]time.Time{}, method: map[string]string{},
		creates: map[string]doc{}, handshakes: map[string]doc{}, tags: map[string]map[string]string{},
		policies: map[string]*orgPolicy{fullAWSAccessID: newFullAWSAccess()}, attached: map[string][]string{}, policyTypes: map[string]bool{},
	}
	s.org.parent[c.account.ID] = s.org.RootID
	s.org.joined[c.account.ID] = s.now()
	s.org.method[c.account.ID] = "CREATED"
	return doc{"Organization": orgOut(c)}, nil
}

func orgOut(c *call) doc {
	o, m := c.srv.org, c.srv.opts.ManagementAccountID
	return doc{
		"Id": o.ID, "Arn": "arn:aws:organizations::" + m + ":organization/" + o.ID, "FeatureSet": "ALL",
		"MasterAccountId": m, "MasterAccountArn": "arn:aws:organizations::" + m + ":account/" + o.ID + "/" + m,
		"MasterAccountEmail": c.srv.accounts[m].Email,
	}
}

func orgDescribeOrganization(c *call) (doc, error) {
	if _, err := orgFor(c, false); err != nil {
		return nil, err
	}
	return doc{"Organization": orgOut(c)}, nil
}

func orgPage(c *call, key string, items []any) (doc, error) {
	pg, next, err := page(c.srv, items, str(c.in, "NextToken"), intOr(c.in, "MaxResults", 20), func() error {
		return errorf("InvalidInputException", "You provided an invalid value for the NextToken parameter.")
	})
	if err != nil {
		return nil, err
	}
	out := doc{key: pg}
	if pg == nil {
		out[key] = []any{}
	}
	return withToken(out, "NextToken", next), nil
}

func orgListRoots(c *call) (doc, error) {
	if _, err := orgFor(c, true); err != nil {
		return nil, err
	}
	return orgPage(c, "Roots", []any{rootOut(c)})
}

// rootOut describes the root, with the policy types enabled on it.
func rootOut(c *call) doc {
	o := c.srv.org
	types := []any{}
	if o.scpsEnabled() {
		types = append(types, doc{"Type": scpType, "Status": "ENABLED"})
	}
	return doc{"Id": o.RootID, "Name": "Root", "PolicyTypes": types,
		"Arn": "arn:aws:organizations::" + c.srv.opts.ManagementAccountID + ":root/" + o.ID + "/" + o.RootID}
}

// parentsExist answers as Organizations does when any of ids is neither the
// root nor an OU.
func (o *organization) parentsExist(ids ...string) error {
	for _, id := range ids {
		if _, isOU := o.ous[id]; id != o.RootID && !isOU {
			return errorf("ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
		}
	}
	return nil
}

func ouOut(c *call, u *orgUnit) doc {
	m := c.srv.opts.ManagementAccountID
	return doc{"Id": u.ID, "Name": u.Name, "Arn": "arn:aws:organizations::" + m + ":ou/" + c.srv.org.ID + "/" + u.ID}
}

// orgParent is the preamble of the calls about one parent: the caller's
// organization and the request's ParentId, which must exist.
func orgParent(c *call) (*organization, string, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, "", err
	}
	parent := str(c.in, "ParentId")
	if err := o.parentsExist(parent); err != nil {
		return nil, "", err
	}
	return o, parent, nil
}

func orgCreateOU(c *call) (doc, error) {
	o, parent, err := orgParent(c)
	if err != nil {
		return nil, err
	}
	name := str(c.in, "Name")
	if name == "" || len(name) > 128 {
		return nil, errorf("InvalidInputException", "OU name must be 1 to 128 characters.")
	}
	for _, u := range o.ous {
		if u.Parent == parent && u.Name == name {
			return nil, errorf("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
		}
	}
	u := &orgUnit{ID: "ou-" + o.RootID[2:] + "-" + c.srv.newID(8), Name: name, Parent: parent}
	o.ous[u.ID] = u
	o.join(u.ID, parent)
	o.tags[u.ID] = tagList(c.in, "Tags")
	return doc{"OrganizationalUnit": ouOut(c, u)}, nil
}

func orgDescribeOU(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	u, ok := o.ous[str(c.in, "OrganizationalUnitId")]
	if !ok {
		return nil, errorf("OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
	}
	return doc{"OrganizationalUnit": ouOut(c, u)}, nil
}

func orgListOUsForParent(c *call) (doc, error) {
	o, parent, err := orgParent(c)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, id := range sortedKeys(o.ous) {
		if o.ous[id].Parent == parent {
			out = append(out, ouOut(c, o.ous[id]))
		}
	}
	return orgPage(c, "OrganizationalUnits", out)
}

func orgListParents(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	child := str(c.in, "ChildId")
	p, ok := o.parent[child]
	if !ok {
		return nil, errorf("ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	typ := "ORGANIZATIONAL_UNIT"
	if p == o.RootID {
		typ = "ROOT"
	}
	return orgPage(c, "Parents", []any{doc{"Id": p, "Type": typ}})
}

var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

func orgCreateAccount(c *call) (doc, error) {
	s := c.srv
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	name, email := str(c.in, "AccountName"), str(c.in, "Email")
	if name == "" || len(name) > 50 || !emailPattern.MatchString(email) {
		return nil, errorf("ConstraintViolationException", "AccountName must be 1-50 characters and Email a valid address.")
	}
	roleName := strOr(c.in, "RoleName", "OrganizationAccountAccessRole")
	id := "car-" + s.newID(32)
	status := doc{"Id": id, "AccountName": name, "State": "IN_PROGRESS", "RequestedTimestamp": s.now()}
	o.creates[id] = status
	tags := tagList(c.in, "Tags")
	s.afterLocked(AccountCreationDelay, func() { s.finishCreateAccount(status, email, roleName, tags) })
	return doc{"CreateAccountStatus": copyDoc(status)}, nil
}

// finishCreateAccount completes CreateAccount: AWS fails it when the email
// is already used by another account.
func (s *Server) finishCreateAccount(status doc, email, roleName string, tags map[string]string) {
	o := s.org
	status["CompletedTimestamp"] = s.now()
	for _, a := range s.accounts {
		if strings.EqualFold(a.Email, email) {
			status["State"], status["FailureReason"] = "FAILED", "EMAIL_ALREADY_EXISTS"
			s.emitCreateAccountResult(status)
			return
		}
	}
	id := ""
	for id == "" || s.accounts[id] != nil {
		id = s.newDigits(12)
	}
	a := s.addAccount(id, str(status, "AccountName"), email)
	s.faults.mu.Lock()
	delay := s.faults.nextAccountDelay
	s.faults.nextAccountDelay = nil
	s.faults.mu.Unlock()
	if delay != nil {
		s.MakeUnreachable(id, *delay)
	}
	o.join(id, o.RootID)
	o.joined[id] = s.now()
	o.method[id] = "CREATED"
	o.tags[id] = tags
	m := s.opts.ManagementAccountID
	iamOf(a).roles[roleName] = &iamRole{
		Name: roleName, Path: "/", ID: "AROA" + strings.ToUpper(s.newID(17)), MaxSession: 3600, Created: s.now(),
		Trust:       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + m + `:root"},"Action":"sts:AssumeRole"}]}`,
		iamPolicies: iamPolicies{Inline: map[string]string{}, Attached: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}},
	}
	status["State"], status["AccountId"] = "SUCCEEDED", id
	s.emitCreateAccountResult(status)
}

func (s *Server) newDigits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + s.rng.IntN(10))
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// orgTimestamp is the layout Organizations uses inside service events
// ("May 17, 2022 10:47:37 AM"), unlike its API's epoch seconds.
const orgTimestamp = "Jan 2, 2006 3:04:05 PM"

func (s *Server) emitCreateAccountResult(status doc) {
	m := s.opts.ManagementAccountID
	st := doc{"id": status["Id"], "state": status["State"], "accountName": status["AccountName"],
		"requestedTimestamp": status["RequestedTimestamp"].(time.Time).Format(orgTimestamp),
		"completedTimestamp": status["CompletedTimestamp"].(time.Time).Format(orgTimestamp)}
	if v := str(status, "AccountId"); v != "" {
		st["accountId"] = v
	}
	if v := str(status, "FailureReason"); v != "" {
		st["failureReason"] = v
	}
	s.emitServiceEvent(m, "us-east-1", "aws.organizations", "AWS Service Event via CloudTrail", doc{
		"eventVersion": "1.08", "userIdentity": doc{"accountId": m, "invokedBy": "AWS Internal"},
		"eventTime": s.now().Format(time.RFC3339), "eventSource": "organizations.amazonaws.com",
		"eventName": "CreateAccountResult", "awsRegion": "us-east-1", "sourceIPAddress": "AWS Internal",
		"userAgent": "AWS Internal", "eventID": s.uuid(), "readOnly": false, "eventType": "AwsServiceEvent",
		"managementEvent": true, "recipientAccountId": m, "eventCategory": "Management",
		"serviceEventDetails": doc{"createAccountStatus": st},
	})
}

// emitAPICallEvent is the "AWS API Call via CloudTrail" event for a write
// call, as EventBridge receives it from CloudTrail: only where a trail
// records it.
func (s *Server) emitAPICallEvent(c *call, source string, request, response doc) {
	if !s.recordsGlobalAPICallLocked(c.account.ID) {
		return
	}
	s.emitServiceEvent(c.account.ID, "us-east-1", source, "AWS API Call via CloudTrail", doc{
		"eventVersion": "1.08",
		"userIdentity": doc{"type": c.principal.Type, "principalId": c.principal.UserID, "arn": c.principal.ARN, "accountId": c.principal.AccountID},
		"eventTime":    s.now().Format(time.RFC3339), "eventSource": strings.TrimPrefix(source, "aws.") + ".amazonaws.com",
		"eventName": c.op, "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.10", "userAgent": "aws-sdk-go-v2",
		"requestParameters": request, "responseElements": response, "eventID": s.uuid(), "readOnly": false,
		"eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": c.account.ID, "eventCategory": "Management",
	})
}

func (s *Server) emitServiceEvent(account, region, source, detailType string, detail doc) {
	if s.hooks.putEvent == nil {
		return
	}
	s.hooks.putEvent(account, region, doc{
		"version": "0", "id": s.uuid(), "detail-type": detailType, "source": source, "account": account,
		"time": s.now().Format(time.RFC3339), "region": region, "resources": []any{}, "detail": detail,
	})
}

func (s *Server) uuid() string {
	h := s.newID(32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func copyDoc(d doc) doc {
	out := make(doc, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}

func orgDescribeCreateAccountStatus(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	st, ok := o.creates[str(c.in, "CreateAccountRequestId")]
	if !ok {
		return nil, errorf("CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified.")
	}
	return doc{"CreateAccountStatus": copyDoc(st)}, nil
}

func accountOut(c *call, a *account) doc {
	o, m := c.srv.org, c.srv.opts.ManagementAccountID
	status := a.Status
	return doc{
		"Id": a.ID, "Arn": "arn:aws:organizations::" + m + ":account/" + o.ID + "/" + a.ID, "Email": a.Email,
		"Name": a.Name, "Status": status, "State": status, "JoinedMethod": o.method[a.ID], "JoinedTimestamp": o.joined[a.ID],
	}
}

// orgMember is the organization and the member account named by
// AccountId, for the management account only.
func orgMember(c *call) (*organization, *account, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, nil, err
	}
	a, err := memberAccount(c, o)
	return o, a, err
}

func memberAccount(c *call, o *organization) (*account, error) {
	id := str(c.in, "AccountId")
	a := c.srv.accounts[id]
	if _, member := o.parent[id]; a == nil || !member {
		return nil, errorf("AccountNotFoundException", "You specified an account that doesn't exist.")
	}
	return a, nil
}

func orgDescribeAccount(c *call) (doc, error) {
	_, a, err := orgMember(c)
	if err != nil {
		return nil, err
	}
	return doc{"Account": accountOut(c, a)}, nil
}

func (o *organization) members() []string {
	var ids []string
	for id := range o.parent {
		if !strings.HasPrefix(id, "ou-") {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func orgListAccounts(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	return orgPage(c, "Accounts", anyList(o.members(), func(id string) any { return accountOut(c, c.srv.accounts[id]) }))
}

func orgListAccountsForParent(c *call) (doc, error) {
	o, parent, err := orgParent(c)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, id := range o.members() {
		if o.parent[id] == parent {
			out = append(out, accountOut(c, c.srv.accounts[id]))
		}
	}
	return orgPage(c, "Accounts", out)
}

func orgMoveAccount(c *call) (doc, error) {
	o, a, err := orgMember(c)
	if err != nil {
		return nil, err
	}
	src, dst := str(c.in, "SourceParentId"), str(c.in, "DestinationParentId")
	if err := o.parentsExist(src, dst); err != nil {
		return nil, err
	}
	if o.parent[a.ID] != src {
		return nil, errorf("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
	}
	if src == dst {
		return nil, errorf("DuplicateAccountException", "That account is already present in the specified destination.")
	}
	o.parent[a.ID] = dst
	c.srv.emitAPICallEvent(c, "aws.organizations", doc{"accountId": a.ID, "sourceParentId": src, "destinationParentId": dst}, nil)
	return nil, nil
}

// targetExists answers as Organizations does when id is neither the root
// nor one of the organization's OUs and accounts.
func (o *organization) targetExists(id string) error {
	if _, ok := o.parent[id]; !ok && id != o.RootID {
		return errorf("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
	}
	return nil
}

func orgTargetTags(c *call, o *organization) (map[string]string, error) {
	id := str(c.in, "ResourceId")
	if err := o.targetExists(id); err != nil {
		return nil, err
	}
	if o.tags[id] == nil {
		o.tags[id] = map[string]string{}
	}
	return o.tags[id], nil
}

// orgResourceTags is the tag map of the root, OU or account named by
// ResourceId, for the management account only.
func orgResourceTags(c *call) (map[string]string, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	return orgTargetTags(c, o)
}

func orgTagResource(c *call) (doc, error) {
	tags, err := orgResourceTags(c)
	if err != nil {
		return nil, err
	}
	for k, v := range tagList(c.in, "Tags") {
		tags[k] = v
	}
	return nil, nil
}

func orgUntagResource(c *call) (doc, error) {
	tags, err := orgResourceTags(c)
	if err != nil {
		return nil, err
	}
	for _, k := range strs(c.in, "TagKeys") {
		delete(tags, k)
	}
	return nil, nil
}

func orgListTagsForResource(c *call) (doc, error) {
	tags, err := orgResourceTags(c)
	if err != nil {
		return nil, err
	}
	return orgPage(c, "Tags", tagsOut(tags))
}

func orgInviteAccount(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	target := obj(c.in, "Target")
	id := str(target, "Id")
	a := c.srv.accounts[id]
	if str(target, "Type") != "ACCOUNT" || a == nil {
		return nil, errorf("InvalidInputException", "Target must be an existing ACCOUNT id.")
	}
	if c.srv.orgIDOf(id) != "" {
		return nil, errorf("DuplicateAccountException", "That account is already present in the organization.")
	}
	h := doc{"Id": "h-" + c.srv.newID(32), "State": "OPEN", "Action": "INVITE",
		"Parties":            []any{doc{"Id": o.ID, "Type": "ORGANIZATION"}, doc{"Id": id, "Type": "ACCOUNT"}},
		"RequestedTimestamp": c.srv.now(), "ExpirationTimestamp": c.srv.now().Add(15 * 24 * time.Hour)}
	h["Arn"] = "arn:aws:organizations::" + c.srv.opts.ManagementAccountID + ":handshake/" + o.ID + "/invite/" + str(h, "Id")
	o.handshakes[str(h, "Id")] = h
	c.srv.emitAPICallEvent(c, "aws.organizations", doc{"target": doc{"type": "ACCOUNT", "id": id}}, doc{"handshake": handshakeRecord(h)})
	return doc{"Handshake": copyDoc(h)}, nil
}

// handshakeRecord is a handshake as CloudTrail records it in an event:
// lower-case keys and action, as in the InviteAccountToOrganization example
// of "Logging and monitoring in AWS Organizations".
func handshakeRecord(h doc) doc {
	var parties []any
	for _, p := range list(h, "Parties") {
		parties = append(parties, doc{"id": str(p, "Id"), "type": str(p, "Type")})
	}
	return doc{"id": h["Id"], "arn": h["Arn"], "state": h["State"], "action": strings.ToLower(str(h, "Action")), "parties": parties}
}

// invitedHandshake is the handshake named by HandshakeId, if the caller is
// its invited account or the management account that sent it; an OPEN
// handshake past its expiration becomes EXPIRED, as AWS reports it.
func invitedHandshake(c *call) (doc, error) {
	var h doc
	if o := c.srv.org; o != nil {
		h = o.handshakes[str(c.in, "HandshakeId")]
	}
	if h == nil || c.account.ID != c.srv.opts.ManagementAccountID && c.account.ID != str(list(h, "Parties")[1], "Id") {
		return nil, errorf("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")
	}
	if exp, ok := h["ExpirationTimestamp"].(time.Time); ok && str(h, "State") == "OPEN" && c.srv.now().After(exp) {
		h["State"] = "EXPIRED"
	}
	return h, nil
}

func orgDescribeHandshake(c *call) (doc, error) {
	h, err := invitedHandshake(c)
	if err != nil {
		return nil, err
	}
	return doc{"Handshake": copyDoc(h)}, nil
}

func orgAcceptHandshake(c *call) (doc, error)  { return answerInvitation(c, "ACCEPTED") }
func orgDeclineHandshake(c *call) (doc, error) { return answerInvitation(c, "DECLINED") }

// answerInvitation is the invited account's answer to an open invitation;
// accepting joins the root. CloudTrail records the call in the invited
// account, so the event goes to that account's bus, not the management
// account's.
func answerInvitation(c *call, state string) (doc, error) {
	h, err := invitedHandshake(c)
	if err != nil {
		return nil, err
	}
	if c.account.ID == c.srv.opts.ManagementAccountID {
		return nil, errorf("AccessDeniedException", "You don't have permissions to answer this handshake.")
	}
	if str(h, "State") != "OPEN" {
		return nil, errorf("InvalidHandshakeTransitionException", "You can't perform the operation on the handshake in its current state.")
	}
	h["State"] = state
	if state == "ACCEPTED" {
		o := c.srv.org
		o.join(c.account.ID, o.RootID)
		o.joined[c.account.ID] = c.srv.now()
		o.method[c.account.ID] = "INVITED"
	}
	c.srv.emitAPICallEvent(c, "aws.organizations", doc{"handshakeId": h["Id"]}, doc{"handshake": handshakeRecord(h)})
	return doc{"Handshake": copyDoc(h)}, nil
}

func orgCloseAccount(c *call) (doc, error) {
	_, a, err := orgMember(c)
	if err != nil {
		return nil, err
	}
	if a.ID == c.srv.opts.ManagementAccountID {
		return nil, errorf("ConstraintViolationException", "You can't close the management account.")
	}
	if a.Status != "ACTIVE" {
		return nil, errorf("AccountAlreadyClosedException", "You attempted to close an account that is already closed.")
	}
	a.Status, a.Closed = "SUSPENDED", c.srv.now()
	c.srv.emitAPICallEvent(c, "aws.organizations", doc{"accountId": a.ID}, nil)
	return nil, nil
}

// postClosurePeriod is how long AWS Support can reopen a closed account.
const postClosurePeriod = 90 * 24 * time.Hour

// ReopenAccount does what AWS Support does when asked to reinstate a closed
// account within the 90 days after closure (CloseAccount, Organizations API
// Reference): the account is ACTIVE again where it was, with what it held.
// No API does this, so no event reports it: only a sweep can notice.
func (s *Server) ReopenAccount(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[id]
	switch {
	case a == nil || a.Status != "SUSPENDED":
		return fmt.Errorf("reopening account %s: it is not closed", id)
	case s.now().Sub(a.Closed) > postClosurePeriod:
		return fmt.Errorf("reopening account %s: closed %s, more than 90 days ago", id, a.Closed.Format(time.RFC3339))
	}
	a.Status = "ACTIVE"
	return nil
}

func orgRemoveAccount(c *call) (doc, error) {
	o, a, err := orgMember(c)
	if err != nil {
		return nil, err
	}
	if a.ID == c.srv.opts.ManagementAccountID {
		return nil, errorf("ConstraintViolationException", "You can't remove the management account.")
	}
	o.leave(a.ID)
	c.srv.emitAPICallEvent(c, "aws.organizations", doc{"accountId": a.ID}, nil)
	return nil, nil
}
