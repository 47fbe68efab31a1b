package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdt "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
)

func TestGuardDutyDetectorLifecycle(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	gd := guardduty.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	created, err := gd.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true),
		FindingPublishingFrequency: gdt.FindingPublishingFrequencyFifteenMinutes, Tags: map[string]string{"owner": "landfall"},
		Features: []gdt.DetectorFeatureConfiguration{{Name: gdt.DetectorFeatureS3DataEvents, Status: gdt.FeatureStatusEnabled}}})
	mustNoErr(t, err)
	id := aws.ToString(created.DetectorId)

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"second detector", func() error {
			_, err := gd.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
			return err
		}, "BadRequestException"},
		{"bad frequency", func() error {
			_, err := gd.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(id), FindingPublishingFrequency: "DAILY"})
			return err
		}, "BadRequestException"},
		{"unknown detector", func() error {
			_, err := gd.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("0123456789abcdef0123456789abcdef")})
			return err
		}, "BadRequestException"},
		{"tags of unknown detector", func() error {
			_, err := gd.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:guardduty:us-east-1:" + mgmt + ":detector/0123456789abcdef0123456789abcdef")})
			return err
		}, "ResourceNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.code) })
	}

	_, err = gd.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(id), Enable: aws.Bool(false), FindingPublishingFrequency: gdt.FindingPublishingFrequencyOneHour})
	mustNoErr(t, err)
	got, err := gd.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
	mustNoErr(t, err)
	if got.Status != gdt.DetectorStatusDisabled || got.FindingPublishingFrequency != gdt.FindingPublishingFrequencyOneHour ||
		got.Tags["owner"] != "landfall" || len(got.Features) != 1 || got.CreatedAt == nil {
		t.Fatalf("detector = %+v", got)
	}

	arn := "arn:aws:guardduty:us-east-1:" + mgmt + ":detector/" + id
	_, err = gd.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"cost": "sec"}})
	mustNoErr(t, err)
	tags, err := gd.ListTagsForResource(ctx, &guardduty.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	mustNoErr(t, err)
	if len(tags.Tags) != 2 || tags.Tags["cost"] != "sec" {
		t.Fatalf("tags = %v", tags.Tags)
	}

	// One detector per region; other regions and accounts see none.
	for _, cfg := range []aws.Config{sdkConfig(t, s, u, mgmt, "eu-west-1"), sdkConfig(t, s, u, "222222222222", "us-east-1")} {
		l, err := guardduty.NewFromConfig(cfg).ListDetectors(ctx, &guardduty.ListDetectorsInput{})
		mustNoErr(t, err)
		if len(l.DetectorIds) != 0 {
			t.Fatalf("detectors elsewhere = %v", l.DetectorIds)
		}
	}
	var ids []string
	for p := guardduty.NewListDetectorsPaginator(gd, &guardduty.ListDetectorsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		ids = append(ids, out.DetectorIds...)
	}
	if len(ids) != 1 || ids[0] != id {
		t.Fatalf("ListDetectors = %v", ids)
	}
	_, err = gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{NextToken: aws.String("garbage")})
	wantCode(t, err, "BadRequestException")

	_, err = gd.DeleteDetector(ctx, &guardduty.DeleteDetectorInput{DetectorId: aws.String(id)})
	mustNoErr(t, err)
	_, err = gd.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
	wantCode(t, err, "BadRequestException")
}

func TestGuardDutyDelegatedAdmin(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	admin := newMember(t, s, u, clk, "security")
	workload := newMember(t, s, u, clk, "workload")
	mgmtGD := guardduty.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	adminCfg, err := assume(t, s, u, admin, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	adminGD := guardduty.NewFromConfig(adminCfg)
	_, err = adminGD.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(admin)})
	wantCode(t, err, "BadRequestException") // only the management account may

	_, err = mgmtGD.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String("999999999999")})
	wantCode(t, err, "BadRequestException") // not in the organization
	_, err = mgmtGD.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(admin)})
	mustNoErr(t, err)
	_, err = mgmtGD.EnableOrganizationAdminAccount(ctx, &guardduty.EnableOrganizationAdminAccountInput{AdminAccountId: aws.String(admin)})
	wantCode(t, err, "BadRequestException")
	var admins []gdt.AdminAccount
	for p := guardduty.NewListOrganizationAdminAccountsPaginator(mgmtGD, &guardduty.ListOrganizationAdminAccountsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		admins = append(admins, out.AdminAccounts...)
	}
	if len(admins) != 1 || aws.ToString(admins[0].AdminAccountId) != admin || admins[0].AdminStatus != gdt.AdminStatusEnabled {
		t.Fatalf("admins = %+v", admins)
	}

	adminDet, err := adminGD.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	mustNoErr(t, err)
	workCfg, err := assume(t, s, u, workload, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	workGD := guardduty.NewFromConfig(workCfg)
	workDet, err := workGD.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	mustNoErr(t, err)

	none, err := workGD.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: workDet.DetectorId})
	mustNoErr(t, err)
	if none.Administrator != nil {
		t.Fatalf("administrator before CreateMembers = %+v", none.Administrator)
	}
	m, err := adminGD.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: adminDet.DetectorId,
		AccountDetails: []gdt.AccountDetail{{AccountId: aws.String(workload), Email: aws.String("workload@example.com")}, {AccountId: aws.String("999999999999"), Email: aws.String("x@example.com")}}})
	mustNoErr(t, err)
	if len(m.UnprocessedAccounts) != 1 || aws.ToString(m.UnprocessedAccounts[0].AccountId) != "999999999999" {
		t.Fatalf("unprocessed = %+v", m.UnprocessedAccounts)
	}
	got, err := workGD.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: workDet.DetectorId})
	mustNoErr(t, err)
	if got.Administrator == nil || aws.ToString(got.Administrator.AccountId) != admin || aws.ToString(got.Administrator.RelationshipStatus) != "Enabled" {
		t.Fatalf("administrator = %+v", got.Administrator)
	}
	_, err = workGD.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: adminDet.DetectorId})
	wantCode(t, err, "BadRequestException")
}

func TestGuardDutyFindingEvent(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	var events []doc
	s.mu.Lock()
	s.hooks.putEvent = func(account, region string, e doc) { events = append(events, e) }
	s.mu.Unlock()
	gd := guardduty.NewFromConfig(sdkConfig(t, s, u, mgmt, "eu-west-1"))

	if err := s.RaiseGuardDutyFinding(mgmt, "eu-west-1", 8, "UnauthorizedAccess:IAMUser/MaliciousIPCaller"); err == nil {
		t.Fatal("a finding without a detector must fail")
	}
	det, err := gd.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(false)})
	mustNoErr(t, err)
	if err := s.RaiseGuardDutyFinding(mgmt, "eu-west-1", 8, "Recon:IAMUser/MaliciousIPCaller"); err == nil {
		t.Fatal("a finding with a disabled detector must fail")
	}
	_, err = gd.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: det.DetectorId, Enable: aws.Bool(true)})
	mustNoErr(t, err)
	mustNoErr(t, s.RaiseGuardDutyFinding(mgmt, "eu-west-1", 8, "Recon:IAMUser/MaliciousIPCaller"))

	if len(events) != 1 {
		t.Fatalf("events = %v", events)
	}
	e := events[0]
	d := obj(e, "detail")
	if e["source"] != "aws.guardduty" || e["detail-type"] != "GuardDuty Finding" || e["region"] != "eu-west-1" ||
		d["severity"] != 8.0 || d["type"] != "Recon:IAMUser/MaliciousIPCaller" || d["accountId"] != mgmt ||
		str(obj(d, "service"), "detectorId") != aws.ToString(det.DetectorId) {
		t.Fatalf("event = %v", e)
	}
	for _, k := range []string{"schemaVersion", "partition", "id", "arn", "resource", "createdAt", "updatedAt", "title", "description"} {
		if !has(d, k) {
			t.Errorf("detail lacks %s", k)
		}
	}
}
