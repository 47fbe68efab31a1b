package awslocal

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/landfall/landfall/internal/iamsim"
)

// Authorization. With Options.Authorizer set, every request is decided the
// way IAM decides it ("Policy evaluation logic", IAM User Guide), by
// @cloud-copilot/iam-simulate (package iamsim): the endpoint only says what
// the request is (the IAM action, the resource, the principal, the
// condition keys) and which policies apply (the principal's identity
// policies, the resource's policy). What it cannot say fails the request
// with InternalFailure naming what is missing, so a test never passes on a
// request the endpoint did not really decide. Without an Authorizer every
// authenticated request is admitted.

// iamPrefixes maps a service's signing name to its IAM action prefix
// ("Actions, resources, and condition keys for AWS services", Service
// Authorization Reference).
var iamPrefixes = map[string]string{
	"access-analyzer": "access-analyzer", "account": "account", "budgets": "budgets", "cloudtrail": "cloudtrail",
	"monitoring": "cloudwatch", "config": "config", "dynamodb": "dynamodb", "ec2": "ec2", "events": "events",
	"guardduty": "guardduty", "iam": "iam", "kms": "kms", "lambda": "lambda", "logs": "logs",
	"organizations": "organizations", "s3": "s3", "s3-control": "s3", "secretsmanager": "secretsmanager",
	"securityhub": "securityhub", "states": "states", "sns": "sns", "sqs": "sqs", "sts": "sts",
}

// iamActionOf names the IAM action of the operations that are not named
// after it, by signing name and operation ("Required permissions for
// Amazon S3 API operations", Amazon S3 User Guide; "Actions, resources,
// and condition keys for AWS Budgets" and "... for AWS Lambda", Service
// Authorization Reference).
// Every other operation's action is its prefix and its name.
var iamActionOf = map[string]string{
	"s3:ListBuckets": "s3:ListAllMyBuckets", "s3:HeadBucket": "s3:ListBucket", "s3:ListObjectsV2": "s3:ListBucket",
	"s3:PutBucketEncryption": "s3:PutEncryptionConfiguration", "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
	"s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock", "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
	"s3:DeletePublicAccessBlock":         "s3:PutBucketPublicAccessBlock",
	"s3:PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration", "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
	"s3-control:PutPublicAccessBlock": "s3:PutAccountPublicAccessBlock", "s3-control:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
	"s3-control:DeletePublicAccessBlock": "s3:PutAccountPublicAccessBlock",
	"budgets:CreateBudget":               "budgets:ModifyBudget", "budgets:UpdateBudget": "budgets:ModifyBudget", "budgets:DeleteBudget": "budgets:ModifyBudget",
	"budgets:CreateNotification": "budgets:ModifyBudget", "budgets:UpdateNotification": "budgets:ModifyBudget",
	"budgets:DeleteNotification": "budgets:ModifyBudget", "budgets:CreateSubscriber": "budgets:ModifyBudget",
	"budgets:DeleteSubscriber": "budgets:ModifyBudget", "budgets:DescribeBudget": "budgets:ViewBudget", "budgets:DescribeBudgets": "budgets:ViewBudget",
	"budgets:DescribeNotificationsForBudget": "budgets:ViewBudget", "budgets:DescribeSubscribersForNotification": "budgets:ViewBudget",
	"lambda:Invoke": "lambda:InvokeFunction",
}

// taggingOnCreate are the operations that also need their service's tagging
// action when the request tags what it creates, and the request member
// holding the tags. The Service Authorization Reference lists the tagging
// action beside the operation's own: CreateBudget needs
// budgets:TagResource with budgets:ModifyBudget ("Actions, resources, and
// condition keys for AWS Budget Service").
var taggingOnCreate = map[string]struct{ member, action string }{
	"budgets:CreateBudget": {"ResourceTags", "budgets:TagResource"},
}

// IAMAction is the IAM action that authorizes an operation of the service
// with the given signing name ("s3", "monitoring"), and false for an
// operation IAM never denies.
func IAMAction(signingName, op string) (string, bool) {
	action, ok := iamActionOf[signingName+":"+op]
	if !ok {
		action = iamPrefixes[signingName] + ":" + op
	}
	return action, !unauthorized[action]
}

// unauthorized are the operations IAM never denies: "No permissions are
// required to perform this operation. If an administrator attaches a policy
// to your identity that explicitly denies access to the
// sts:GetCallerIdentity action, you can still perform this operation."
// (GetCallerIdentity, STS API Reference).
var unauthorized = map[string]bool{"sts:GetCallerIdentity": true}

// managedPolicyFiles are the AWS managed policies the endpoint knows, each
// as IAM's GetPolicyVersion answers for its default version (the documents
// the "AWS Managed Policy Reference" publishes, as mirrored by
// github.com/zoph-io/MAMIP), one file per policy at the path of its ARN
// after "policy/": job-function/Billing.json. Each file names its version
// and date. IAM answers NoSuchEntity for any other AWS managed policy, as
// for one that does not exist.
//
//go:embed managedpolicies
var managedPolicyFiles embed.FS

// awsManagedPolicyDocuments are the compacted documents of the AWS managed
// policies, by ARN.
var awsManagedPolicyDocuments = sync.OnceValue(func() map[string]string {
	docs := map[string]string{}
	err := fs.WalkDir(managedPolicyFiles, "managedpolicies", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := managedPolicyFiles.ReadFile(path)
		if err != nil {
			return err
		}
		var v struct {
			PolicyVersion struct{ Document json.RawMessage }
		}
		var b bytes.Buffer
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if err := json.Compact(&b, v.PolicyVersion.Document); err != nil {
			return fmt.Errorf("%s: no PolicyVersion.Document: %w", path, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(path, "managedpolicies/"), ".json")
		docs["arn:aws:iam::aws:policy/"+name] = b.String()
		return nil
	})
	if err != nil {
		panic("awslocal: managed policy " + err.Error())
	}
	return docs
})

// awsManagedPolicyDocument is the compacted document of the AWS managed
// policy arn, and false when the endpoint has none.
func awsManagedPolicyDocument(arn string) (string, bool) {
	d, ok := awsManagedPolicyDocuments()[arn]
	return d, ok
}

// authorizeLocked decides the request in c, or returns the error AWS would.
func (s *Server) authorizeLocked(c *call) error {
	if s.opts.Authorizer == nil {
		return nil
	}
	action, authorized := IAMAction(c.svc.name, c.op)
	if !authorized {
		return nil
	}
	resources, err := resourceOf[c.svc.name](c)
	if errors.Is(err, errNoSuchResource) {
		return nil
	}
	// A request AWS refuses as malformed fails its validation before it is
	// authorized; any other error is the endpoint's.
	if apiErr := (*APIError)(nil); errors.As(err, &apiErr) {
		return apiErr
	}
	if err != nil {
		return s.faultLocked(cannotAuthorize(action, "%v", err))
	}
	if len(resources) == 0 {
		resources = []authResource{{Owner: c.account.ID}}
	}
	ctx := s.requestContextLocked(c)
	err = s.decideLocked(c.principal, action, ctx, resources)
	if t, ok := taggingOnCreate[c.svc.name+":"+c.op]; ok && err == nil && len(list(c.in, t.member)) > 0 {
		err = s.decideLocked(c.principal, t.action, ctx, resources)
	}
	if d := (*APIError)(nil); errors.As(err, &d) && !isFault(err) {
		d.Code, d.Status = deniedAs[c.svc.name].code, deniedAs[c.svc.name].status
	}
	return err
}

// decideLocked decides whether p may take action on every resource, with
// p's identity policies, permissions boundary and SCPs and the condition
// keys in ctx. It returns AccessDenied as IAM words it, or, when the
// simulator cannot decide, the endpoint's InternalFailure (isFault), which
// it also keeps in AuthorizationFaults.
func (s *Server) decideLocked(p principal, action string, ctx map[string][]string, resources []authResource) error {
	identity, boundary, err := s.principalPoliciesLocked(p)
	if err != nil {
		return s.faultLocked(cannotAuthorize(action, "%v", err))
	}
	req := iamsim.Request{
		Principal: p.ARN, Action: action, IdentityPolicies: identity, PermissionBoundaries: boundary,
		SCPs: s.scpsLocked(p.AccountID),
	}
	for _, r := range resources {
		req.Resource, req.ResourceAccount, req.ResourcePolicy, req.Context = r.ARN, r.Owner, r.policyJSON(), s.resourceContextLocked(r, ctx)
		d, err := s.opts.Authorizer.Decide(req)
		if err != nil {
			return s.faultLocked(cannotAuthorize(action, "%v", err))
		}
		if !d.Allowed() {
			return accessDenied(p.ARN, action, r.ARN, d)
		}
	}
	return nil
}

// roleSessionMayLocked reports whether the session a service starts of
// role (named sessionName, as the service names it) may take every step,
// under the role's policies, its boundary and the SCPs, with the session's
// own condition keys, keys and the step's. An error is the endpoint's
// failure to decide, never a denial.
func (s *Server) roleSessionMayLocked(roleARN string, role *iamRole, sessionName string, keys map[string][]string, steps ...sessionStep) (bool, error) {
	session := sessionOfRole(arnAccount(roleARN), role, sessionName)
	ctx := s.principalContextLocked(session)
	maps.Copy(ctx, keys)
	for _, st := range steps {
		stepCtx := maps.Clone(ctx)
		maps.Copy(stepCtx, st.keys)
		if err := s.decideLocked(session, st.action, stepCtx, []authResource{st.on}); err != nil {
			if isFault(err) {
				return false, err
			}
			return false, nil
		}
	}
	return true, nil
}

// serviceMayAssumeLocked reports whether role's trust policy lets service
// assume it (sts:AssumeRole as the service principal), with the condition
// keys in context and no others.
func (s *Server) serviceMayAssumeLocked(service, roleARN string, role *iamRole, context map[string][]string) bool {
	if s.propagating(role.made) {
		return false
	}
	return s.serviceAllowedLocked(service, "sts:AssumeRole", authResource{ARN: roleARN, Owner: arnAccount(roleARN), Policy: role.Trust}, context)
}

// sessionStep is one request a service makes as a role's session.
type sessionStep struct {
	action string
	on     authResource
	keys   map[string][]string // condition keys of this request only
}

// serviceAllowedLocked decides a request the endpoint makes for an AWS
// service (its principal, events.amazonaws.com): a delivery. A service
// principal has no identity policies, so the resource's policy must admit
// it, with the condition keys in context and no others: those the service
// is documented to send. A request the simulator cannot decide is refused
// and kept in AuthorizationFaults, for the test that caused it to fail on.
func (s *Server) serviceAllowedLocked(service, action string, r authResource, context map[string][]string) bool {
	ctx := map[string][]string{"aws:PrincipalServiceName": {service}, "aws:PrincipalIsAWSService": {"true"}}
	maps.Copy(ctx, context)
	req := iamsim.Request{Principal: service, Action: action, Resource: r.ARN, ResourceAccount: r.Owner,
		ResourcePolicy: r.policyJSON(), Context: s.resourceContextLocked(r, ctx)}
	d, err := s.opts.Authorizer.Decide(req)
	if err != nil {
		s.faultLocked(cannotAuthorize(action, "for %s on %s: %v", service, r.ARN, err))
		return false
	}
	return d.Allowed()
}

// AuthorizationFaults are the requests, callers' and those made for
// services, that the authorizer could not decide (and that were therefore
// refused). A test with authorization on fails when there is any.
func (s *Server) AuthorizationFaults() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authFaults...)
}

// faultLocked keeps err, the endpoint's failure to decide a request, in
// AuthorizationFaults, and returns it.
func (s *Server) faultLocked(err error) error {
	s.authFaults = append(s.authFaults, err.Error())
	return err
}

// cannotAuthorize is the endpoint's own failure to decide: never a denial,
// so that the test that caused it fails and says what to model.
func cannotAuthorize(action, format string, args ...any) error {
	return statusErrorf(http.StatusInternalServerError, "InternalFailure", "awslocal: cannot authorize %s: %s", action, fmt.Sprintf(format, args...))
}

// isFault reports whether err is cannotAuthorize's: the endpoint could not
// decide, which a caller passes on rather than turning into a denial.
func isFault(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == "InternalFailure"
}

// deniedAs is the error code and HTTP status with which each service
// refuses a request that IAM denies. Where the service's API model declares
// the error (the aws-sdk-go-v2 types packages), the code is the model's: SNS
// AuthorizationError; S3 AccessDenied; CloudWatch Logs, EventBridge,
// Organizations, CloudTrail, GuardDuty, Security Hub, IAM Access Analyzer,
// Account Management and Budgets AccessDeniedException. The others are the
// codes each service's API Reference lists under "Common Errors":
// AccessDeniedException for the JSON services, AccessDenied for IAM, STS,
// CloudWatch and SQS (the query protocol's code, which SQS keeps as a query
// compatible service), and EC2's UnauthorizedOperation ("Error codes for
// the Amazon EC2 API"). JSON services answer 400, REST services 403.
var deniedAs = map[string]struct {
	code   string
	status int
}{
	"iam": {"AccessDenied", 403}, "sts": {"AccessDenied", 403}, "monitoring": {"AccessDenied", 403}, "sqs": {"AccessDenied", 403},
	"s3": {"AccessDenied", 403}, "s3-control": {"AccessDenied", 403}, "sns": {"AuthorizationError", 403}, "ec2": {"UnauthorizedOperation", 403},
	"dynamodb": {"AccessDeniedException", 400}, "kms": {"AccessDeniedException", 400}, "logs": {"AccessDeniedException", 400},
	"events": {"AccessDeniedException", 400}, "organizations": {"AccessDeniedException", 400}, "states": {"AccessDeniedException", 400},
	"secretsmanager": {"AccessDeniedException", 400}, "config": {"AccessDeniedException", 400}, "cloudtrail": {"AccessDeniedException", 400},
	"budgets": {"AccessDeniedException", 400}, "lambda": {"AccessDeniedException", 403}, "guardduty": {"AccessDeniedException", 403},
	"securityhub": {"AccessDeniedException", 403}, "access-analyzer": {"AccessDeniedException", 403}, "account": {"AccessDeniedException", 403},
}

// accessDenied words a denial as IAM does ("Troubleshoot access denied error
// messages", IAM User Guide): who, what, on which resource, and which kind
// of policy is why.
func accessDenied(who, action, resource string, d iamsim.Decision) error {
	on := ""
	if resource != "" {
		on = " on resource: " + resource
	}
	why := "because no identity-based policy allows the " + action + " action"
	for _, dn := range d.Denials {
		if dn.DenialType == "Explicit" {
			why = "with an explicit deny in " + policyKind(dn.PolicyType)
			break
		}
		if dn.PolicyType != "identity" {
			why = "because no " + strings.TrimPrefix(policyKind(dn.PolicyType), "a ") + " allows the " + action + " action"
		}
	}
	return statusErrorf(http.StatusForbidden, "AccessDenied", "User: %s is not authorized to perform: %s%s %s", who, action, on, why)
}

func policyKind(t string) string {
	switch t {
	case "identity":
		return "an identity-based policy"
	case "resource":
		return "a resource-based policy"
	case "scp":
		return "a service control policy"
	case "pb":
		return "a permissions boundary"
	}
	return "a " + t + " policy"
}

// principalPoliciesLocked are the principal's identity policies (inline
// and attached) and its permissions boundary. The endpoint's operator
// (AdminCredentials) holds AdministratorAccess, as an administrator's
// profile would, and so, in effect, does an account's root user.
func (s *Server) principalPoliciesLocked(p principal) (identity, boundary []iamsim.Policy, err error) {
	if p.Operator || p.Type == "Root" {
		identity, err = managedPolicies(nil, []string{"arn:aws:iam::aws:policy/AdministratorAccess"})
		return identity, nil, err
	}
	a := s.accounts[p.AccountID]
	if a == nil {
		return nil, nil, nil
	}
	st := iamOf(a)
	var held *iamPolicies
	switch p.Type {
	case "AssumedRole":
		if r, ok := st.roles[p.RoleName]; ok {
			held = &r.iamPolicies
		}
	case "IAMUser":
		if u, ok := st.users[p.userName()]; ok {
			held = &u.iamPolicies
		}
	}
	if held == nil {
		return nil, nil, nil // deleted since the credentials were issued: nothing allows
	}
	attached, err := managedPolicies(st, held.Attached)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range attached {
		if err := s.appendInEffect(&identity, held, p.Name, p.Name, string(p.Document)); err != nil {
			return nil, nil, err
		}
	}
	for _, n := range sortedKeys(held.Inline) {
		if err := s.appendInEffect(&identity, held, n, "inline/"+n, held.Inline[n]); err != nil {
			return nil, nil, err
		}
	}
	if held.Boundary != "" {
		if boundary, err = managedPolicies(st, []string{held.Boundary}); err != nil {
			return nil, nil, err
		}
	}
	return identity, boundary, nil
}

// appendInEffect appends what the held policy key, named name, does now
// (see IAM propagation).
func (s *Server) appendInEffect(to *[]iamsim.Policy, held *iamPolicies, name, key, text string) error {
	text, ok, err := s.inEffect(held, key, text)
	if err != nil {
		return fmt.Errorf("the endpoint cannot read the policy %s: %w", name, err)
	}
	if ok {
		*to = append(*to, iamsim.Policy{Name: name, Document: json.RawMessage(text)})
	}
	return nil
}

// managedPolicies are the documents in effect of managed policies: AWS's
// published ones, and the default versions of the account's own.
func managedPolicies(st *iamState, arns []string) ([]iamsim.Policy, error) {
	var out []iamsim.Policy
	for _, arn := range arns {
		d, ok := awsManagedPolicyDocument(arn)
		if st != nil {
			if p, mine := st.policies[arn]; mine {
				d, ok = p.document(), true
			}
		}
		if !ok {
			return nil, fmt.Errorf("the endpoint has no document for the managed policy %s", arn)
		}
		out = append(out, iamsim.Policy{Name: arn, Document: json.RawMessage(d)})
	}
	return out, nil
}

// requestContextLocked are the global condition keys of the request ("AWS
// global condition context keys", IAM User Guide): who the principal is,
// where the request goes, MFA, and the tags of the principal and, for IAM,
// of the request.
func (s *Server) requestContextLocked(c *call) map[string][]string {
	ctx := s.principalContextLocked(c.principal)
	ctx["aws:RequestedRegion"] = []string{c.region}
	ctx["aws:SecureTransport"] = []string{"true"}
	now := s.now()
	ctx["aws:CurrentTime"] = []string{now.Format("2006-01-02T15:04:05Z")}
	ctx["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	if c.svc.name == "sts" && c.op == "AssumeRole" {
		if ext := str(c.in, "ExternalId"); ext != "" {
			ctx["sts:ExternalId"] = []string{ext}
		}
		ctx["sts:RoleSessionName"] = []string{str(c.in, "RoleSessionName")}
	}
	if c.svc.name == "iam" {
		iamRequestContext(c, ctx)
	}
	if c.svc.name == "dynamodb" {
		ddbRequestContext(c, ctx)
	}
	if c.svc.name == "organizations" {
		if t := orgPolicyTypeOf(c); t != "" {
			ctx["organizations:PolicyType"] = []string{t}
		}
	}
	if tags := requestTags(c); len(tags) > 0 {
		keys := make([]string, 0, len(tags))
		for k, v := range tags {
			ctx["aws:RequestTag/"+k] = []string{v}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ctx["aws:TagKeys"] = keys
	}
	return ctx
}

// requestTags are the tags a request asks to set, in whichever shape its
// service writes them: [{Key, Value}], KMS's [{TagKey, TagValue}], or a
// map (GuardDuty, Security Hub, Access Analyzer, SQS).
func requestTags(c *call) map[string]string {
	if c.svc.name == "kms" {
		tags, _ := kmsTags(c) // malformed tags fail in the handler
		return tags
	}
	tags := tagList(c.in, "Tags")
	for _, key := range []string{"Tags", "tags"} {
		for k, v := range obj(c.in, key) {
			if s, ok := v.(string); ok {
				tags[k] = s
			}
		}
	}
	return tags
}

// principalContextLocked are the condition keys that describe the caller,
// which trust policies and every other policy read alike.
func (s *Server) principalContextLocked(p principal) map[string][]string {
	ctx := map[string][]string{
		"aws:PrincipalArn":           {p.roleARN()},
		"aws:PrincipalAccount":       {p.AccountID},
		"aws:MultiFactorAuthPresent": {strconv.FormatBool(p.MFA)},
		"aws:userid":                 {p.UserID},
	}
	if p.MFA {
		ctx["aws:MultiFactorAuthAge"] = []string{strconv.Itoa(int(p.MFAAge.Seconds()))}
	}
	s.addOrgKeysLocked(ctx, "aws:Principal", p.AccountID)
	switch p.Type {
	case "AssumedRole":
		ctx["aws:PrincipalType"] = []string{"AssumedRole"}
		ctx["aws:userid"] = []string{p.UserID + ":" + p.SessionName}
	case "Root": // the global keys page: root is type Account, its userid the account
		ctx["aws:PrincipalType"] = []string{"Account"}
		ctx["aws:userid"] = []string{p.AccountID}
	default:
		ctx["aws:PrincipalType"] = []string{strings.TrimPrefix(p.Type, "IAM")}
		ctx["aws:username"] = []string{p.userName()}
	}
	if a := s.accounts[p.AccountID]; a != nil && p.Type == "AssumedRole" {
		if r, ok := iamOf(a).roles[p.RoleName]; ok {
			for k, v := range r.Tags {
				ctx["aws:PrincipalTag/"+k] = []string{v}
			}
		}
	}
	return ctx
}

// iamBoundaryKeyOps are the IAM actions that carry iam:PermissionsBoundary
// ("Condition keys for AWS Identity and Access Management", Service
// Authorization Reference).
var iamBoundaryKeyOps = map[string]bool{
	"AttachRolePolicy": true, "AttachUserPolicy": true, "CreateRole": true, "CreateUser": true, "DeleteRole": true,
	"DeleteRolePermissionsBoundary": true, "DeleteRolePolicy": true, "DeleteUserPermissionsBoundary": true,
	"DeleteUserPolicy": true, "DetachRolePolicy": true, "DetachUserPolicy": true, "GetRole": true,
	"PutRolePermissionsBoundary": true, "PutRolePolicy": true, "PutUserPermissionsBoundary": true, "PutUserPolicy": true,
	"UpdateAssumeRolePolicy": true, "UpdateRole": true, "UpdateRoleDescription": true,
}

// iamRequestContext adds IAM's own condition keys: iam:PolicyARN, the
// managed policy an attach or detach names, and iam:PermissionsBoundary,
// the boundary the request sets or else the one the role or user has.
func iamRequestContext(c *call, ctx map[string][]string) {
	switch c.op {
	case "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy":
		ctx["iam:PolicyARN"] = []string{str(c.in, "PolicyArn")}
	}
	if !iamBoundaryKeyOps[c.op] {
		return
	}
	boundary := str(c.in, "PermissionsBoundary")
	if boundary == "" {
		st := iamOf(c.account)
		if r, ok := st.roles[str(c.in, "RoleName")]; ok && has(c.in, "RoleName") {
			boundary = r.Boundary
		} else if u, ok := st.users[str(c.in, "UserName")]; ok && has(c.in, "UserName") {
			boundary = u.Boundary
		}
	}
	if boundary != "" {
		ctx["iam:PermissionsBoundary"] = []string{boundary}
	}
}
