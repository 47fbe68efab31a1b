package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/orgevents"
)

func TestRerun(t *testing.T) {
	tests := []struct {
		name string
		// finish is the status the stand-in pipeline ends the execution
		// with; "" leaves it running.
		finish     string
		noMachine  bool
		args       func(member string) []string
		wantCode   int
		wantStdout string // substring
		wantStderr string // substring
	}{
		{name: "start and return", args: func(m string) []string { return []string{"--account", m} }, wantCode: cli.ExitOK},
		{name: "wait for success", finish: "SUCCEEDED", args: func(m string) []string { return []string{"--account", m, "--wait"} },
			wantCode: cli.ExitOK, wantStdout: "SUCCEEDED in "},
		{name: "wait for failure", finish: "FAILED", args: func(m string) []string { return []string{"--account", m, "--wait"} },
			wantCode: cli.ExitFail, wantStderr: "landfall rerun: execution FAILED after "},
		{name: "account not in the organization", args: func(string) []string { return []string{"--account", "123456789012"} },
			wantCode: cli.ExitFail, wantStderr: "landfall rerun: account 123456789012 is not in the organization\n"},
		{name: "pipeline not deployed", noMachine: true, args: func(m string) []string { return []string{"--account", m} },
			wantCode: cli.ExitFail, wantStderr: "StateMachineDoesNotExist"},
		{name: "bad account id", args: func(string) []string { return []string{"--account", "12345"} },
			wantCode: cli.ExitUsage, wantStderr: "--account must be a 12-digit account id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOrg(t, 0)
			member := f.createAccount(t, "workload")
			started := make(chan []byte, 1)
			if !tt.noMachine {
				f.srv.RegisterStateMachine(mgmtID, "us-east-1", f.cfg.BaselineStateMachineName())
			}
			f.srv.OnStartExecution(func(_, arn string, input []byte) {
				started <- input
				if tt.finish != "" {
					if err := f.srv.FinishExecution(arn, tt.finish, []byte("{}")); err != nil {
						t.Error(err)
					}
				}
			})
			code, stdout, stderr := f.run(func(ctx context.Context, e cli.Env, args []string) int { return rerun(ctx, e, args, time.Millisecond) }, tt.args(member)...)
			if code != tt.wantCode || !strings.Contains(stdout, tt.wantStdout) || !strings.Contains(stderr, tt.wantStderr) {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			if code == cli.ExitUsage || strings.Contains(stderr, "not in the organization") || tt.noMachine {
				if len(started) != 0 {
					t.Fatal("an execution started")
				}
				return
			}
			// The first line is the execution ARN, and the input is the
			// manual request the pipeline decodes, naming the caller.
			wantARN := "arn:aws:states:us-east-1:" + mgmtID + ":execution:" + f.cfg.BaselineStateMachineName() + ":"
			if !strings.HasPrefix(stdout, wantARN) {
				t.Errorf("stdout = %q, want it to start with %s", stdout, wantARN)
			}
			req, err := orgevents.Decode(<-started)
			if err != nil {
				t.Fatal(err)
			}
			id, err := sts.NewFromConfig(f.admin).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if req.AccountID != member || req.Reason != orgevents.ReasonManual || req.RequestedBy != aws.ToString(id.Arn) || req.Action != orgevents.ActionBaseline {
				t.Errorf("request = %+v, want a manual baseline of %s by %s", req, member, aws.ToString(id.Arn))
			}
		})
	}
}
