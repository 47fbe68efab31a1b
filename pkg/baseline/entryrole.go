package baseline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/pkg/awsx"
)

var entryRoleItem = Item{
	Name: "entry-role",
	Needs: []Need{{&executionRoleItem,
		"tightening the entry role can lock landfall out of the account; that door is never tightened before landfall's own is in place"}},
	Enabled: func(s *Spec) bool { return s.Profile.Items.EntryRole.RequireMFA },
	Plan:    planEntryRole,
	Permissions: func(s *Spec) []iamStatement {
		return []iamStatement{
			allow("IAMRead", anyResource, ownedRoleReads...),
			allow("IAMEntryRoleTrust", []string{roleARN(s.EntryRoleName())}, "iam:UpdateAssumeRolePolicy", "iam:TagRole"),
		}
	},
}

// The entry role (OrganizationAccountAccessRole by default) is how the
// management account first gets into an account AWS Organizations created.
// Out of the box anyone in the management account with sts:AssumeRole may
// use it, without MFA. The baseline rewrites its trust policy so people
// need MFA, while the pipeline role keeps using it without: it stays the
// break-glass door, and landfall keeps a way in.
//
// The role is NOT landfall's: AWS created it and people rely on it. It is
// an explicitly managed exception to the ownership rule: landfall changes
// only its trust policy, marks that with the tag landfall:managed-trust, and
// never deletes it, detaches its policies or takes it over otherwise. In
// the trust policy landfall writes only its own statements (their Sid
// starts with "Landfall") and takes out only the statement Organizations
// wrote, which admits the management account without any condition; every
// other statement stays as it is and is reported as a finding, since
// someone else opened that door and only they know whether it is needed.
//
// Tightening closes a door, so it happens only in a run that came in
// through landfall's execution role: that run has shown that the role
// works (it was assumed, and every read of the plan went through it)
// before landfall gives up the management account's way in without MFA.
// And it happens only once the trust as landfall found it is kept where a
// member account's administrator cannot rewrite it (Spec.TrustArchive), so
// that `landfall restore-trust` can put it back.

// TagManagedTrust marks a role whose trust policy landfall manages without
// owning the role.
const TagManagedTrust = "landfall:managed-trust"

// TrustArchive keeps an entry role's trust policy as landfall first found
// it. Saving for an account that has one kept already keeps that one.
type TrustArchive interface {
	SaveEntryTrust(ctx context.Context, accountID, roleName, policy string) error
}

// landfallSidPrefix starts the Sid of every statement landfall writes into
// a trust policy it does not own: the statements it may rewrite.
const landfallSidPrefix = "Landfall"

// landfallEntryStatements admit the pipeline role as it is, principals of
// the management account only with MFA, and the sessions of the IAM
// Identity Center permission sets the profile names for break-glass.
func landfallEntryStatements(s *Spec) []iamStatement {
	mgmt := s.Config.Organization.ManagementAccountID
	mgmtRoot := accountPrincipal(mgmt)
	statements := []iamStatement{
		{
			Sid:       "LandfallPipeline",
			Effect:    "Allow",
			Principal: map[string][]string{"AWS": {s.PipelineRoleARN}},
			Action:    []string{"sts:AssumeRole"},
		},
		{
			Sid:       "LandfallManagementAccountWithMFA",
			Effect:    "Allow",
			Principal: mgmtRoot,
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}},
		},
	}
	sets := s.Profile.Items.EntryRole.BreakGlassPermissionSets
	if len(sets) == 0 {
		return statements
	}
	// Identity Center names a permission set's role
	// AWSReservedSSO_<set>_<16-character suffix> under the path
	// /aws-reserved/sso.amazonaws.com/, with a region in it or not
	// ("Referencing permission sets in resource policies", IAM Identity
	// Center User Guide). The suffix is matched character by character, so
	// a set whose name merely starts with <set>_ does not match. Making a
	// role of such a name in the management account, and letting it assume
	// roles, takes IAM write access there, which is power over the
	// organization already.
	arns := make([]string, len(sets))
	for i, set := range sets {
		arns[i] = "arn:aws:iam::" + mgmt + ":role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_" + set + "_" + strings.Repeat("?", 16)
	}
	return append(statements, iamStatement{
		Sid:       "LandfallIdentityCenterBreakGlass",
		Effect:    "Allow",
		Principal: mgmtRoot,
		Action:    []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{"ArnLike": {"aws:PrincipalArn": arns}},
	})
}

// entryTrust is what landfall keeps of an entry role's trust policy: the
// statements others wrote. Its own statements are written anew, and the
// door Organizations made is what they replace.
type entryTrust struct {
	// others are the statements that are neither landfall's nor the
	// door.
	others []keptStatement
}

// keptStatement is a statement someone else wrote: as read, for the
// finding, and in canonical JSON, to be written back as it is.
type keptStatement struct {
	trustStatement
	raw json.RawMessage
}

// trustStatement is what landfall reads of a trust policy statement to
// tell whose it is.
type trustStatement struct {
	Sid          string
	Effect       string
	Principal    any
	NotPrincipal any
	Action       any
	NotAction    any
	Resource     any
	Condition    any
}

// parseEntryTrust reads the trust policy doc (as IAM returns it) of the
// entry role in an account of the organization whose management account is
// mgmt.
func parseEntryTrust(doc, mgmt string) (entryTrust, error) {
	canonical, err := canonicalIAMPolicy(doc)
	if err != nil {
		return entryTrust{}, fmt.Errorf("reading the trust policy: %w", err)
	}
	var p struct{ Statement json.RawMessage }
	if err := json.Unmarshal([]byte(canonical), &p); err != nil {
		return entryTrust{}, fmt.Errorf("reading the trust policy: %w", err)
	}
	// The canonical form writes a one-statement list as that statement.
	raws := []json.RawMessage{p.Statement}
	if strings.HasPrefix(string(p.Statement), "[") {
		if err := json.Unmarshal(p.Statement, &raws); err != nil {
			return entryTrust{}, fmt.Errorf("reading the trust policy's statements: %w", err)
		}
	}
	var t entryTrust
	for _, raw := range raws {
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		var st trustStatement
		if err := json.Unmarshal(raw, &st); err != nil {
			return entryTrust{}, fmt.Errorf("reading the trust policy's statement %s: %w", raw, err)
		}
		if strings.HasPrefix(st.Sid, landfallSidPrefix) || st.isOrganizationsDoor(mgmt) {
			continue
		}
		t.others = append(t.others, keptStatement{st, raw})
	}
	return t, nil
}

// isOrganizationsDoor reports whether st is the statement AWS Organizations
// writes into the role it creates: the management account may assume the
// role, with no condition. IAM stores an account ID principal as the
// account's root ARN; either spelling is the same door.
func (st trustStatement) isOrganizationsDoor(mgmt string) bool {
	principal, ok := st.Principal.(map[string]any)
	if !ok || len(principal) != 1 {
		return false
	}
	account := principal["AWS"]
	// Action names are case-insensitive in IAM, effects are not.
	action, _ := st.Action.(string)
	return st.Effect == "Allow" && strings.EqualFold(action, "sts:AssumeRole") && (account == mgmt || account == awsx.AccountRootARN(mgmt)) &&
		st.NotPrincipal == nil && st.NotAction == nil && st.Resource == nil && st.Condition == nil
}

// desired is the trust policy landfall wants: its statements, then the
// others'.
func (t entryTrust) desired(s *Spec) string {
	mine := landfallEntryStatements(s)
	statements := make([]any, 0, len(mine)+len(t.others))
	for _, st := range mine {
		statements = append(statements, st)
	}
	for _, st := range t.others {
		statements = append(statements, st.raw)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// Statements and documents decoded from JSON always encode.
	_ = enc.Encode(struct {
		Version   string
		Statement []any
	}{"2012-10-17", statements})
	return strings.TrimSuffix(b.String(), "\n")
}

// finding describes the statements others wrote that let someone in, for
// the people who decide whether they stay. Deny statements only narrow who
// may enter and are kept without a word.
func (t entryTrust) finding() string {
	var doors []string
	for _, st := range t.others {
		if st.Effect != "Allow" {
			continue
		}
		who := "statement"
		if st.Sid != "" {
			who += fmt.Sprintf(" %q", st.Sid)
		}
		conditions := "no condition"
		if st.Condition != nil {
			conditions = "conditions"
		}
		doors = append(doors, fmt.Sprintf("%s: %s with %s", who, st.describePrincipal(), conditions))
	}
	if len(doors) == 0 {
		return ""
	}
	return fmt.Sprintf("the trust policy lets in more than landfall and the management account with MFA; landfall keeps these statements "+
		"as they are, remove them if no one needs them: %s", strings.Join(doors, "; "))
}

// describePrincipal names who a statement admits, as the policy says it.
func (st trustStatement) describePrincipal() string {
	if st.NotPrincipal != nil {
		b, _ := json.Marshal(st.NotPrincipal)
		return "everyone but " + string(b)
	}
	b, _ := json.Marshal(st.Principal)
	return string(b)
}

func planEntryRole(ctx context.Context, env *Env) ([]Change, error) {
	client := iam.NewFromConfig(env.AWS)
	s := env.Spec
	name := s.EntryRoleName()
	resource := "role/" + name
	role, err := findRoleByName(ctx, client, name)
	if awsx.NotFound(err) {
		// Accounts that joined by invitation have no such role: no door to
		// tighten, and nothing landfall should create.
		return []Change{{Resource: resource, Action: Unchanged, Detail: "the entry role does not exist; nothing to tighten"}}, nil
	}
	if err != nil {
		return nil, err
	}
	have := aws.ToString(role.AssumeRolePolicyDocument)
	trust, err := parseEntryTrust(have, s.Config.Organization.ManagementAccountID)
	if err != nil {
		return nil, fmt.Errorf("IAM role (%s): %w", name, err)
	}
	var changes []Change
	if f := trust.finding(); f != "" {
		changes = append(changes, Change{Resource: resource, Action: Finding, Detail: f})
	}
	want := trust.desired(s)
	var edits []edit
	if !iamPoliciesEquivalent(have, want) {
		if err := mayTighten(ctx, env.AWS, s); err != nil {
			return append(changes, Change{Resource: resource, Action: Finding, Detail: fmt.Sprintf("trust policy not tightened by this run: %v; "+
				"the pipeline tightens it (landfall rerun --account %s)", err, s.Account.ID)}), nil
		}
		original := displayIAMPolicy(have)
		edits = append(edits, edit{[]Diff{{"AssumeRolePolicyDocument", original, displayIAMPolicy(want)}}, func(ctx context.Context) error {
			// Re-check at apply time: the execution role must still admit
			// the pipeline, or the next run has no way in but this door.
			problem, err := executionRoleProblem(ctx, client, s)
			if err == nil && problem != "" {
				err = fmt.Errorf("IAM role (%s) %s", s.ExecutionRoleName(), problem)
			}
			if err != nil {
				return fmt.Errorf("refusing to tighten IAM role (%s) before landfall's own role is in place: %w", name, err)
			}
			if err := s.TrustArchive.SaveEntryTrust(ctx, s.Account.ID, name, original); err != nil {
				return fmt.Errorf("refusing to tighten IAM role (%s) before its trust policy is saved: %w", name, err)
			}
			return updateTrust(ctx, client, name, want)
		}})
	}
	if e, ok := tagEdit("IAM role", name, tagMap(role.Tags, iamTagKV), map[string]string{TagManagedTrust: "true"}, func(ctx context.Context, missing, _ map[string]string) error {
		_, err := client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: tagList(missing, newIAMTag)})
		return err
	}); ok {
		edits = append(edits, e)
	}
	return append([]Change{editsChange(resource, edits)}, changes...), nil
}

// mayTighten returns an error saying why a run with cfg may not tighten
// the entry role of s's account: it does not act as the execution role, or
// it has nowhere to keep the trust as it is.
func mayTighten(ctx context.Context, cfg aws.Config, s *Spec) error {
	if err := actingAsExecutionRole(ctx, cfg, s); err != nil {
		return err
	}
	if s.TrustArchive == nil {
		return errors.New("it has nowhere to keep the trust policy as it is, to restore it later")
	}
	return nil
}

// actingAsExecutionRole returns an error saying who cfg acts as, unless
// that is landfall's execution role in the account of s.
func actingAsExecutionRole(ctx context.Context, cfg aws.Config, s *Spec) error {
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("reading who this run acts as: %w", err)
	}
	// A session's ARN is arn:<partition>:sts::<account>:assumed-role/<role>/<session>.
	caller := aws.ToString(id.Arn)
	if a, err := arn.Parse(caller); err == nil && a.Service == "sts" && a.AccountID == s.Account.ID &&
		strings.HasPrefix(a.Resource, "assumed-role/"+s.ExecutionRoleName()+"/") {
		return nil
	}
	return fmt.Errorf("it acts as %s, not through landfall's execution role (%s), so it has not shown that landfall keeps a way in", caller, s.ExecutionRoleName())
}
