package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/pkg/awslocal"
)

// withMember starts a local endpoint with an organization and one member
// account, and points the standard AWS environment variables at it as the
// management account's operator.
func withMember(t *testing.T) string {
	t.Helper()
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	srv := awslocal.New(awslocal.Options{Clock: func() time.Time { return clock }, Seed: 11})
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
	clock = clock.Add(awslocal.AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": creds.SecretAccessKey,
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

func TestPlanApplyPlan(t *testing.T) {
	member := withMember(t)
	ctx := context.Background()
	runCmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}, args)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := runCmd("plan", "--account", member, "--config", "testdata/landfall.yaml")
	if code != exitChanges || !strings.Contains(out, "create    password-policy") {
		t.Fatalf("first plan: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd("apply", "--account", member, "--config", "testdata/landfall.yaml")
	if code != exitOK || !strings.Contains(out, "through OrganizationAccountAccessRole") {
		t.Fatalf("apply: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCmd("plan", "--account", member, "--config", "testdata/landfall.yaml")
	if code != exitOK {
		t.Fatalf("plan after apply: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runCmd("plan", "--account", "12345", "--config", "testdata/landfall.yaml")
	if code != exitFail || !strings.Contains(errOut, "--account must be a 12-digit account id") {
		t.Fatalf("bad account: exit %d: %s", code, errOut)
	}
}
