package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			wantCode: exitOK, wantStdout: exampleSummary,
		},
		{
			name: "validate reads LANDFALL_CONFIG", args: []string{"validate"}, env: map[string]string{configEnvVar: examplePath},
			wantCode: exitOK, wantStdout: exampleSummary,
		},
		{
			name: "argument wins over LANDFALL_CONFIG", args: []string{"validate", bad}, env: map[string]string{configEnvVar: examplePath},
			wantCode: exitFail,
			wantStderr: bad + `:2: organization.identity: required: set identity.accountId (an identity account whose users assume the human roles with MFA) or identity.samlProviderArn (a SAML provider)` + "\n" +
				bad + `:3: organization.managementAccountId: "1111" is not an AWS account id; use exactly 12 digits in quotes, e.g. "111111111111"` + "\n" +
				bad + `:5: organization.identty: unknown key (did you mean "identity"?); allowed keys: managementAccountId, homeRegion, governedRegions, securityAccountId, logArchive, entryRoleName, executionRoleName, identity, manage, ous, suspendedOu, scps, delegatedAdmin` + "\n" +
				bad + ": 3 problems\n",
		},
		{
			name: "validate defaults to infra/landfall.yaml", args: []string{"validate"},
			wantCode: exitFail, stderrHas: "reading config (infra/landfall.yaml): ",
		},
		{
			name: "unreadable file", args: []string{"validate", missing},
			wantCode: exitFail, wantStderr: "landfall validate: reading config (" + missing + "): open " + missing + ": no such file or directory\n",
		},
		{
			name: "too many arguments", args: []string{"validate", "a.yaml", "b.yaml"},
			wantCode: exitUsage, stderrHas: "landfall validate: takes at most one file, got 2 arguments\nUsage: landfall validate [file]",
		},
		{
			name: "validate -h", args: []string{"validate", "-h"},
			wantCode: exitOK, stderrHas: "Usage: landfall validate [file]",
		},
		{
			name: "unknown flag", args: []string{"validate", "-strict"},
			wantCode: exitUsage, stderrHas: "flag provided but not defined: -strict",
		},
		{
			name: "no command", args: nil,
			wantCode: exitUsage, stderrHas: "Usage:\n  landfall <command> [flags] [arguments]",
		},
		{
			name: "unknown command", args: []string{"aply"},
			wantCode: exitUsage, wantStderr: "landfall: unknown command \"aply\"; run 'landfall help' for the list\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return tt.env[k] }}
			code := run(context.Background(), e, tt.args)
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
		{[]string{"help"}, []string{"Commands:\n", "  validate   check the config file and print a summary\n"}},
		{[]string{"help", "validate"}, []string{"Usage: landfall validate [file]", "$LANDFALL_CONFIG, then infra/landfall.yaml"}},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}, tt.args)
		if code != exitOK || stderr.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", tt.args, code, &stderr)
		}
		for _, want := range tt.wantStdout {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: stdout = %q, want it to contain %q", tt.args, &stdout, want)
			}
		}
	}
}
