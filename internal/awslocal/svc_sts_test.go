package awslocal

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// newMember creates an organization and one member account through the
// SDK, returning the member's id once CreateAccount has finished.
func newMember(t *testing.T, s *Server, u string, clk *manualClock, name string) string {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	if _, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		_, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
		mustNoErr(t, err)
	}
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	mustNoErr(t, err)
	if out.CreateAccountStatus.State != "IN_PROGRESS" {
		t.Fatalf("state = %s", out.CreateAccountStatus.State)
	}
	clk.advance(AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	mustNoErr(t, err)
	if st.CreateAccountStatus.State != "SUCCEEDED" {
		t.Fatalf("state after delay = %s (%s)", st.CreateAccountStatus.State, st.CreateAccountStatus.FailureReason)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

// assume returns an SDK config acting through the role in account.
func assume(t *testing.T, s *Server, u string, account, role string) (aws.Config, error) {
	t.Helper()
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	out, err := sts.NewFromConfig(cfg).AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/" + role), RoleSessionName: aws.String("landfall-test"),
	})
	if err != nil {
		return aws.Config{}, err
	}
	creds := Credentials{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}
	c, err := SDKConfig(context.Background(), u, creds, "us-east-1")
	c.RetryMaxAttempts = 1
	return c, err
}

func TestSTSAssumeRoleActsInTargetAccount(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")

	cfg, err := assume(t, s, u, member, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustNoErr(t, err)
	if aws.ToString(id.Account) != member || aws.ToString(id.Arn) != "arn:aws:sts::"+member+":assumed-role/OrganizationAccountAccessRole/landfall-test" {
		t.Fatalf("identity = %s %s", aws.ToString(id.Account), aws.ToString(id.Arn))
	}

	// A role created in the member is invisible from the management account.
	_, err = iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("only-in-member"), AssumeRolePolicyDocument: aws.String(trustMgmt)})
	mustNoErr(t, err)
	_, err = iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("only-in-member")})
	wantCode(t, err, "NoSuchEntity")
}

func TestSTSAssumeRoleDenied(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")

	_, err := assume(t, s, u, member, "NoSuchRole")
	wantCode(t, err, "AccessDenied")

	// A trust policy that does not name the caller denies it.
	memberCfg, err := assume(t, s, u, member, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	_, err = iam.NewFromConfig(memberCfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("mfa-only"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"StringEquals":{"aws:PrincipalOrgID":"o-nope"}}}]}`)})
	mustNoErr(t, err)
	_, err = assume(t, s, u, member, "mfa-only")
	wantCode(t, err, "AccessDenied")

	// An account that is not reachable yet denies AssumeRole until it is.
	s.MakeUnreachable(member, time.Minute)
	_, err = assume(t, s, u, member, "OrganizationAccountAccessRole")
	wantCode(t, err, "AccessDenied")
	clk.advance(time.Minute)
	_, err = assume(t, s, u, member, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
}

func TestSTSRejectsBadCredentials(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()

	bad := s.AdminCredentials(mgmt)
	bad.SecretAccessKey = "wrong"
	cfg, err := SDKConfig(ctx, u, bad, "us-east-1")
	mustNoErr(t, err)
	cfg.RetryMaxAttempts = 1
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "SignatureDoesNotMatch")

	cfg, err = SDKConfig(ctx, u, Credentials{AccessKeyID: "AKIAUNKNOWN", SecretAccessKey: "x"}, "us-east-1")
	mustNoErr(t, err)
	cfg.RetryMaxAttempts = 1
	_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")

	member := newMember(t, s, u, clk, "workload")
	memberCfg, err := assume(t, s, u, member, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	clk.advance(2 * time.Hour)
	_, err = sts.NewFromConfig(memberCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "ExpiredToken")
}

func TestDelayNextAccount(t *testing.T) {
	s, u, clk := newTestServer(t)
	s.DelayNextAccount(time.Minute)
	slow := newMember(t, s, u, clk, "slow")
	_, err := assume(t, s, u, slow, "OrganizationAccountAccessRole")
	wantCode(t, err, "AccessDenied")
	// Only the next account is delayed.
	fast := newMember(t, s, u, clk, "fast")
	_, err = assume(t, s, u, fast, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	clk.advance(time.Minute)
	_, err = assume(t, s, u, slow, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
}

// A role with a path is assumed by its full ARN. Its sessions' ARN has no
// path (IAM User Guide, "IAM identifiers"), while aws:PrincipalArn, which
// trust and resource policies match, is the role's ARN with the path.
func TestSTSAssumeRoleWithPath(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	trustAccount := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("formatter"), Path: aws.String("/acme/"),
		AssumeRolePolicyDocument: aws.String(trustAccount)})
	mustNoErr(t, err)
	_, err = admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("formatter"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)})
	mustNoErr(t, err)
	_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad-path"), Path: aws.String("acme"),
		AssumeRolePolicyDocument: aws.String(trustAccount)})
	wantCode(t, err, "ValidationError")

	_, err = trySessionOf(u, sdkConfig(t, s, u, mgmt, "us-east-1"), "arn:aws:iam::"+mgmt+":role/formatter")
	wantDenied(t, err, "sts:AssumeRole on resource: arn:aws:iam::"+mgmt+":role/formatter")
	formatter := sessionOf(t, u, sdkConfig(t, s, u, mgmt, "us-east-1"), "arn:aws:iam::"+mgmt+":role/acme/formatter")
	id, err := sts.NewFromConfig(formatter).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustNoErr(t, err)
	if got, want := aws.ToString(id.Arn), "arn:aws:sts::"+mgmt+":assumed-role/formatter/probe"; got != want {
		t.Fatalf("session ARN = %s, want %s", got, want)
	}

	for _, tt := range []struct{ name, principalARN, want string }{
		{"trusts-the-role", "arn:aws:iam::" + mgmt + ":role/acme/formatter", ""},
		{"trusts-no-path", "arn:aws:iam::" + mgmt + ":role/formatter", "sts:AssumeRole on resource"},
	} {
		name := tt.name
		_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole",` +
				`"Condition":{"ArnEquals":{"aws:PrincipalArn":"` + tt.principalARN + `"}}}]}`)})
		mustNoErr(t, err)
		_, err = trySessionOf(u, formatter, "arn:aws:iam::"+mgmt+":role/"+name)
		if tt.want == "" {
			mustNoErr(t, err)
		} else {
			wantDenied(t, err, tt.want)
		}
	}
}

func TestIdentityCenterSession(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	signIn := func() (aws.Config, *iam.GetRoleOutput) {
		creds, err := s.IdentityCenterSession(mgmt, "eu-west-1", "AWSAdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess")
		mustNoErr(t, err)
		cfg, err := SDKConfig(ctx, u, creds, "us-east-1")
		mustNoErr(t, err)
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		mustNoErr(t, err)
		role := strings.Split(aws.ToString(id.Arn), "/")[1]
		out, err := admin.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
		mustNoErr(t, err)
		return cfg, out
	}
	person, role := signIn()
	name, arn := aws.ToString(role.Role.RoleName), aws.ToString(role.Role.Arn)
	if !regexp.MustCompile(`^AWSReservedSSO_AWSAdministratorAccess_[0-9a-f]{16}$`).MatchString(name) ||
		arn != "arn:aws:iam::"+mgmt+":role/aws-reserved/sso.amazonaws.com/eu-west-1/"+name {
		t.Fatalf("Identity Center's role: %s", arn)
	}
	if _, again := signIn(); aws.ToString(again.Role.Arn) != arn {
		t.Fatalf("a second sign-in provisioned %s besides %s", aws.ToString(again.Role.Arn), arn)
	}
	// The session acts with the permission set's policies.
	_, err := iam.NewFromConfig(person).ListRoles(ctx, &iam.ListRolesInput{})
	mustNoErr(t, err)
	// Not even the account's administrator may change Identity Center's role.
	_, err = admin.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + mgmt + `"},"Action":"sts:AssumeRole"}]}`)})
	wantCode(t, err, "AccessDenied")
	_, err = admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("AWSReservedSSO_Mine_0123456789abcdef"), Path: aws.String("/aws-reserved/sso.amazonaws.com/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + mgmt + `"},"Action":"sts:AssumeRole"}]}`)})
	wantCode(t, err, "AccessDenied")
}
