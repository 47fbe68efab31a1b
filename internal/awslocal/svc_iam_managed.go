package awslocal

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// IAM customer managed policies and their versions, following the IAM API
// Reference (CreatePolicy, CreatePolicyVersion, DeletePolicy,
// DeletePolicyVersion, SetDefaultPolicyVersion) and "IAM and AWS STS
// quotas" (IAM User Guide): a managed policy holds at most five versions of
// at most 6,144 characters each, not counting white space; an account holds
// at most 1,500 customer managed policies; a role or user has at most 10
// managed policies attached (the default quota, the stricter reading). A
// policy is deleted only when no role or user holds it, as an attached
// policy or as a permissions boundary, and its other versions are gone.

const (
	maxPolicyVersions    = 5
	maxManagedPolicySize = 6144
	maxManagedPolicies   = 1500
	maxAttachedPolicies  = 10
)

type iamManagedPolicy struct {
	Name, Path, ID, Description string
	Created, Updated            time.Time
	Tags                        map[string]string
	Versions                    []iamPolicyVersion // oldest first
	Default                     string             // the version in effect
	lastVersion                 int                // version ids are never reused
}

type iamPolicyVersion struct {
	ID, Document string
	Created      time.Time
}

func (p *iamManagedPolicy) arn(account string) string {
	return "arn:aws:iam::" + account + ":policy" + p.Path + p.Name
}

// document is the default version's document: what the policy grants.
func (p *iamManagedPolicy) document() string {
	for _, v := range p.Versions {
		if v.ID == p.Default {
			return v.Document
		}
	}
	return ""
}

var (
	policyName = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	iamPath    = regexp.MustCompile(`^(/|/[\x21-\x7e]{1,510}/)$`)
)

// checkManagedPolicyDocument checks a managed policy version's syntax and
// size. IAM counts the size without white space.
func checkManagedPolicyDocument(text string) error {
	if _, err := parsePolicy(text); err != nil {
		return err
	}
	n := 0
	for _, r := range text {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	if n > maxManagedPolicySize {
		return errorf("LimitExceeded", "Cannot exceed quota for PolicySize: %d", maxManagedPolicySize)
	}
	return nil
}

func iamCreatePolicy(c *call) (doc, error) {
	name, path, text := str(c.in, "PolicyName"), strOr(c.in, "Path", "/"), str(c.in, "PolicyDocument")
	if !policyName.MatchString(name) {
		return nil, errorf("ValidationError", "1 validation error detected: Value '%s' at 'policyName' failed to satisfy constraint", name)
	}
	if err := checkIAMPath(path); err != nil {
		return nil, err
	}
	st := iamOf(c.account)
	for _, p := range st.policies {
		if p.Name == name {
			return nil, statusErrorf(http.StatusConflict, "EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	if len(st.policies) >= maxManagedPolicies {
		return nil, errorf("LimitExceeded", "Cannot exceed quota for PoliciesPerAccount: %d", maxManagedPolicies)
	}
	if err := checkManagedPolicyDocument(text); err != nil {
		return nil, err
	}
	tags := tagList(c.in, "Tags")
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	now := c.srv.now()
	p := &iamManagedPolicy{
		Name: name, Path: path, ID: "ANPA" + strings.ToUpper(c.srv.newID(17)), Description: str(c.in, "Description"),
		Created: now, Updated: now, Tags: tags, Default: "v1", lastVersion: 1,
		Versions: []iamPolicyVersion{{ID: "v1", Document: text, Created: now}},
	}
	st.policies[p.arn(c.account.ID)] = p
	return doc{"Policy": policyOut(c, p)}, nil
}

// managedPolicyByARN finds the customer managed policy PolicyArn names in
// the caller's account. A policy of another account is not found, as IAM
// answers for it.
func managedPolicyByARN(c *call) (*iamManagedPolicy, error) {
	arn := str(c.in, "PolicyArn")
	if p, ok := iamOf(c.account).policies[arn]; ok {
		return p, nil
	}
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		return nil, notModelled("the versions of the AWS managed policy %s", arn)
	}
	return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

// policyUse counts the roles and users that hold the policy: attached, and
// as a permissions boundary.
func policyUse(st *iamState, arn string) (attached, boundaries int) {
	count := func(p *iamPolicies) {
		if slices.Contains(p.Attached, arn) {
			attached++
		}
		if p.Boundary == arn {
			boundaries++
		}
	}
	for _, r := range st.roles {
		count(&r.iamPolicies)
	}
	for _, u := range st.users {
		count(&u.iamPolicies)
	}
	return attached, boundaries
}

func policyOut(c *call, p *iamManagedPolicy) doc {
	arn := p.arn(c.account.ID)
	attached, boundaries := policyUse(iamOf(c.account), arn)
	out := doc{
		"PolicyName": p.Name, "PolicyId": p.ID, "Arn": arn, "Path": p.Path, "DefaultVersionId": p.Default,
		"AttachmentCount": attached, "PermissionsBoundaryUsageCount": boundaries, "IsAttachable": true,
		"CreateDate": p.Created, "UpdateDate": p.Updated,
	}
	if p.Description != "" {
		out["Description"] = p.Description
	}
	if len(p.Tags) > 0 {
		out["Tags"] = tagsOut(p.Tags)
	}
	return out
}

func iamGetPolicy(c *call) (doc, error) {
	p, err := managedPolicyByARN(c)
	if err != nil {
		return nil, err
	}
	return doc{"Policy": policyOut(c, p)}, nil
}

func iamDeletePolicy(c *call) (doc, error) {
	p, err := managedPolicyByARN(c)
	if err != nil {
		return nil, err
	}
	st := iamOf(c.account)
	arn := p.arn(c.account.ID)
	if attached, boundaries := policyUse(st, arn); attached+boundaries > 0 {
		return nil, statusErrorf(http.StatusConflict, "DeleteConflict", "Cannot delete a policy attached to entities.")
	}
	if len(p.Versions) > 1 {
		return nil, statusErrorf(http.StatusConflict, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	}
	delete(st.policies, arn)
	return nil, nil
}

// iamListPolicies lists the account's customer managed policies (Scope
// Local, or All); the AWS managed ones are not listed: the endpoint holds
// no catalogue of them.
func iamListPolicies(c *call) (doc, error) {
	scope := strOr(c.in, "Scope", "All")
	if scope == "AWS" {
		return nil, notModelled("the catalogue of AWS managed policies")
	}
	st := iamOf(c.account)
	prefix, onlyAttached := strOr(c.in, "PathPrefix", "/"), boolOr(c.in, "OnlyAttached", false)
	var out []any
	for _, arn := range sortedKeys(st.policies) {
		p := st.policies[arn]
		if !strings.HasPrefix(p.Path, prefix) {
			continue
		}
		o := policyOut(c, p)
		if onlyAttached && o["AttachmentCount"] == 0 {
			continue
		}
		delete(o, "Tags") // ListPolicies does not return tags
		delete(o, "Description")
		out = append(out, o)
	}
	return iamPage(c, "Policies", out)
}

func versionOut(p *iamManagedPolicy, v iamPolicyVersion, withDocument bool) doc {
	out := doc{"VersionId": v.ID, "IsDefaultVersion": v.ID == p.Default, "CreateDate": v.Created}
	if withDocument {
		out["Document"] = url.QueryEscape(v.Document)
	}
	return out
}

// iamTagPolicy adds tags to a customer managed policy, within the limits
// TagRole keeps (TagPolicy, IAM API Reference).
func iamTagPolicy(c *call) (doc, error) {
	p, err := managedPolicyByARN(c)
	if err != nil {
		return nil, err
	}
	p.Tags, err = iamAddTags(c, p.Tags)
	return nil, err
}

func iamCreatePolicyVersion(c *call) (doc, error) {
	p, err := managedPolicyByARN(c)
	if err != nil {
		return nil, err
	}
	if len(p.Versions) >= maxPolicyVersions {
		return nil, errorf("LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}
	text := str(c.in, "PolicyDocument")
	if err := checkManagedPolicyDocument(text); err != nil {
		return nil, err
	}
	p.lastVersion++
	v := iamPolicyVersion{ID: "v" + strconv.Itoa(p.lastVersion), Document: text, Created: c.srv.now()}
	p.Versions = append(p.Versions, v)
	if boolOr(c.in, "SetAsDefault", false) {
		p.Default = v.ID
		p.Updated = v.Created
	}
	return doc{"PolicyVersion": versionOut(p, v, false)}, nil
}

// policyVersion finds the policy PolicyArn names and the index of the
// version VersionId names.
func policyVersion(c *call) (*iamManagedPolicy, int, error) {
	p, err := managedPolicyByARN(c)
	if err != nil {
		return nil, 0, err
	}
	id := str(c.in, "VersionId")
	i := slices.IndexFunc(p.Versions, func(v iamPolicyVersion) bool { return v.ID == id })
	if i < 0 {
		return nil, 0, noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.arn(c.account.ID), id)
	}
	return p, i, nil
}

func iamGetPolicyVersion(c *call) (doc, error) {
	p, i, err := policyVersion(c)
	if err != nil {
		return nil, err
	}
	return doc{"PolicyVersion": versionOut(p, p.Versions[i], true)}, nil
}

func iamListPolicyVersions(c *call) (doc, error) {
	p, err := managedPolicyByARN(c)
	if err != nil {
		return nil, err
	}
	return iamPage(c, "Versions", anyList(p.Versions, func(v iamPolicyVersion) any { return versionOut(p, v, false) }))
}

func iamDeletePolicyVersion(c *call) (doc, error) {
	p, i, err := policyVersion(c)
	if err != nil {
		return nil, err
	}
	if p.Versions[i].ID == p.Default {
		return nil, statusErrorf(http.StatusConflict, "DeleteConflict", "Cannot delete the default version of a policy.")
	}
	p.Versions = slices.Delete(p.Versions, i, i+1)
	return nil, nil
}

func iamSetDefaultPolicyVersion(c *call) (doc, error) {
	p, i, err := policyVersion(c)
	if err != nil {
		return nil, err
	}
	p.Default = p.Versions[i].ID
	p.Updated = c.srv.now()
	return nil, nil
}

// attachable checks that arn names a managed policy a role or user of the
// caller's account can hold: one of the AWS managed policies the endpoint
// knows, or a customer managed policy of the account.
func attachable(c *call, arn string) error {
	if _, ok := awsManagedPolicyDocument(arn); ok {
		return nil
	}
	if _, ok := iamOf(c.account).policies[arn]; ok {
		return nil
	}
	return noSuchEntity("Policy %s does not exist or is not attachable.", arn)
}

// newIdentity is what a CreateRole or CreateUser request sets on the new
// role or user: its Path, and its policies, none yet but the
// PermissionsBoundary, which must be attachable.
func newIdentity(c *call) (string, iamPolicies, error) {
	held := iamPolicies{Inline: map[string]string{}, Boundary: str(c.in, "PermissionsBoundary")}
	if held.Boundary != "" {
		if err := attachable(c, held.Boundary); err != nil {
			return "", iamPolicies{}, err
		}
	}
	path := strOr(c.in, "Path", "/")
	if err := checkIAMPath(path); err != nil {
		return "", iamPolicies{}, err
	}
	return path, held, nil
}

// putBoundary sets a role's or user's permissions boundary
// (PutRolePermissionsBoundary, PutUserPermissionsBoundary).
func putBoundary(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, _, err := holder(c)
		if err != nil {
			return nil, err
		}
		arn := str(c.in, "PermissionsBoundary")
		if err := attachable(c, arn); err != nil {
			return nil, err
		}
		p.Boundary = arn
		return nil, nil
	}
}

func deleteBoundary(holder policyHolder) handler {
	return func(c *call) (doc, error) {
		p, kind, err := holder(c)
		if err != nil {
			return nil, err
		}
		if p.Boundary == "" {
			return nil, noSuchEntity("The %s has no permissions boundary.", kind)
		}
		p.Boundary = ""
		return nil, nil
	}
}

// boundaryOut is the PermissionsBoundary element of a role or user.
func boundaryOut(out doc, p *iamPolicies) {
	if p.Boundary != "" {
		out["PermissionsBoundary"] = doc{"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": p.Boundary}
	}
}
