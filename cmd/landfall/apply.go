package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
)

// runApply implements `landfall apply --account ID [--auto-approve]`. Like
// terraform apply, it shows the plan and asks before it changes anything,
// then applies exactly what was approved (baseline.Engine.ApplyPlan).
func runApply(ctx context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	var f accountFlags
	f.register(fs)
	autoApprove := fs.Bool("auto-approve", false, "apply without showing the plan and asking first")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall apply --account ID [--profile P] [--auto-approve] [--output json]\n\n"+
			"Show what applying the baseline to an account would change, ask, and apply\n"+
			"exactly that, with your own AWS credentials; each item's outcome follows. With\n"+
			"--auto-approve it applies without asking (needed with --output json, and where\n"+
			"nobody can answer). The pipeline does the same on every account event.\n"+
			"Exit status: 0 applied or nothing to change, 1 failed or not approved,\n"+
			"2 wrong command line.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	if err := f.check(); err != nil {
		fmt.Fprintf(e.Stderr, "landfall apply: %v\n", err)
		return cli.ExitUsage
	}
	if f.output == "json" && !*autoApprove {
		fmt.Fprintln(e.Stderr, "landfall apply: --output json needs --auto-approve: the plan cannot be shown and approved in JSON")
		return cli.ExitUsage
	}
	t, err := resolve(ctx, e, f)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall apply: %v\n", err)
		return cli.ExitFail
	}
	if err := mayApplyThrough(t.spec.Config, t.role); err != nil {
		fmt.Fprintf(e.Stderr, "landfall apply: account %s: %v\n", t.spec.Account.ID, err)
		return cli.ExitFail
	}
	var rep baseline.Report
	if *autoApprove {
		if f.output == "text" {
			fmt.Fprintf(e.Stdout, "applying profile %s to %s (%s) through %s\n", t.spec.Profile.Name, t.spec.Account.ID, t.spec.Account.Name, t.role)
		}
		rep, err = t.engine.Apply(ctx, t.spec, t.cfg, baseline.ScopeAll)
	} else {
		var plan baseline.Plan
		var approved bool
		if plan, approved, err = planAndAsk(ctx, e, t); !approved {
			return exitOf(err)
		}
		rep, err = t.engine.ApplyPlan(ctx, t.spec, t.cfg, baseline.ScopeAll, plan)
	}
	if f.output == "json" {
		_ = json.NewEncoder(e.Stdout).Encode(rep)
	} else {
		printReport(e, rep)
	}
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall apply: %v\n", err)
	}
	return exitOf(err)
}

// errNotApproved ends an apply or a restore the operator did not approve.
var errNotApproved = errors.New("cancelled: not approved")

// planAndAsk shows the account's plan and asks whether to apply it.
// approved is false when there is nothing to apply: the plan failed (err),
// changes nothing, or was not approved (errNotApproved).
func planAndAsk(ctx context.Context, e cli.Env, t target) (plan baseline.Plan, approved bool, err error) {
	plan, err = t.engine.Plan(ctx, t.spec, t.cfg, baseline.ScopeAll)
	fmt.Fprint(e.Stdout, plan.String())
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall apply: %v\n", err)
		return plan, false, err
	}
	if !plan.HasChanges() {
		fmt.Fprintf(e.Stdout, "\nNo changes: %s (%s) has the baseline of profile %s.\n", t.spec.Account.ID, t.spec.Account.Name, t.spec.Profile.Name)
		return plan, false, nil
	}
	fmt.Fprintln(e.Stdout)
	if !e.Approved(fmt.Sprintf("Apply these changes to %s (%s) through %s?", t.spec.Account.ID, t.spec.Account.Name, t.role)) {
		fmt.Fprintf(e.Stderr, "landfall apply: %v\n", errNotApproved)
		return plan, false, errNotApproved
	}
	return plan, true, nil
}

// exitOf is a command's exit code after err.
func exitOf(err error) int {
	if err != nil {
		return cli.ExitFail
	}
	return cli.ExitOK
}

// mayApplyThrough refuses to apply through the entry role where landfall's
// protect-baseline SCP is deployed: it lets only the execution role change
// the trail, the detectors and the recorders, so most of the run would be
// denied, item by item. The execution role trusts only the pipeline role, so
// the way to apply there is the pipeline.
func mayApplyThrough(cfg *config.Config, role string) error {
	scp, deployed := protectBaselineSCP(cfg)
	if role != cfg.Organization.EntryRoleName || !deployed {
		return nil
	}
	return fmt.Errorf("your credentials reach only %s, and the %s SCP (organization.scps.protectBaseline) lets only %s change "+
		"the baseline; run `landfall rerun --account ID --wait`, which applies it through the pipeline", role,
		scp, cfg.Organization.ExecutionRoleName)
}

// protectBaselineSCP names landfall's protect-baseline SCP and says whether
// the deploy puts it on the organization: only when landfall manages the
// organization (organization.manage) and the SCP is asked for.
func protectBaselineSCP(cfg *config.Config) (name string, deployed bool) {
	org := cfg.Organization
	return cfg.Naming.Prefix + "-protect-baseline", org.Manage && org.SCPs.ProtectBaseline
}

func printReport(e cli.Env, rep baseline.Report) {
	for _, it := range rep.Items {
		where := it.Item
		if it.Region != "" {
			where += " (" + it.Region + ")"
		}
		status := "ok"
		n := map[baseline.Action]int{}
		for _, c := range it.Changes {
			n[c.Action]++
		}
		switch {
		case it.Error != "":
			status = "FAILED: " + it.Error
		case n[baseline.Create]+n[baseline.Update]+n[baseline.Delete] > 0:
			status = fmt.Sprintf("%d created, %d updated, %d deleted", n[baseline.Create], n[baseline.Update], n[baseline.Delete])
		case n[baseline.Conflict] > 0:
			status = fmt.Sprintf("%d conflicts (left alone)", n[baseline.Conflict])
		}
		if n[baseline.Finding] > 0 {
			status += fmt.Sprintf(", %d findings", n[baseline.Finding])
		}
		fmt.Fprintf(e.Stdout, "  %-32s %-40s %6s %3d calls\n", where, status, it.Duration.Round(time.Millisecond), it.Calls)
	}
	c := rep.Count()
	fmt.Fprintf(e.Stdout, "done in %s: %d created, %d updated, %d deleted, %d unchanged, %d conflicts, %d findings; %d reads, %d writes\n",
		rep.Duration.Round(time.Millisecond), c[baseline.Create], c[baseline.Update], c[baseline.Delete], c[baseline.Unchanged], c[baseline.Conflict], c[baseline.Finding], rep.Reads, rep.Writes)
}
