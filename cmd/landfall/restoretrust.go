package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
)

// runRestoreTrust implements `landfall restore-trust --account ID [--auto-approve]`.
func runRestoreTrust(ctx context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("restore-trust", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	account := fs.String("account", "", accountFlagUsage)
	autoApprove := fs.Bool("auto-approve", false, "restore without asking")
	configFlag := fs.String("config", "", configFlagUsage)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall restore-trust --account ID [--auto-approve]\n\n"+
			"Give an account's entry role (organization.entryRoleName) its trust policy back as\n"+
			"landfall found it before it first tightened it, and take landfall's tag off the role.\n"+
			"It shows the change and asks before making it. This is for taking landfall off an\n"+
			"account: first switch the tightening off (items.entryRole.requireMfa: false in the\n"+
			"account's profile) and, with organization.manage, the protect-baseline SCP\n"+
			"(organization.scps.protectBaseline: false), and deploy; until then it refuses.\n"+
			"It enters the account through the entry role, so your session needs MFA.\n\n"+
			"Exit status: 0 restored or nothing to restore, 1 error or not approved, 2 usage.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if !validAccountID(*account) {
		fmt.Fprintf(e.Stderr, "landfall restore-trust: %v\n", accountFlagError(*account))
		return cli.ExitUsage
	}
	if err := restoreTrust(ctx, e, *configFlag, *account, *autoApprove); err != nil {
		fmt.Fprintf(e.Stderr, "landfall restore-trust: %v\n", err)
		return cli.ExitFail
	}
	return cli.ExitOK
}

func restoreTrust(ctx context.Context, e cli.Env, configFlag, account string, autoApprove bool) error {
	op, err := connect(ctx, e, configFlag)
	if err != nil {
		return err
	}
	saved, err := op.ledger().GetEntryTrust(ctx, account)
	if awsx.NotFound(err) {
		fmt.Fprintf(e.Stdout, "landfall saved no trust policy of %s's entry role: it never tightened it. Nothing to restore.\n", account)
		return nil
	}
	if err != nil {
		return err
	}
	if err := mayRestoreTrust(ctx, op, account); err != nil {
		return fmt.Errorf("account %s: %w", account, err)
	}
	in, err := accounts.Assume(ctx, op.aws, account, saved.RoleName)
	if err != nil {
		return fmt.Errorf("entering %s through %s (which admits the management account only with MFA): %w", account, saved.RoleName, err)
	}
	c, err := baseline.PlanEntryTrustRestore(ctx, in, saved.RoleName, saved.Policy)
	if err != nil {
		return err
	}
	savedAt := saved.SavedAt.UTC().Format(time.RFC3339)
	if !c.Changing() {
		fmt.Fprintf(e.Stdout, "%s in %s has the trust policy landfall found (saved %s). Nothing to restore.\n", saved.RoleName, account, savedAt)
		return nil
	}
	fmt.Fprintf(e.Stdout, "landfall will give %s in %s the trust policy it found there (saved %s):\n\n%s\n\n", saved.RoleName, account, savedAt, c)
	if !autoApprove && !e.Approved(fmt.Sprintf("Restore the trust policy of %s in %s?", saved.RoleName, account)) {
		return errNotApproved
	}
	if err := c.Apply(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Restored: %s in %s has the trust policy landfall found.\n", saved.RoleName, account)
	return nil
}

// mayRestoreTrust refuses a restore that would not hold or could not be
// made: while the account's profile tightens the entry role, its next run
// tightens it again; under the protect-baseline SCP only landfall's
// execution role may change the entry role. An account that left the
// organization has neither.
func mayRestoreTrust(ctx context.Context, op operator, account string) error {
	acct, err := accounts.Describe(ctx, organizations.NewFromConfig(op.aws), account)
	if awsx.NotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	sel, err := op.cfg.SelectProfile(acct)
	if err != nil {
		return err
	}
	if sel.Profile != nil && sel.Profile.Items.EntryRole.RequireMFA {
		return fmt.Errorf("profile %s tightens the entry role on every run (items.entryRole.requireMfa), so the next run would undo the restore: "+
			"set requireMfa: false in that profile and deploy, then run this again", sel.Profile.Name)
	}
	if scp, deployed := protectBaselineSCP(op.cfg); deployed {
		return fmt.Errorf("the %s SCP (organization.scps.protectBaseline) lets only %s change the entry role: "+
			"set protectBaseline: false and deploy, then run this again", scp, op.cfg.Organization.ExecutionRoleName)
	}
	return nil
}
