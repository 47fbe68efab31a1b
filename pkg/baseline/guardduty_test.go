package baseline

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/awsx"
)

func TestGuardDuty(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("guardduty")
	mustApply(t, f, e, f.cfg, ScopeAll)

	ctx := context.Background()
	for _, region := range f.spec.Regions {
		d := readDetector(t, guardduty.NewFromConfig(awsx.InRegion(f.cfg, region)))
		if d.Status != gdtypes.DetectorStatusEnabled || d.FindingPublishingFrequency != gdtypes.FindingPublishingFrequencyFifteenMinutes || d.Tags[TagManaged] != "true" {
			t.Errorf("%s: detector = %s %s %v", region, d.Status, d.FindingPublishingFrequency, d.Tags)
		}
	}

	// Drift: someone suspends the detector in one region and slows it down.
	client := guardduty.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
	ids, err := client.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(ids.DetectorIds[0]), Enable: aws.Bool(false),
		FindingPublishingFrequency: gdtypes.FindingPublishingFrequencySixHours}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	if got["guardduty detector eu-west-1"] != Update || got["guardduty detector us-east-1"] != Unchanged {
		t.Fatalf("after suspending in eu-west-1:\n%s", plan)
	}
	wantDiffs := []Diff{{"Status", "DISABLED", "ENABLED"}, {"FindingPublishingFrequency", "SIX_HOURS", "FIFTEEN_MINUTES"}}
	if d := changeOf(plan, "guardduty", "detector", "eu-west-1").Diffs; !slices.Equal(d, wantDiffs) {
		t.Fatalf("diffs = %+v, want %+v", d, wantDiffs)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatal(err)
	}
	if d := readDetector(t, client); d.Status != gdtypes.DetectorStatusEnabled || d.FindingPublishingFrequency != gdtypes.FindingPublishingFrequencyFifteenMinutes {
		t.Fatalf("after repair: %s %s", d.Status, d.FindingPublishingFrequency)
	}
}

// TestGuardDutyDelegated covers an organization that delegates GuardDuty
// to a security account: the member is verified, never written to.
func TestGuardDutyDelegated(t *testing.T) {
	const region = "us-east-1"
	tests := []struct {
		name       string
		detector   bool // the member has a detector (auto-enable made it)
		member     bool // the security account added the member
		want       Action
		wantDetail string
	}{
		{name: "no detector", want: Finding, wantDetail: "has no detector"},
		{name: "not a member", detector: true, want: Finding, wantDetail: "not a member"},
		{name: "member", detector: true, member: true, want: Unchanged, wantDetail: "managed by the delegated administrator"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			security := newMemberAccount(t, f, "security")
			f.spec.Config.Organization.SecurityAccountID = security
			if tt.detector {
				createDetector(t, guardduty.NewFromConfig(f.cfg))
			}
			if tt.member {
				secCfg := awsx.AssumeRole(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)), awsx.RoleARN(security, f.spec.EntryRoleName()), "landfall-test")
				sec := guardduty.NewFromConfig(secCfg)
				id := createDetector(t, sec)
				if _, err := sec.CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: aws.String(id),
					AccountDetails: []gdtypes.AccountDetail{{AccountId: aws.String(f.member), Email: aws.String("workload@acme.example")}}}); err != nil {
					t.Fatal(err)
				}
			}
			e := itemEngine("guardduty")
			f.srv.ResetCalls()
			rep, err := e.Apply(ctx, f.spec, f.cfg, ScopeRegion(region))
			if err != nil {
				t.Fatal(err)
			}
			c := rep.Items[0].Changes[0]
			if c.Action != tt.want || !strings.Contains(c.Detail, tt.wantDetail) {
				t.Fatalf("change = %s %q, want %s containing %q", c.Action, c.Detail, tt.want, tt.wantDetail)
			}
			for _, w := range countedWrites(f, f.member) {
				t.Errorf("delegated GuardDuty: apply wrote %s", w)
			}
		})
	}
}

// newMemberAccount creates another account in the fixture's organization.
func newMemberAccount(t *testing.T, f *fixture, name string) string {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)))
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(awslocal.AccountCreationDelay + time.Second)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("account creation: %v %+v", err, st)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

func createDetector(t *testing.T, client *guardduty.Client) string {
	t.Helper()
	out, err := client.CreateDetector(context.Background(), &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.DetectorId)
}

func readDetector(t *testing.T, client *guardduty.Client) *guardduty.GetDetectorOutput {
	t.Helper()
	ctx := context.Background()
	ids, err := client.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil || len(ids.DetectorIds) != 1 {
		t.Fatalf("detectors: %v %+v", err, ids)
	}
	d, err := client.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(ids.DetectorIds[0])})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// changeOf finds one plan entry.
func changeOf(p Plan, item, resource, region string) Change {
	for _, c := range p.Changes {
		if c.Item == item && c.Resource == resource && c.Region == region {
			return c
		}
	}
	return Change{}
}
