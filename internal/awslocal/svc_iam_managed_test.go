package awslocal

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const (
	allowS3Read = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	allowS3All  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

// A customer managed policy keeps up to five versions; the default is the
// one in effect, cannot be deleted on its own, and goes with the policy.
func TestIAMManagedPolicyVersions(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("reader"), Path: aws.String("/landfall/"), PolicyDocument: aws.String(allowS3Read)})
	mustNoErr(t, err)
	arn := aws.ToString(out.Policy.Arn)
	if arn != "arn:aws:iam::111111111111:policy/landfall/reader" || aws.ToString(out.Policy.DefaultVersionId) != "v1" {
		t.Fatalf("policy = %+v", out.Policy)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("reader"), PolicyDocument: aws.String(allowS3Read)})
	wantCode(t, err, "EntityAlreadyExists")
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("broken"), PolicyDocument: aws.String(`{"Statement":[]}`)})
	wantCode(t, err, "MalformedPolicyDocument")

	for v := 2; v <= 5; v++ {
		pv, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowS3All), SetAsDefault: v == 3})
		mustNoErr(t, err)
		if got := aws.ToString(pv.PolicyVersion.VersionId); got != fmt.Sprintf("v%d", v) {
			t.Fatalf("version id = %s, want v%d", got, v)
		}
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowS3All)})
	wantCode(t, err, "LimitExceeded")

	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	mustNoErr(t, err)
	if aws.ToString(got.Policy.DefaultVersionId) != "v3" {
		t.Fatalf("default version = %s, want v3", aws.ToString(got.Policy.DefaultVersionId))
	}
	v1, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	mustNoErr(t, err)
	if d, _ := url.QueryUnescape(aws.ToString(v1.PolicyVersion.Document)); d != allowS3Read || v1.PolicyVersion.IsDefaultVersion {
		t.Fatalf("v1 = %+v (document %s)", v1.PolicyVersion, d)
	}

	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	wantCode(t, err, "DeleteConflict")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, err, "DeleteConflict") // other versions remain
	for _, v := range []string{"v1", "v2", "v4", "v5"} {
		_, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String(v)})
		mustNoErr(t, err)
	}
	// Version ids are not reused once deleted.
	pv, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(arn), PolicyDocument: aws.String(allowS3Read), SetAsDefault: true})
	mustNoErr(t, err)
	if aws.ToString(pv.PolicyVersion.VersionId) != "v6" {
		t.Fatalf("version after deletes = %s, want v6", aws.ToString(pv.PolicyVersion.VersionId))
	}
	_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	wantCode(t, err, "NoSuchEntity")
	versions, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
	mustNoErr(t, err)
	if len(versions.Versions) != 2 {
		t.Fatalf("versions = %+v", versions.Versions)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v3")})
	mustNoErr(t, err)
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	mustNoErr(t, err)
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, err, "NoSuchEntity")
}

// IAM counts a managed policy's size without white space, up to 6,144
// characters.
func TestIAMManagedPolicySize(t *testing.T) {
	s, u, _ := newTestServer(t)
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	padded := strings.ReplaceAll(policyOfSize("Allow", maxManagedPolicySize), ",", ",\n    ")
	_, err := c.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String("at-limit"), PolicyDocument: aws.String(padded)})
	mustNoErr(t, err)
	_, err = c.CreatePolicy(context.Background(), &iam.CreatePolicyInput{PolicyName: aws.String("over"), PolicyDocument: aws.String(policyOfSize("Allow", maxManagedPolicySize+1))})
	wantCode(t, err, "LimitExceeded")
}

// A role holds customer managed policies of its own account and a
// permissions boundary; a policy in use cannot be deleted.
func TestIAMAttachCustomerPolicyAndBoundary(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("cap"), PolicyDocument: aws.String(allowS3Read)})
	mustNoErr(t, err)
	arn := p.Policy.Arn

	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("capped"), AssumeRolePolicyDocument: aws.String(trustMgmt),
		PermissionsBoundary: aws.String("arn:aws:iam::111111111111:policy/nothing-here")})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("capped"), AssumeRolePolicyDocument: aws.String(trustMgmt), PermissionsBoundary: arn})
	mustNoErr(t, err)
	role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("capped")})
	mustNoErr(t, err)
	if b := role.Role.PermissionsBoundary; b == nil || aws.ToString(b.PermissionsBoundaryArn) != aws.ToString(arn) ||
		b.PermissionsBoundaryType != iamtypes.PermissionsBoundaryAttachmentTypePolicy {
		t.Fatalf("boundary = %+v", b)
	}
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("capped"), PolicyArn: arn})
	mustNoErr(t, err)
	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	mustNoErr(t, err)
	if aws.ToInt32(got.Policy.AttachmentCount) != 1 || aws.ToInt32(got.Policy.PermissionsBoundaryUsageCount) != 1 {
		t.Fatalf("use counts = %d attached, %d boundaries", aws.ToInt32(got.Policy.AttachmentCount), aws.ToInt32(got.Policy.PermissionsBoundaryUsageCount))
	}
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("capped"), PolicyArn: arn})
	mustNoErr(t, err)
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	wantCode(t, err, "DeleteConflict") // still the role's boundary

	_, err = c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("capped")})
	mustNoErr(t, err)
	_, err = c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("capped")})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("capped"), PermissionsBoundary: aws.String(administrator)})
	mustNoErr(t, err)
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	mustNoErr(t, err)

	// Another account's policy is not found from here.
	mustNoErr(t, s.AddAccount("999999999999", "other", "other@example.com"))
	other := iam.NewFromConfig(sdkConfig(t, s, u, "999999999999", "us-east-1"))
	theirs, err := other.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("theirs"), PolicyDocument: aws.String(allowS3Read)})
	mustNoErr(t, err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("capped"), PolicyArn: theirs.Policy.Arn})
	wantCode(t, err, "NoSuchEntity")
}

// A role holds at most ten managed policies (IAM's default quota).
func TestIAMAttachedPoliciesQuota(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("full"), AssumeRolePolicyDocument: aws.String(trustMgmt)})
	mustNoErr(t, err)
	for i := 0; i <= maxAttachedPolicies; i++ {
		p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("p%d", i)), PolicyDocument: aws.String(allowS3Read)})
		mustNoErr(t, err)
		_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("full"), PolicyArn: p.Policy.Arn})
		if i < maxAttachedPolicies {
			mustNoErr(t, err)
		} else {
			wantCode(t, err, "LimitExceeded")
		}
	}
}

// TagPolicy overwrites a key already there, and a request that would break
// the limits fails whole (TagPolicy, IAM API Reference).
func TestIAMTagPolicy(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("reader"), PolicyDocument: aws.String(allowS3Read),
		Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	mustNoErr(t, err)
	arn := out.Policy.Arn
	tagsOf := func() map[string]string {
		got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
		mustNoErr(t, err)
		m := map[string]string{}
		for _, tag := range got.Policy.Tags {
			m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		return m
	}

	_, err = c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("3")}, {Key: aws.String("b"), Value: aws.String("2")}}})
	mustNoErr(t, err)
	if got := fmt.Sprint(tagsOf()); got != "map[a:3 b:2]" {
		t.Fatalf("tags = %s", got)
	}
	var many []iamtypes.Tag
	for i := range 49 {
		many = append(many, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	_, err = c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: many})
	wantCode(t, err, "LimitExceeded")
	_, err = c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []iamtypes.Tag{{Key: aws.String("c"), Value: aws.String("")}, {Key: aws.String("aws:x"), Value: aws.String("v")}}})
	wantCode(t, err, "InvalidInput")
	if got := fmt.Sprint(tagsOf()); got != "map[a:3 b:2]" {
		t.Fatalf("a refused request changed the tags: %s", got)
	}
	_, err = c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String("arn:aws:iam::111111111111:policy/nobody"), Tags: many[:1]})
	wantCode(t, err, "NoSuchEntity")
}
