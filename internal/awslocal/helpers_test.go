package awslocal

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/landfall/landfall/internal/iamsim"
)

const mgmt = "111111111111"

// manualClock is a clock tests move by hand.
type manualClock struct{ t time.Time }

func (m *manualClock) now() time.Time          { return m.t }
func (m *manualClock) advance(d time.Duration) { m.t = m.t.Add(d) }

// newTestServer starts an endpoint with a manual clock that decides every
// request under IAM's rules, with the package's shared simulator.
func newTestServer(t *testing.T) (*Server, string, *manualClock) {
	t.Helper()
	worker, err := iamsim.Shared("../..")
	if err != nil {
		t.Fatal(err)
	}
	clk := &manualClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	s := New(Options{Clock: clk.now, Seed: 1, Authorizer: worker})
	return s, s.Start(t), clk
}

// sdkConfig returns an SDK config acting as the admin user of account.
func sdkConfig(t *testing.T, s *Server, url, account, region string) aws.Config {
	t.Helper()
	cfg, err := SDKConfig(context.Background(), url, s.AdminCredentials(account), region)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RetryMaxAttempts = 1 // contract tests look at single responses
	return cfg
}

// wantCode fails unless err is an API error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want API error %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// policyOfSize is a one-statement policy document of exactly n characters.
func policyOfSize(effect string, n int) string {
	head, tail := `{"Version":"2012-10-17","Statement":[{"Effect":"`+effect+`","Action":"s3:GetObject","Resource":"arn:aws:s3:::`, `"}]}`
	return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
}

// serviceRole creates a role in cfg's account that service may assume, with
// policy inline, and returns its ARN.
func serviceRole(t *testing.T, cfg aws.Config, name, service, policy string) string {
	t.Helper()
	ctx := context.Background()
	admin := iam.NewFromConfig(cfg)
	out, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`)})
	mustNoErr(t, err)
	_, err = admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(name), PolicyDocument: aws.String(policy)})
	mustNoErr(t, err)
	return aws.ToString(out.Role.Arn)
}
