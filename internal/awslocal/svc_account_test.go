package awslocal

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	acct "github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/account/types"
)

func securityContact(accountID *string) *acct.PutAlternateContactInput {
	return &acct.PutAlternateContactInput{
		AccountId: accountID, AlternateContactType: types.AlternateContactTypeSecurity,
		EmailAddress: aws.String("security@example.com"), Name: aws.String("Security Team"),
		PhoneNumber: aws.String("+1 (555) 010-0000"), Title: aws.String("CISO"),
	}
}

func TestAccountAlternateContactValidation(t *testing.T) {
	s, u, _ := newTestServer(t)
	c := acct.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	remove := s.InjectFault(Fault{Kind: Throttle, Service: "account", FirstN: 1})
	_, err := c.PutAlternateContact(context.Background(), securityContact(nil))
	wantCode(t, err, "TooManyRequestsException")
	remove()
	for _, tc := range []struct {
		name   string
		modify func(*acct.PutAlternateContactInput)
		code   string
	}{
		{"bad email", func(in *acct.PutAlternateContactInput) { in.EmailAddress = aws.String("not-an-email") }, "ValidationException"},
		{"long name", func(in *acct.PutAlternateContactInput) { in.Name = aws.String(strings.Repeat("n", 65)) }, "ValidationException"},
		{"letters in phone", func(in *acct.PutAlternateContactInput) { in.PhoneNumber = aws.String("call me") }, "ValidationException"},
		{"long phone", func(in *acct.PutAlternateContactInput) { in.PhoneNumber = aws.String(strings.Repeat("1", 26)) }, "ValidationException"},
		{"empty title", func(in *acct.PutAlternateContactInput) { in.Title = aws.String("") }, "ValidationException"},
		{"unknown type", func(in *acct.PutAlternateContactInput) { in.AlternateContactType = "LEGAL" }, "ValidationException"},
		{"malformed account id", func(in *acct.PutAlternateContactInput) { in.AccountId = aws.String("12345") }, "ValidationException"},
		{"valid", func(*acct.PutAlternateContactInput) {}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := securityContact(nil)
			tc.modify(in)
			_, err := c.PutAlternateContact(context.Background(), in)
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
}

func TestAccountAlternateContactLifecycle(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")
	mgmtClient := acct.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	memberCfg, err := assume(t, s, u, member, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	memberClient := acct.NewFromConfig(memberCfg)
	get := func(c *acct.Client, id *string) (*acct.GetAlternateContactOutput, error) {
		return c.GetAlternateContact(ctx, &acct.GetAlternateContactInput{AccountId: id, AlternateContactType: types.AlternateContactTypeSecurity})
	}

	_, err = get(memberClient, nil)
	wantCode(t, err, "ResourceNotFoundException")

	// The management account sets the member's contact; the member sees it.
	_, err = mgmtClient.PutAlternateContact(ctx, securityContact(aws.String(member)))
	mustNoErr(t, err)
	got, err := get(memberClient, nil)
	mustNoErr(t, err)
	if ac := got.AlternateContact; aws.ToString(ac.EmailAddress) != "security@example.com" || aws.ToString(ac.Title) != "CISO" || ac.AlternateContactType != types.AlternateContactTypeSecurity {
		t.Fatalf("contact = %+v", ac)
	}
	// It is the member's contact, not the management account's.
	_, err = get(mgmtClient, nil)
	wantCode(t, err, "ResourceNotFoundException")

	for _, tc := range []struct {
		name   string
		client *acct.Client
		id     string
	}{
		{"member acting on another account", memberClient, mgmt},
		{"management naming itself", mgmtClient, mgmt},
		{"management naming an outsider", mgmtClient, foreignAccount},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.PutAlternateContact(ctx, securityContact(aws.String(tc.id)))
			wantCode(t, err, "AccessDeniedException")
		})
	}

	_, err = mgmtClient.DeleteAlternateContact(ctx, &acct.DeleteAlternateContactInput{AccountId: aws.String(member), AlternateContactType: types.AlternateContactTypeSecurity})
	mustNoErr(t, err)
	_, err = get(mgmtClient, aws.String(member))
	wantCode(t, err, "ResourceNotFoundException")
	_, err = memberClient.DeleteAlternateContact(ctx, &acct.DeleteAlternateContactInput{AlternateContactType: types.AlternateContactTypeBilling})
	wantCode(t, err, "ResourceNotFoundException")
}
