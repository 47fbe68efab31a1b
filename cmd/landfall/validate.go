package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/config"
)

// runValidate implements `landfall validate [file]`: it loads the config, and
// prints a one-line summary (exit 0) or every problem as file:line: field:
// message on stderr (exit 1).
func runValidate(_ context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall validate [file]\n\n"+
			"Check a landfall config file: unknown keys, account ids, regions, emails,\n"+
			"profiles, alarms, budgets, schedules. Every problem is printed as\n"+
			"file:line: field: message. The file defaults to $%s, then %s.\n", cli.ConfigEnvVar, cli.DefaultConfigPath)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(e.Stderr, "landfall validate: takes at most one file, got %d arguments\n", fs.NArg())
		fs.Usage()
		return cli.ExitUsage
	}
	path := cli.ConfigPath(e, fs.Arg(0))

	cfg, err := config.Load(path)
	if err != nil {
		var problems config.Errors
		if !errors.As(err, &problems) {
			// Not a problem in the file: it could not be read at all.
			fmt.Fprintf(e.Stderr, "landfall validate: %v\n", err)
			return cli.ExitFail
		}
		for _, p := range problems {
			fmt.Fprintln(e.Stderr, p)
		}
		fmt.Fprintf(e.Stderr, "%s: %s\n", path, plural(len(problems), "problem"))
		return cli.ExitFail
	}
	fmt.Fprintln(e.Stdout, summary(path, cfg))
	return cli.ExitOK
}

// summary describes a valid config in one line.
func summary(path string, cfg *config.Config) string {
	names := make([]string, len(cfg.Profiles))
	for i, p := range cfg.Profiles {
		names[i] = p.Name
	}
	regions := cfg.Organization.GovernedRegions
	return fmt.Sprintf("%s: valid: %s (%s), %s (%s), %s excluded",
		path,
		plural(len(names), "profile"), strings.Join(names, ", "),
		plural(len(regions), "governed region"), strings.Join(regions, ", "),
		plural(len(cfg.ExcludedAccounts), "account"))
}

// plural formats a count with a noun, adding "s" unless the count is one.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
