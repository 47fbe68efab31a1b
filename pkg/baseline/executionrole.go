package baseline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
)

// executionRoleItem creates landfall's execution role, the one item
// Engine.Bootstrap applies. The baseline creates the role through the entry
// role, and the management account has none: there, landfall's deploy
// creates it from the same documents (ExecutionRole) and owns it, and the
// item only checks it.
var executionRoleItem = Item{
	Name:    "execution-role",
	Enabled: func(*Spec) bool { return true },
	Plan:    planExecutionRole,
	// It writes the role and its boundary through the entry role; as
	// itself it only reads them (Engine.ExecutionRoleCurrent).
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{allow("IAMRead", anyResource, append(slices.Clone(ownedRoleReads), "iam:GetPolicy", "iam:GetPolicyVersion")...)}
	},
}

// landfall's own execution role in the account. The pipeline role in the
// management account is the only principal that may assume it, and only
// from inside the organization. Its permissions are the actions the
// baseline uses and, for writes, only on landfall-named resources where
// the service allows scoping.
//
// What it may do to IAM is what makes it more than a list of actions, so
// that part is held to the baseline itself: it may write only the roles
// the baseline makes (by exact name, never itself or another <prefix>-
// name), attach to each only that role's own managed policies, pass only
// the service roles, each to its own service, and delete default VPCs only
// where the profile asks for that. It never changes itself: a run finds
// it differing from what this version wants and updates it through the
// entry role (Engine.ExecutionRoleCurrent).
//
// What it can still do is decide who may assume the roles it makes, the
// admin role included: whoever holds it can make a principal of their
// choosing administrator of this one account. That is the job of the
// human-roles item; the role reaches no other account. The roles it makes
// carry landfall's permissions boundary (boundary.go), so none of them
// can in turn change the execution role, the entry role or the boundary.

// executionRoleMaxSession is the longest session: a chained session (the
// pipeline's Lambda role assuming this one) is capped at one hour anyway.
const executionRoleMaxSession = 3600

// executionPolicyName names the role's one inline policy.
const executionPolicyName = "landfall-baseline"

func desiredExecutionRole(s *Spec, items []Item) ownedRole {
	return ownedRole{
		Name:        s.ExecutionRoleName(),
		Description: "landfall applies the account baseline through this role",
		Trust:       executionTrust(s),
		MaxSession:  executionRoleMaxSession,
		Inline:      map[string]iamPolicy{executionPolicyName: executionPolicy(s, items)},
	}
}

// planExecutionRole plans the boundary of the roles the execution role
// will create, then the role: both are written through the entry role,
// and neither by the execution role itself.
func planExecutionRole(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	if env.Spec.InManagementAccount() {
		return planDeployedExecutionRole(ctx, client, env.Spec)
	}
	boundary, err := planBoundary(ctx, client, env.Spec)
	if err != nil {
		return nil, err
	}
	role, err := planOwnedRole(ctx, client, env.Spec, desiredExecutionRole(env.Spec, env.Catalogue))
	if err != nil {
		return nil, err
	}
	return []Change{boundary, role}, nil
}

// planDeployedExecutionRole checks the management account's execution
// role, which landfall's deploy creates and owns there: the baseline
// cannot create it (the management account has no entry role), and the
// role may not change itself. So a role missing or admitting another
// pipeline is a finding for whoever deploys, not a change.
func planDeployedExecutionRole(ctx context.Context, client *iam.Client, s *Spec) ([]Change, error) {
	problem, err := executionRoleProblem(ctx, client, s)
	if err != nil {
		return nil, err
	}
	resource := "role/" + s.ExecutionRoleName()
	if problem != "" {
		return []Change{{Resource: resource, Action: Finding, Detail: fmt.Sprintf(
			"IAM role %s %s; in the management account landfall's deploy creates it: deploy landfall again", s.ExecutionRoleName(), problem)}}, nil
	}
	return []Change{{Resource: resource, Action: Unchanged}}, nil
}

// RoleDocuments is an IAM role as its documents, in JSON.
type RoleDocuments struct {
	Name, Description string
	Trust             string
	// Inline are the role's inline policies by name.
	Inline            map[string]string
	MaxSessionSeconds int32
}

// ExecutionRole is the execution role the baseline wants in the account of
// s. The deploy creates it from these documents in the management account,
// where the baseline cannot create it (see the execution-role item).
func ExecutionRole(s *Spec) RoleDocuments {
	r := desiredExecutionRole(s, Catalogue())
	inline := make(map[string]string, len(r.Inline))
	for name, p := range r.Inline {
		inline[name] = p.JSON()
	}
	return RoleDocuments{Name: r.Name, Description: r.Description, Trust: r.Trust.JSON(), Inline: inline, MaxSessionSeconds: r.MaxSession}
}

// executionTrust admits the pipeline role, and only while it belongs to the
// organization: a role of the same name in an account that left the
// organization must not get in.
func executionTrust(s *Spec) iamPolicy {
	return newIAMPolicy(iamStatement{
		Sid:       "LandfallPipeline",
		Effect:    "Allow",
		Principal: map[string][]string{"AWS": {s.PipelineRoleARN}},
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:PrincipalOrgID": {s.OrganizationID}}},
	})
}

// executionPolicy is the execution role's policy for the engine's items:
// what each declares it needs (Item.Permissions), what the engine itself
// calls, and what the role may never do whatever an item declares. Writes
// are limited to resources named with the prefix where IAM can scope them;
// account-wide settings (EBS default encryption, account-level S3 Block
// Public Access, contacts) and services without resource-level permissions
// cannot be scoped. TestExecutionPolicyAllowsEveryCall holds the items to
// declaring every action their code calls.
func executionPolicy(s *Spec, items []Item) iamPolicy {
	statements := []iamStatement{
		// Entering the account: accounts.Enter proves IAM answers.
		allow("IAMRead", anyResource, "iam:ListAccountAliases"),
	}
	for _, it := range items {
		statements = append(statements, it.Permissions(s)...)
	}
	statements = append(statements,
		iamStatement{
			// What gives a role power, only while landfall's boundary
			// holds the role; the entry role, whose trust the entry-role
			// item tightens, is landfall's door and carries none. A role
			// without a boundary has no iam:PermissionsBoundary, which
			// StringNotEquals counts as differing.
			Sid: "DenyUnboundedRoles", Effect: "Deny", NotResource: []string{roleARN(s.EntryRoleName())},
			Action:    []string{"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"},
			Condition: map[string]map[string][]string{"StringNotEquals": {"iam:PermissionsBoundary": {boundaryARN(s)}}},
		},
		// Whatever the names in the config, the role never changes itself.
		iamStatement{Sid: "DenyChangingItself", Effect: "Deny", Resource: []string{roleARN(s.ExecutionRoleName())},
			Action: []string{"iam:Attach*", "iam:Delete*", "iam:Detach*", "iam:Put*", "iam:Tag*", "iam:Untag*", "iam:Update*"}},
	)
	return newIAMPolicy(mergeStatements(statements)...)
}

// anyResource is a statement's Resource where the actions cannot be scoped.
var anyResource = []string{"*"}

// allow is an Allow statement.
func allow(sid string, resources []string, actions ...string) iamStatement {
	return iamStatement{Sid: sid, Effect: "Allow", Action: actions, Resource: resources}
}

// serviceLinkedRole lets the execution role turn on a service that creates
// its own service-linked role on first use.
func serviceLinkedRole(service string) iamStatement {
	return iamStatement{Sid: "IAMServiceLinkedRoles", Effect: "Allow", Action: []string{"iam:CreateServiceLinkedRole"}, Resource: anyResource,
		Condition: map[string]map[string][]string{"StringEquals": {"iam:AWSServiceName": {service}}}}
}

// ownedRolePermissions are what the owned-role reconciler (planOwnedRole)
// needs for roles: reading them, writing exactly these, attaching only
// their own managed policies and passing them only to their services.
func ownedRolePermissions(roles ...ownedRole) []iamStatement {
	arns := make([]string, 0, len(roles))
	for _, r := range roles {
		arns = append(arns, roleARN(r.Name))
	}
	return append([]iamStatement{
		allow("IAMRead", anyResource, ownedRoleReads...),
		allow("IAMBaselineRoles", arns,
			"iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole",
			"iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy"),
	}, roleGrants(roles)...)
}

// ownedRoleReads are how a role is read, with its policies.
var ownedRoleReads = []string{"iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies"}

// mergeStatements joins the statements that share a Sid into one where
// that allows no more than they do apart: they differ only in their
// actions, only in their resources, or only in the values of one condition
// key whose operator means "any of these". The items declare what each
// needs; merged, the policy stays within IAM's size limit. A statement
// that cannot be merged keeps its own, with a numbered Sid.
func mergeStatements(in []iamStatement) []iamStatement {
	var out []iamStatement
	var sids []string // out[i]'s Sid before numbering
	kept := map[string]int{}
	for _, st := range in {
		merged := false
		for i := range out {
			if sids[i] != st.Sid {
				continue
			}
			if m, ok := mergeStatement(out[i], st); ok {
				out[i], merged = m, true
				break
			}
		}
		if merged {
			continue
		}
		sids = append(sids, st.Sid)
		if kept[st.Sid]++; kept[st.Sid] > 1 && st.Sid != "" {
			st.Sid += strconv.Itoa(kept[st.Sid])
		}
		out = append(out, st)
	}
	return out
}

// mergeStatement merges b into a when one statement means both (see
// mergeStatements).
func mergeStatement(a, b iamStatement) (iamStatement, bool) {
	if a.Effect != b.Effect || a.Principal != nil || b.Principal != nil || !sameSet(a.NotResource, b.NotResource) {
		return a, false
	}
	sameActions, sameResources := sameSet(a.Action, b.Action), sameSet(a.Resource, b.Resource)
	op, key, sameCondition := conditionDifference(a.Condition, b.Condition)
	switch {
	case sameCondition && sameResources:
		a.Action = union(a.Action, b.Action)
	case sameCondition && sameActions:
		a.Resource = union(a.Resource, b.Resource)
	case sameActions && sameResources && key != "" && anyOfOperators[op]:
		condition := maps.Clone(a.Condition)
		condition[op] = maps.Clone(a.Condition[op])
		condition[op][key] = union(a.Condition[op][key], b.Condition[op][key])
		a.Condition = condition
	default:
		return a, false
	}
	return a, true
}

// anyOfOperators are the condition operators under which a list of values
// means "any of these", so that joining two statements' lists allows what
// the two allow and no more. (ForAllValues and the negated operators do
// not: a longer list allows more, or less.)
var anyOfOperators = map[string]bool{
	"StringEquals": true, "StringLike": true, "ArnEquals": true, "ArnLike": true,
	"ForAnyValue:StringEquals": true, "ForAnyValue:StringLike": true,
}

// conditionDifference compares two conditions: the same (""), or
// differing only in the values of one operator's key (op, key), or more.
func conditionDifference(a, b map[string]map[string][]string) (op, key string, same bool) {
	if len(a) != len(b) {
		return "", "", false
	}
	differences := 0
	for o, keys := range a {
		other, ok := b[o]
		if !ok || len(other) != len(keys) {
			return "", "", false
		}
		for k, values := range keys {
			bv, ok := other[k]
			if !ok {
				return "", "", false
			}
			if !sameSet(values, bv) {
				differences++
				op, key = o, k
			}
		}
	}
	switch differences {
	case 0:
		return "", "", true
	case 1:
		return op, key, false
	}
	return "", "", false
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Compact(slices.Sorted(slices.Values(a))), slices.Compact(slices.Sorted(slices.Values(b))))
}

// union is a, then what b adds, in order.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// baselineRoles are the roles the baseline creates, repairs or deletes in
// an account, whichever the profile turns on: a role turned off is deleted
// if landfall made it.
func baselineRoles(s *Spec) []ownedRole {
	roles := []ownedRole{trailLogsRole(s, desiredTrail(s)), desiredConfigRole(s), desiredFindingsForwarder(s), desiredAlertsReader(s)}
	for _, h := range desiredHumanRoles(s) {
		roles = append(roles, h.role)
	}
	return roles
}

// roleGrants pin what gives each role power: attaching a managed policy
// only to the role whose policy it is (AdministratorAccess only to the
// admin role), and passing a role only to the services its trust admits
// (the trail's to CloudTrail, the recorder's to Config, the forwarder's to
// EventBridge).
func roleGrants(roles []ownedRole) []iamStatement {
	var out []iamStatement
	for _, r := range roles {
		if len(r.Managed) > 0 {
			out = append(out, iamStatement{Sid: "IAMAttach" + sidWord(r.Name), Effect: "Allow", Action: []string{"iam:AttachRolePolicy"},
				Resource: []string{roleARN(r.Name)}, Condition: map[string]map[string][]string{"ArnEquals": {"iam:PolicyARN": r.Managed}}})
		}
		var services []string
		for _, st := range r.Trust.Statement {
			services = append(services, st.Principal["Service"]...)
		}
		if len(services) > 0 {
			out = append(out, iamStatement{Sid: "IAMPass" + sidWord(r.Name), Effect: "Allow", Action: []string{"iam:PassRole"},
				Resource: []string{roleARN(r.Name)}, Condition: map[string]map[string][]string{"StringEquals": {"iam:PassedToService": services}}})
		}
	}
	return out
}

// roleARN names a role of the account in the execution role's policy,
// which only ever acts in its own account.
func roleARN(name string) string { return "arn:aws:iam::*:role/" + name }

// sidWord makes a name a statement id, which may hold only letters and
// digits: "acme-read-only" becomes "AcmeReadOnly".
func sidWord(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func managedPolicyARN(name string) string { return "arn:aws:iam::aws:policy/" + name }

// executionRoleProblem reads the execution role and says what keeps it
// from being the door the baseline wants, "" when nothing does: it is
// missing, or trusts another principal than the pipeline role. The entry
// role is tightened only when nothing does.
func executionRoleProblem(ctx context.Context, client *iam.Client, s *Spec) (string, error) {
	role, err := findRoleByName(ctx, client, s.ExecutionRoleName())
	switch {
	case awsx.NotFound(err):
		return "does not exist", nil
	case err != nil:
		return "", fmt.Errorf("reading IAM role (%s): %w", s.ExecutionRoleName(), err)
	case !iamPoliciesEquivalent(aws.ToString(role.AssumeRolePolicyDocument), executionTrust(s).JSON()):
		return "does not trust " + s.PipelineRoleARN + " as the baseline wants", nil
	}
	return "", nil
}

// VerifyExecutionRole proves that the pipeline can use the execution role,
// and returns the role's credentials: it enters accountID through roleName
// with pipelineCfg (the pipeline role's credentials) as the pipeline does
// (accounts.Assume). A role just created is refused by STS for a while,
// and its policies take effect later still (IAM propagation), so
// AccessDenied is retried for up to iamPropagationTimeout before it counts.
func VerifyExecutionRole(ctx context.Context, pipelineCfg aws.Config, accountID, roleName string) (aws.Config, error) {
	var cfg aws.Config
	err := awsx.Retry(ctx, iamPropagationTimeout, awsx.OnCodes("AccessDenied"), func() error {
		var err error
		cfg, err = accounts.Assume(ctx, pipelineCfg, accountID, roleName)
		return err
	})
	if err != nil {
		return aws.Config{}, fmt.Errorf("using IAM role (%s): %w", awsx.RoleARN(accountID, roleName), err)
	}
	return cfg, nil
}
