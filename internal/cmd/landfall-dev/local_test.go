package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/landfall/landfall/internal/cli"
)

// announceWriter records output and signals once the server has printed
// its address, which it does after binding.
type announceWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan struct{}
	once  sync.Once
}

func (w *announceWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), "AWS_ACCESS_KEY_ID") {
		w.once.Do(func() { close(w.ready) })
	}
	return n, err
}

func TestLocalServeStartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := &announceWriter{ready: make(chan struct{})}
	var errOut bytes.Buffer
	done := make(chan int)
	go func() {
		done <- program().Run(ctx, cli.Env{Stdout: out, Stderr: &errOut, Getenv: func(string) string { return "" }}, []string{"local", "serve", "--addr", "127.0.0.1:0"})
	}()
	select {
	case <-out.ready:
	case code := <-done:
		t.Fatalf("exited early with %d: %s", code, errOut.String())
	}
	// The help and the output promise the AWS CLI: with exactly the
	// variables printed, it reaches the endpoint as the management account,
	// in every protocol it speaks (query for STS, JSON 1.0 for CloudWatch).
	out.mu.Lock()
	env := exportedVariables(out.buf.String())
	out.mu.Unlock()
	for _, args := range [][]string{{"sts", "get-caller-identity"}, {"cloudwatch", "describe-alarms"}, {"dynamodb", "list-tables"}} {
		cmd := exec.Command("aws", args...)
		cmd.Env = append(env, "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		got, err := cmd.CombinedOutput()
		if err != nil || (args[0] == "sts" && !strings.Contains(string(got), `"Account": "111111111111"`)) {
			t.Errorf("aws %s with the printed variables: %v: %s", strings.Join(args, " "), err, got)
		}
	}
	cancel() // as Ctrl-C would
	if code := <-done; code != cli.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.buf.String(), "export AWS_ENDPOINT_URL=http://localhost:") || !strings.Contains(out.buf.String(), "decided the way IAM does") {
		t.Fatalf("output: %s", out.buf.String())
	}
}

// exportedVariables reads the NAME=value pairs of the output's export lines.
func exportedVariables(output string) []string {
	var env []string
	for _, line := range strings.Split(output, "\n") {
		if rest, ok := strings.CutPrefix(line, "export "); ok {
			env = append(env, strings.Fields(rest)...)
		}
	}
	return env
}

func TestLocalServeRefusesNonLoopback(t *testing.T) {
	var out, errOut bytes.Buffer
	code := program().Run(context.Background(), cli.Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }}, []string{"local", "serve", "--addr", "0.0.0.0:4566"})
	if code != cli.ExitUsage || !strings.Contains(errOut.String(), "loopback") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
}
