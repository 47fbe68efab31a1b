package awslocal

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

func TestKMSKeys(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	c := kms.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	created, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("trail logs"),
		Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("platform")}}})
	mustNoErr(t, err)
	md := created.KeyMetadata
	if md.KeyState != kmstypes.KeyStateEnabled || !md.Enabled || md.KeySpec != kmstypes.KeySpecSymmetricDefault ||
		!strings.HasPrefix(aws.ToString(md.Arn), "arn:aws:kms:us-east-1:"+mgmt+":key/") || md.CreationDate == nil {
		t.Fatalf("metadata = %+v", md)
	}
	keyID := aws.ToString(md.KeyId)

	pol, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")})
	mustNoErr(t, err)
	if !strings.Contains(aws.ToString(pol.Policy), `"arn:aws:iam::`+mgmt+`:root"`) {
		t.Fatalf("default key policy = %s", aws.ToString(pol.Policy))
	}
	trail := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*"}]}`
	mustNoErr(t, errOf(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.Arn, PolicyName: aws.String("default"), Policy: aws.String(trail)})))
	pol, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId})
	mustNoErr(t, err)
	if aws.ToString(pol.Policy) != trail {
		t.Fatalf("policy after PutKeyPolicy = %s", aws.ToString(pol.Policy))
	}

	status, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
	mustNoErr(t, err)
	if status.KeyRotationEnabled {
		t.Fatal("rotation enabled on a new key")
	}
	mustNoErr(t, errOf(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})))
	status, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: md.KeyId})
	mustNoErr(t, err)
	if !status.KeyRotationEnabled || aws.ToInt32(status.RotationPeriodInDays) != 365 {
		t.Fatalf("rotation status = %+v", status)
	}

	mustNoErr(t, errOf(c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []kmstypes.Tag{{TagKey: aws.String("env"), TagValue: aws.String("prod")}}})))
	tags, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: md.KeyId})
	mustNoErr(t, err)
	if len(tags.Tags) != 2 || aws.ToString(tags.Tags[0].TagKey) != "env" || tags.Truncated {
		t.Fatalf("tags = %+v", tags.Tags)
	}

	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:*","Resource":"*"}]}`
	missing := "arn:aws:kms:us-east-1:" + mgmt + ":key/00000000-0000-0000-0000-000000000000"
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"malformed policy", errOf(c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Statement":[]}`)})), "MalformedPolicyDocumentException"},
		{"policy locks the caller out", errOf(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: aws.String(lockout)})), "MalformedPolicyDocumentException"},
		{"describe missing", errOf(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(missing)})), "NotFoundException"},
		{"describe missing alias", errOf(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/none")})), "NotFoundException"},
		{"policy of missing", errOf(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(missing)})), "NotFoundException"},
		{"rotation period too short", errOf(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId, RotationPeriodInDays: aws.Int32(30)})), "ValidationException"},
		{"unsupported key spec", errOf(c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpec("AES_999")})), "ValidationException"},
		{"pending window too short", errOf(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(3)})), "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}
	mustNoErr(t, errOf(c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: md.KeyId, Policy: aws.String(lockout), BypassPolicyLockoutSafetyCheck: true})))

	// Keys are per account and region.
	for _, cfg := range []struct{ account, region string }{{mgmt, "eu-west-1"}, {peerAccount, "us-east-1"}} {
		other := kms.NewFromConfig(sdkConfig(t, s, u, cfg.account, cfg.region))
		wantCode(t, errOf(other.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})), "NotFoundException")
	}

	// The key policy decides every request: locked out is locked out.
	wantCode(t, errOf(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId})), "AccessDeniedException")

	life, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	md = life.KeyMetadata
	mustNoErr(t, errOf(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: md.KeyId})))
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})
	mustNoErr(t, err)
	if d.KeyMetadata.KeyState != kmstypes.KeyStateDisabled || d.KeyMetadata.Enabled {
		t.Fatalf("after DisableKey: %+v", d.KeyMetadata)
	}
	wantCode(t, errOf(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: md.KeyId})), "KMSInvalidStateException")

	del, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId, PendingWindowInDays: aws.Int32(7)})
	mustNoErr(t, err)
	if del.KeyState != kmstypes.KeyStatePendingDeletion || !del.DeletionDate.Equal(clk.now().Add(7*24*time.Hour)) {
		t.Fatalf("ScheduleKeyDeletion = %+v", del)
	}
	wantCode(t, errOf(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: md.KeyId})), "KMSInvalidStateException")
	wantCode(t, errOf(c.TagResource(ctx, &kms.TagResourceInput{KeyId: md.KeyId, Tags: []kmstypes.Tag{{TagKey: aws.String("k"), TagValue: aws.String("v")}}})), "KMSInvalidStateException")
	clk.advance(7 * 24 * time.Hour)
	wantCode(t, errOf(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: md.KeyId})), "NotFoundException")
}

func TestKMSAliases(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := kms.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	first, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	second, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)

	mustNoErr(t, errOf(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/landfall/trail"), TargetKeyId: first.KeyMetadata.KeyId})))
	for _, arg := range []string{"alias/landfall/trail", "arn:aws:kms:us-east-1:" + mgmt + ":alias/landfall/trail"} {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arg)})
		mustNoErr(t, err)
		if aws.ToString(d.KeyMetadata.KeyId) != aws.ToString(first.KeyMetadata.KeyId) {
			t.Fatalf("%s resolves to %s", arg, aws.ToString(d.KeyMetadata.KeyId))
		}
	}
	mustNoErr(t, errOf(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/landfall/trail"), TargetKeyId: second.KeyMetadata.Arn})))
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/landfall/trail")})
	mustNoErr(t, err)
	if aws.ToString(d.KeyMetadata.KeyId) != aws.ToString(second.KeyMetadata.KeyId) {
		t.Fatal("UpdateAlias did not move the alias")
	}
	managed, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/sns")})
	mustNoErr(t, err)
	if managed.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws {
		t.Fatalf("alias/aws/sns key manager = %s", managed.KeyMetadata.KeyManager)
	}

	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"exists", errOf(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/landfall/trail"), TargetKeyId: first.KeyMetadata.KeyId})), "AlreadyExistsException"},
		{"no prefix", errOf(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("trail"), TargetKeyId: first.KeyMetadata.KeyId})), "ValidationException"},
		{"reserved prefix", errOf(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: first.KeyMetadata.KeyId})), "InvalidAliasNameException"},
		{"missing target", errOf(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/x"), TargetKeyId: aws.String("11111111-2222-3333-4444-555555555555")})), "NotFoundException"},
		{"update missing", errOf(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/none"), TargetKeyId: first.KeyMetadata.KeyId})), "NotFoundException"},
		{"bad marker", errOf(c.ListAliases(ctx, &kms.ListAliasesInput{Marker: aws.String("junk")})), "InvalidMarkerException"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}

	for i := range 6 {
		mustNoErr(t, errOf(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/extra-" + string(rune('a'+i))), TargetKeyId: first.KeyMetadata.KeyId})))
	}
	var names []string
	for p := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, a := range out.Aliases {
			names = append(names, aws.ToString(a.AliasName))
		}
	}
	if len(names) != 8 { // 6 extra, the trail alias and alias/aws/sns
		t.Fatalf("paged aliases = %v", names)
	}
	byKey, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: second.KeyMetadata.KeyId})
	mustNoErr(t, err)
	if len(byKey.Aliases) != 1 || aws.ToString(byKey.Aliases[0].AliasName) != "alias/landfall/trail" {
		t.Fatalf("aliases of the second key = %+v", byKey.Aliases)
	}
}

// Tag conditions: KMS's CreateKey carries its [{TagKey, TagValue}] tags as
// aws:RequestTag, and a key's tags reach policies as aws:ResourceTag, so a
// role may create only keys tagged for its team and use only those.
func TestAuthorizeKMSTagConditions(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["kms:CreateKey","kms:TagResource"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"platform"}}},` +
		`{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"platform"}}}]}`
	c := kms.NewFromConfig(roleSession(t, s, u, mgmt, "keys", map[string]string{"keys": policy}))
	tagged := func(team string) []kmstypes.Tag {
		return []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String(team)}}
	}
	// Key policies delegate to IAM (the default key policy), so the
	// role's policy decides.
	mine, err := c.CreateKey(ctx, &kms.CreateKeyInput{Tags: tagged("platform")})
	mustNoErr(t, err)
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: tagged("data")})
	wantDeniedAs(t, err, "AccessDeniedException", "kms:CreateKey")

	admin := kms.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	theirs, err := admin.CreateKey(ctx, &kms.CreateKeyInput{Tags: tagged("data")})
	mustNoErr(t, err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: mine.KeyMetadata.KeyId})
	mustNoErr(t, err)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: theirs.KeyMetadata.KeyId})
	wantDeniedAs(t, err, "AccessDeniedException", "kms:DescribeKey on resource: "+aws.ToString(theirs.KeyMetadata.Arn))
}

// kms:ResourceAliases is every alias that points at the key, so a Deny on
// a key's aliases holds however the request names the key, and ends when
// the alias moves to another key.
func TestAuthorizeKMSResourceAliases(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":"kms:*","Resource":"*"},` +
		`{"Effect":"Deny","Action":"kms:DisableKey","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"kms:ResourceAliases":["alias/landfall-alerts"]}}}]}`
	c := kms.NewFromConfig(roleSession(t, s, u, mgmt, "keys", map[string]string{"keys": policy}))
	protected, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	other, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/landfall-alerts"), TargetKeyId: protected.KeyMetadata.KeyId})
	mustNoErr(t, err)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/other"), TargetKeyId: protected.KeyMetadata.KeyId})
	mustNoErr(t, err)

	for _, ref := range []string{aws.ToString(protected.KeyMetadata.KeyId), aws.ToString(protected.KeyMetadata.Arn), "alias/landfall-alerts", "alias/other"} {
		_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(ref)})
		wantDeniedAs(t, err, "AccessDeniedException", "kms:DisableKey on resource: "+aws.ToString(protected.KeyMetadata.Arn))
	}
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: other.KeyMetadata.KeyId})
	mustNoErr(t, err)

	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/landfall-alerts"), TargetKeyId: other.KeyMetadata.KeyId})
	mustNoErr(t, err)
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: protected.KeyMetadata.KeyId})
	mustNoErr(t, err)
}
