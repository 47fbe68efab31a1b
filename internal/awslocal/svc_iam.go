package awslocal

import (
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// IAM (awsQuery), following the IAM API Reference. IAM is global: one state
// per account. Policy documents come back URL-encoded, as IAM returns them.

type iamState struct {
	roles          map[string]*iamRole // by name
	users          map[string]*iamUser
	policies       map[string]*iamManagedPolicy // customer managed, by ARN
	samlProviders  map[string]*iamSAMLProvider  // by name
	aliases        []string
	passwordPolicy doc // nil when the account has none
	rootMFA        bool
	rootKeys       int
}

type iamRole struct {
	Name, Path, ID, Description string
	Trust                       string
	MaxSession                  int
	Created                     time.Time
	Tags                        map[string]string
	iamPolicies
	// made is when (wall clock) the role was created, for IAM propagation.
	made time.Time
}

type iamUser struct {
	Name, Path, ID string
	Created        time.Time
	// made is when (wall clock) the user was created, for IAM propagation.
	made         time.Time
	Tags         map[string]string
	LoginProfile bool
	AccessKeys   []string
	iamPolicies
	MFADevices int
}

func (r *iamRole) arn(account string) string {
	return "arn:aws:iam::" + account + ":role" + r.Path + r.Name
}

func (u *iamUser) arn(account string) string {
	return "arn:aws:iam::" + account + ":user" + u.Path + u.Name
}

func iamOf(a *account) *iamState {
	return state(a, "iam", func() *iamState {
		return &iamState{roles: map[string]*iamRole{}, users: map[string]*iamUser{}, policies: map[string]*iamManagedPolicy{},
			samlProviders: map[string]*iamSAMLProvider{}}
	})
}

var iamName = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

func registerIAM(s *Server) {
	s.register(&service{
		name: "iam", protocol: queryProtocol{}, xmlns: "https://iam.amazonaws.com/doc/2010-05-08/",
		throttle: *statusErrorf(http.StatusBadRequest, "Throttling", "Rate exceeded"),
		ops: map[string]handler{
			"CreateRole": iamCreateRole, "GetRole": iamGetRole, "DeleteRole": iamDeleteRole, "ListRoles": iamListRoles,
			"UpdateRole": iamUpdateRole, "UpdateAssumeRolePolicy": iamUpdateAssumeRolePolicy,
			"TagRole": iamTagRole, "UntagRole": iamUntagRole, "ListRoleTags": iamListRoleTags,
			"PutRolePolicy": putInlinePolicy(roleHolder), "GetRolePolicy": iamGetRolePolicy, "DeleteRolePolicy": deleteInlinePolicy(roleHolder),
			"ListRolePolicies":            listInlinePolicies(roleHolder),
			"AttachRolePolicy":            attachPolicy(roleHolder),
			"DetachRolePolicy":            detachPolicy(roleHolder),
			"ListAttachedRolePolicies":    listAttachedPolicies(roleHolder),
			"UpdateAccountPasswordPolicy": iamUpdatePasswordPolicy, "GetAccountPasswordPolicy": iamGetPasswordPolicy,
			"DeleteAccountPasswordPolicy": iamDeletePasswordPolicy,
			"CreateAccountAlias":          iamCreateAccountAlias, "DeleteAccountAlias": iamDeleteAccountAlias, "ListAccountAliases": iamListAccountAliases,
			"GetAccountSummary": iamGetAccountSummary,
			"CreateUser":        iamCreateUser, "GetUser": iamGetUser, "ListUsers": iamListUsers, "DeleteUser": iamDeleteUser,
			"CreateLoginProfile": iamCreateLoginProfile, "GetLoginProfile": iamGetLoginProfile, "DeleteLoginProfile": iamDeleteLoginProfile,
			"CreateAccessKey": iamCreateAccessKey, "ListAccessKeys": iamListAccessKeys, "DeleteAccessKey": iamDeleteAccessKey,
			"PutUserPolicy": putInlinePolicy(userHolder), "ListUserPolicies": listInlinePolicies(userHolder),
			"DeleteUserPolicy": deleteInlinePolicy(userHolder), "AttachUserPolicy": attachPolicy(userHolder),
			"ListAttachedUserPolicies": listAttachedPolicies(userHolder), "DetachUserPolicy": detachPolicy(userHolder),
			"CreatePolicy": iamCreatePolicy, "GetPolicy": iamGetPolicy, "TagPolicy": iamTagPolicy, "DeletePolicy": iamDeletePolicy, "ListPolicies": iamListPolicies,
			"CreatePolicyVersion": iamCreatePolicyVersion, "GetPolicyVersion": iamGetPolicyVersion,
			"ListPolicyVersions": iamListPolicyVersions, "DeletePolicyVersion": iamDeletePolicyVersion,
			"SetDefaultPolicyVersion":    iamSetDefaultPolicyVersion,
			"PutRolePermissionsBoundary": putBoundary(roleHolder), "DeleteRolePermissionsBoundary": deleteBoundary(roleHolder),
			"PutUserPermissionsBoundary": putBoundary(userHolder), "DeleteUserPermissionsBoundary": deleteBoundary(userHolder),
			"CreateSAMLProvider": iamCreateSAMLProvider, "GetSAMLProvider": iamGetSAMLProvider,
			"DeleteSAMLProvider": iamDeleteSAMLProvider, "ListSAMLProviders": iamListSAMLProviders,
		},
	})
}

func noSuchEntity(format string, args ...any) error {
	return statusErrorf(http.StatusNotFound, "NoSuchEntity", format, args...)
}

func iamRoleByName(c *call) (*iamRole, error) {
	name := str(c.in, "RoleName")
	r, ok := iamOf(c.account).roles[name]
	if !ok {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

// checkTrustPolicy validates the trust policy of a role of account owner
// as IAM does: syntax, that the IAM principals it names exist (IAM answers
// "Invalid principal in policy" for a role or user that does not exist
// yet), and that a SAML provider it federates is the owner's own.
func (s *Server) checkTrustPolicy(owner *account, text string) error {
	p, err := parsePolicy(text)
	if err != nil {
		return err
	}
	for _, st := range p.Statement {
		for _, federated := range st.Principal.Keys["Federated"] {
			if err := checkFederatedPrincipal(owner, federated); err != nil {
				return err
			}
		}
		for _, arn := range st.Principal.Keys["AWS"] {
			acct, kind, name, ok := splitIAMARN(arn)
			if !ok {
				continue
			}
			a := s.accounts[acct]
			if a == nil {
				continue // other accounts' entities cannot be checked; IAM accepts account roots
			}
			st := iamOf(a)
			var known bool
			switch kind {
			case "role":
				r, ok := st.roles[name]
				known = ok && !s.propagating(r.made)
			case "user":
				u, ok := st.users[name]
				known = ok && !s.propagating(u.made)
			default:
				known = true
			}
			if !known {
				return errorf("MalformedPolicyDocument", "Invalid principal in policy: \"AWS\":\"%s\"", arn)
			}
		}
	}
	return nil
}

// checkIAMPath refuses a path IAM refuses: "/" or "/a/b/", of printable
// ASCII, up to 512 characters (the Path parameter of CreateRole, CreateUser
// and CreatePolicy).
func checkIAMPath(path string) error {
	if !iamPath.MatchString(path) {
		return errorf("ValidationError", "1 validation error detected: Value '%s' at 'path' failed to satisfy constraint", path)
	}
	return nil
}

// splitIAMARN splits arn:aws:iam::ACCT:role/path/name.
func splitIAMARN(arn string) (account, kind, name string, ok bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[2] != "iam" {
		return "", "", "", false
	}
	kind, rest, found := strings.Cut(f[5], "/")
	if !found || (kind != "role" && kind != "user") {
		return "", "", "", false
	}
	return f[4], kind, rest[strings.LastIndex(rest, "/")+1:], true
}

// roleByARNLocked is the role arn names, path included, or nil. Callers
// hold s.mu.
func (s *Server) roleByARNLocked(arn string) *iamRole {
	account, kind, name, ok := splitIAMARN(arn)
	a := s.accounts[account]
	if !ok || kind != "role" || a == nil {
		return nil
	}
	if r, ok := iamOf(a).roles[name]; ok && r.arn(account) == arn {
		return r
	}
	return nil
}

func iamCreateRole(c *call) (doc, error) {
	name := str(c.in, "RoleName")
	if !iamName.MatchString(name) {
		return nil, errorf("ValidationError", "1 validation error detected: Value '%s' at 'roleName' failed to satisfy constraint", name)
	}
	st := iamOf(c.account)
	if _, ok := st.roles[name]; ok {
		return nil, statusErrorf(http.StatusConflict, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	trust := str(c.in, "AssumeRolePolicyDocument")
	if err := c.srv.checkTrustPolicy(c.account, trust); err != nil {
		return nil, err
	}
	maxSession := intOr(c.in, "MaxSessionDuration", 3600)
	if maxSession < 3600 || maxSession > 43200 {
		return nil, errorf("ValidationError", "The requested MaxSessionDuration %d must be between 3600 and 43200 seconds", maxSession)
	}
	tags := tagList(c.in, "Tags")
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	path, held, err := newIdentity(c)
	if err != nil {
		return nil, err
	}
	r := &iamRole{
		Name: name, Path: path, ID: "AROA" + strings.ToUpper(c.srv.newID(17)),
		Description: str(c.in, "Description"), Trust: trust, MaxSession: maxSession, Created: c.srv.now(),
		Tags: tags, iamPolicies: held,
	}
	r.made = c.srv.wall()
	st.roles[name] = r
	return doc{"Role": roleOut(c, r)}, nil
}

func checkTags(tags map[string]string) error {
	if len(tags) > 50 {
		return errorf("LimitExceeded", "The number of tags has reached the maximum limit of 50")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return errorf("InvalidInput", "tag key %q or its value is not valid", k)
		}
	}
	return nil
}

func strOr(d doc, key, def string) string {
	if v := str(d, key); v != "" {
		return v
	}
	return def
}

func roleOut(c *call, r *iamRole) doc {
	out := doc{
		"RoleName": r.Name, "RoleId": r.ID, "Arn": r.arn(c.account.ID), "Path": r.Path,
		"CreateDate": r.Created, "AssumeRolePolicyDocument": url.QueryEscape(r.Trust),
		"MaxSessionDuration": r.MaxSession,
	}
	if r.Description != "" {
		out["Description"] = r.Description
	}
	if len(r.Tags) > 0 {
		out["Tags"] = tagsOut(r.Tags)
	}
	boundaryOut(out, &r.iamPolicies)
	return out
}

func iamGetRole(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	return doc{"Role": roleOut(c, r)}, nil
}

func iamDeleteRole(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	if len(r.Inline) > 0 || len(r.Attached) > 0 {
		return nil, statusErrorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	}
	delete(iamOf(c.account).roles, r.Name)
	return nil, nil
}

func iamListRoles(c *call) (doc, error) {
	st := iamOf(c.account)
	prefix := strOr(c.in, "PathPrefix", "/")
	var roles []any
	for _, name := range sortedKeys(st.roles) {
		if r := st.roles[name]; strings.HasPrefix(r.Path, prefix) {
			out := roleOut(c, r)
			delete(out, "Tags") // ListRoles returns neither tags nor the boundary
			delete(out, "PermissionsBoundary")
			roles = append(roles, out)
		}
	}
	return iamPage(c, "Roles", roles)
}

// iamPage pages a list with IAM's Marker/MaxItems/IsTruncated.
func iamPage(c *call, key string, items []any) (doc, error) {
	pg, next, err := page(c.srv, items, str(c.in, "Marker"), intOr(c.in, "MaxItems", 100), func() error {
		return errorf("InvalidInput", "Invalid Marker.")
	})
	if err != nil {
		return nil, err
	}
	out := doc{key: pg, "IsTruncated": next != ""}
	if pg == nil {
		out[key] = []any{}
	}
	return withToken(out, "Marker", next), nil
}

func iamUpdateRole(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	if has(c.in, "MaxSessionDuration") {
		m := intOr(c.in, "MaxSessionDuration", 0)
		if m < 3600 || m > 43200 {
			return nil, errorf("ValidationError", "The requested MaxSessionDuration %d must be between 3600 and 43200 seconds", m)
		}
		r.MaxSession = m
	}
	if has(c.in, "Description") {
		r.Description = str(c.in, "Description")
	}
	return doc{}, nil
}

func iamUpdateAssumeRolePolicy(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	text := str(c.in, "PolicyDocument")
	if err := c.srv.checkTrustPolicy(c.account, text); err != nil {
		return nil, err
	}
	r.Trust = text
	return nil, nil
}

func iamTagRole(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	r.Tags, err = iamAddTags(c, r.Tags)
	return nil, err
}

// iamAddTags returns have with the request's Tags added (a key present
// already takes the new value), or IAM's error when the result breaks its
// limits; have is left as it was.
func iamAddTags(c *call, have map[string]string) (map[string]string, error) {
	merged := maps.Clone(have)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tagList(c.in, "Tags"))
	if err := checkTags(merged); err != nil {
		return have, err
	}
	return merged, nil
}

func iamUntagRole(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	for _, k := range strs(c.in, "TagKeys") {
		delete(r.Tags, k)
	}
	return nil, nil
}

func iamListRoleTags(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	return iamPage(c, "Tags", tagsOut(r.Tags))
}

func iamGetRolePolicy(c *call) (doc, error) {
	r, err := iamRoleByName(c)
	if err != nil {
		return nil, err
	}
	name := str(c.in, "PolicyName")
	text, ok := r.Inline[name]
	if !ok {
		return nil, noSuchEntity("The role policy with name %s cannot be found.", name)
	}
	return doc{"RoleName": r.Name, "PolicyName": name, "PolicyDocument": url.QueryEscape(text)}, nil
}
