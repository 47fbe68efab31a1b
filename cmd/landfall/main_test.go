package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/cli"
)

const examplePath = "../../infra/landfall.yaml"

// badConfig has two problems, on lines 3 and 5.
const badConfig = `version: 1
organization:
  managementAccountId: "1111"
  homeRegion: us-east-1
  identty: { accountId: "222222222222" }
profiles:
  - name: all
    default: true
`

func TestRun(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(badConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	exampleSummary := examplePath + ": valid: 4 profiles (management, security, workloads, sandbox), 2 governed regions (us-east-1, eu-west-1), 1 account excluded\n"

	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantCode   int
		wantStdout string // exact, when set
		wantStderr string // exact, when set
		stderrHas  string // substring, when set
	}{
		{
			name: "validate the example", args: []string{"validate", examplePath},
			wantCode: cli.ExitOK, wantStdout: exampleSummary,
		},
		{
			name: "validate reads LANDFALL_CONFIG", args: []string{"validate"}, env: map[string]string{cli.ConfigEnvVar: examplePath},
			wantCode: cli.ExitOK, wantStdout: exampleSummary,
		},
		{
			name: "argument wins over LANDFALL_CONFIG", args: []string{"validate", bad}, env: map[string]string{cli.ConfigEnvVar: examplePath},
			wantCode: cli.ExitFail,
			wantStderr: bad + `:2: organization.identity: required: set identity.accountId (an identity account whose users assume the human roles with MFA) or identity.samlProviderName (the SAML provider every account has)` + "\n" +
				bad + `:3: organization.managementAccountId: "1111" is not an AWS account id; use exactly 12 digits in quotes, e.g. "111111111111"` + "\n" +
				bad + `:5: organization.identty: unknown key (did you mean "identity"?); allowed keys: managementAccountId, homeRegion, governedRegions, securityAccountId, logArchive, entryRoleName, executionRoleName, identity, manage, ous, suspendedOu, scps, controlTower, delegatedAdmin` + "\n" +
				bad + ": 3 problems\n",
		},
		{
			name: "validate defaults to infra/landfall.yaml", args: []string{"validate"},
			wantCode: cli.ExitFail, stderrHas: "reading config (infra/landfall.yaml): ",
		},
		{
			name: "unreadable file", args: []string{"validate", missing},
			wantCode: cli.ExitFail, wantStderr: "landfall validate: reading config (" + missing + "): open " + missing + ": no such file or directory\n",
		},
		{
			name: "too many arguments", args: []string{"validate", "a.yaml", "b.yaml"},
			wantCode: cli.ExitUsage, stderrHas: "landfall validate: takes at most one file, got 2 arguments\nUsage: landfall validate [file]",
		},
		{
			name: "validate -h", args: []string{"validate", "-h"},
			wantCode: cli.ExitOK, stderrHas: "Usage: landfall validate [file]",
		},
		{
			name: "unknown flag", args: []string{"validate", "-strict"},
			wantCode: cli.ExitUsage, stderrHas: "flag provided but not defined: -strict",
		},
		{
			name: "no command", args: nil,
			wantCode: cli.ExitUsage, stderrHas: "Usage:\n  landfall <command> [flags] [arguments]",
		},
		{
			name: "unknown command", args: []string{"aply"},
			wantCode: cli.ExitUsage, wantStderr: "landfall: unknown command \"aply\"; run 'landfall help' for the list\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return tt.env[k] }}
			code := program().Run(context.Background(), e, tt.args)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, &stdout, &stderr)
			}
			if tt.wantStdout != "" && stdout.String() != tt.wantStdout {
				t.Errorf("stdout = %q, want %q", &stdout, tt.wantStdout)
			}
			if tt.wantStderr != "" && stderr.String() != tt.wantStderr {
				t.Errorf("stderr =\n%s\nwant\n%s", &stderr, tt.wantStderr)
			}
			if !strings.Contains(stderr.String(), tt.stderrHas) {
				t.Errorf("stderr = %q, want it to contain %q", &stderr, tt.stderrHas)
			}
		})
	}
}

func TestHelpOutput(t *testing.T) {
	tests := []struct {
		args       []string
		wantStdout []string
	}{
		{[]string{"help"}, []string{"Commands:\n", "  validate       check the config file and print a summary\n",
			"  restore-trust  give an account's entry role its trust policy back as landfall found it\n"}},
		{[]string{"help", "validate"}, []string{"Usage: landfall validate [file]", "$LANDFALL_CONFIG, then infra/landfall.yaml"}},
		{[]string{"help"}, []string{"Exit codes, for every command:\n  0  success", "\n  2  the command line is wrong; plan: changes are pending"}},
		{[]string{"help", "apply"}, []string{"[--auto-approve]", "-auto-approve\n"}},
	}
	// The developers' commands are not the operator's.
	var stdout bytes.Buffer
	program().Run(context.Background(), cli.Env{Stdout: &stdout, Stderr: io.Discard, Getenv: func(string) string { return "" }}, []string{"help"})
	for _, dev := range []string{"local", "demo", "bench"} {
		if strings.Contains(stdout.String(), "\n  "+dev+" ") {
			t.Errorf("landfall help lists the developers' %q:\n%s", dev, &stdout)
		}
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := program().Run(context.Background(), cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}, tt.args)
		if code != cli.ExitOK || stderr.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", tt.args, code, &stderr)
		}
		for _, want := range tt.wantStdout {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: stdout = %q, want it to contain %q", tt.args, &stdout, want)
			}
		}
	}
}

// Every command keeps to the one table of exit codes its help shows: a
// wrong command line is 2, except for plan, whose 2 says changes are
// pending.
func TestWrongCommandLineExitCode(t *testing.T) {
	for _, c := range program().Commands {
		for _, args := range [][]string{{"--no-such-flag"}, {"--account", "12345"}} {
			want := cli.ExitUsage
			if c.Name == "plan" {
				want = cli.ExitFail
			}
			var stderr bytes.Buffer
			e := cli.Env{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }}
			if code := program().Run(context.Background(), e, append([]string{c.Name}, args...)); code != want {
				t.Errorf("%s %v: exit %d, want %d\n%s", c.Name, args, code, want, &stderr)
			}
		}
	}
}
