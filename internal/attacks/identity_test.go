package attacks

import (
	"context"
	"strings"
	"testing"

	"github.com/landfall/landfall/pkg/awsx"
)

// TestAttackIdentityTypoHandsAdminToAForeignAccount plays the owner of an
// account outside the organization whose id an operator mistyped as
// organization.identity.accountId: the human roles, admin included, trust
// the identity account's principals with MFA, which the stranger has.
func TestAttackIdentityTypoHandsAdminToAForeignAccount(t *testing.T) {
	o := newOrganization(t)
	ctx := context.Background()
	const stranger = "222222222223" // one digit off the example's identity account
	typo := *o.cfg
	typo.Organization.Identity.AccountID = stranger

	err := o.apply(t, typo, o.member)
	if err == nil || !strings.Contains(err.Error(), "refusing to trust identity account "+stranger) {
		t.Errorf("baselining with the typo: %v, want the human roles refused", err)
	}
	for _, role := range []string{"admin", "operator", "read-only"} {
		session := awsx.AssumeRole(o.adminOf(t, stranger), awsx.RoleARN(o.member, o.cfg.Naming.Prefix+"-"+role), "stranger")
		if _, err := session.Credentials.Retrieve(ctx); !isAccessDenied(err) {
			t.Errorf("the stranger assumed %s-%s in %s: %v", o.cfg.Naming.Prefix, role, o.member, err)
		}
	}
}
