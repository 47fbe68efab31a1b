package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/landfall/landfall/pkg/config"
)

// configEnvVar names the environment variable that overrides the default
// config file path for every command that reads the config.
const configEnvVar = "LANDFALL_CONFIG"

// defaultConfigPath is the config file read when neither an argument nor
// LANDFALL_CONFIG names one: the path from the repository root.
const defaultConfigPath = "infra/landfall.yaml"

// configPath picks the config file: the command-line argument, then
// LANDFALL_CONFIG, then defaultConfigPath.
func configPath(e env, arg string) string {
	if arg != "" {
		return arg
	}
	if p := e.getenv(configEnvVar); p != "" {
		return p
	}
	return defaultConfigPath
}

// runValidate implements `landfall validate [file]`: it loads the config, and
// prints a one-line summary (exit 0) or every problem as file:line: field:
// message on stderr (exit 1).
func runValidate(_ context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall validate [file]\n\n"+
			"Check a landfall config file: unknown keys, account ids, regions, emails,\n"+
			"profiles, alarms, budgets, schedules. Every problem is printed as\n"+
			"file:line: field: message. The file defaults to $%s, then %s.\n", configEnvVar, defaultConfigPath)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(e.stderr, "landfall validate: takes at most one file, got %d arguments\n", fs.NArg())
		fs.Usage()
		return exitUsage
	}
	path := configPath(e, fs.Arg(0))

	cfg, err := config.Load(path)
	if err != nil {
		var problems config.Errors
		if !errors.As(err, &problems) {
			// Not a problem in the file: it could not be read at all.
			fmt.Fprintf(e.stderr, "landfall validate: %v\n", err)
			return exitFail
		}
		for _, p := range problems {
			fmt.Fprintln(e.stderr, p)
		}
		fmt.Fprintf(e.stderr, "%s: %s\n", path, plural(len(problems), "problem"))
		return exitFail
	}
	fmt.Fprintln(e.stdout, summary(path, cfg))
	return exitOK
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
