package baseline

import (
	"strings"
	"testing"
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
