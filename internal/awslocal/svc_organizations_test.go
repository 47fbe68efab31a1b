package awslocal

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
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

// TestOrganizationsInvitationIsRecordedWhereItIsMade: the management
// account's bus sees InviteAccountToOrganization, the invited account's
// bus sees its AcceptHandshake, and the management account follows the
// handshake with DescribeHandshake until it is accepted, declined or
// expired.
func TestOrganizationsInvitationIsRecordedWhereItIsMade(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	const invited, decliner, late, stranger = "444444444444", "555555555555", "666666666666", "777777777777"
	for _, id := range []string{invited, decliner, late, stranger} {
		mustNoErr(t, s.AddAccount(id, "acct-"+id, id+"@example.com"))
	}
	// Each account records its own calls, and collects the
	// Organizations events its bus receives in a queue.
	seen := map[string]func() []string{}
	for _, account := range []string{mgmt, invited} {
		cfg := sdkConfig(t, s, u, account, "us-east-1")
		bucket := "trail-" + account
		trailBucket(t, cfg, bucket, account)
		ct := cloudtrail.NewFromConfig(cfg)
		mustNoErr(t, errOf(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String(bucket)})))
		mustNoErr(t, errOf(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")})))
		q := sqs.NewFromConfig(cfg)
		queueURL, queueARN := mustQueue(t, q, "org-calls", nil)
		mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL),
			Attributes: map[string]string{"Policy": eventsQueuePolicy(queueARN, account)}})))
		eb := eventbridge.NewFromConfig(cfg)
		mustNoErr(t, errOf(eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("org-calls"), EventPattern: aws.String(`{"source":["aws.organizations"]}`)})))
		mustNoErr(t, errOf(eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("org-calls"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}})))
		seen[account] = func() []string {
			var names []string
			for _, body := range s.ReceiveAll(queueARN) {
				var ev struct {
					Detail struct {
						EventName        string `json:"eventName"`
						ResponseElements struct {
							Handshake struct{ ID, State, Action string } `json:"handshake"`
						} `json:"responseElements"`
					} `json:"detail"`
				}
				mustNoErr(t, json.Unmarshal([]byte(body), &ev))
				h := ev.Detail.ResponseElements.Handshake
				names = append(names, ev.Detail.EventName+" "+h.ID+" "+h.Action+" "+h.State)
			}
			return names
		}
	}
	mgmtOrg := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	mustNoErr(t, errOf(mgmtOrg.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})))
	orgOf := func(account string) *organizations.Client {
		return organizations.NewFromConfig(sdkConfig(t, s, u, account, "us-east-1"))
	}
	invite := func(account string) string {
		t.Helper()
		out, err := mgmtOrg.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &orgtypes.HandshakeParty{Id: aws.String(account), Type: orgtypes.HandshakePartyTypeAccount}})
		mustNoErr(t, err)
		return aws.ToString(out.Handshake.Id)
	}
	state := func(c *organizations.Client, id string) orgtypes.HandshakeState {
		t.Helper()
		out, err := c.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(id)})
		mustNoErr(t, err)
		return out.Handshake.State
	}

	h := invite(invited)
	if got, want := seen[mgmt](), []string{"InviteAccountToOrganization " + h + " invite OPEN"}; !slices.Equal(got, want) {
		t.Fatalf("management bus after the invitation: %v, want %v", got, want)
	}
	if got := state(mgmtOrg, h); got != orgtypes.HandshakeStateOpen {
		t.Fatalf("handshake state = %s, want OPEN", got)
	}
	_, err := orgOf(stranger).DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String(h)})
	wantCode(t, err, "HandshakeNotFoundException")
	_, err = mgmtOrg.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(h)})
	wantCode(t, err, "AccessDeniedException")

	mustNoErr(t, errOf(orgOf(invited).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(h)})))
	if got := seen[mgmt](); len(got) != 0 {
		t.Fatalf("management bus saw the invited account's AcceptHandshake: %v", got)
	}
	if got, want := seen[invited](), []string{"AcceptHandshake " + h + " invite ACCEPTED"}; !slices.Equal(got, want) {
		t.Fatalf("invited account's bus: %v, want %v", got, want)
	}
	if got := state(mgmtOrg, h); got != orgtypes.HandshakeStateAccepted {
		t.Fatalf("handshake state = %s, want ACCEPTED", got)
	}

	declined := invite(decliner)
	mustNoErr(t, errOf(orgOf(decliner).DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: aws.String(declined)})))
	_, err = orgOf(decliner).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(declined)})
	wantCode(t, err, "InvalidHandshakeTransitionException")
	expired := invite(late)
	clk.advance(16 * 24 * time.Hour)
	if a, b := state(mgmtOrg, declined), state(mgmtOrg, expired); a != orgtypes.HandshakeStateDeclined || b != orgtypes.HandshakeStateExpired {
		t.Fatalf("declined handshake %s, expired one %s", a, b)
	}
	_, err = orgOf(late).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String(expired)})
	wantCode(t, err, "InvalidHandshakeTransitionException")
}

// TestReopenAccount: only a closed account can be reopened, and only within
// the 90 days after closure; it is then ACTIVE where it was.
func TestReopenAccount(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	org := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	status := func(id string) orgtypes.AccountStatus {
		t.Helper()
		out, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(id)})
		mustNoErr(t, err)
		return out.Account.Status
	}
	soon, late := newMember(t, s, u, clk, "soon"), newMember(t, s, u, clk, "late")
	if err := s.ReopenAccount(soon); err == nil {
		t.Fatal("an active account was reopened")
	}
	for _, id := range []string{soon, late} {
		mustNoErr(t, errOf(org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(id)})))
	}
	wantCode(t, errOf(org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(soon)})), "AccountAlreadyClosedException")
	clk.advance(89 * 24 * time.Hour)
	mustNoErr(t, s.ReopenAccount(soon))
	if got := status(soon); got != orgtypes.AccountStatusActive {
		t.Fatalf("reopened account is %s", got)
	}
	clk.advance(2 * 24 * time.Hour)
	if err := s.ReopenAccount(late); err == nil {
		t.Fatal("an account closed 91 days ago was reopened")
	}
	if got := status(late); got != orgtypes.AccountStatusSuspended {
		t.Fatalf("account closed 91 days ago is %s", got)
	}
}
