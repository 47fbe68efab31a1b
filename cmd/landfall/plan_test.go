package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/cli"
)

// landfallBinary builds this command once per test run. The plan and apply
// tests run it as a process, as an operator would, because the standard
// HTTP_PROXY variable the S3 Control host names need is read once per
// process by Go's HTTP transport.
var landfallBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "landfall-cli")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "landfall")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building landfall: %v\n%s", err, out)
	}
	return bin, nil
})

// withMember starts a local endpoint with an organization and one member
// account, and returns the standard AWS environment variables that point
// at it as the management account's operator.
func withMember(t *testing.T) (string, []string) {
	t.Helper()
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	srv := newEndpoint(t, awslocal.Options{Clock: func() time.Time { return clock }, Seed: 11})
	url := srv.Start(t)
	creds := srv.AdminCredentials("111111111111")
	cfg, err := awslocal.SDKConfig(context.Background(), url, creds, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	org := organizations.NewFromConfig(cfg)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("workload"), Email: aws.String("w@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	// The deployed stack's pipeline role, which member execution roles trust.
	if _, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("acme-pipeline"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	// The identity account of testdata/landfall.yaml, whose people the human roles trust.
	if err := srv.JoinByInvitation(ctx, cfg, url, "222222222222"); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(awslocal.AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"AWS_ENDPOINT_URL=" + url, "HTTP_PROXY=" + url, "NO_PROXY=", "AWS_ACCESS_KEY_ID=" + creds.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey, "AWS_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "PATH=" + os.Getenv("PATH"), "AWS_CA_BUNDLE=" + os.Getenv("AWS_CA_BUNDLE"),
	}
	return aws.ToString(st.CreateAccountStatus.AccountId), env
}

func TestPlanApplyPlan(t *testing.T) {
	member, environ := withMember(t)
	bin, err := landfallBinary()
	if err != nil {
		t.Fatal(err)
	}
	var stdin string // what the next command reads as the operator's answer
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = environ, strings.NewReader(stdin), &out, &errOut
		stdin = ""
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return cmd.ProcessState.ExitCode(), out.String(), errOut.String()
	}
	code, out, errOut := runCmd("plan", "--account", member, "--config", "testdata/landfall.yaml")
	if code != exitChanges || !strings.Contains(out, "create    password-policy") {
		t.Fatalf("first plan: exit %d\n%s\n%s", code, out, errOut)
	}
	// Where landfall's SCPs protect the baseline, the entry role may not apply it.
	protected := filepath.Join(t.TempDir(), "landfall.yaml")
	raw, err := os.ReadFile("testdata/landfall.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(protected, bytes.Replace(raw, []byte("organization:\n"), []byte("organization:\n  manage: true\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd("apply", "--account", member, "--config", protected)
	if code != cli.ExitFail || !strings.Contains(errOut, "lets only acme-execution change the baseline; run `landfall rerun") || out != "" {
		t.Fatalf("apply through the entry role under protect-baseline: exit %d\n%s\n%s", code, out, errOut)
	}
	// apply shows the plan and asks; anything but "yes" changes nothing.
	for _, answer := range []string{"", "no\n", "yes please\n"} {
		stdin = answer
		code, out, errOut = runCmd("apply", "--account", member, "--config", "testdata/landfall.yaml")
		if code != cli.ExitFail || !strings.Contains(out, "create    password-policy") || !strings.Contains(out, "Only 'yes' will be accepted") ||
			!strings.Contains(errOut, "landfall apply: cancelled: not approved") || strings.Contains(out, "done in") {
			t.Fatalf("apply answered %q: exit %d\n%s\n%s", answer, code, out, errOut)
		}
	}
	if code, out, errOut = runCmd("plan", "--account", member, "--config", "testdata/landfall.yaml"); code != exitChanges {
		t.Fatalf("plan after an apply nobody approved: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd("apply", "--account", member, "--config", "testdata/landfall.yaml", "--output", "json")
	if code != cli.ExitUsage || !strings.Contains(errOut, "--output json needs --auto-approve") || out != "" {
		t.Fatalf("apply --output json without --auto-approve: exit %d\n%s\n%s", code, out, errOut)
	}
	stdin = "yes\n"
	code, out, errOut = runCmd("apply", "--account", member, "--config", "testdata/landfall.yaml")
	if code != cli.ExitOK || !strings.Contains(out, "through OrganizationAccountAccessRole?") || !strings.Contains(out, "done in") {
		t.Fatalf("apply approved: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd("plan", "--account", member, "--config", "testdata/landfall.yaml")
	if code != cli.ExitOK {
		t.Fatalf("plan after apply: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd("apply", "--account", member, "--config", "testdata/landfall.yaml")
	if code != cli.ExitOK || !strings.Contains(out, "No changes: "+member) || strings.Contains(out, "Only 'yes'") {
		t.Fatalf("apply with nothing to change: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd("apply", "--account", member, "--config", "testdata/landfall.yaml", "--output", "json", "--auto-approve")
	if code != cli.ExitOK || !strings.HasPrefix(out, `{"accountId":"`+member) {
		t.Fatalf("apply --auto-approve --output json: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runCmd("plan", "--account", "12345", "--config", "testdata/landfall.yaml")
	if code != cli.ExitFail || !strings.Contains(errOut, "--account must be a 12-digit account id") {
		t.Fatalf("bad account: exit %d: %s", code, errOut)
	}
}
