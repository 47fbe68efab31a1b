package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/awsx"
)

// TemplateRole is one AWS::IAM::Role of a template, resolved: the role
// CloudFormation would create, with every policy the template gives it.
type TemplateRole struct {
	LogicalID, Name, ARN string
	// Path is the role's path, "/" unless the template gives one.
	Path string
	// Trust is the role's trust policy (AssumeRolePolicyDocument), as JSON.
	Trust string
	// Policies are the role's inline policies by name: those of its
	// Policies property and every AWS::IAM::Policy that names it in Roles,
	// as CloudFormation puts them (PutRolePolicy).
	Policies          map[string]string
	ManagedPolicyARNs []string
	// after are the logical IDs of the template's roles that the trust
	// names, which IAM needs to exist first ("Invalid principal in policy").
	after []string
}

// Roles are the template's IAM roles, resolved now, each after the roles
// its trust names: the order in which DeployRoles creates them. A policy
// may name what only a deployment knows (a custom resource's output): set
// it first with SetAttribute.
func (t *Template) Roles() ([]TemplateRole, error) {
	var roles []TemplateRole
	for _, id := range t.roleIDs {
		role, err := t.role(id)
		if err != nil {
			return nil, err
		}
		roles = append(roles, role)
	}
	for _, id := range t.policyIDs {
		if err := t.addPolicy(roles, id); err != nil {
			return nil, err
		}
	}
	return orderRoles(roles)
}

func (t *Template) role(id string) (TemplateRole, error) {
	r := t.resolver
	props := r.resources[id].Properties
	if props["AssumeRolePolicyDocument"] == nil {
		return TemplateRole{}, fmt.Errorf("reading role (%s): it has no AssumeRolePolicyDocument", id)
	}
	trust, err := r.resolveJSON(props["AssumeRolePolicyDocument"])
	if err != nil {
		return TemplateRole{}, fmt.Errorf("resolving the trust policy of role (%s): %w", id, err)
	}
	arn, err := r.arn(id)
	if err != nil {
		return TemplateRole{}, err
	}
	path, err := r.rolePath(id)
	if err != nil {
		return TemplateRole{}, err
	}
	role := TemplateRole{LogicalID: id, Name: r.physicalName(id), Path: path, ARN: arn, Trust: trust, Policies: map[string]string{}}
	var raw any
	_ = json.Unmarshal(props["AssumeRolePolicyDocument"], &raw)
	for _, ref := range referencedIDs(raw) {
		if r.resources[ref].Type == "AWS::IAM::Role" && ref != id {
			role.after = append(role.after, ref)
		}
	}
	var inline []struct {
		PolicyName     string
		PolicyDocument json.RawMessage
	}
	if props["Policies"] != nil {
		if err := json.Unmarshal(props["Policies"], &inline); err != nil {
			return TemplateRole{}, fmt.Errorf("decoding the policies of role (%s): %w", id, err)
		}
	}
	for _, p := range inline {
		if role.Policies[p.PolicyName], err = r.resolveJSON(p.PolicyDocument); err != nil {
			return TemplateRole{}, fmt.Errorf("resolving policy %s of role (%s): %w", p.PolicyName, id, err)
		}
	}
	if props["ManagedPolicyArns"] != nil {
		var arns []any
		if err := json.Unmarshal(props["ManagedPolicyArns"], &arns); err != nil {
			return TemplateRole{}, fmt.Errorf("decoding the managed policies of role (%s): %w", id, err)
		}
		for _, a := range arns {
			s, err := r.resolveString(a)
			if err != nil {
				return TemplateRole{}, fmt.Errorf("resolving the managed policies of role (%s): %w", id, err)
			}
			role.ManagedPolicyARNs = append(role.ManagedPolicyARNs, s)
		}
	}
	return role, nil
}

// addPolicy puts the AWS::IAM::Policy id on the roles it names.
func (t *Template) addPolicy(roles []TemplateRole, id string) error {
	r := t.resolver
	props := r.resources[id].Properties
	if props["Users"] != nil || props["Groups"] != nil {
		return fmt.Errorf("reading policy (%s): only policies on roles are supported locally", id)
	}
	var name string
	_ = json.Unmarshal(props["PolicyName"], &name)
	doc, err := r.resolveJSON(props["PolicyDocument"])
	if err != nil || name == "" {
		return fmt.Errorf("resolving policy (%s): name %q: %v", id, name, err)
	}
	var refs []struct{ Ref string }
	if err := json.Unmarshal(props["Roles"], &refs); err != nil || len(refs) == 0 {
		return fmt.Errorf("reading policy (%s): Roles must name the template's roles with Ref", id)
	}
	for _, ref := range refs {
		i := slices.IndexFunc(roles, func(r TemplateRole) bool { return r.LogicalID == ref.Ref })
		if i < 0 {
			return fmt.Errorf("reading policy (%s): %s is not a role of the template", id, ref.Ref)
		}
		if _, dup := roles[i].Policies[name]; dup {
			return fmt.Errorf("reading policy (%s): role %s already has a policy named %s", id, ref.Ref, name)
		}
		roles[i].Policies[name] = doc
	}
	return nil
}

// orderRoles puts every role after the roles its trust names, the order
// in which CloudFormation's dependencies would create them.
func orderRoles(roles []TemplateRole) ([]TemplateRole, error) {
	var ordered []TemplateRole
	placed := map[string]bool{}
	for len(ordered) < len(roles) {
		progress := false
		for _, r := range roles {
			if placed[r.LogicalID] {
				continue
			}
			ready := true
			for _, dep := range r.after {
				ready = ready && placed[dep]
			}
			if ready {
				ordered, placed[r.LogicalID], progress = append(ordered, r), true, true
			}
		}
		if !progress {
			return nil, fmt.Errorf("ordering roles: their trust policies name each other in a cycle")
		}
	}
	return ordered, nil
}

// referencedIDs are the logical IDs a template value names with Ref,
// Fn::GetAtt or a Fn::Sub variable, sorted.
func referencedIDs(v any) []string {
	found := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, arg := range x {
				switch k {
				case "Ref":
					if s, ok := arg.(string); ok {
						found[s] = true
					}
				case "Fn::GetAtt":
					if s, ok := arg.(string); ok {
						id, _, _ := strings.Cut(s, ".")
						found[id] = true
					} else if args, ok := arg.([]any); ok && len(args) > 0 {
						if id, ok := args[0].(string); ok {
							found[id] = true
						}
					}
				case "Fn::Sub":
					format := arg
					if args, ok := arg.([]any); ok && len(args) > 0 {
						format = args[0]
						walk(args[1:])
					}
					if s, ok := format.(string); ok {
						for _, m := range subVariable.FindAllStringSubmatch(s, -1) {
							id, _, _ := strings.Cut(m[1], ".")
							found[id] = true
						}
					}
					continue
				}
				walk(arg)
			}
		}
	}
	walk(v)
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// DeployRoles creates the roles, in order, with their policies, through
// IAM as the caller of client: what CloudFormation would do for them. A
// trust naming a role created moments before is refused until IAM has
// propagated it; CloudFormation waits, and so does DeployRoles, for up to
// rolePropagationTimeout.
func DeployRoles(ctx context.Context, client *iam.Client, roles []TemplateRole) error {
	for _, r := range roles {
		create := func() error {
			_, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.Name), Path: aws.String(r.Path), AssumeRolePolicyDocument: aws.String(r.Trust)})
			return err
		}
		if err := awsx.Retry(ctx, rolePropagationTimeout, awsx.InvalidPrincipal, create); err != nil {
			return fmt.Errorf("creating role (%s) locally: %w", r.LogicalID, err)
		}
		names := make([]string, 0, len(r.Policies))
		for name := range r.Policies {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.Name),
				PolicyName: aws.String(name), PolicyDocument: aws.String(r.Policies[name])}); err != nil {
				return fmt.Errorf("putting policy %s on role (%s) locally: %w", name, r.LogicalID, err)
			}
		}
		for _, arn := range r.ManagedPolicyARNs {
			if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.Name), PolicyArn: aws.String(arn)}); err != nil {
				return fmt.Errorf("attaching %s to role (%s) locally: %w", arn, r.LogicalID, err)
			}
		}
	}
	return nil
}

// rolePropagationTimeout bounds DeployRoles waiting for IAM to propagate a
// role another's trust names: IAM's bound in the baseline too.
const rolePropagationTimeout = 2 * time.Minute

// stepFunctionsPrincipal is the service principal that assumes a state
// machine's role.
const stepFunctionsPrincipal = "states.amazonaws.com"

// StateMachineCredentials are, by state machine ARN, the credentials Step
// Functions holds of each machine's role, which its Task states call Lambda
// with: Runner.Credentials.
func StateMachineCredentials(ctx context.Context, srv *awslocal.Server, machines []StateMachine) (map[string]awslocal.Credentials, error) {
	out := map[string]awslocal.Credentials{}
	for _, m := range machines {
		if m.RoleARN == "" {
			return nil, fmt.Errorf("state machine %s has no role", m.Name)
		}
		creds, err := serviceCredentials(ctx, srv, stepFunctionsPrincipal, m.RoleARN, sessionNameOf(m.Name))
		if err != nil {
			return nil, fmt.Errorf("starting state machine %s: %w", m.Name, err)
		}
		out[m.ARN] = creds
	}
	return out, nil
}

// serviceCredentials is the session service starts of roleARN, once IAM
// has propagated the role: Lambda and Step Functions refuse a role they
// cannot assume yet when the function or state machine is created, and
// CloudFormation retries, for up to rolePropagationTimeout here.
func serviceCredentials(ctx context.Context, srv *awslocal.Server, service, roleARN, session string) (awslocal.Credentials, error) {
	var creds awslocal.Credentials
	err := awsx.Retry(ctx, rolePropagationTimeout, func(err error) bool { return errors.Is(err, awslocal.ErrRolePropagating) }, func() error {
		var err error
		creds, err = srv.ServiceCredentials(service, roleARN, session)
		return err
	})
	return creds, err
}

// sessionNameOf is name cut to the 64 characters a role session name may
// have.
func sessionNameOf(name string) string {
	if len(name) > 64 {
		return name[:64]
	}
	return name
}
