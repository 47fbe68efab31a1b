package baseline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

// boundaryDocument reads the boundary's default version and its version ids.
func boundaryDocument(t *testing.T, f *fixture) (doc string, versions []string) {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(f.cfg)
	p, err := findPolicyByARN(ctx, client, boundaryARN(f.spec))
	if err != nil {
		t.Fatal(err)
	}
	if !Owned(tagMap(p.Tags, iamTagKV)) || aws.ToString(p.Description) != BoundaryDescription {
		t.Fatalf("boundary policy: tags %v, description %q", tagMap(p.Tags, iamTagKV), aws.ToString(p.Description))
	}
	v, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: p.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	list, err := client.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: p.Arn})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list.Versions {
		versions = append(versions, aws.ToString(v.VersionId))
	}
	return aws.ToString(v.PolicyVersion.Document), versions
}

func TestBoundaryIsRestored(t *testing.T) {
	// GIVEN an account bootstrapped by landfall
	f := newFixture(t)
	later := executionRole(t, f)
	ctx := context.Background()
	if doc, _ := boundaryDocument(t, f); !iamPoliciesEquivalent(doc, BoundaryPolicy(f.spec)) {
		t.Fatalf("boundary = %s, want %s", doc, BoundaryPolicy(f.spec))
	}
	// WHEN an administrator makes a loose version the default, and fills
	// the policy's versions to IAM's limit
	client := iam.NewFromConfig(f.cfg)
	loose := newIAMPolicy(iamStatement{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}).JSON()
	for i := range boundaryMaxVersions - 1 {
		if _, err := client.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
			PolicyArn: aws.String(boundaryARN(f.spec)), PolicyDocument: aws.String(loose), SetAsDefault: i == 0}); err != nil {
			t.Fatal(err)
		}
	}
	// THEN the execution role's plan, as a run makes it, finds the change
	e := itemEngine(executionRoleItem.Name)
	current, err := catalogueEngine().ExecutionRoleCurrent(ctx, f.spec, later)
	if err != nil || current {
		t.Fatalf("ExecutionRoleCurrent after a loose boundary = %v, %v; want false", current, err)
	}
	c := planEntry(t, mustPlanGlobal(t, f, e, f.cfg), executionRoleItem.Name, "policy/acme-boundary")
	if c.Action != Update || !slices.Equal(diffFieldsOf(c), []string{"PolicyDocument"}) {
		t.Fatalf("plan: %s", c)
	}
	// AND the entry role restores it, dropping the oldest other version
	mustApplyGlobal(t, f, e, f.cfg)
	doc, versions := boundaryDocument(t, f)
	if !iamPoliciesEquivalent(doc, BoundaryPolicy(f.spec)) || len(versions) != boundaryMaxVersions || slices.Contains(versions, "v1") {
		t.Fatalf("after repair: boundary %s, versions %v", doc, versions)
	}
	if p := mustPlanGlobal(t, f, e, f.cfg); p.HasChanges() {
		t.Fatalf("plan after repair:\n%s", p)
	}
}

func TestBoundaryOfSomeoneElse(t *testing.T) {
	// GIVEN an account with a policy of the boundary's name that is not landfall's
	f := newFixture(t)
	pipelineRole(t, f)
	f.deleteBoundary(t)
	ctx := context.Background()
	client := iam.NewFromConfig(f.cfg)
	theirs := newIAMPolicy(iamStatement{Effect: "Allow", Action: []string{"*"}, Resource: []string{"*"}}).JSON()
	if _, err := client.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(BoundaryName(f.spec)), PolicyDocument: aws.String(theirs),
		Tags: tagList(map[string]string{"team": "platform"}, newIAMTag)}); err != nil {
		t.Fatal(err)
	}
	// THEN bootstrapping stops for good with the conflict, before any role
	// is made with someone else's boundary
	_, err := catalogueEngine().Bootstrap(ctx, f.spec, f.cfg)
	var terminal *awsx.TerminalError
	if !errors.As(err, &terminal) || !strings.Contains(err.Error(), "policy/acme-boundary") {
		t.Fatalf("bootstrap: %v, want a terminal conflict on the boundary", err)
	}
	if p, err := findPolicyByARN(ctx, client, boundaryARN(f.spec)); err != nil || aws.ToString(p.DefaultVersionId) != "v1" || len(p.Tags) != 1 {
		t.Fatalf("the conflicting policy was changed: %+v, %v", p, err)
	}

	// WHEN the profile adopts it THEN the plan takes it over: its document
	// and landfall's tags, beside the tags its owner gave it
	f.spec.Profile.Adopt = true
	c := planEntry(t, mustPlanGlobal(t, f, itemEngine("execution-role"), f.cfg), "execution-role", "policy/"+BoundaryName(f.spec))
	if want := []string{"PolicyDocument", "Tag " + TagManaged, "Tag " + TagVersion, "Tag project"}; c.Action != Update || !slices.Equal(diffFieldsOf(c), want) {
		t.Fatalf("adopting: %s, fields %v, want update of %v", c.Action, diffFieldsOf(c), want)
	}
	if _, err := catalogueEngine().Bootstrap(ctx, f.spec, f.cfg); err != nil {
		t.Fatal(err)
	}
	p, err := findPolicyByARN(ctx, client, boundaryARN(f.spec))
	if err != nil {
		t.Fatal(err)
	}
	if tags := tagMap(p.Tags, iamTagKV); !Owned(tags) || tags["team"] != "platform" {
		t.Fatalf("adopted boundary's tags: %v", tags)
	}
	v, err := client.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: p.Arn, VersionId: p.DefaultVersionId})
	if err != nil || !iamPoliciesEquivalent(aws.ToString(v.PolicyVersion.Document), boundaryPolicy(f.spec).JSON()) {
		t.Fatalf("adopted boundary's document: %+v, %v", v, err)
	}
}

func TestRolesOfEarlierVersionsGetTheBoundary(t *testing.T) {
	// GIVEN the admin role as a version before the boundary made it, with
	// AdministratorAccess detached since
	f := newFixture(t)
	later := executionRole(t, f)
	ctx := context.Background()
	admin := desiredHumanRoles(f.spec)[0].role
	admin.Boundary, admin.Managed = "", nil
	if err := createOwnedRole(ctx, iam.NewFromConfig(f.cfg), f.spec, admin); err != nil {
		t.Fatal(err)
	}
	// THEN the execution role's plan sets the boundary first
	e := itemEngine("human-roles")
	c := planEntry(t, mustPlanGlobal(t, f, e, later), "human-roles", "role/acme-admin")
	if c.Action != Update || len(c.Diffs) != 2 || c.Diffs[0].Field != "PermissionsBoundary" {
		t.Fatalf("plan: %s", c)
	}
	// AND can then attach AdministratorAccess, which it may only to a
	// bounded role
	mustApplyGlobal(t, f, e, later)
	got := readRoleBack(t, f.cfg, "acme-admin")
	if got.Boundary != boundaryARN(f.spec) || !slices.Equal(got.Managed, []string{managedPolicyARN("AdministratorAccess")}) {
		t.Fatalf("admin role after apply: %+v", got)
	}
}
