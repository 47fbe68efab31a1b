package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/internal/localrun"
)

// runLocal implements `landfall-dev local serve`: the local AWS endpoint as a
// standalone server, for running the Lambdas as processes or exploring with
// the AWS CLI.
func runLocal(ctx context.Context, e cli.Env, args []string) int {
	fs := flag.NewFlagSet("local", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	addr := fs.String("addr", "127.0.0.1:4566", "address to listen on (loopback only, by design)")
	mgmt := fs.String("management-account", "111111111111", "the management account id")
	seed := fs.Int64("seed", 1, "seed for generated ids and injected faults")
	authorize := fs.Bool("authorize", true, "decide every request the way IAM does (needs `make tools` and a checkout)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall-dev local serve [--addr 127.0.0.1:4566]\n\n"+
			"Serve landfall's local AWS endpoint. Point the SDK or the AWS CLI at it with\n"+
			"AWS_ENDPOINT_URL=http://localhost:PORT and HTTP_PROXY=http://127.0.0.1:PORT\n"+
			"(S3 and S3 Control put names in front of the host). Credentials for any\n"+
			"account: GET /_landfall/credentials?account=ID. Emails: GET /_landfall/outbox.\n"+
			"Faults: POST /_landfall/faults, POST /_landfall/unreachable.\n\n")
		fs.PrintDefaults()
	}
	if len(args) == 0 || args[0] != "serve" {
		fs.Usage()
		return cli.ExitUsage
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(e.Stderr, "landfall-dev local serve: --addr must be a loopback address with a port, got %q\n", *addr)
		return cli.ExitUsage
	}
	log := slog.New(slog.NewTextHandler(e.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts := awslocal.Options{ManagementAccountID: *mgmt, Seed: *seed, Logger: log}
	if *authorize {
		worker, err := startAuthorizer()
		if err != nil {
			fmt.Fprintf(e.Stderr, "landfall-dev local serve: %v\n", err)
			return cli.ExitFail
		}
		defer worker.Close()
		opts.Authorizer = worker
	}
	srv := awslocal.New(opts)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall-dev local serve: %v\n", err)
		return cli.ExitFail
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		// Asynchronous work (account creation, alarm periods) moves on with
		// the clock even when no request arrives.
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				_ = hs.Close()
				return
			case <-t.C:
				srv.Tick()
			}
		}
	}()
	creds := srv.AdminCredentials(*mgmt)
	port := ln.Addr().(*net.TCPAddr).Port
	fmt.Fprintf(e.Stdout, "landfall local endpoint on http://%s\n\n", ln.Addr())
	if *authorize {
		fmt.Fprintf(e.Stdout, "Every request is decided the way IAM does (--authorize=false admits every signed request).\n\n")
	}
	printEnv(e.Stdout, port, creds, "us-east-1")
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.Stderr, "landfall-dev local serve: %v\n", err)
		return cli.ExitFail
	}
	return cli.ExitOK
}

// startAuthorizer starts the IAM simulator of the checkout the command runs
// in.
func startAuthorizer() (*iamsim.Worker, error) {
	root, err := localrun.FindModuleRoot(".")
	if err != nil {
		return nil, err
	}
	return iamsim.Start(root)
}

// printEnv prints the shell lines that point the SDK and the AWS CLI at the
// endpoint on port as the holder of creds. S3 and S3 Control put names in
// front of the host, so requests go through the endpoint as a proxy too.
func printEnv(w io.Writer, port int, creds awslocal.Credentials, region string) {
	fmt.Fprintf(w, "export AWS_ENDPOINT_URL=http://localhost:%d HTTP_PROXY=http://127.0.0.1:%d NO_PROXY=\n", port, port)
	// The SDKs read AWS_REGION, the AWS CLI v1 AWS_DEFAULT_REGION.
	fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s AWS_DEFAULT_REGION=%s\n",
		creds.AccessKeyID, creds.SecretAccessKey, region, region)
}
