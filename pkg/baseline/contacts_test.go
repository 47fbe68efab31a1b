package baseline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/landfall/landfall/pkg/config"
)

func TestAlternateContacts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := account.NewFromConfig(f.cfg)
	// The operations contact is not in the config: whatever the owner set stays.
	ops := &account.PutAlternateContactInput{AlternateContactType: accounttypes.AlternateContactTypeOperations,
		Name: aws.String("Ops"), EmailAddress: aws.String("ops@acme.example"), PhoneNumber: aws.String("+1 555 0199"), Title: aws.String("On call")}
	if _, err := client.PutAlternateContact(ctx, ops); err != nil {
		t.Fatal(err)
	}
	e := itemEngine("alternate-contacts")
	mustApplyGlobal(t, f, e, f.cfg)

	for _, want := range desiredAlternateContacts(f.spec) {
		have, err := findAlternateContactByType(ctx, client, want.Type)
		if err != nil || have != want {
			t.Fatalf("%s after apply: %v %+v", want.Type, err, have)
		}
	}
	if have, err := findAlternateContactByType(ctx, client, accounttypes.AlternateContactTypeOperations); err != nil || have.Name != "Ops" {
		t.Fatalf("unconfigured operations contact changed: %v %+v", err, have)
	}

	// Drift: someone changes the security contact's email.
	drift := expandAlternateContact(desiredAlternateContacts(f.spec)[0])
	drift.EmailAddress = aws.String("someone@else.example")
	if _, err := client.PutAlternateContact(ctx, drift); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeGlobal)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	if got["alternate-contacts alternate-contact/SECURITY"] != Update || got["alternate-contacts alternate-contact/BILLING"] != Unchanged {
		t.Fatalf("after drift:\n%s", plan)
	}
	if d := plan.Changes[0].Diffs; len(d) != 1 || d[0] != (Diff{"EmailAddress", "someone@else.example", "secops@acme.example"}) {
		t.Fatalf("diffs = %+v", d)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if have, err := findAlternateContactByType(ctx, client, accounttypes.AlternateContactTypeSecurity); err != nil || have.Email != "secops@acme.example" {
		t.Fatalf("after repair: %v %+v", err, have)
	}
}

func TestAlternateContactsUnset(t *testing.T) {
	f := newFixture(t)
	p := *f.spec.Profile
	p.Items.AlternateContacts = config.AlternateContacts{}
	f.spec.Profile = &p
	plan, err := itemEngine("alternate-contacts").Plan(context.Background(), f.spec, f.cfg, ScopeGlobal)
	if err != nil || len(plan.Changes) != 0 {
		t.Fatalf("without contacts: %v\n%s", err, plan)
	}
}
