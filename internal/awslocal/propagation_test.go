package awslocal

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// propagatingServer is a test server whose IAM changes take d to take
// effect, on a wall clock the test moves by hand.
func propagatingServer(t *testing.T, d time.Duration) (*Server, string, *manualClock) {
	t.Helper()
	s, u, _ := newTestServer(t)
	wall := &manualClock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
	s.opts.IAMPropagation, s.wall = d, wall.now
	return s, u, wall
}

// A change to IAM takes effect only once it has propagated: a new role or
// trust cannot be assumed, a new role is not yet a principal, a new grant
// allows nothing, while a new deny applies at once.
func TestIAMPropagation(t *testing.T) {
	ctx := context.Background()
	const d = 5 * time.Second
	t.Run("a new role cannot be assumed yet", func(t *testing.T) {
		s, u, wall := propagatingServer(t, d)
		cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
		admin := iam.NewFromConfig(cfg)
		mustNoErr(t, errOf(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fresh"), AssumeRolePolicyDocument: aws.String(trustMgmt)})))
		arn := "arn:aws:iam::" + mgmt + ":role/fresh"
		_, err := trySessionOf(u, cfg, arn)
		wantDenied(t, err, "is not authorized to perform: sts:AssumeRole on resource: "+arn)
		wall.advance(d)
		mustNoErr(t, errOf(trySessionOf(u, cfg, arn)))
	})
	t.Run("a new role is not yet a principal", func(t *testing.T) {
		s, u, wall := propagatingServer(t, d)
		admin := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
		mustNoErr(t, errOf(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("caller"), AssumeRolePolicyDocument: aws.String(trustMgmt)})))
		trustCaller := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:role/caller"},"Action":"sts:AssumeRole"}]}`)
		create := func() error {
			_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("callee"), AssumeRolePolicyDocument: trustCaller})
			return err
		}
		wantCode(t, create(), "MalformedPolicyDocument")
		wall.advance(d)
		mustNoErr(t, create())
	})
	t.Run("a new grant allows nothing yet, a new deny applies at once", func(t *testing.T) {
		s, u, wall := propagatingServer(t, d)
		cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
		admin := iam.NewFromConfig(cfg)
		mustNoErr(t, errOf(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(trustMgmt)})))
		wall.advance(d)
		session := sessionOf(t, u, cfg, "arn:aws:iam::"+mgmt+":role/worker")

		mustNoErr(t, errOf(admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("users"), PolicyDocument: aws.String(allowCreateUser)})))
		wantDenied(t, createUser(session, "ada"), "no identity-based policy allows")
		wall.advance(d)
		mustNoErr(t, createUser(session, "ada"))

		mustNoErr(t, errOf(admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("no-users"), PolicyDocument: aws.String(denyCreateUser)})))
		wantDenied(t, createUser(session, "grace"), "explicit deny")

		mustNoErr(t, errOf(admin.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("no-users")})))
		mustNoErr(t, errOf(admin.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("users")})))
		mustNoErr(t, errOf(admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("worker"), PolicyArn: aws.String(administrator)})))
		wantDenied(t, createUser(session, "grace"), "no identity-based policy allows")
		wall.advance(d)
		mustNoErr(t, createUser(session, "grace"))
	})
	t.Run("a service cannot assume a new role yet", func(t *testing.T) {
		s, u, wall := propagatingServer(t, d)
		admin := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
		mustNoErr(t, errOf(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("function"), AssumeRolePolicyDocument: aws.String(trust)})))
		arn := "arn:aws:iam::" + mgmt + ":role/function"
		if _, err := s.ServiceCredentials("lambda.amazonaws.com", arn, "fn"); !errors.Is(err, ErrRolePropagating) {
			t.Fatalf("Lambda assuming a role made moments ago: %v, want ErrRolePropagating", err)
		}
		wall.advance(d)
		mustNoErr(t, errOf(s.ServiceCredentials("lambda.amazonaws.com", arn, "fn")))
		if _, err := s.ServiceCredentials("states.amazonaws.com", arn, "machine"); err == nil || errors.Is(err, ErrRolePropagating) {
			t.Fatalf("Step Functions assuming a role that trusts only Lambda: %v, want its trust to refuse", err)
		}
	})
	t.Run("CloudTrail cannot use a new logs role yet", func(t *testing.T) {
		s, u, wall := propagatingServer(t, d)
		group, role := trailFixture(t, s, u)
		ct := trailClient(t, s, u, "us-east-1")
		create := func(name, role string) error {
			_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("landfall-trail"),
				CloudWatchLogsLogGroupArn: aws.String(group), CloudWatchLogsRoleArn: aws.String(role)})
			return err
		}
		wantCode(t, create("audit", role), "InvalidCloudWatchLogsRoleArnException")
		wall.advance(d)
		mustNoErr(t, create("audit", role))

		// A role CloudTrail can assume, whose permissions are new.
		admin := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
		mustNoErr(t, errOf(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("late-grant"), AssumeRolePolicyDocument: aws.String(trustCloudTrail)})))
		wall.advance(d)
		writeStreams := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],` +
			`"Resource":"arn:aws:logs:*:` + mgmt + `:log-group:landfall-trail:log-stream:*"}]}`
		mustNoErr(t, errOf(admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("late-grant"), PolicyName: aws.String("logs"), PolicyDocument: aws.String(writeStreams)})))
		lateGrant := "arn:aws:iam::" + mgmt + ":role/late-grant"
		wantCode(t, create("audit-2", lateGrant), "InvalidCloudWatchLogsLogGroupArnException")
		wall.advance(d)
		mustNoErr(t, create("audit-2", lateGrant))
	})
}
