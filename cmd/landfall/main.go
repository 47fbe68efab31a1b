// Command landfall is the operator CLI for landfall: it checks the
// configuration and, as subcommands are added, plans, applies and inspects
// account baselines.
//
// Each subcommand lives in its own file (validate.go, ...) and is registered in
// the ordered table returned by commands, which is also the order `landfall
// help` lists them in.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// Exit codes shared by every subcommand.
const (
	exitOK    = 0 // success
	exitFail  = 1 // the command ran and found a problem (an invalid config, a failed apply)
	exitUsage = 2 // the command line itself is wrong
)

// env is what a subcommand may touch of the outside world. Passing it in
// instead of using os.Stdout and os.Getenv lets tests run commands in-process.
type env struct {
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand.
type command struct {
	name string
	// summary is one line for `landfall help`.
	summary string
	// run executes the command with its arguments (after the command name) and
	// returns the process exit code. It parses its own flags with a FlagSet
	// named after the command, so `landfall <cmd> -h` prints its usage.
	run func(ctx context.Context, e env, args []string) int
}

// commands is the ordered command table. Add a subcommand by writing
// <name>.go with its run function and adding one line here.
func commands() []command {
	return []command{
		{name: "validate", summary: "check the config file and print a summary", run: runValidate},
		{name: "plan", summary: "show what applying the baseline to an account would change", run: runPlan},
		{name: "apply", summary: "apply the baseline to an account now", run: runApply},
		{name: "status", summary: "show every account's baseline from the ledger, and delivery health", run: runStatus},
		{name: "rerun", summary: "start the BaselineAccount pipeline for an account", run: runRerun},
		{name: "vend", summary: "create an account and follow it until it is baselined", run: runVend},
		{name: "alerts", summary: "prove each alarm of an account reaches the central fan-in (alerts test)", run: runAlerts},
		{name: "local", summary: "serve the local AWS endpoint (local serve)", run: runLocal},
		{name: "bench", summary: "measure speed, API calls and scale against the local endpoint", run: runBench},
		{name: "demo", summary: "run the whole story offline against the local endpoint", run: runDemo},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches to the subcommand named by args[0].
func run(ctx context.Context, e env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(ctx, e, rest)
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	fmt.Fprintf(e.stderr, "landfall: unknown command %q; run 'landfall help' for the list\n", name)
	return exitUsage
}

// runHelp prints the command list, or a command's own usage for
// `landfall help <cmd>`.
func runHelp(ctx context.Context, e env, args []string) int {
	if len(args) == 0 {
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			// Every command answers -h with its usage on stderr; send it to
			// stdout here because the user asked for it.
			return c.run(ctx, env{stdout: e.stdout, stderr: e.stdout, getenv: e.getenv}, []string{"-h"})
		}
	}
	fmt.Fprintf(e.stderr, "landfall: unknown command %q; run 'landfall help' for the list\n", args[0])
	return exitUsage
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("landfall applies and keeps a security baseline on every account of an AWS Organization.\n\n")
	b.WriteString("Usage:\n  landfall <command> [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'landfall help <command>' or 'landfall <command> -h' for a command's flags.\n")
	fmt.Fprint(w, b.String())
}
