package baseline

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/awsx"
)

func TestEntryRole(t *testing.T) {
	f := newFixture(t)
	pipeline := pipelineRole(t, f)
	e := itemEngine("execution-role", "entry-role")
	entry := f.spec.EntryRoleName()
	original := readRoleBack(t, f.cfg, entry)

	// A fresh account: the execution role is created, the entry role's
	// existing trust is rewritten and marked.
	c := planEntry(t, mustPlanGlobal(t, f, e, f.cfg), "entry-role", "role/"+entry)
	if want := []string{"AssumeRolePolicyDocument", "Tag " + TagManagedTrust}; c.Action != Update || !slices.Equal(diffFieldsOf(c), want) {
		t.Fatalf("fresh account: %s, fields %v, want update of %v", c.Action, diffFieldsOf(c), want)
	}
	mustApplyGlobal(t, f, e, f.cfg)

	got := readRoleBack(t, f.cfg, entry)
	if !iamPoliciesEquivalent(got.Trust, desiredEntryTrust(f.spec).JSON()) || got.Tags[TagManagedTrust] != "true" || Owned(got.Tags) {
		t.Fatalf("entry role after apply: %+v", got)
	}
	if !slices.Equal(got.Managed, original.Managed) || len(got.Inline) != len(original.Inline) {
		t.Fatalf("entry role permissions changed: %v -> %v", original.Managed, got.Managed)
	}

	ctx := context.Background()
	// The endpoint treats the admin user as signed in with MFA; a user
	// with plain access keys has none.
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	person := plainUser(t, f, admin, "person")
	entryARN := awsx.RoleARN(f.member, entry)
	assume := func(cfg aws.Config) func() error {
		return func() error {
			_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(entryARN), RoleSessionName: aws.String("person")})
			return err
		}
	}
	tests := []struct {
		name    string
		assume  func() error
		allowed bool
	}{
		{"person without MFA", assume(person), false},
		{"person with MFA", assume(admin), true},
		{"pipeline role without MFA", func() error {
			_, err := sts.NewFromConfig(awsx.AssumeRole(pipeline, entryARN, "landfall")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.assume()
			if tt.allowed && err != nil {
				t.Fatalf("denied: %v", err)
			}
			if !tt.allowed && !awsx.IsCode(err, "AccessDenied") {
				t.Fatalf("err = %v, want AccessDenied", err)
			}
		})
	}

	// Later runs enter through the execution role, once usable, and change
	// nothing.
	if _, err := VerifyExecutionRole(ctx, pipeline, f.member, f.spec.ExecutionRoleName()); err != nil {
		t.Fatal(err)
	}
	later := awsx.AssumeRole(pipeline, awsx.RoleARN(f.member, f.spec.ExecutionRoleName()), "landfall")
	if p := mustPlanGlobal(t, f, e, later); p.HasChanges() {
		t.Fatalf("plan after apply:\n%s", p)
	}
	f.srv.ResetCalls()
	mustApplyGlobal(t, f, e, later)
	for _, w := range countedWrites(f, "") {
		t.Errorf("second apply wrote: %s", w)
	}

	// Drift: someone opens the door again.
	if _, err := iam.NewFromConfig(later).UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(entry), PolicyDocument: aws.String(displayIAMPolicy(original.Trust))}); err != nil {
		t.Fatal(err)
	}
	c = planEntry(t, mustPlanGlobal(t, f, e, later), "entry-role", "role/"+entry)
	if c.Action != Update || !slices.Equal(diffFieldsOf(c), []string{"AssumeRolePolicyDocument"}) || strings.Contains(c.Diffs[0].Have, "MultiFactorAuthPresent") {
		t.Fatalf("after reopening: %s %+v", c.Action, c.Diffs)
	}
	mustApplyGlobal(t, f, e, later)
	if got := readRoleBack(t, later, entry); !iamPoliciesEquivalent(got.Trust, desiredEntryTrust(f.spec).JSON()) {
		t.Fatalf("entry role trust not repaired: %s", got.Trust)
	}
}

// Without its own door in place, landfall must not tighten the entry role.
func TestEntryRoleWaitsForExecutionRole(t *testing.T) {
	f := newFixture(t)
	pipelineRole(t, f)
	entry := f.spec.EntryRoleName()
	original := readRoleBack(t, f.cfg, entry)

	_, err := itemEngine("entry-role").Apply(context.Background(), f.spec, f.cfg, ScopeGlobal)
	if err == nil || !strings.Contains(err.Error(), "refusing to tighten") {
		t.Fatalf("apply without the execution role: err = %v, want a refusal", err)
	}
	if got := readRoleBack(t, f.cfg, entry); !iamPoliciesEquivalent(got.Trust, original.Trust) {
		t.Fatalf("entry role trust changed anyway: %s", got.Trust)
	}
}

// plainUser creates an IAM user with access keys and no MFA and returns
// credentials acting as it.
func plainUser(t *testing.T, f *fixture, admin aws.Config, name string) aws.Config {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(admin)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return mustConfig(t, f.url, awslocal.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)})
}
