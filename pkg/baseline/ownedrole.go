package baseline

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/landfall/landfall/pkg/awsx"
)

// What the IAM items share: the policy-document helpers and the
// reconciler of a role landfall owns outright.

// iamPropagationTimeout bounds retries of IAM's eventual consistency: a role
// just created or changed may be unknown to other services and to STS for a
// while. terraform-provider-aws uses the same bound. See
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
const iamPropagationTimeout = 2 * time.Minute

// iamPolicy is an IAM policy document as landfall writes it. Every list
// element is a list, so documents are built uniformly.
type iamPolicy struct {
	Version   string         `json:"Version"`
	Statement []iamStatement `json:"Statement"`
}

type iamStatement struct {
	Sid       string              `json:"Sid,omitempty"`
	Effect    string              `json:"Effect"`
	Principal map[string][]string `json:"Principal,omitempty"`
	Action    []string            `json:"Action"`
	Resource  []string            `json:"Resource,omitempty"`
	// NotResource is every resource but these; a Deny with it keeps out
	// of a rule the few a statement must spare.
	NotResource []string                       `json:"NotResource,omitempty"`
	Condition   map[string]map[string][]string `json:"Condition,omitempty"`
}

// accountPrincipal is a statement's Principal for a whole account: whoever
// the account's own policies let act.
func accountPrincipal(accountID string) map[string][]string {
	return map[string][]string{"AWS": {awsx.AccountRootARN(accountID)}}
}

func newIAMPolicy(statements ...iamStatement) iamPolicy {
	return iamPolicy{Version: "2012-10-17", Statement: statements}
}

// JSON renders the document compactly; IAM's size limits count characters
// without whitespace, so compact is also the cheapest form.
func (p iamPolicy) JSON() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	// Encoding maps of strings and slices of strings cannot fail.
	_ = enc.Encode(p)
	return strings.TrimSuffix(b.String(), "\n")
}

// iamPoliciesEquivalent reports whether two policy documents mean the same
// thing, ignoring what IAM changes on the way back: URL encoding, whitespace,
// key order, "x" versus ["x"], the order of values and of statements, and
// true versus "true". Comparing the text would report drift on every run.
func iamPoliciesEquivalent(a, b string) bool {
	ca, errA := canonicalIAMPolicy(a)
	cb, errB := canonicalIAMPolicy(b)
	return errA == nil && errB == nil && ca == cb
}

// canonicalIAMPolicy returns the document in one canonical compact form. IAM
// returns documents URL-encoded (RFC 3986); a document that already starts
// with "{" is taken as it is.
func canonicalIAMPolicy(doc string) (string, error) {
	doc = strings.TrimSpace(doc)
	if !strings.HasPrefix(doc, "{") {
		decoded, err := url.QueryUnescape(doc)
		if err != nil {
			return "", err
		}
		doc = decoded
	}
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return "", err
	}
	out, err := json.Marshal(normalizeIAMPolicyValue(v))
	return string(out), err
}

func normalizeIAMPolicyValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[k] = normalizeIAMPolicyValue(val)
		}
		return out
	case []any:
		if len(x) == 1 {
			return normalizeIAMPolicyValue(x[0])
		}
		items := make([]any, len(x))
		keys := make([]string, len(x))
		for i, val := range x {
			items[i] = normalizeIAMPolicyValue(val)
			b, _ := json.Marshal(items[i]) // values decoded from JSON always encode
			keys[i] = string(b)
		}
		sort.Sort(byKey{items, keys})
		return items
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return v
}

// byKey sorts values by their canonical encoding.
type byKey struct {
	items []any
	keys  []string
}

func (s byKey) Len() int           { return len(s.items) }
func (s byKey) Less(i, j int) bool { return s.keys[i] < s.keys[j] }
func (s byKey) Swap(i, j int) {
	s.items[i], s.items[j] = s.items[j], s.items[i]
	s.keys[i], s.keys[j] = s.keys[j], s.keys[i]
}

// displayIAMPolicy renders a document for a plan diff: decoded and compact,
// or as received when it cannot be parsed.
func displayIAMPolicy(doc string) string {
	if c, err := canonicalIAMPolicy(doc); err == nil {
		return c
	}
	return doc
}

// ownedRole is an IAM role landfall creates and owns entirely: its trust,
// session length, description, and every policy on it. Extra policies
// attached out of band are drift and get removed.
type ownedRole struct {
	Name        string
	Description string
	Trust       iamPolicy
	MaxSession  int32
	Managed     []string             // managed policy ARNs
	Inline      map[string]iamPolicy // by policy name
	Boundary    string               // the permissions boundary's ARN, "" for none
}

// planRole is the Plan of an item that is one owned role, as desired
// describes it for the spec.
func planRole(desired func(*Spec) ownedRole) func(context.Context, *Env) ([]Change, error) {
	return func(ctx context.Context, env *Env) ([]Change, error) {
		c, err := planOwnedRole(ctx, iam.NewFromConfig(env.AWS), env.Spec, desired(env.Spec))
		if err != nil {
			return nil, err
		}
		return []Change{c}, nil
	}
}

// planOwnedRole plans one owned role: create it, repair the fields that
// drifted, or report a same-named role that is not landfall's.
func planOwnedRole(ctx context.Context, client *iam.Client, spec *Spec, want ownedRole) (Change, error) {
	r := iamRole(client, want.Name)
	r.Create = func(ctx context.Context) error { return createOwnedRole(ctx, client, spec, want) }
	r.Edits = func(ctx context.Context, role *iamtypes.Role) ([]edit, error) {
		managed, inline, err := findRolePolicies(ctx, client, want.Name)
		if err != nil {
			return nil, err
		}
		return diffOwnedRole(client, want, role, managed, inline), nil
	}
	c, _, err := planOwned(ctx, spec, r)
	return c, err
}

// iamRole is the IAM role named name as the ownership reconciler sees it:
// found by name, tagged with TagRole, deleted with its policies. Callers
// that plan it add Create and Edits.
func iamRole(client *iam.Client, name string) owned[*iamtypes.Role] {
	return owned[*iamtypes.Role]{
		Kind: "IAM role", Name: name, Resource: "role/" + name,
		Find: func(ctx context.Context) (*iamtypes.Role, error) { return findRoleByName(ctx, client, name) },
		Tags: func(_ context.Context, role *iamtypes.Role) (map[string]string, error) {
			return tagMap(role.Tags, iamTagKV), nil
		},
		Tag: func(ctx context.Context, _ *iamtypes.Role, missing, _ map[string]string) error {
			_, err := client.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String(name), Tags: tagList(missing, newIAMTag)})
			return err
		},
		Delete: func(ctx context.Context, _ *iamtypes.Role) error { return deleteOwnedRole(ctx, client, name) },
	}
}

func diffOwnedRole(client *iam.Client, want ownedRole, role *iamtypes.Role, managed []string, inline map[string]string) []edit {
	var edits []edit
	name := aws.String(want.Name)
	// The boundary first: the execution role may write its roles' other
	// fields only while they carry it.
	var boundary string
	if role.PermissionsBoundary != nil {
		boundary = aws.ToString(role.PermissionsBoundary.PermissionsBoundaryArn)
	}
	if boundary != want.Boundary {
		edits = append(edits, edit{[]Diff{{"PermissionsBoundary", boundary, want.Boundary}}, func(ctx context.Context) error {
			if want.Boundary == "" {
				_, err := client.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: name})
				return wrapIAMErr("deleting the permissions boundary of IAM role", want.Name, err)
			}
			_, err := client.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: name, PermissionsBoundary: aws.String(want.Boundary)})
			return wrapIAMErr("setting the permissions boundary of IAM role", want.Name, err)
		}})
	}
	if have := aws.ToString(role.AssumeRolePolicyDocument); !iamPoliciesEquivalent(have, want.Trust.JSON()) {
		edits = append(edits, edit{[]Diff{{"AssumeRolePolicyDocument", displayIAMPolicy(have), want.Trust.JSON()}}, func(ctx context.Context) error {
			return updateTrust(ctx, client, want.Name, want.Trust.JSON())
		}})
	}
	if have := aws.ToInt32(role.MaxSessionDuration); have != want.MaxSession {
		edits = append(edits, edit{[]Diff{{"MaxSessionDuration", strconv.Itoa(int(have)), strconv.Itoa(int(want.MaxSession))}}, func(ctx context.Context) error {
			_, err := client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: name, MaxSessionDuration: aws.Int32(want.MaxSession)})
			return wrapIAMErr("updating IAM role session duration", want.Name, err)
		}})
	}
	if have := aws.ToString(role.Description); have != want.Description {
		edits = append(edits, edit{[]Diff{{"Description", have, want.Description}}, func(ctx context.Context) error {
			_, err := client.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: name, Description: aws.String(want.Description)})
			return wrapIAMErr("updating IAM role description", want.Name, err)
		}})
	}
	for _, arn := range want.Managed {
		if !slices.Contains(managed, arn) {
			edits = append(edits, edit{[]Diff{{"ManagedPolicy " + arn, "detached", "attached"}}, func(ctx context.Context) error {
				_, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: name, PolicyArn: aws.String(arn)})
				return wrapIAMErr("attaching "+arn+" to IAM role", want.Name, err)
			}})
		}
	}
	for _, arn := range managed {
		if !slices.Contains(want.Managed, arn) {
			edits = append(edits, edit{[]Diff{{"ManagedPolicy " + arn, "attached", "detached"}}, func(ctx context.Context) error {
				_, err := client.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: aws.String(arn)})
				return wrapIAMErr("detaching "+arn+" from IAM role", want.Name, err)
			}})
		}
	}
	for _, pname := range slices.Sorted(maps.Keys(want.Inline)) {
		doc := want.Inline[pname]
		if have, ok := inline[pname]; !ok || !iamPoliciesEquivalent(have, doc.JSON()) {
			edits = append(edits, edit{[]Diff{{"InlinePolicy " + pname, displayIAMPolicy(inline[pname]), doc.JSON()}}, func(ctx context.Context) error {
				return putRolePolicy(ctx, client, want.Name, pname, doc)
			}})
		}
	}
	for _, pname := range slices.Sorted(maps.Keys(inline)) {
		if _, ok := want.Inline[pname]; !ok {
			edits = append(edits, edit{[]Diff{{"InlinePolicy " + pname, displayIAMPolicy(inline[pname]), ""}}, func(ctx context.Context) error {
				_, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: name, PolicyName: aws.String(pname)})
				return wrapIAMErr("deleting inline policy "+pname+" of IAM role", want.Name, err)
			}})
		}
	}
	return edits
}

// createOwnedRole creates the role with its tags, then its policies. If a
// policy write fails, the next plan finds the tagged role and repairs just
// the missing policies.
func createOwnedRole(ctx context.Context, client *iam.Client, spec *Spec, want ownedRole) error {
	in := &iam.CreateRoleInput{
		RoleName:                 aws.String(want.Name),
		AssumeRolePolicyDocument: aws.String(want.Trust.JSON()),
		Description:              aws.String(want.Description),
		MaxSessionDuration:       aws.Int32(want.MaxSession),
		Tags:                     tagList(spec.Tags, newIAMTag),
	}
	if want.Boundary != "" {
		in.PermissionsBoundary = aws.String(want.Boundary)
	}
	err := awsx.Retry(ctx, iamPropagationTimeout, awsx.InvalidPrincipal, func() error {
		_, err := client.CreateRole(ctx, in)
		return err
	})
	if err != nil {
		return fmt.Errorf("creating IAM role (%s): %w", want.Name, err)
	}
	for _, arn := range want.Managed {
		if _, err := client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: in.RoleName, PolicyArn: aws.String(arn)}); err != nil {
			return fmt.Errorf("attaching %s to IAM role (%s): %w", arn, want.Name, err)
		}
	}
	for _, pname := range slices.Sorted(maps.Keys(want.Inline)) {
		if err := putRolePolicy(ctx, client, want.Name, pname, want.Inline[pname]); err != nil {
			return err
		}
	}
	return nil
}

func updateTrust(ctx context.Context, client *iam.Client, role, trust string) error {
	err := awsx.Retry(ctx, iamPropagationTimeout, awsx.InvalidPrincipal, func() error {
		_, err := client.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role), PolicyDocument: aws.String(trust)})
		return err
	})
	return wrapIAMErr("updating trust policy of IAM role", role, err)
}

func putRolePolicy(ctx context.Context, client *iam.Client, role, name string, doc iamPolicy) error {
	_, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name), PolicyDocument: aws.String(doc.JSON())})
	return wrapIAMErr("putting inline policy "+name+" on IAM role", role, err)
}

// wrapIAMErr says what failed on which IAM role or policy, in the
// wording of terraform-provider-aws: "doing (name): err".
func wrapIAMErr(doing, name string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s (%s): %w", doing, name, err)
}

func findRoleByName(ctx context.Context, client *iam.Client, name string) (*iamtypes.Role, error) {
	out, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return nil, awsx.AsNotFound(err, "IAM role ("+name+")", "NoSuchEntity")
	}
	return out.Role, nil
}

// findRolePolicies returns the managed policy ARNs attached to a role and
// its inline policies' documents (URL-encoded, as IAM returns them).
func findRolePolicies(ctx context.Context, client *iam.Client, role string) ([]string, map[string]string, error) {
	var managed []string
	attached := iam.NewListAttachedRolePoliciesPaginator(client, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(role)})
	for attached.HasMorePages() {
		page, err := attached.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("listing managed policies of IAM role (%s): %w", role, awsx.AsNotFound(err, "IAM role ("+role+")", "NoSuchEntity"))
		}
		for _, p := range page.AttachedPolicies {
			managed = append(managed, aws.ToString(p.PolicyArn))
		}
	}
	inline := map[string]string{}
	names := iam.NewListRolePoliciesPaginator(client, &iam.ListRolePoliciesInput{RoleName: aws.String(role)})
	for names.HasMorePages() {
		page, err := names.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("listing inline policies of IAM role (%s): %w", role, awsx.AsNotFound(err, "IAM role ("+role+")", "NoSuchEntity"))
		}
		for _, pname := range page.PolicyNames {
			out, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(pname)})
			if err != nil {
				return nil, nil, fmt.Errorf("reading inline policy %s of IAM role (%s): %w", pname, role, err)
			}
			inline[pname] = aws.ToString(out.PolicyDocument)
		}
	}
	return managed, inline, nil
}

// newIAMTag and iamTagKV make and read IAM's tag struct, for tagList and
// tagMap.
func newIAMTag(k, v *string) iamtypes.Tag { return iamtypes.Tag{Key: k, Value: v} }

func iamTagKV(t iamtypes.Tag) (k, v *string) { return t.Key, t.Value }
