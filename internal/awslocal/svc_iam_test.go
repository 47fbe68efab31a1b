package awslocal

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const trustMgmt = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`

func TestIAMRoleLifecycle(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("auditor"), AssumeRolePolicyDocument: aws.String(trustMgmt),
		Tags: []iamtypes.Tag{{Key: aws.String("landfall:managed"), Value: aws.String("true")}},
	})
	mustNoErr(t, err)
	if got := aws.ToString(out.Role.Arn); got != "arn:aws:iam::111111111111:role/auditor" {
		t.Fatalf("arn = %s", got)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("auditor"), AssumeRolePolicyDocument: aws.String(trustMgmt)})
	wantCode(t, err, "EntityAlreadyExists")

	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("auditor")})
	mustNoErr(t, err)
	// IAM returns policy documents URL-encoded.
	if doc, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument)); doc != trustMgmt {
		t.Fatalf("trust policy round trip: %s", doc)
	}
	if len(got.Role.Tags) != 1 || aws.ToInt32(got.Role.MaxSessionDuration) != 3600 {
		t.Fatalf("role = %+v", got.Role)
	}

	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("auditor"), PolicyName: aws.String("p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	mustNoErr(t, err)
	// An inline policy's name may have 128 characters, twice a role's.
	long := strings.Repeat("p", 128)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("auditor"), PolicyName: aws.String(long), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	mustNoErr(t, err)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("auditor"), PolicyName: aws.String(long + "p"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	wantCode(t, err, "ValidationError")
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("auditor"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[{"Effect":"Maybe"}]}`)})
	wantCode(t, err, "MalformedPolicyDocument")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("auditor")})
	wantCode(t, err, "DeleteConflict")
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("auditor"), PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nobody")})
	wantCode(t, err, "NoSuchEntity")
}

func TestIAMTrustPolicyNamesExistingPrincipals(t *testing.T) {
	s, u, _ := newTestServer(t)
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName:                 aws.String("x"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/not-yet"},"Action":"sts:AssumeRole"}]}`),
	})
	wantCode(t, err, "MalformedPolicyDocument")
}

func TestIAMListRolesPages(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(trustMgmt)})
		mustNoErr(t, err)
	}
	first, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	mustNoErr(t, err)
	if len(first.Roles) != 5 || !first.IsTruncated {
		t.Fatalf("first page: %d roles, truncated %v", len(first.Roles), first.IsTruncated)
	}
	var names []string
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{})
	for p.HasMorePages() {
		pg, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, r := range pg.Roles {
			names = append(names, aws.ToString(r.RoleName))
		}
	}
	if len(names) != 7 {
		t.Fatalf("paged roles = %v", names)
	}
	_, err = c.ListRoles(ctx, &iam.ListRolesInput{Marker: aws.String("garbage")})
	wantCode(t, err, "InvalidInput")
}

func TestIAMPasswordPolicyAndAlias(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	_, err := c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(14), PasswordReusePrevention: aws.Int32(24), RequireSymbols: true,
	})
	mustNoErr(t, err)
	pp, err := c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	mustNoErr(t, err)
	if aws.ToInt32(pp.PasswordPolicy.MinimumPasswordLength) != 14 || aws.ToInt32(pp.PasswordPolicy.PasswordReusePrevention) != 24 ||
		!pp.PasswordPolicy.RequireSymbols || pp.PasswordPolicy.RequireNumbers || pp.PasswordPolicy.ExpirePasswords {
		t.Fatalf("policy = %+v", pp.PasswordPolicy)
	}
	_, err = c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(200)})
	wantCode(t, err, "ValidationError")

	_, err = c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-management")})
	mustNoErr(t, err)
	al, err := c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	mustNoErr(t, err)
	if len(al.AccountAliases) != 1 || al.AccountAliases[0] != "acme-management" {
		t.Fatalf("aliases = %v", al.AccountAliases)
	}
	_, err = c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("Bad--Alias")})
	wantCode(t, err, "ValidationError")

	s.SetRootSecurity(mgmt, false, 1)
	sum, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	mustNoErr(t, err)
	if sum.SummaryMap["AccountMFAEnabled"] != 0 || sum.SummaryMap["AccountAccessKeysPresent"] != 1 {
		t.Fatalf("summary = %v", sum.SummaryMap)
	}
}

func TestIAMUserPolicies(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("setup")})
	mustNoErr(t, err)
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("setup"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
	mustNoErr(t, err)
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("setup"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	mustNoErr(t, err)
	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("setup"), PolicyArn: aws.String("arn:aws:iam::aws:policy/Nope")})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("setup")})
	wantCode(t, err, "DeleteConflict")

	inline, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("setup")})
	mustNoErr(t, err)
	attached, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("setup")})
	mustNoErr(t, err)
	if len(inline.PolicyNames) != 1 || len(attached.AttachedPolicies) != 1 {
		t.Fatalf("inline %v, attached %v", inline.PolicyNames, attached.AttachedPolicies)
	}
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("setup"), PolicyName: aws.String("p")})
	mustNoErr(t, err)
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("setup"), PolicyName: aws.String("p")})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("setup"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	mustNoErr(t, err)
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("setup")})
	mustNoErr(t, err)
	_, err = c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("setup")})
	wantCode(t, err, "NoSuchEntity")
}

// TestIAMSAMLProviders: a provider's lifecycle, and the rule that a trust
// federates only its own account's provider, which makes one provider ARN
// useless for the roles of every other account.
func TestIAMSAMLProviders(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	mgmtIAM := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	const member = "444444444444"
	mustNoErr(t, s.AddAccount(member, "member", "member@example.com"))
	memberIAM := iam.NewFromConfig(sdkConfig(t, s, u, member, "us-east-1"))
	metadata := SAMLMetadata("https://idp.example/app")

	created, err := mgmtIAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(metadata)})
	mustNoErr(t, err)
	mgmtOkta := aws.ToString(created.SAMLProviderArn)
	if mgmtOkta != "arn:aws:iam::"+mgmt+":saml-provider/okta" {
		t.Fatalf("arn = %s", mgmtOkta)
	}
	_, err = mgmtIAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(metadata)})
	wantCode(t, err, "EntityAlreadyExists")
	_, err = mgmtIAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("short"), SAMLMetadataDocument: aws.String("<md:EntityDescriptor/>")})
	wantCode(t, err, "ValidationError")
	_, err = mgmtIAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("junk"), SAMLMetadataDocument: aws.String(strings.Repeat("x", 1000))})
	wantCode(t, err, "InvalidInput")
	_, err = mgmtIAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("no spaces"), SAMLMetadataDocument: aws.String(metadata)})
	wantCode(t, err, "ValidationError")
	got, err := mgmtIAM.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(mgmtOkta)})
	mustNoErr(t, err)
	if aws.ToString(got.SAMLMetadataDocument) != metadata {
		t.Fatalf("metadata round trip: %.80s", aws.ToString(got.SAMLMetadataDocument))
	}
	_, err = memberIAM.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(mgmtOkta)})
	wantCode(t, err, "NoSuchEntity")

	trust := func(provider string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provider +
			`"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`)
	}
	_, err = mgmtIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("people"), AssumeRolePolicyDocument: trust(mgmtOkta)})
	mustNoErr(t, err)
	_, err = memberIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("people"), AssumeRolePolicyDocument: trust(mgmtOkta)})
	wantCode(t, err, "MalformedPolicyDocument")
	memberOkta := "arn:aws:iam::" + member + ":saml-provider/okta"
	_, err = memberIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("people"), AssumeRolePolicyDocument: trust(memberOkta)})
	wantCode(t, err, "MalformedPolicyDocument")
	_, err = memberIAM.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("okta"), SAMLMetadataDocument: aws.String(metadata)})
	mustNoErr(t, err)
	_, err = memberIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("people"), AssumeRolePolicyDocument: trust(memberOkta)})
	mustNoErr(t, err)
	_, err = memberIAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("people"), PolicyDocument: trust(mgmtOkta)})
	wantCode(t, err, "MalformedPolicyDocument")
	// Web identity providers are named by domain.
	_, err = memberIAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("people"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`)})
	mustNoErr(t, err)

	list, err := memberIAM.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	mustNoErr(t, err)
	if len(list.SAMLProviderList) != 1 || aws.ToString(list.SAMLProviderList[0].Arn) != memberOkta {
		t.Fatalf("providers = %+v", list.SAMLProviderList)
	}
	_, err = memberIAM.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(memberOkta)})
	mustNoErr(t, err)
	_, err = memberIAM.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(memberOkta)})
	wantCode(t, err, "NoSuchEntity")
}
