// Package cli is what landfall's two binaries share of the command line: a
// table of subcommands and its dispatch, help, exit codes, and where a
// command finds the config file. The operator's `landfall` and the
// developers' `landfall-dev` are both a Program.
package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

// Exit codes shared by every subcommand of both binaries.
const (
	ExitOK    = 0 // success
	ExitFail  = 1 // the command ran and found a problem (an invalid config, a failed apply)
	ExitUsage = 2 // the command line itself is wrong
)

// ExitCode is one row of a program's table of exit codes, which its help
// shows. Every command of the program keeps to the one table, so a script
// reads any command's status the same way.
type ExitCode struct {
	Code    int
	Meaning string
}

// ExitCodes is the table of a program that sets none.
var ExitCodes = []ExitCode{
	{ExitOK, "success"},
	{ExitFail, "the command ran and failed, or found a problem"},
	{ExitUsage, "the command line is wrong"},
}

// Env is what a subcommand may touch of the outside world. Passing it in
// instead of using os.Stdout and os.Getenv lets tests run commands in-process.
type Env struct {
	// Stdin answers questions a command asks before it changes something;
	// nil is no answer.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// Approved asks on e.Stdout whether to go ahead, as Terraform's apply
// does, and reports whether the first line of e.Stdin is "yes". No input
// (a closed or absent stdin, as in a pipeline without --auto-approve) is a
// no: a change nobody agreed to is not made.
func (e Env) Approved(question string) bool {
	fmt.Fprintf(e.Stdout, "%s\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", question)
	if e.Stdin == nil {
		fmt.Fprintln(e.Stdout)
		return false
	}
	line, _ := bufio.NewReader(io.LimitReader(e.Stdin, maxAnswer)).ReadString('\n')
	fmt.Fprintln(e.Stdout)
	return strings.TrimSpace(line) == "yes"
}

// maxAnswer bounds what Approved reads: "yes" and a line end, with room for
// spaces.
const maxAnswer = 64

// Command is one subcommand.
type Command struct {
	Name string
	// Summary is one line for the program's help.
	Summary string
	// Run executes the command with its arguments (after the command name)
	// and returns the process exit code. It parses its own flags with a
	// FlagSet named after the command, so `<program> <cmd> -h` prints its
	// usage (on Stderr, as the flag package does).
	Run func(ctx context.Context, e Env, args []string) int
}

// Program is a binary made of subcommands.
type Program struct {
	Name string
	// About is the first line of the help.
	About string
	// Commands is the ordered command table, also the order help lists them in.
	Commands []Command
	// ExitCodes is what every command's exit code means; nil is ExitCodes.
	ExitCodes []ExitCode
}

// Main runs p with the process's arguments and environment, cancels the
// context on Ctrl-C, and exits with the command's code.
func Main(p Program) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := p.Run(ctx, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// Run dispatches to the subcommand named by args[0].
func (p Program) Run(ctx context.Context, e Env, args []string) int {
	if len(args) == 0 {
		p.usage(e.Stderr)
		return ExitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return p.help(ctx, e, rest)
	}
	if c, ok := p.command(name); ok {
		return c.Run(ctx, e, rest)
	}
	fmt.Fprintf(e.Stderr, "%s: unknown command %q; run '%s help' for the list\n", p.Name, name, p.Name)
	return ExitUsage
}

func (p Program) command(name string) (Command, bool) {
	for _, c := range p.Commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// help prints the command list, or a command's own usage for
// `<program> help <cmd>`.
func (p Program) help(ctx context.Context, e Env, args []string) int {
	if len(args) == 0 {
		p.usage(e.Stdout)
		return ExitOK
	}
	c, ok := p.command(args[0])
	if !ok {
		fmt.Fprintf(e.Stderr, "%s: unknown command %q; run '%s help' for the list\n", p.Name, args[0], p.Name)
		return ExitUsage
	}
	// Every command answers -h with its usage on stderr; send it to stdout
	// here because the user asked for it.
	return c.Run(ctx, Env{Stdin: e.Stdin, Stdout: e.Stdout, Stderr: e.Stdout, Getenv: e.Getenv}, []string{"-h"})
}

func (p Program) usage(w io.Writer) {
	var b strings.Builder
	b.WriteString(p.About + "\n\n")
	fmt.Fprintf(&b, "Usage:\n  %s <command> [flags] [arguments]\n\nCommands:\n", p.Name)
	width := 0
	for _, c := range p.Commands {
		width = max(width, len(c.Name))
	}
	for _, c := range p.Commands {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Name, c.Summary)
	}
	b.WriteString("\nExit codes, for every command:\n")
	codes := p.ExitCodes
	if codes == nil {
		codes = ExitCodes
	}
	for _, c := range codes {
		fmt.Fprintf(&b, "  %d  %s\n", c.Code, c.Meaning)
	}
	fmt.Fprintf(&b, "\nRun '%s help <command>' or '%s <command> -h' for a command's flags.\n", p.Name, p.Name)
	fmt.Fprint(w, b.String())
}

// ConfigEnvVar names the environment variable that overrides the default
// config file path for every command that reads the config.
const ConfigEnvVar = "LANDFALL_CONFIG"

// DefaultConfigPath is the config file read when neither an argument nor
// LANDFALL_CONFIG names one: the path from the repository root.
const DefaultConfigPath = "infra/landfall.yaml"

// ConfigPath picks the config file: the command-line argument, then
// LANDFALL_CONFIG, then DefaultConfigPath.
func ConfigPath(e Env, arg string) string {
	if arg != "" {
		return arg
	}
	if p := e.Getenv(ConfigEnvVar); p != "" {
		return p
	}
	return DefaultConfigPath
}
