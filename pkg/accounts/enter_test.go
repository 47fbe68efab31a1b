package accounts

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/pkg/config"
)

const (
	management = "111111111111"
	invited    = "222222222222"
)

// TestEnter enters each kind of account the way the pipeline does: the
// execution role where it exists, else the entry role, and in the
// management account, which has no entry role, the caller's own credentials.
func TestEnter(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	simulator, err := iamsim.Shared("../..")
	if err != nil {
		t.Fatal(err)
	}
	// IAM changes take an hour to propagate here, so a role is new until
	// the test settles it.
	srv := awslocal.New(awslocal.Options{Clock: func() time.Time { return now }, Authorizer: simulator, IAMPropagation: time.Hour})
	url := srv.Start(t)
	admin := sdkConfig(t, url, srv.AdminCredentials(management))
	org := organizations.NewFromConfig(admin)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	// Accounts are created after a delay, as in AWS.
	later := func() { now = now.Add(awslocal.AccountCreationDelay) }
	created := createAccount(t, org, "created", later)
	withExecutionRole := createAccount(t, org, "landfalled", later)
	if err := srv.AddAccount(invited, "invited", "invited@acme.example"); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Organization: config.Organization{
		ManagementAccountID: management, ExecutionRoleName: "acme-execution", EntryRoleName: "OrganizationAccountAccessRole",
	}}
	trustManagement := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + management + `:root"},"Action":"sts:AssumeRole"}]}`
	// The execution role, with the read Enter checks its policy grants.
	readIAM := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListAccountAliases","Resource":"*"}]}`
	createRole := func(in aws.Config) {
		t.Helper()
		c := iam.NewFromConfig(in)
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("acme-execution"), AssumeRolePolicyDocument: aws.String(trustManagement)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("acme-execution"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readIAM)}); err != nil {
			t.Fatal(err)
		}
	}
	in, _, err := Enter(ctx, admin, cfg, withExecutionRole, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	createRole(in)
	srv.SettleIAM()

	cases := []struct {
		name, account, wantRole, wantARN string
		setup                            func()
	}{
		{name: "created account", account: created, wantRole: "OrganizationAccountAccessRole",
			wantARN: "arn:aws:sts::" + created + ":assumed-role/OrganizationAccountAccessRole/landfall"},
		// A role STS lets in is no way in until its policy has propagated.
		{name: "account whose execution role's policy is new", account: created, wantRole: "OrganizationAccountAccessRole", setup: func() {
			in, _, err := Enter(ctx, admin, cfg, created, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			createRole(in)
			srv.SettleIAM()
			if _, err := iam.NewFromConfig(in).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("acme-execution"), PolicyName: aws.String("read"), PolicyDocument: aws.String(readIAM)}); err != nil {
				t.Fatal(err)
			}
		}, wantARN: "arn:aws:sts::" + created + ":assumed-role/OrganizationAccountAccessRole/landfall"},
		{name: "account with the execution role", account: withExecutionRole, wantRole: "acme-execution",
			wantARN: "arn:aws:sts::" + withExecutionRole + ":assumed-role/acme-execution/landfall"},
		{name: "management account before the deploy", account: management, wantRole: callersOwnCredentials,
			wantARN: "arn:aws:iam::" + management + ":user/admin"},
		{name: "management account after the deploy", account: management, wantRole: "acme-execution", setup: func() { createRole(admin); srv.SettleIAM() },
			wantARN: "arn:aws:sts::" + management + ":assumed-role/acme-execution/landfall"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.setup != nil {
				c.setup()
			}
			in, role, err := Enter(ctx, admin, cfg, c.account, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if role != c.wantRole {
				t.Errorf("entered through %q, want %q", role, c.wantRole)
			}
			id, err := sts.NewFromConfig(in).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(id.Arn); got != c.wantARN {
				t.Errorf("acting as %s, want %s", got, c.wantARN)
			}
		})
	}

	// An invited account has no entry role: with no execution role yet,
	// there is no way in, and the error names both roles.
	_, _, err = Enter(ctx, admin, cfg, invited, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "entering account "+invited+" through acme-execution: ") ||
		!strings.Contains(err.Error(), "; nor through OrganizationAccountAccessRole: ") {
		t.Errorf("entering an invited account without roles: %v", err)
	}
	// Applying goes through the execution role only: where it cannot be
	// used, the entry role is no way round it.
	entry, err := Assume(ctx, admin, created, "OrganizationAccountAccessRole")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(entry).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("acme-execution"), PolicyName: aws.String("read")}); err != nil {
		t.Fatal(err)
	}
	srv.SettleIAM()
	_, _, err = EnterAsExecutionRole(ctx, admin, cfg, created, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "entering account "+created+" through acme-execution: ") || strings.Contains(err.Error(), "OrganizationAccountAccessRole") {
		t.Errorf("entering as the execution role an account whose execution role may not read IAM: %v", err)
	}
	if _, role, err := EnterAsExecutionRole(ctx, admin, cfg, withExecutionRole, slog.New(slog.DiscardHandler)); err != nil || role != "acme-execution" {
		t.Errorf("entering as the execution role an account that has it: %s, %v", role, err)
	}
}

func createAccount(t *testing.T, org *organizations.Client, name string, later func()) string {
	t.Helper()
	ctx := context.Background()
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	later()
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(st.CreateAccountStatus.AccountId)
	if id == "" {
		t.Fatalf("account creation did not finish: %+v", st.CreateAccountStatus)
	}
	return id
}

func sdkConfig(t *testing.T, url string, creds awslocal.Credentials) aws.Config {
	t.Helper()
	cfg, err := awslocal.SDKConfig(context.Background(), url, creds, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
