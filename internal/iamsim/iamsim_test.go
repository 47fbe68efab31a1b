package iamsim

import (
	"encoding/json"
	"strings"
	"testing"
)

func startWorker(t *testing.T) *Worker {
	t.Helper()
	w, err := Start("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

const admin = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

func TestDecide(t *testing.T) {
	w := startWorker(t)
	createUser := Request{
		Principal: "arn:aws:sts::222222222222:assumed-role/ops/s", Action: "iam:CreateUser",
		Resource: "arn:aws:iam::222222222222:user/bob", ResourceAccount: "222222222222",
		Context: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::222222222222:role/ops"}},
	}
	withPolicies := func(r Request, docs ...string) Request {
		for i, d := range docs {
			r.IdentityPolicies = append(r.IdentityPolicies, Policy{Name: "p" + string(rune('0'+i)), Document: json.RawMessage(d)})
		}
		return r
	}
	denyIAM := `{"Version":"2012-10-17","Statement":[{"Sid":"NoIAM","Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
	assumeRole := Request{
		Principal: "arn:aws:sts::333333333333:assumed-role/outsider/s", Action: "sts:AssumeRole",
		Resource: "arn:aws:iam::222222222222:role/landfall", ResourceAccount: "222222222222",
		Context:        map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::333333333333:role/outsider"}, "aws:PrincipalOrgID": {"o-other"}},
		ResourcePolicy: json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-landfall"}}}]}`),
	}
	inOrg := assumeRole
	// PutMetricData's one resource type, the dataset, is optional: without
	// one, IAM matches the request as "*".
	putMetricData := Request{
		Principal: "arn:aws:iam::222222222222:user/app", Action: "cloudwatch:PutMetricData", ResourceAccount: "222222222222",
		Context: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::222222222222:user/app"}},
	}
	oneDataset := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"arn:aws:cloudwatch:us-east-1:222222222222:dataset/d"}]}`
	denyMetrics := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"cloudwatch:PutMetricData","Resource":"*"}]}`
	inOrg.Context = map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::333333333333:role/outsider"}, "aws:PrincipalOrgID": {"o-landfall"}}

	for _, tt := range []struct {
		name string
		req  Request
		want string
	}{
		{"no policies", createUser, "ImplicitlyDenied"},
		{"an admin policy", withPolicies(createUser, admin), "Allowed"},
		{"an explicit deny wins over an admin policy", withPolicies(createUser, admin, denyIAM), "ExplicitlyDenied"},
		{"a trust policy's aws:PrincipalOrgID refuses another organization", withPolicies(assumeRole, admin), "ImplicitlyDenied"},
		{"and admits its own", withPolicies(inOrg, admin), "Allowed"},
		{"cross-account, the caller's own policies must allow too", inOrg, "ImplicitlyDenied"},
		{"an optional resource left out is allowed by a grant of *", withPolicies(putMetricData, admin), "Allowed"},
		{"but not by a grant of one resource of that type", withPolicies(putMetricData, oneDataset), "ImplicitlyDenied"},
		{"and a deny of * wins", withPolicies(putMetricData, admin, denyMetrics), "ExplicitlyDenied"},
		{"and with no policy nothing allows it", putMetricData, "ImplicitlyDenied"},
	} {
		d, err := w.Decide(tt.req)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if d.Result != tt.want {
			t.Errorf("%s: %s %+v, want %s", tt.name, d.Result, d.Denials, tt.want)
		}
	}
}

// Nothing unknown is allowed: what the simulator cannot decide is an error,
// never an answer.
func TestDecideRefusesWhatAWSDoesNotHave(t *testing.T) {
	w := startWorker(t)
	base := Request{Principal: "arn:aws:iam::222222222222:user/admin", ResourceAccount: "222222222222",
		IdentityPolicies: []Policy{{Name: "admin", Document: json.RawMessage(admin)}}}
	for _, tt := range []struct {
		action, resource, want string
	}{
		{"iam:CreateUsers", "arn:aws:iam::222222222222:user/bob", "iam:CreateUsers is not an IAM action"},
		{"nosuchservice:Get", "", "nosuchservice:Get is not an IAM action"},
		{"iam:CreateUser", "", "iam:CreateUser acts on a resource, and the endpoint named none"},
		{"iam:GetAccountPasswordPolicy", "arn:aws:iam::222222222222:user/bob", "takes no resource"},
	} {
		r := base
		r.Action, r.Resource = tt.action, tt.resource
		if d, err := w.Decide(r); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s on %q = %+v, %v; want an error containing %q", tt.action, tt.resource, d, err, tt.want)
		}
	}
	// The worker still answers after refusing.
	r := base
	r.Action = "iam:GetAccountPasswordPolicy"
	if d, err := w.Decide(r); err != nil || !d.Allowed() {
		t.Fatalf("after the refusals: %+v, %v", d, err)
	}
}
