package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// TestUnknownParent checks that every call taking a parent id refuses one
// that is neither the root nor an OU, and that a move naming a real but
// wrong source parent is told apart from it.
func TestUnknownParent(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "parents")
	org := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	mustNoErr(t, err)
	root := roots.Roots[0].Id
	ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("prod")})
	mustNoErr(t, err)
	unknown := aws.String("ou-zzzz-zzzzzzzz")

	_, err = org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: unknown, Name: aws.String("x")})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: unknown})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: unknown})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: root, DestinationParentId: unknown})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: unknown, DestinationParentId: ou.OrganizationalUnit.Id})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: ou.OrganizationalUnit.Id, DestinationParentId: root})
	wantCode(t, err, "SourceParentNotFoundException")

	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: root, DestinationParentId: ou.OrganizationalUnit.Id})
	mustNoErr(t, err)
	in, err := org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: ou.OrganizationalUnit.Id})
	mustNoErr(t, err)
	if len(in.Accounts) != 1 || aws.ToString(in.Accounts[0].Id) != member {
		t.Fatalf("accounts in prod after the move = %v, want only %s", in.Accounts, member)
	}
}

// The organization can have the id a template was synthesized for, and a
// malformed one is refused when the endpoint is made.
func TestOrganizationID(t *testing.T) {
	s := New(Options{OrganizationID: "o-exampleorgid"})
	u := s.Start(t)
	out, err := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{})
	mustNoErr(t, err)
	if got := aws.ToString(out.Organization.Id); got != "o-exampleorgid" {
		t.Fatalf("organization id %s, want o-exampleorgid", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted the organization id o-Bad")
		}
	}()
	New(Options{OrganizationID: "o-Bad"})
}
