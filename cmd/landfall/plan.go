package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
)

// exitChanges is plan's exit code when applying would change something, as
// terraform's -detailed-exitcode does, so scripts can gate on drift. It is
// ExitUsage's number, so plan answers a wrong command line with ExitFail.
const exitChanges = 2

// target is an account resolved for plan and apply: its spec and
// credentials in it, from the operator's own AWS configuration.
type target struct {
	engine *baseline.Engine
	spec   *baseline.Spec
	cfg    aws.Config
	role   string
}

// accountFlags are the flags plan and apply share.
type accountFlags struct {
	account, profile, output, config string
}

func (f *accountFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.account, "account", "", accountFlagUsage)
	fs.StringVar(&f.profile, "profile", "", "use this profile instead of the one the config selects")
	fs.StringVar(&f.output, "output", "text", "text or json")
	fs.StringVar(&f.config, "config", "", configFlagUsage)
}

func (f *accountFlags) check() error {
	if !validAccountID(f.account) {
		return accountFlagError(f.account)
	}
	if f.output != "text" && f.output != "json" {
		return fmt.Errorf("--output must be text or json, got %q", f.output)
	}
	return nil
}

// The flags commands share: the one account a command acts on, and the
// config file.
const (
	accountFlagUsage = "the 12-digit account id (required)"
	configFlagUsage  = "config file (default $" + cli.ConfigEnvVar + ", then " + cli.DefaultConfigPath + ")"
)

// accountFlagError is the complaint about an --account that is not an
// account id.
func accountFlagError(account string) error {
	return fmt.Errorf("--account must be a 12-digit account id, got %q", account)
}

func validAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// resolve loads the config, describes the account through Organizations,
// chooses its profile and enters it.
func resolve(ctx context.Context, e cli.Env, f accountFlags) (target, error) {
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		return target{}, err
	}
	cfg, err := config.Load(cli.ConfigPath(e, f.config))
	if err != nil {
		return target{}, err
	}
	base, err := awsx.Load(ctx)
	if err != nil {
		return target{}, err
	}
	if base.Region == "" { // no region in the environment or profile
		base.Region = cfg.Organization.HomeRegion
	}
	org := organizations.NewFromConfig(base)
	orgOut, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return target{}, fmt.Errorf("describing the organization: %w", err)
	}
	acct, err := accounts.Describe(ctx, org, f.account)
	if err != nil {
		return target{}, err
	}
	var profile *config.Profile
	if f.profile != "" {
		if profile = cfg.ProfileNamed(f.profile); profile == nil {
			return target{}, fmt.Errorf("profile %q is not in the config", f.profile)
		}
	} else {
		sel, err := cfg.SelectProfile(acct)
		if err != nil {
			return target{}, err
		}
		if sel.Profile == nil {
			return target{}, fmt.Errorf("account %s gets no baseline: %s (%s)", acct.ID, sel.Skip, sel.Reason)
		}
		profile = sel.Profile
	}
	spec, err := baseline.NewSpec(cfg, profile, acct, aws.ToString(orgOut.Organization.Id))
	if err != nil {
		return target{}, err
	}
	if spec.IdentityAccountStatus, err = accounts.IdentityStatus(ctx, org, cfg); err != nil {
		return target{}, err
	}
	in, role, err := accounts.Enter(ctx, base, cfg, acct.ID, slog.New(slog.DiscardHandler))
	if err != nil {
		return target{}, err
	}
	return target{engine: engine, spec: spec, cfg: in, role: role}, nil
}

// runPlan implements `landfall plan --account ID`.
func runPlan(ctx context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	var f accountFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall plan --account ID [--profile P] [--output json]\n\n"+
			"Show what applying the baseline to an account would change, without changing\n"+
			"anything. Uses your own AWS credentials (profiles, environment, SSO) to enter\n"+
			"the account through landfall's execution role or the entry role.\n"+
			"Exit status: 0 nothing to change, 2 changes pending, 1 error or wrong command line.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitFail
	}
	if err := f.check(); err != nil {
		fmt.Fprintf(e.Stderr, "landfall plan: %v\n", err)
		return cli.ExitFail
	}
	t, err := resolve(ctx, e, f)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall plan: %v\n", err)
		return cli.ExitFail
	}
	plan, err := t.engine.Plan(ctx, t.spec, t.cfg, baseline.ScopeAll)
	if f.output == "json" {
		_ = json.NewEncoder(e.Stdout).Encode(plan)
	} else {
		fmt.Fprint(e.Stdout, plan.String())
	}
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall plan: %v\n", err)
		return cli.ExitFail
	}
	if plan.HasChanges() {
		return exitChanges
	}
	return cli.ExitOK
}
