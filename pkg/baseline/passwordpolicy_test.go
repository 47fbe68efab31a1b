package baseline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestPasswordPolicy(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("password-policy")
	mustApplyGlobal(t, f, e, f.cfg)

	ctx := context.Background()
	client := iam.NewFromConfig(f.cfg)
	// Drift: someone loosens the policy.
	if _, err := client.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8)}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeGlobal)
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(plan)["password-policy password-policy"]; got != Update {
		t.Fatalf("after loosening, action = %s\n%s", got, plan)
	}
	if d := plan.Changes[0].Diffs[0]; d.Field != "MinimumPasswordLength" || d.Have != "8" || d.Want != "14" {
		t.Fatalf("first diff = %+v", d)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if err != nil || aws.ToInt32(out.PasswordPolicy.MinimumPasswordLength) != 14 || aws.ToInt32(out.PasswordPolicy.PasswordReusePrevention) != 24 {
		t.Fatalf("policy after repair: %v %+v", err, out)
	}
}
