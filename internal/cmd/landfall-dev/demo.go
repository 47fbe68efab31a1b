package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall-dev demo [-v]\n\nRun landfall's whole story offline: run from the repository root after `make synth`\n(make demo does both).\n\n")
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
	rep, err := demo.Run(ctx, demo.Options{
		ModuleDir: root, ConfigPath: cli.ConfigPath(e, *cfgPath), TemplatePath: *template,
		Out: e.Stdout, FunctionLogs: logs, BuildDir: filepath.Join(root, "build", "host"),
	})
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall-dev demo: %v\n", err)
		return cli.ExitFail
	}
	if !rep.OK() {
		return cli.ExitFail
	}
	return cli.ExitOK
}
