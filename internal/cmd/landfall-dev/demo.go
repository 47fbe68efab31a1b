package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/internal/demo"
)

// runDemo implements `landfall-dev demo`: the whole story, offline, against the
// local AWS endpoint, with the synthesized template and the real Lambdas.
func runDemo(ctx context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	template := fs.String("template", "cdk.out/landfall.template.json", "the synthesized template (make synth)")
	cfgPath := fs.String("config", "", "config file (default $"+cli.ConfigEnvVar+", then "+cli.DefaultConfigPath+")")
	verbose := fs.Bool("v", false, "also print the Lambdas' log lines")
	explore := fs.Bool("explore", false, "keep the local organization up after the story, for the AWS CLI, until Ctrl-C")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall-dev demo [-v] [--explore]\n\nRun landfall's whole story offline: run from the repository root after `make synth`\n(make demo does both).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall-dev demo: %v\n", err)
		return cli.ExitFail
	}
	logs := io.Discard
	if *verbose {
		logs = e.Stderr
	}
	opts := demo.Options{
		ModuleDir: root, ConfigPath: cli.ConfigPath(e, *cfgPath), TemplatePath: *template,
		Out: e.Stdout, FunctionLogs: logs, BuildDir: filepath.Join(root, "build", "host"),
	}
	if *explore {
		opts.Explore = func(ctx context.Context, endpoint string, srv *awslocal.Server, rep *demo.Report) {
			waitForExplorer(ctx, e.Stdout, endpoint, srv, rep)
		}
	}
	rep, err := demo.Run(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall-dev demo: %v\n", err)
		return cli.ExitFail
	}
	if !rep.OK() {
		return cli.ExitFail
	}
	return cli.ExitOK
}

// waitForExplorer tells how to reach the local organization the demo left
// behind, with each account's administrator, and waits until ctx ends
// (Ctrl-C).
func waitForExplorer(ctx context.Context, w io.Writer, endpoint string, srv *awslocal.Server, rep *demo.Report) {
	u, err := url.Parse(endpoint)
	port, _ := strconv.Atoi(u.Port())
	if err != nil || port == 0 {
		fmt.Fprintf(w, "landfall-dev demo: the endpoint %q has no port\n", endpoint)
		return
	}
	fmt.Fprintf(w, "\nThe local organization stays up until Ctrl-C. As its management account's administrator:\n\n")
	printEnv(w, port, srv.AdminCredentials(rep.Management), "us-east-1")
	fmt.Fprintf(w, "\nThe accounts (any account's administrator: curl '%s/_landfall/credentials?account=ID'):\n", endpoint)
	names := slices.Sorted(maps.Keys(rep.Accounts))
	for _, name := range names {
		fmt.Fprintf(w, "  %-16s %s\n", name, rep.Accounts[name])
	}
	fmt.Fprintf(w, "\nFor example: aws cloudtrail describe-trails, aws cloudwatch describe-alarms, aws dynamodb list-tables\n")
	<-ctx.Done()
}
