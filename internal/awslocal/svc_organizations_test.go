package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestUnknownParent checks that every call taking a parent id refuses one
// that is neither the root nor an OU, and that a move naming a real but
// wrong source parent is told apart from it.
func TestUnknownParent(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "parents")
	org := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	mustNoErr(t, err)
	root := roots.Roots[0].Id
	ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: root, Name: aws.String("prod")})
	mustNoErr(t, err)
	unknown := aws.String("ou-zzzz-zzzzzzzz")

	_, err = org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: unknown, Name: aws.String("x")})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: unknown})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: unknown})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: root, DestinationParentId: unknown})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: unknown, DestinationParentId: ou.OrganizationalUnit.Id})
	wantCode(t, err, "ParentNotFoundException")
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: ou.OrganizationalUnit.Id, DestinationParentId: root})
	wantCode(t, err, "SourceParentNotFoundException")

	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: root, DestinationParentId: ou.OrganizationalUnit.Id})
	mustNoErr(t, err)
	in, err := org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: ou.OrganizationalUnit.Id})
	mustNoErr(t, err)
	if len(in.Accounts) != 1 || aws.ToString(in.Accounts[0].Id) != member {
		t.Fatalf("accounts in prod after the move = %v, want only %s", in.Accounts, member)
	}
}

// The organization can have the id a template was synthesized for, and a
// malformed one is refused when the endpoint is made.
func TestOrganizationID(t *testing.T) {
	s := New(Options{OrganizationID: "o-exampleorgid"})
	u := s.Start(t)
	out, err := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).CreateOrganization(context.Background(), &organizations.CreateOrganizationInput{})
	mustNoErr(t, err)
	if got := aws.ToString(out.Organization.Id); got != "o-exampleorgid" {
		t.Fatalf("organization id %s, want o-exampleorgid", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted the organization id o-Bad")
		}
	}()
	New(Options{OrganizationID: "o-Bad"})
}

// TestOrganizationsAPICallsNeedATrail: an Organizations call reaches
// EventBridge as "AWS API Call via CloudTrail" only while a trail records
// it: logging, covering us-east-1, with global service events and write
// management events.
func TestOrganizationsAPICallsNeedATrail(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "mover")
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	org := organizations.NewFromConfig(cfg)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	mustNoErr(t, err)
	root := aws.ToString(roots.Roots[0].Id)
	ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("prod")})
	mustNoErr(t, err)
	parents := []string{root, aws.ToString(ou.OrganizationalUnit.Id)}

	q := sqs.NewFromConfig(cfg)
	queueURL, queueARN := mustQueue(t, q, "org-calls", nil)
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		Attributes: map[string]string{"Policy": eventsQueuePolicy(queueARN, mgmt)}})))
	eb := ebClient(t, s, u, mgmt)
	mustNoErr(t, errOf(eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("org-calls"),
		EventPattern: aws.String(`{"source":["aws.organizations"],"detail-type":["AWS API Call via CloudTrail"]}`)})))
	mustNoErr(t, errOf(eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("org-calls"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}})))
	moves := 0
	move := func() int {
		t.Helper()
		from, to := parents[moves%2], parents[(moves+1)%2]
		moves++
		mustNoErr(t, errOf(org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: aws.String(from), DestinationParentId: aws.String(to)})))
		return len(s.ReceiveAll(queueARN))
	}

	if n := move(); n != 0 {
		t.Fatalf("%d events without a trail", n)
	}
	trailBucket(t, cfg, "landfall-trail", mgmt)
	trail := func(region, name string, in cloudtrail.CreateTrailInput) {
		t.Helper()
		c := trailClient(t, s, u, region)
		in.Name, in.S3BucketName = aws.String(name), aws.String("landfall-trail")
		mustNoErr(t, errOf(c.CreateTrail(ctx, &in)))
		mustNoErr(t, errOf(c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)})))
	}
	trail("eu-west-1", "elsewhere", cloudtrail.CreateTrailInput{})
	trail("us-east-1", "no-global", cloudtrail.CreateTrailInput{IncludeGlobalServiceEvents: aws.Bool(false)})
	trail("us-east-1", "reads", cloudtrail.CreateTrailInput{})
	mustNoErr(t, errOf(trailClient(t, s, u, "us-east-1").PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("reads"),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeReadOnly, IncludeManagementEvents: aws.Bool(true)}}})))
	if n := move(); n != 0 {
		t.Fatalf("%d events from trails that do not record the call", n)
	}
	trail("eu-west-1", "everywhere", cloudtrail.CreateTrailInput{IsMultiRegionTrail: aws.Bool(true)})
	if n := move(); n != 1 {
		t.Fatalf("%d events with a multi-region trail logging, want 1", n)
	}
	mustNoErr(t, errOf(trailClient(t, s, u, "eu-west-1").StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("everywhere")})))
	if n := move(); n != 0 {
		t.Fatalf("%d events once the trail stopped logging", n)
	}
}
