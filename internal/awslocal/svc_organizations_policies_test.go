package awslocal

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

const denyLeave = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`

// orgWithSCPs is an organization with one member account in an OU and the
// SCP type enabled; it returns the client, the root, the OU and the member.
func orgWithSCPs(t *testing.T, s *Server, u string, clk *manualClock) (org *organizations.Client, root, ou, member string) {
	t.Helper()
	ctx := context.Background()
	member = newMember(t, s, u, clk, "workload")
	org = organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	mustNoErr(t, err)
	root = aws.ToString(roots.Roots[0].Id)
	if n := len(roots.Roots[0].PolicyTypes); n != 0 {
		t.Fatalf("a new organization has %d policy types enabled, want none", n)
	}
	unit, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("workloads")})
	mustNoErr(t, err)
	ou = aws.ToString(unit.OrganizationalUnit.Id)
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: aws.String(root), DestinationParentId: aws.String(ou)})
	mustNoErr(t, err)
	_, err = org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	mustNoErr(t, err)
	return org, root, ou, member
}

func createSCP(t *testing.T, org *organizations.Client, name, content string) string {
	t.Helper()
	out, err := org.CreatePolicy(context.Background(), &organizations.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})
	mustNoErr(t, err)
	return aws.ToString(out.Policy.PolicySummary.Id)
}

func policiesFor(t *testing.T, org *organizations.Client, target string) []string {
	t.Helper()
	out, err := org.ListPoliciesForTarget(context.Background(), &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	mustNoErr(t, err)
	var names []string
	for _, p := range out.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	return names
}

// Enabling SCPs attaches FullAWSAccess everywhere, and to what joins later;
// an SCP is attached at most once, five to a target, never fewer than one,
// and deleted only when attached nowhere.
func TestOrganizationsServiceControlPolicies(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	org, root, ou, member := orgWithSCPs(t, s, u, clk)
	for _, target := range []string{root, ou, member, mgmt} {
		if got := policiesFor(t, org, target); len(got) != 1 || got[0] != "FullAWSAccess" {
			t.Fatalf("policies of %s = %v, want FullAWSAccess", target, got)
		}
	}
	_, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	wantCode(t, err, "PolicyTypeAlreadyEnabledException")
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	mustNoErr(t, err)
	if pt := roots.Roots[0].PolicyTypes; len(pt) != 1 || pt[0].Status != orgtypes.PolicyTypeStatusEnabled {
		t.Fatalf("root policy types = %+v", pt)
	}
	if got := policiesFor(t, org, newMember(t, s, u, clk, "later")); len(got) != 1 {
		t.Fatalf("a later account's policies = %v", got)
	}

	id := createSCP(t, org, "deny-leave", denyLeave)
	_, err = org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-leave"), Description: aws.String("x"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(denyLeave)})
	wantCode(t, err, "DuplicatePolicyException")
	_, err = org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("broken"), Description: aws.String("x"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Statement":[{"Effect":"Deny"}]}`)})
	wantCode(t, err, "MalformedPolicyDocumentException")

	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(ou)})
	mustNoErr(t, err)
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(ou)})
	wantCode(t, err, "DuplicatePolicyAttachmentException")
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String("ou-none-12345678")})
	wantCode(t, err, "TargetNotFoundException")
	targets, err := org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(id)})
	mustNoErr(t, err)
	if len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].TargetId) != ou || targets.Targets[0].Type != orgtypes.TargetTypeOrganizationalUnit {
		t.Fatalf("targets = %+v", targets.Targets)
	}
	_, err = org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
	wantCode(t, err, "PolicyInUseException")

	for i := 0; i < 3; i++ {
		_, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(createSCP(t, org, fmt.Sprintf("extra-%d", i), denyLeave)), TargetId: aws.String(ou)})
		mustNoErr(t, err)
	}
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(createSCP(t, org, "sixth", denyLeave)), TargetId: aws.String(ou)})
	wantCode(t, err, "ConstraintViolationException")

	_, err = org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(fullAWSAccessID), TargetId: aws.String(member)})
	wantCode(t, err, "ConstraintViolationException") // the account's last SCP
	_, err = org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(member)})
	wantCode(t, err, "PolicyNotAttachedException")
	_, err = org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(fullAWSAccessID), Content: aws.String(denyLeave)})
	wantCode(t, err, "AccessDeniedException")

	_, err = org.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(id), Content: aws.String(strings.Replace(denyLeave, "LeaveOrganization", "*", 1))})
	mustNoErr(t, err)
	got, err := org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	mustNoErr(t, err)
	if !strings.Contains(aws.ToString(got.Policy.Content), `"organizations:*"`) || aws.ToString(got.Policy.PolicySummary.Name) != "deny-leave" {
		t.Fatalf("policy after update = %+v", got.Policy)
	}
	_, err = org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(ou)})
	mustNoErr(t, err)
	_, err = org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(id)})
	mustNoErr(t, err)
	_, err = org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	wantCode(t, err, "PolicyNotFoundException")
}

// An SCP holds at most 5,120 characters, white space included; attaching
// needs the type enabled.
func TestOrganizationsSCPLimits(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	newMember(t, s, u, clk, "workload")
	org := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	id := createSCP(t, org, "at-limit", policyOfSize("Deny", maxSCPSize))
	_, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("over"), Description: aws.String("x"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(strings.Replace(policyOfSize("Deny", maxSCPSize), ",", ", ", 1))})
	wantCode(t, err, "ConstraintViolationException")
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	mustNoErr(t, err)
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(id), TargetId: roots.Roots[0].Id})
	wantCode(t, err, "PolicyTypeNotEnabledException")
	_, err = org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("tags"), Description: aws.String("x"),
		Type: orgtypes.PolicyTypeTagPolicy, Content: aws.String(`{}`)})
	wantCode(t, err, "NotImplemented")
}
