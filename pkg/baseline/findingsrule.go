package baseline

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// findingsForwarderRoleItem is the role the findings rules of the other
// regions forward as. IAM is global, so the role is an account item,
// applied before any region runs, rather than created by each region in a
// race.
var findingsForwarderRoleItem = Item{
	Name:        "findings-forwarder-role",
	Needs:       []Need{needBoundary},
	Enabled:     forwardsFindings,
	Plan:        planRole(desiredFindingsForwarder),
	Permissions: func(s *Spec) []iamStatement { return ownedRolePermissions(desiredFindingsForwarder(s)) },
}

// findingsRuleItem routes each region's findings. It also relies on the
// account items alerts-topic and findings-forwarder-role, which the global
// scope applies before any region.
var findingsRuleItem = Item{
	Name:     "findings-rule",
	Regional: true,
	Needs: []Need{{&guardDutyItem,
		"the rule routes the detector's findings; without a detector in the region it would promise alerts that never come"}},
	Enabled: func(s *Spec) bool { return s.Profile.Items.GuardDuty.Enabled },
	Plan:    planFindingsRule,
	Permissions: func(s *Spec) []iamStatement {
		return []iamStatement{
			allow("EventBridge", []string{"arn:aws:events:*:*:rule/" + s.Prefix + "-*"},
				"events:PutRule", "events:DescribeRule", "events:PutTargets", "events:ListTargetsByRule",
				"events:TagResource", "events:ListTagsForResource"),
			deadLetterQueuePermissions(s),
		}
	},
}

// The EventBridge rule of one region that sends GuardDuty findings at or
// above the profile's severity to the alerts topic. GuardDuty publishes
// findings to the default event bus of the region that found them, so each
// region needs its own rule.
//
// The alerts topic lives in the home region only (alertstopic.go), and a
// rule's targets must be in its own region, except an event bus ("Sending
// and receiving events between AWS Regions", EventBridge User Guide). So
// the home region's rule targets the topic, and every other region's rule
// forwards to the home region's default bus as the findings-forwarder role,
// where the home rule, matching the same findings, sends them on.
// routeTo: region would need a topic per region, which the alerts-topic
// item does not create; a profile asking for it gets a Finding saying so,
// and its findings still reach the home topic rather than nobody.
//
// landfall owns the rule by its tags and only its own target (id "alerts"):
// targets others add to the rule stay. The target names a dead-letter
// queue (deadletters.go), so a finding the rule could not deliver (the
// topic's policy or key refusing EventBridge, the forwarder role broken)
// waits instead of being dropped: the alerts queue at home, the region's
// findings queue elsewhere, which this item creates before the rule.

// findingsTargetID is the id of landfall's target on the rule.
const findingsTargetID = "alerts"

type findingsRule struct {
	Name        string
	Pattern     string
	Description string
	TargetARN   string // the alerts topic at home, the home bus elsewhere
	RoleARN     string // the forwarder role, for the home bus only
	// DeadLetters is the target's dead-letter queue: the alerts queue at
	// home (the alerts-topic item's), the region's findings queue
	// elsewhere (this item's).
	DeadLetters deadLetterQueue
}

func desiredFindingsRule(s *Spec, region string) findingsRule {
	gd := s.Profile.Items.GuardDuty
	r := findingsRule{
		Name:        s.Config.FindingsRuleName(),
		Pattern:     findingsPattern(gd.AlertMinSeverity),
		Description: fmt.Sprintf("GuardDuty findings of severity %g or more to the alerts topic, managed by landfall", gd.AlertMinSeverity),
		TargetARN:   alertsTopicARN(s, s.HomeRegion()),
		DeadLetters: desiredAlertsDeadLetterQueue(s),
	}
	if region != s.HomeRegion() {
		r.Description = fmt.Sprintf("GuardDuty findings of severity %g or more to the alerts topic through %s's event bus, managed by landfall", gd.AlertMinSeverity, s.HomeRegion())
		r.TargetARN = homeBusARN(s)
		r.RoleARN = awsx.RoleARN(s.Account.ID, findingsForwarderName(s))
		r.DeadLetters = desiredFindingsDeadLetterQueue(s, region)
	}
	return r
}

// findingsRuleARN is the account's findings rule in the region.
func findingsRuleARN(s *Spec, region string) string {
	return "arn:aws:events:" + region + ":" + s.Account.ID + ":rule/" + s.Config.FindingsRuleName()
}

// homeBusARN is the account's default event bus in the home region.
func homeBusARN(s *Spec) string {
	return "arn:aws:events:" + s.HomeRegion() + ":" + s.Account.ID + ":event-bus/default"
}

func findingsForwarderName(s *Spec) string { return s.Name("findings-forwarder") }

// forwardsFindings says whether any governed region forwards findings home.
func forwardsFindings(s *Spec) bool {
	return s.Profile.Items.GuardDuty.Enabled && slices.ContainsFunc(s.Regions, func(r string) bool { return r != s.HomeRegion() })
}

// desiredFindingsForwarder is the role EventBridge forwards findings home
// as: it may put events on the home bus and nothing else. Its trust has no
// condition: EventBridge documents none it sends when it assumes a
// target's role, and only a principal of this account allowed iam:PassRole
// on the role can name it as a target.
func desiredFindingsForwarder(s *Spec) ownedRole {
	return ownedRole{
		Name:        findingsForwarderName(s),
		Description: "Forwards GuardDuty findings to the home region's event bus, managed by landfall",
		Trust: newIAMPolicy(iamStatement{
			Effect: "Allow", Principal: map[string][]string{"Service": {"events.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
		}),
		MaxSession: 3600,
		Boundary:   boundaryARN(s),
		Inline: map[string]iamPolicy{"forward-findings": newIAMPolicy(
			iamStatement{Effect: "Allow", Action: []string{"events:PutEvents"}, Resource: []string{homeBusARN(s)}},
		)},
	}
}

// findingsPattern matches GuardDuty findings of at least minSeverity
// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings_eventbridge.html).
func findingsPattern(minSeverity float64) string {
	p := map[string]any{
		"source":      []string{"aws.guardduty"},
		"detail-type": []string{"GuardDuty Finding"},
		"detail":      map[string]any{"severity": []any{map[string]any{"numeric": []any{">=", minSeverity}}}},
	}
	// Maps of strings, slices and numbers always encode.
	b, _ := json.Marshal(p)
	return string(b)
}

func planFindingsRule(ctx context.Context, env *Env) ([]Change, error) {
	client := eventbridge.NewFromConfig(env.AWS)
	spec := env.Spec
	want := desiredFindingsRule(spec, env.Region)
	var changes []Change
	if spec.Profile.Items.GuardDuty.RouteTo == config.GuardDutyRouteRegion {
		changes = append(changes, Change{Resource: "route", Action: Finding, Detail: fmt.Sprintf(
			"profile %s routes GuardDuty findings to a topic per region, but landfall creates the alerts topic in %s only; findings from %s go to %s",
			spec.Profile.Name, spec.HomeRegion(), env.Region, alertsTopicARN(spec, spec.HomeRegion()))})
	}
	if env.Region != spec.HomeRegion() {
		queue, err := planDeadLetterQueue(ctx, sqs.NewFromConfig(env.AWS), spec, want.DeadLetters)
		if err != nil {
			return nil, err
		}
		changes = append(changes, queue...)
		if queue[0].Action == Conflict {
			// Someone else's queue of that name gets no findings.
			want.DeadLetters = deadLetterQueue{}
		}
	}
	c, err := planFindingsRuleResource(ctx, client, spec, want)
	if err != nil {
		return nil, err
	}
	return append(changes, c), nil
}

func planFindingsRuleResource(ctx context.Context, client *eventbridge.Client, spec *Spec, want findingsRule) (Change, error) {
	c, _, err := planOwned(ctx, spec, owned[*eventbridge.DescribeRuleOutput]{
		Kind: "EventBridge rule", Name: want.Name, Resource: "rule/" + want.Name,
		Find: func(ctx context.Context) (*eventbridge.DescribeRuleOutput, error) {
			return findRuleByName(ctx, client, want.Name)
		},
		Tags: func(ctx context.Context, rule *eventbridge.DescribeRuleOutput) (map[string]string, error) {
			return findRuleTags(ctx, client, aws.ToString(rule.Arn))
		},
		Tag: func(ctx context.Context, rule *eventbridge.DescribeRuleOutput, missing, _ map[string]string) error {
			_, err := client.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: rule.Arn, Tags: tagList(missing, newEventBridgeTag)})
			return err
		},
		Create: func(ctx context.Context) error {
			if err := putFindingsRule(ctx, client, want, spec.Tags); err != nil {
				return err
			}
			return putFindingsTarget(ctx, client, want)
		},
		Edits: func(ctx context.Context, rule *eventbridge.DescribeRuleOutput) ([]edit, error) {
			target, err := findRuleTarget(ctx, client, want.Name, findingsTargetID)
			if err != nil && !awsx.NotFound(err) {
				return nil, err
			}
			return diffFindingsRule(client, want, rule, target), nil
		},
	})
	return c, err
}

func diffFindingsRule(client *eventbridge.Client, want findingsRule, rule *eventbridge.DescribeRuleOutput, target *ebtypes.Target) []edit {
	var diffs []Diff
	if have := aws.ToString(rule.EventPattern); !jsonEquivalent(have, want.Pattern) {
		diffs = append(diffs, Diff{Field: "EventPattern", Have: have, Want: want.Pattern})
	}
	diffField(&diffs, "State", rule.State, ebtypes.RuleStateEnabled)
	diffField(&diffs, "Description", aws.ToString(rule.Description), want.Description)
	var edits []edit
	// PutRule replaces the whole rule, so one call repairs every field.
	if len(diffs) > 0 {
		edits = append(edits, edit{diffs, func(ctx context.Context) error { return putFindingsRule(ctx, client, want, nil) }})
	}
	var targetDiffs []Diff
	if target == nil {
		target = &ebtypes.Target{}
	}
	diffField(&targetDiffs, "Target "+findingsTargetID, aws.ToString(target.Arn), want.TargetARN)
	diffField(&targetDiffs, "Target "+findingsTargetID+" RoleArn", aws.ToString(target.RoleArn), want.RoleARN)
	var deadLetters string
	if target.DeadLetterConfig != nil {
		deadLetters = aws.ToString(target.DeadLetterConfig.Arn)
	}
	diffField(&targetDiffs, "Target "+findingsTargetID+" DeadLetterConfig", deadLetters, want.DeadLetters.ARN)
	if len(targetDiffs) > 0 {
		edits = append(edits, edit{targetDiffs, func(ctx context.Context) error { return putFindingsTarget(ctx, client, want) }})
	}
	return edits
}

// putFindingsRule creates or replaces the rule. EventBridge takes tags only
// when it creates a rule and ignores them on an update, so updates pass nil
// and tags are repaired with TagResource.
func putFindingsRule(ctx context.Context, client *eventbridge.Client, want findingsRule, tags map[string]string) error {
	_, err := client.PutRule(ctx, &eventbridge.PutRuleInput{
		Name: aws.String(want.Name), EventPattern: aws.String(want.Pattern), State: ebtypes.RuleStateEnabled,
		Description: aws.String(want.Description), Tags: tagList(tags, newEventBridgeTag),
	})
	if err != nil {
		return fmt.Errorf("putting EventBridge rule (%s): %w", want.Name, err)
	}
	return nil
}

func putFindingsTarget(ctx context.Context, client *eventbridge.Client, want findingsRule) error {
	target := ebtypes.Target{Id: aws.String(findingsTargetID), Arn: aws.String(want.TargetARN)}
	if want.RoleARN != "" {
		target.RoleArn = aws.String(want.RoleARN)
	}
	if want.DeadLetters.ARN != "" {
		target.DeadLetterConfig = &ebtypes.DeadLetterConfig{Arn: aws.String(want.DeadLetters.ARN)}
	}
	out, err := client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(want.Name), Targets: []ebtypes.Target{target}})
	if err == nil && out.FailedEntryCount > 0 {
		err = fmt.Errorf("%s: %s", aws.ToString(out.FailedEntries[0].ErrorCode), aws.ToString(out.FailedEntries[0].ErrorMessage))
	}
	if err != nil {
		return fmt.Errorf("putting target %s on EventBridge rule (%s): %w", findingsTargetID, want.Name, err)
	}
	return nil
}

// jsonEquivalent compares JSON documents as values, because services may
// return one with other spacing or key order (an event pattern, a redrive
// policy).
func jsonEquivalent(a, b string) bool {
	var va, vb any
	return json.Unmarshal([]byte(a), &va) == nil && json.Unmarshal([]byte(b), &vb) == nil && reflect.DeepEqual(va, vb)
}

func findRuleByName(ctx context.Context, client *eventbridge.Client, name string) (*eventbridge.DescribeRuleOutput, error) {
	out, err := client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(name)})
	if err != nil {
		return nil, awsx.AsNotFound(err, "EventBridge rule ("+name+")", "ResourceNotFoundException")
	}
	return out, nil
}

func findRuleTags(ctx context.Context, client *eventbridge.Client, arn string) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("listing tags of EventBridge rule (%s): %w", arn, err)
	}
	return tagMap(out.Tags, func(t ebtypes.Tag) (k, v *string) { return t.Key, t.Value }), nil
}

// findRuleTarget returns the rule's target with the id, or a NotFoundError.
func findRuleTarget(ctx context.Context, client *eventbridge.Client, rule, id string) (*ebtypes.Target, error) {
	in := &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)}
	for {
		out, err := client.ListTargetsByRule(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("listing targets of EventBridge rule (%s): %w", rule, err)
		}
		for _, t := range out.Targets {
			if aws.ToString(t.Id) == id {
				return &t, nil
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return nil, &awsx.NotFoundError{What: "EventBridge target " + id + " of rule (" + rule + ")"}
		}
		in.NextToken = out.NextToken
	}
}

func newEventBridgeTag(k, v *string) ebtypes.Tag { return ebtypes.Tag{Key: k, Value: v} }
