package awslocal

import (
	"encoding/json"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/landfall/landfall/internal/iamsim"
)

// Organizations policies: service control policies, following the AWS
// Organizations API Reference (EnablePolicyType, DisablePolicyType,
// CreatePolicy, UpdatePolicy, DescribePolicy, ListPolicies, AttachPolicy,
// DetachPolicy, ListPoliciesForTarget, ListTargetsForPolicy, DeletePolicy)
// and "Quotas and service limits for AWS Organizations": an SCP holds at
// most 5,120 characters, a root, OU or account at most five SCPs, and at
// least one (DetachPolicy: "Every root, OU, and account must have at least
// one SCP attached"). Enabling the type attaches the AWS managed
// FullAWSAccess to the root and every OU and account, and every OU or
// account that joins later gets it too. The API Reference does not say
// which error answers a change to FullAWSAccess itself; the endpoint
// refuses it with AccessDeniedException. Only the SERVICE_CONTROL_POLICY
// type is modelled; the others fail as not modelled rather than pass
// unchecked.

const (
	scpType          = "SERVICE_CONTROL_POLICY"
	maxSCPSize       = 5120
	maxSCPsPerTarget = 5
	maxSCPs          = 1000
	fullAWSAccessID  = "p-FullAWSAccess"
)

type orgPolicy struct {
	ID, Name, Description, Content string
	AWSManaged                     bool
}

func newFullAWSAccess() *orgPolicy {
	return &orgPolicy{ID: fullAWSAccessID, Name: "FullAWSAccess", Description: "Allows access to every operation", AWSManaged: true,
		Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}
}

// scpsEnabled reports whether the root has the SCP type enabled.
func (o *organization) scpsEnabled() bool { return o.policyTypes[scpType] }

// join places a new OU or account under parent; with SCPs enabled it
// starts with FullAWSAccess, as Organizations attaches it.
func (o *organization) join(id, parent string) {
	o.parent[id] = parent
	if o.scpsEnabled() {
		o.attached[id] = []string{fullAWSAccessID}
	}
}

// leave forgets an account's place and its attachments.
func (o *organization) leave(id string) {
	delete(o.parent, id)
	delete(o.attached, id)
}

// checkPolicyType checks the policy type a request names.
func checkPolicyType(t string) error {
	switch t {
	case scpType:
		return nil
	case "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY", "RESOURCE_CONTROL_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2":
		return notModelled("the %s policy type", t)
	default:
		return errorf("InvalidInputException", "You provided a value that does not match the required pattern: PolicyType %q.", t)
	}
}

func orgEnablePolicyType(c *call) (doc, error) {
	o, err := orgRootPolicyType(c)
	if err != nil {
		return nil, err
	}
	if o.scpsEnabled() {
		return nil, errorf("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
	}
	o.policyTypes[scpType] = true
	for _, id := range append(sortedKeys(o.parent), o.RootID) {
		o.attached[id] = []string{fullAWSAccessID}
	}
	return doc{"Root": rootOut(c)}, nil
}

func orgDisablePolicyType(c *call) (doc, error) {
	o, err := orgRootPolicyType(c)
	if err != nil {
		return nil, err
	}
	if !o.scpsEnabled() {
		return nil, errorf("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
	}
	delete(o.policyTypes, scpType)
	clear(o.attached)
	return doc{"Root": rootOut(c)}, nil
}

// orgRootPolicyType is the preamble of Enable/DisablePolicyType: the
// management account's organization, RootId naming its root, and a
// policy type the endpoint models.
func orgRootPolicyType(c *call) (*organization, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	if str(c.in, "RootId") != o.RootID {
		return nil, errorf("RootNotFoundException", "We can't find a root with the RootId that you specified.")
	}
	return o, checkPolicyType(str(c.in, "PolicyType"))
}

// checkSCPContent checks an SCP's syntax and size; Organizations counts
// every character, white space included.
func checkSCPContent(content string) error {
	if _, err := parsePolicy(content); err != nil {
		return errorf("MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the specified policy type: %s", err.(*APIError).Message)
	}
	if utf8.RuneCountInString(content) > maxSCPSize {
		return errorf("ConstraintViolationException", "You have exceeded the maximum size of a policy document (%d characters): POLICY_CONTENT_LIMIT_EXCEEDED", maxSCPSize)
	}
	return nil
}

func checkPolicyName(o *organization, name, except string) error {
	if name == "" || utf8.RuneCountInString(name) > 128 {
		return errorf("InvalidInputException", "The policy name must be 1 to 128 characters.")
	}
	for _, p := range o.policies {
		if p.Name == name && p.ID != except {
			return errorf("DuplicatePolicyException", "A policy with the same name already exists.")
		}
	}
	return nil
}

func orgCreatePolicy(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyType(str(c.in, "Type")); err != nil {
		return nil, err
	}
	name, content := str(c.in, "Name"), str(c.in, "Content")
	if err := checkPolicyName(o, name, ""); err != nil {
		return nil, err
	}
	if err := checkSCPContent(content); err != nil {
		return nil, err
	}
	if len(o.policies) > maxSCPs { // FullAWSAccess does not count
		return nil, errorf("ConstraintViolationException", "You have reached the maximum number of policies of this type: POLICY_NUMBER_LIMIT_EXCEEDED")
	}
	p := &orgPolicy{ID: "p-" + c.srv.newID(8), Name: name, Description: str(c.in, "Description"), Content: content}
	o.policies[p.ID] = p
	o.tags[p.ID] = tagList(c.in, "Tags")
	return doc{"Policy": policyDocOut(c, p)}, nil
}

// orgPolicyByID finds the policy PolicyId names.
func orgPolicyByID(c *call) (*organization, *orgPolicy, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, nil, err
	}
	p, ok := o.policies[str(c.in, "PolicyId")]
	if !ok {
		return nil, nil, errorf("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
	}
	return o, p, nil
}

// orgOwnPolicy is orgPolicyByID for changes, which AWS managed policies refuse.
func orgOwnPolicy(c *call) (*organization, *orgPolicy, error) {
	o, p, err := orgPolicyByID(c)
	if err == nil && p.AWSManaged {
		err = errorf("AccessDeniedException", "You can't change the AWS managed policy %s.", p.Name)
	}
	return o, p, err
}

func (c *call) orgPolicyARN(p *orgPolicy) string {
	if p.AWSManaged {
		return "arn:aws:organizations::aws:policy/service_control_policy/" + p.ID
	}
	return "arn:aws:organizations::" + c.srv.opts.ManagementAccountID + ":policy/" + c.srv.org.ID + "/service_control_policy/" + p.ID
}

func policySummaryOut(c *call, p *orgPolicy) doc {
	return doc{"Id": p.ID, "Arn": c.orgPolicyARN(p), "Name": p.Name, "Description": p.Description, "Type": scpType, "AwsManaged": p.AWSManaged}
}

func policyDocOut(c *call, p *orgPolicy) doc {
	return doc{"PolicySummary": policySummaryOut(c, p), "Content": p.Content}
}

func orgUpdatePolicy(c *call) (doc, error) {
	o, p, err := orgOwnPolicy(c)
	if err != nil {
		return nil, err
	}
	name, content := strOr(c.in, "Name", p.Name), strOr(c.in, "Content", p.Content)
	if err := checkPolicyName(o, name, p.ID); err != nil {
		return nil, err
	}
	if err := checkSCPContent(content); err != nil {
		return nil, err
	}
	p.Name, p.Content = name, content
	if has(c.in, "Description") {
		p.Description = str(c.in, "Description")
	}
	return doc{"Policy": policyDocOut(c, p)}, nil
}

func orgDescribePolicy(c *call) (doc, error) {
	_, p, err := orgPolicyByID(c)
	if err != nil {
		return nil, err
	}
	return doc{"Policy": policyDocOut(c, p)}, nil
}

func orgListPolicies(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	if err := checkPolicyType(str(c.in, "Filter")); err != nil {
		return nil, err
	}
	return orgPage(c, "Policies", anyList(sortedKeys(o.policies), func(id string) any { return policySummaryOut(c, o.policies[id]) }))
}

// orgAttachment is the preamble of AttachPolicy and DetachPolicy: the
// policy, and TargetId naming the root, an OU or an account, with SCPs
// enabled.
func orgAttachment(c *call) (*organization, *orgPolicy, string, error) {
	o, p, err := orgPolicyByID(c)
	if err != nil {
		return nil, nil, "", err
	}
	target := str(c.in, "TargetId")
	if err := o.targetExists(target); err != nil {
		return nil, nil, "", err
	}
	if !o.scpsEnabled() {
		return nil, nil, "", errorf("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")
	}
	return o, p, target, nil
}

func orgAttachPolicy(c *call) (doc, error) {
	o, p, target, err := orgAttachment(c)
	if err != nil {
		return nil, err
	}
	if slices.Contains(o.attached[target], p.ID) {
		return nil, errorf("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
	}
	if len(o.attached[target]) >= maxSCPsPerTarget {
		return nil, errorf("ConstraintViolationException", "You attempted to attach more than %d policies of this type to an entity: MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", maxSCPsPerTarget)
	}
	o.attached[target] = append(o.attached[target], p.ID)
	return nil, nil
}

func orgDetachPolicy(c *call) (doc, error) {
	o, p, target, err := orgAttachment(c)
	if err != nil {
		return nil, err
	}
	i := slices.Index(o.attached[target], p.ID)
	if i < 0 {
		return nil, errorf("PolicyNotAttachedException", "The policy isn't attached to the specified target in the specified root.")
	}
	if len(o.attached[target]) == 1 {
		return nil, errorf("ConstraintViolationException", "Every root, OU, and account must have at least one SCP attached: MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	}
	o.attached[target] = slices.Delete(o.attached[target], i, i+1)
	return nil, nil
}

func orgListPoliciesForTarget(c *call) (doc, error) {
	o, err := orgFor(c, true)
	if err != nil {
		return nil, err
	}
	target := str(c.in, "TargetId")
	if err := o.targetExists(target); err != nil {
		return nil, err
	}
	if err := checkPolicyType(str(c.in, "Filter")); err != nil {
		return nil, err
	}
	return orgPage(c, "Policies", anyList(o.attached[target], func(id string) any { return policySummaryOut(c, o.policies[id]) }))
}

func orgListTargetsForPolicy(c *call) (doc, error) {
	o, p, err := orgPolicyByID(c)
	if err != nil {
		return nil, err
	}
	var out []any
	for _, id := range append([]string{o.RootID}, sortedKeys(o.parent)...) {
		if slices.Contains(o.attached[id], p.ID) {
			out = append(out, o.targetOut(c, id))
		}
	}
	return orgPage(c, "Targets", out)
}

// targetOut describes a root, OU or account as a policy target.
func (o *organization) targetOut(c *call, id string) doc {
	switch {
	case id == o.RootID:
		return doc{"TargetId": id, "Arn": rootOut(c)["Arn"], "Name": "Root", "Type": "ROOT"}
	case o.ous[id] != nil:
		u := ouOut(c, o.ous[id])
		return doc{"TargetId": id, "Arn": u["Arn"], "Name": u["Name"], "Type": "ORGANIZATIONAL_UNIT"}
	default:
		a := accountOut(c, c.srv.accounts[id])
		return doc{"TargetId": id, "Arn": a["Arn"], "Name": a["Name"], "Type": "ACCOUNT"}
	}
}

func orgDeletePolicy(c *call) (doc, error) {
	o, p, err := orgOwnPolicy(c)
	if err != nil {
		return nil, err
	}
	for _, ids := range o.attached {
		if slices.Contains(ids, p.ID) {
			return nil, errorf("PolicyInUseException", "The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
	}
	delete(o.policies, p.ID)
	delete(o.tags, p.ID)
	return nil, nil
}

// scpsLocked are the SCPs that apply to a principal of account, root
// first, then each OU down to the account. None apply to the management
// account, nor when the type is not enabled ("Service control policies",
// AWS Organizations User Guide).
func (s *Server) scpsLocked(account string) []iamsim.OrgPolicies {
	o := s.org
	if o == nil || !o.scpsEnabled() || account == s.opts.ManagementAccountID {
		return nil
	}
	if _, member := o.parent[account]; !member {
		return nil
	}
	path := append(o.ancestors(account), account)
	levels := make([]iamsim.OrgPolicies, 0, len(path))
	for _, id := range path {
		l := iamsim.OrgPolicies{Target: id}
		for _, pid := range o.attached[id] {
			p := o.policies[pid]
			l.Policies = append(l.Policies, iamsim.Policy{Name: p.ID, Document: json.RawMessage(p.Content)})
		}
		levels = append(levels, l)
	}
	return levels
}

// orgPolicyTypeOf is the policy type a request is about, for the
// organizations:PolicyType condition key: the type it names, or the type of
// the policy it names.
func orgPolicyTypeOf(c *call) string {
	for _, key := range []string{"PolicyType", "Type", "Filter"} {
		if t := str(c.in, key); t != "" {
			return t
		}
	}
	if has(c.in, "PolicyId") {
		return scpType
	}
	return ""
}

// notModelled is the endpoint's refusal of a request AWS would accept but
// the endpoint does not model, so that no test passes on it unchecked.
func notModelled(format string, args ...any) error {
	return statusErrorf(http.StatusNotImplemented, "NotImplemented", "awslocal: the endpoint does not model "+format, args...)
}
