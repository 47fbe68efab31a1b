package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/cli"
)

func TestHelpListsTheInstruments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := program().Run(context.Background(), cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}, []string{"help"})
	if code != cli.ExitOK || stderr.Len() != 0 {
		t.Fatalf("exit %d, stderr %q", code, &stderr)
	}
	for _, want := range []string{"Usage:\n  landfall-dev <command>", "\n  local ", "\n  demo ", "\n  bench "} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("help = %q, want it to contain %q", &stdout, want)
		}
	}
}

func TestUnknownCommandNamesTheDevBinary(t *testing.T) {
	var stderr bytes.Buffer
	code := program().Run(context.Background(), cli.Env{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }}, []string{"validate"})
	if want := "landfall-dev: unknown command \"validate\"; run 'landfall-dev help' for the list\n"; code != cli.ExitUsage || stderr.String() != want {
		t.Fatalf("exit %d, stderr %q; want %d, %q", code, &stderr, cli.ExitUsage, want)
	}
}
