package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

// operator is what the commands that drive the deployed pipeline (status,
// rerun, vend, alerts) work with: the config, and the operator's own AWS
// configuration pointed at the home region, where the ledger table and the
// state machines live. Their physical names follow from the config, so no
// CloudFormation lookup is needed.
type operator struct {
	cfg *config.Config
	aws aws.Config
}

func connect(ctx context.Context, e cli.Env, configFlag string) (operator, error) {
	cfg, err := config.Load(cli.ConfigPath(e, configFlag))
	if err != nil {
		return operator{}, err
	}
	base, err := awsx.Load(ctx)
	if err != nil {
		return operator{}, err
	}
	base.Region = cfg.Organization.HomeRegion
	return operator{cfg: cfg, aws: base}, nil
}

func (o operator) ledger() *ledger.Ledger { return ledger.New(o.aws, o.cfg.LedgerTableName()) }

// parseFlags parses a command's flags. When ok is false the command returns
// code at once: 0 after -h, cli.ExitUsage after a bad flag or a stray argument.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK, false
		}
		return cli.ExitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "landfall %s: unexpected arguments %q\n", fs.Name(), fs.Args())
		fs.Usage()
		return cli.ExitUsage, false
	}
	return cli.ExitOK, true
}

// statusMissing marks an active account of the organization that has no
// ledger row: the pipeline never recorded a run for it.
const statusMissing ledger.Status = "MISSING"

// statusOrder sorts the table: what needs attention first, history last.
var statusOrder = []ledger.Status{ledger.StatusFailed, statusMissing, ledger.StatusRunning, ledger.StatusSkipped, ledger.StatusSucceeded, ledger.StatusClosed}

// deliveryItems are the baseline items whose findings mean alerts may reach
// nobody: pending email subscriptions, topics without a confirmed
// subscriber, alarms left alone or with actions disabled.
var deliveryItems = []string{"alerts-topic", "alarms"}

// maxErrorWidth keeps the table one line per account.
const maxErrorWidth = 60

// runStatus implements `landfall status`.
func runStatus(ctx context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	output := fs.String("output", "text", "text or json")
	configFlag := fs.String("config", "", configFlagUsage)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall status [--output json]\n\n"+
			"Show every account's baseline from the ledger, with the organization's active\n"+
			"accounts that have no ledger row as MISSING, and the delivery-health findings\n"+
			"(alerts that may reach nobody). Uses your credentials in the management account.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *output != "text" && *output != "json" {
		fmt.Fprintf(e.Stderr, "landfall status: --output must be text or json, got %q\n", *output)
		return cli.ExitUsage
	}
	op, err := connect(ctx, e, *configFlag)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall status: %v\n", err)
		return cli.ExitFail
	}
	rows, err := statusRows(ctx, op)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall status: %v\n", err)
		return cli.ExitFail
	}
	if *output == "json" {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintf(e.Stderr, "landfall status: writing JSON: %v\n", err)
			return cli.ExitFail
		}
		return cli.ExitOK
	}
	printStatus(e, rows, time.Now())
	return cli.ExitOK
}

// statusRows joins the ledger with the organization's active accounts and
// sorts the result by status, then name.
func statusRows(ctx context.Context, op operator) ([]ledger.Row, error) {
	rows, err := op.ledger().List(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]int, len(rows))
	for i, r := range rows {
		byID[r.AccountID] = i
	}
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(op.aws), &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the organization's accounts: %w", err)
		}
		for _, a := range page.Accounts {
			id, name := aws.ToString(a.Id), aws.ToString(a.Name)
			i, known := byID[id]
			switch {
			case known && rows[i].AccountName == "":
				rows[i].AccountName = name // a row written before the name was known
			case !known && a.Status == "ACTIVE":
				rows = append(rows, ledger.Row{AccountID: id, AccountName: name, Status: statusMissing})
			}
		}
	}
	slices.SortFunc(rows, func(a, b ledger.Row) int {
		return cmp.Or(cmp.Compare(statusRank(a.Status), statusRank(b.Status)),
			cmp.Compare(a.AccountName, b.AccountName), cmp.Compare(a.AccountID, b.AccountID))
	})
	return rows, nil
}

// statusRank places unknown statuses after the known ones.
func statusRank(s ledger.Status) int {
	if i := slices.Index(statusOrder, s); i >= 0 {
		return i
	}
	return len(statusOrder)
}

// note is the table's last column: why the account gets no baseline when it
// is skipped (quarantined, excluded, inactive ...), else the last run's
// error, marked when the failure was terminal and the sweep holds it.
func note(r ledger.Row) string {
	switch {
	case r.Status == ledger.StatusSkipped:
		return "skipped: " + r.Reason
	case r.Status == ledger.StatusFailed && r.Terminal:
		return "not retried: " + r.LastError
	}
	return r.LastError
}

func printStatus(e cli.Env, rows []ledger.Row, now time.Time) {
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tNAME\tPROFILE\tSTATUS\tVERSION\tLAST RUN\tDURATION\tDRIFT\tFINDINGS\tNOTE")
	counts := map[ledger.Status]int{}
	for _, r := range rows {
		counts[r.Status]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.AccountID, dash(r.AccountName), dash(r.Profile), r.Status,
			dash(r.Version), age(r.LastRun, now), duration(r), r.Drift, len(r.Findings), truncateText(note(r), maxErrorWidth))
	}
	_ = tw.Flush()

	var parts []string
	for _, s := range slices.SortedFunc(maps.Keys(counts), func(a, b ledger.Status) int { return cmp.Compare(statusRank(a), statusRank(b)) }) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	fmt.Fprintf(e.Stdout, "\n%d accounts: %s\n", len(rows), strings.Join(parts, ", "))

	var health []string
	for _, r := range rows {
		for _, f := range r.Findings {
			if item, _, _ := strings.Cut(f, ": "); slices.Contains(deliveryItems, item) {
				health = append(health, fmt.Sprintf("  %s (%s): %s", r.AccountID, dash(r.AccountName), f))
			}
		}
	}
	if len(health) == 0 {
		fmt.Fprintln(e.Stdout, "\nDelivery health: no findings; every alerts topic has a confirmed subscriber.")
		return
	}
	noun := "findings"
	if len(health) == 1 {
		noun = "finding"
	}
	fmt.Fprintf(e.Stdout, "\nDelivery health: %d %s; these alerts may reach nobody:\n%s\n", len(health), noun, strings.Join(health, "\n"))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// age renders how long ago t was, coarsely: a table is read at a glance.
func age(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func duration(r ledger.Row) string {
	if r.DurationMs == 0 {
		return "-"
	}
	return (time.Duration(r.DurationMs) * time.Millisecond).Round(time.Second).String()
}

// truncateText fits s on one line of at most n runes.
func truncateText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "-"
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
