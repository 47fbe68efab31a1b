package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/account"
	accounttypes "github.com/aws/aws-sdk-go-v2/service/account/types"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// alternateContactsItem is always planned: with no contact configured it
// plans nothing.
var alternateContactsItem = Item{
	Name:    "alternate-contacts",
	Enabled: func(*Spec) bool { return true },
	Plan:    planAlternateContacts,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{allow("AccountContacts", anyResource, "account:GetAlternateContact", "account:PutAlternateContact")}
	},
}

// The account's alternate contacts: who AWS tells about security, billing
// and operational matters. An account has at most one contact of each type
// and contacts cannot be tagged, so the config owns each type it sets; a type
// the config leaves unset is left as it is, because the account owner may
// have set it on purpose.

// alternateContact is one contact of one type.
type alternateContact struct {
	Type  accounttypes.AlternateContactType
	Name  string
	Email string
	Phone string
	Title string
}

// desiredAlternateContacts returns the configured contacts in a fixed order.
func desiredAlternateContacts(s *Spec) []alternateContact {
	c := s.Profile.Items.AlternateContacts
	var out []alternateContact
	for _, e := range []struct {
		t accounttypes.AlternateContactType
		c *config.Contact
	}{
		{accounttypes.AlternateContactTypeSecurity, c.Security},
		{accounttypes.AlternateContactTypeBilling, c.Billing},
		{accounttypes.AlternateContactTypeOperations, c.Operations},
	} {
		if e.c != nil {
			out = append(out, alternateContact{Type: e.t, Name: e.c.Name, Email: e.c.Email, Phone: e.c.Phone, Title: e.c.Title})
		}
	}
	return out
}

func planAlternateContacts(ctx context.Context, env *Env) ([]Change, error) {
	client := account.NewFromConfig(env.AWS)
	var changes []Change
	for _, want := range desiredAlternateContacts(env.Spec) {
		resource := "alternate-contact/" + string(want.Type)
		apply := func(ctx context.Context) error {
			if _, err := client.PutAlternateContact(ctx, expandAlternateContact(want)); err != nil {
				return fmt.Errorf("putting alternate contact (%s): %w", want.Type, err)
			}
			return nil
		}
		have, err := findAlternateContactByType(ctx, client, want.Type)
		switch {
		case awsx.NotFound(err):
			changes = append(changes, Change{Resource: resource, Action: Create, Apply: apply})
		case err != nil:
			return nil, err
		case len(diffAlternateContact(have, want)) > 0:
			changes = append(changes, Change{Resource: resource, Action: Update, Diffs: diffAlternateContact(have, want), Apply: apply})
		default:
			changes = append(changes, Change{Resource: resource, Action: Unchanged})
		}
	}
	return changes, nil
}

func findAlternateContactByType(ctx context.Context, client *account.Client, t accounttypes.AlternateContactType) (alternateContact, error) {
	out, err := client.GetAlternateContact(ctx, &account.GetAlternateContactInput{AlternateContactType: t})
	if err != nil {
		return alternateContact{}, fmt.Errorf("reading alternate contact (%s): %w", t, awsx.AsNotFound(err, "alternate contact ("+string(t)+")", "ResourceNotFoundException"))
	}
	return flattenAlternateContact(out.AlternateContact), nil
}

func diffAlternateContact(have, want alternateContact) []Diff {
	var d []Diff
	for _, f := range []struct{ field, have, want string }{
		{"Name", have.Name, want.Name}, {"EmailAddress", have.Email, want.Email},
		{"PhoneNumber", have.Phone, want.Phone}, {"Title", have.Title, want.Title},
	} {
		if f.have != f.want {
			d = append(d, Diff{Field: f.field, Have: f.have, Want: f.want})
		}
	}
	return d
}

// expandAlternateContact leaves AccountId out: the call acts on the
// caller's own account, which is the target account.
func expandAlternateContact(c alternateContact) *account.PutAlternateContactInput {
	return &account.PutAlternateContactInput{AlternateContactType: c.Type, Name: aws.String(c.Name),
		EmailAddress: aws.String(c.Email), PhoneNumber: aws.String(c.Phone), Title: aws.String(c.Title)}
}

func flattenAlternateContact(c *accounttypes.AlternateContact) alternateContact {
	if c == nil {
		return alternateContact{}
	}
	return alternateContact{Type: c.AlternateContactType, Name: aws.ToString(c.Name), Email: aws.ToString(c.EmailAddress),
		Phone: aws.ToString(c.PhoneNumber), Title: aws.ToString(c.Title)}
}
