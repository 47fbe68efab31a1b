package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/landfall/landfall/pkg/demo"
)

// runDemo implements `landfall demo`: the whole story, offline, against the
// local AWS endpoint, with the synthesized template and the real Lambdas.
func runDemo(ctx context.Context, e env, args []string) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	template := fs.String("template", "cdk.out/landfall.template.json", "the synthesized template (make synth)")
	cfgPath := fs.String("config", "", "config file (default $"+configEnvVar+", then "+defaultConfigPath+")")
	verbose := fs.Bool("v", false, "also print the Lambdas' log lines")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall demo [-v]\n\nRun landfall's whole story offline: run from the repository root after `make synth`\n(make demo does both).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(e.stderr, "landfall demo: %v\n", err)
		return exitFail
	}
	logs := io.Discard
	if *verbose {
		logs = e.stderr
	}
	rep, err := demo.Run(ctx, demo.Options{
		ModuleDir: root, ConfigPath: configPath(e, *cfgPath), TemplatePath: *template,
		Out: e.stdout, FunctionLogs: logs, BuildDir: filepath.Join(root, "build", "host"),
	})
	if err != nil {
		fmt.Fprintf(e.stderr, "landfall demo: %v\n", err)
		return exitFail
	}
	if !rep.OK() {
		return exitFail
	}
	return exitOK
}
