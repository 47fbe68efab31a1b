package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/landfall/landfall/internal/bench"
	"github.com/landfall/landfall/internal/cli"
)

// runBench implements `landfall-dev bench`: it measures speed, API cost and
// scale against the local endpoint under the latency and throttling model,
// prints every figure as a table and writes them as JSON.
func runBench(ctx context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	out := fs.String("out", "bench-out", "directory the JSON figures are written to")
	module := fs.String("module", ".", "repository root (functions/, build/, infra/)")
	cfgPath := fs.String("config", "", "config file (default: <module>/infra/landfall.yaml)")
	runs := fs.Int("runs", 5, "figure 1: fresh accounts to take the median over")
	accounts := fs.Int("accounts", 1000, "figure 3: accounts in the swept organization")
	sweepScale := fs.Float64("sweep-scale", 0.25, "figure 3: real seconds per simulated second")
	starts := fs.Int("starts", 20, "figure 4: starts per Lambda function (0 leaves the figure out)")
	synth := fs.String("synth", "make synth", "figure 5: the command to time (empty leaves the figure out)")
	throughput := fs.Bool("throughput", true, "figure 6: measure the endpoint's throughput on one core")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall-dev bench [flags]\n\n"+
			"Measure landfall against the local AWS endpoint under a latency and\n"+
			"throttling model: one account across 17 regions, API calls per account,\n"+
			"a sweep of an organization, Lambda artifacts, cdk synth and the endpoint's\n"+
			"throughput. Run it from the repository root after make build (make bench does).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	opts := bench.Options{
		ModuleDir: *module, Config: *cfgPath, Runs: *runs, SweepAccounts: *accounts, SweepScale: *sweepScale,
		Starts: *starts, Synth: strings.Fields(*synth),
		Log: slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	if *throughput {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintf(e.Stderr, "landfall-dev bench: finding the landfall-dev binary for the endpoint: %v\n", err)
			return cli.ExitFail
		}
		opts.Exe = exe
	}
	rep, err := bench.Run(ctx, opts)
	if rep != nil {
		if werr := rep.WriteText(e.Stdout); werr != nil {
			err = errors.Join(err, werr)
		}
		if werr := rep.WriteJSON(*out); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall-dev bench: %v\n", err)
		return cli.ExitFail
	}
	return cli.ExitOK
}
