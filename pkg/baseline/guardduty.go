package baseline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var guardDutyItem = Item{
	Name:     "guardduty",
	Regional: true,
	Enabled:  func(s *Spec) bool { return s.Profile.Items.GuardDuty.Enabled },
	Plan:     planGuardDuty,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{
			serviceLinkedRole("guardduty.amazonaws.com"),
			allow("GuardDuty", anyResource,
				"guardduty:CreateDetector", "guardduty:UpdateDetector", "guardduty:GetDetector", "guardduty:ListDetectors",
				"guardduty:GetAdministratorAccount", "guardduty:TagResource"),
		}
	},
}

// The GuardDuty detector of one region. GuardDuty allows one detector per
// account and region, so, like the password policy, the detector is a
// setting the baseline owns whoever created it: an existing detector is
// never a conflict, it is brought to the profile's settings and tagged.
//
// When the organization delegates GuardDuty to a security account
// (organization.securityAccountId), that administrator owns the members'
// detectors: it creates them (auto-enable) and sets their publishing
// frequency, and a member cannot change either. The baseline then only
// verifies that this account is an enabled member of that administrator and
// reports a Finding otherwise; it creates and changes nothing, because a
// detector the member made itself would not be the administrator's. The
// security account's own detector is reconciled like any standalone one.

// guardDutyDetector is what the baseline compares. Data sources and
// features keep their server defaults and are not compared.
type guardDutyDetector struct {
	Enabled   bool
	Frequency string
}

const guardDutyResource = "detector"

func desiredGuardDutyDetector(s *Spec) guardDutyDetector {
	return guardDutyDetector{Enabled: true, Frequency: s.Profile.Items.GuardDuty.FindingFrequency}
}

func planGuardDuty(ctx context.Context, env *Env) ([]Change, error) {
	client := guardduty.NewFromConfig(env.AWS)
	spec := env.Spec
	have, err := findDetector(ctx, client, env.Region)
	if err != nil && !awsx.NotFound(err) {
		return nil, err
	}
	if admin := spec.Config.Organization.SecurityAccountID; admin != "" && admin != spec.Account.ID {
		c, err := verifyGuardDutyMembership(ctx, client, env.Region, admin, have)
		if err != nil {
			return nil, err
		}
		return []Change{c}, nil
	}
	want := desiredGuardDutyDetector(spec)
	if have == nil {
		return []Change{{Resource: guardDutyResource, Action: Create, Apply: func(ctx context.Context) error {
			_, err := client.CreateDetector(ctx, &guardduty.CreateDetectorInput{
				Enable:                     aws.Bool(want.Enabled),
				FindingPublishingFrequency: gdtypes.FindingPublishingFrequency(want.Frequency),
				Tags:                       spec.Tags,
			})
			if err != nil {
				return fmt.Errorf("creating GuardDuty detector (%s): %w", env.Region, err)
			}
			return nil
		}}}, nil
	}
	return []Change{diffDetector(client, env, have, want)}, nil
}

// diffDetector plans the repair of an existing detector: one UpdateDetector
// for its settings and one TagResource for the tags that are missing.
func diffDetector(client *guardduty.Client, env *Env, have *detectorState, want guardDutyDetector) Change {
	var edits []edit
	if have.guardDutyDetector != want {
		var diffs []Diff
		diffField(&diffs, "Status", detectorStatus(have.Enabled), detectorStatus(want.Enabled))
		diffField(&diffs, "FindingPublishingFrequency", have.Frequency, want.Frequency)
		edits = append(edits, edit{diffs, func(ctx context.Context) error {
			_, err := client.UpdateDetector(ctx, &guardduty.UpdateDetectorInput{
				DetectorId:                 aws.String(have.ID),
				Enable:                     aws.Bool(want.Enabled),
				FindingPublishingFrequency: gdtypes.FindingPublishingFrequency(want.Frequency),
			})
			if err != nil {
				return fmt.Errorf("updating GuardDuty detector (%s): %w", have.ID, err)
			}
			return nil
		}})
	}
	arn := fmt.Sprintf("arn:aws:guardduty:%s:%s:detector/%s", env.Region, env.Spec.Account.ID, have.ID)
	if e, ok := tagEdit("GuardDuty detector", have.ID, have.Tags, env.Spec.Tags, func(ctx context.Context, missing, _ map[string]string) error {
		_, err := client.TagResource(ctx, &guardduty.TagResourceInput{ResourceArn: aws.String(arn), Tags: missing})
		return err
	}); ok {
		edits = append(edits, e)
	}
	return editsChange(guardDutyResource, edits)
}

// verifyGuardDutyMembership checks that the delegated administrator manages
// this account's detector in the region. It never writes.
func verifyGuardDutyMembership(ctx context.Context, client *guardduty.Client, region, admin string, have *detectorState) (Change, error) {
	finding := func(what string) Change {
		return Change{Resource: guardDutyResource, Action: Finding, Detail: fmt.Sprintf(
			"GuardDuty in %s is delegated to the security account %s, but %s: add this account as a member from %s (or turn on auto-enable for the organization there)",
			region, admin, what, admin)}
	}
	if have == nil {
		return finding("this account has no detector"), nil
	}
	out, err := client.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: aws.String(have.ID)})
	if err != nil {
		return Change{}, fmt.Errorf("reading GuardDuty administrator of detector (%s): %w", have.ID, err)
	}
	a := out.Administrator
	switch {
	case a == nil:
		return finding("this account is not a member of any administrator"), nil
	case aws.ToString(a.AccountId) != admin:
		return finding("this account is a member of " + aws.ToString(a.AccountId)), nil
	case aws.ToString(a.RelationshipStatus) != "Enabled":
		return finding("its membership is " + aws.ToString(a.RelationshipStatus)), nil
	case !have.Enabled:
		return finding("the detector is suspended"), nil
	}
	return Change{Resource: guardDutyResource, Action: Unchanged, Detail: "managed by the delegated administrator " + admin}, nil
}

// detectorState is a detector as read back.
type detectorState struct {
	ID string
	guardDutyDetector
	Tags map[string]string
}

// findDetector returns the region's detector, or a NotFoundError when the
// account has none there.
func findDetector(ctx context.Context, client *guardduty.Client, region string) (*detectorState, error) {
	var id string
	pages := guardduty.NewListDetectorsPaginator(client, &guardduty.ListDetectorsInput{})
	for pages.HasMorePages() && id == "" {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing GuardDuty detectors (%s): %w", region, err)
		}
		if len(page.DetectorIds) > 0 {
			id = page.DetectorIds[0]
		}
	}
	if id == "" {
		return nil, &awsx.NotFoundError{What: "GuardDuty detector (" + region + ")"}
	}
	// GetDetector documents no not-found error (a detector id this account
	// does not hold is a BadRequestException, as are malformed requests), and
	// the id was listed just now: any error is one.
	out, err := client.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
	if err != nil {
		return nil, fmt.Errorf("reading GuardDuty detector (%s): %w", id, err)
	}
	return flattenDetector(id, out), nil
}

func flattenDetector(id string, out *guardduty.GetDetectorOutput) *detectorState {
	return &detectorState{
		ID: id,
		guardDutyDetector: guardDutyDetector{
			Enabled:   out.Status == gdtypes.DetectorStatusEnabled,
			Frequency: string(out.FindingPublishingFrequency),
		},
		Tags: out.Tags,
	}
}

func detectorStatus(enabled bool) string {
	if enabled {
		return string(gdtypes.DetectorStatusEnabled)
	}
	return string(gdtypes.DetectorStatusDisabled)
}
