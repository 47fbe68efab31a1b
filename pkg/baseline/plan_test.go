package baseline

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// A deletion is a change of its own: it makes the plan change something,
// and the plan counts it apart from updates.
func TestPlanCountsDeletions(t *testing.T) {
	p := Plan{AccountID: "123456789012", Profile: "workloads", Changes: []Change{
		{Item: "default-vpcs", Region: "us-east-1", Resource: defaultVPCResource, Action: Delete, Detail: "the default VPC vpc-1 is empty"},
		{Item: "password-policy", Resource: "password-policy", Action: Unchanged},
	}}
	if !p.HasChanges() {
		t.Error("a plan that deletes has no changes")
	}
	got := p.String()
	for _, want := range []string{"delete    default-vpcs: default-vpc (us-east-1)\n            the default VPC vpc-1 is empty\n", "0 to update, 1 to delete, 1 unchanged"} {
		if !strings.Contains(got, want) {
			t.Errorf("plan text lacks %q:\n%s", want, got)
		}
	}
}

// ApplyPlan writes only what the approved plan showed: an item whose
// changes are no longer those writes nothing and says so, while the others
// apply.
func TestApplyPlanWritesOnlyWhatWasApproved(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("password-policy", "s3-public-access-block")
	ctx := context.Background()
	client := iam.NewFromConfig(f.cfg)
	setLength := func(n int32) {
		t.Helper()
		if _, err := client.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(n)}); err != nil {
			t.Fatal(err)
		}
	}
	length := func() int32 {
		t.Helper()
		out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToInt32(out.PasswordPolicy.MinimumPasswordLength)
	}
	applyPlan := func(approved Plan, wantErr string) Report {
		t.Helper()
		rep, err := e.ApplyPlan(ctx, f.spec, f.cfg, ScopeGlobal, approved)
		if wantErr == "" && err != nil || wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
			t.Fatalf("apply: %v, want an error with %q", err, wantErr)
		}
		return rep
	}

	// GIVEN a plan that creates both, approved, and a password policy made
	// by someone else before it is applied
	approved := mustPlanGlobal(t, f, e, f.cfg)
	setLength(8)
	// THEN the password policy is not overwritten, and the other item applies
	rep := applyPlan(approved, "password-policy: nothing applied: the account changed since the plan was approved "+
		"(it would now update password-policy, which the plan did not show); plan and approve again")
	if length() != 8 {
		t.Fatalf("an unapproved update was written: length %d", length())
	}
	for _, it := range rep.Items {
		if (it.Error != "") != (it.Item == "password-policy") {
			t.Fatalf("%s: error %q", it.Item, it.Error)
		}
	}
	if c := planEntry(t, mustPlanGlobal(t, f, e, f.cfg), "s3-public-access-block", "s3-public-access-block"); c.Action != Unchanged {
		t.Fatalf("the approved item was not applied: %s", c)
	}

	// GIVEN an approved update from 8, and the policy set to 10 since
	approved = mustPlanGlobal(t, f, e, f.cfg)
	setLength(10)
	// THEN it is not applied from 10
	applyPlan(approved, "(update password-policy would now change MinimumPasswordLength, PasswordReusePrevention")
	if length() != 10 {
		t.Fatalf("an update from another value was written: length %d", length())
	}

	// GIVEN an approved update that someone else makes before it is applied
	approved = mustPlanGlobal(t, f, e, f.cfg)
	mustApplyGlobal(t, f, e, f.cfg)
	// THEN nothing is left to write, and that is no error
	if rep := applyPlan(approved, ""); rep.Writes != 0 {
		t.Fatalf("%d writes for what was repaired already", rep.Writes)
	}

	// GIVEN an approved update that still holds THEN it is applied
	setLength(9)
	applyPlan(mustPlanGlobal(t, f, e, f.cfg), "")
	if length() != 14 {
		t.Fatalf("the approved update was not applied: length %d", length())
	}
}
