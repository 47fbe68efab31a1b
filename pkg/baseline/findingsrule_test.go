package baseline

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/pkg/awsx"
)

const findingsRuleName = "acme-guardduty-findings"

func TestFindingsRule(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("findings-forwarder-role", "findings-rule")
	mustApply(t, f, e, f.cfg, ScopeAll)

	ctx := context.Background()
	forwarder, err := iam.NewFromConfig(f.cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("acme-findings-forwarder")})
	if err != nil {
		t.Fatal(err)
	}
	for _, region := range f.spec.Regions {
		// Home sends to the topic; the other regions through the home bus.
		// Each target's dead-letter queue is in the rule's region.
		wantTarget, wantRole, wantDLQ := "arn:aws:sns:us-east-1:"+f.member+":acme-alerts", "", "arn:aws:sqs:us-east-1:"+f.member+":acme-alerts-dlq"
		if region != "us-east-1" {
			wantTarget, wantRole = "arn:aws:events:us-east-1:"+f.member+":event-bus/default", aws.ToString(forwarder.Role.Arn)
			wantDLQ = "arn:aws:sqs:" + region + ":" + f.member + ":acme-findings-dlq"
		}
		client := eventbridge.NewFromConfig(awsx.InRegion(f.cfg, region))
		rule, err := client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(findingsRuleName)})
		if err != nil {
			t.Fatal(err)
		}
		want := `{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",4]}]}}`
		if !jsonEquivalent(aws.ToString(rule.EventPattern), want) || rule.State != ebtypes.RuleStateEnabled {
			t.Errorf("%s: rule = %s %s", region, aws.ToString(rule.EventPattern), rule.State)
		}
		if tags, err := findRuleTags(ctx, client, aws.ToString(rule.Arn)); err != nil || tags[TagManaged] != "true" {
			t.Errorf("%s: rule tags = %v %v", region, tags, err)
		}
		target, err := findRuleTarget(ctx, client, findingsRuleName, "alerts")
		if err != nil || aws.ToString(target.Arn) != wantTarget || aws.ToString(target.RoleArn) != wantRole {
			t.Fatalf("%s: target = %+v %v, want %s as %q", region, target, err, wantTarget, wantRole)
		}
		if target.DeadLetterConfig == nil || aws.ToString(target.DeadLetterConfig.Arn) != wantDLQ {
			t.Errorf("%s: target's dead-letter queue = %+v, want %s", region, target.DeadLetterConfig, wantDLQ)
		}
	}
}

// TestFindingsRuleDelivers raises GuardDuty findings in eu-west-1 and checks
// that only those at or above the severity reach the home region's topic,
// through the home region's event bus, since a rule's targets must be in
// its own region.
func TestFindingsRuleDelivers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	home := awsx.InRegion(f.cfg, "us-east-1")
	// The alerts-topic item's topic, reduced to what delivery needs.
	topic, err := sns.NewFromConfig(home).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("acme-alerts"), Attributes: map[string]string{
		"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}`,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := itemEngine("findings-forwarder-role", "guardduty", "findings-rule").Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatal(err)
	}
	f.srv.SettleIAM() // findings come after the forwarder role has propagated
	for _, severity := range []float64{2, 8} {
		if err := f.srv.RaiseGuardDutyFinding(f.member, "eu-west-1", severity, "Recon:IAMUser/MaliciousIPCaller"); err != nil {
			t.Fatal(err)
		}
	}
	got := f.srv.DeliveredEvents(f.member)
	// The home rule's delivery is recorded first: it completes inside the
	// forward.
	want := []string{aws.ToString(topic.TopicArn), "arn:aws:events:us-east-1:" + f.member + ":event-bus/default"}
	if len(got) != len(want) {
		t.Fatalf("deliveries = %+v, want the severity 8 finding only, forwarded home, then to %s", got, aws.ToString(topic.TopicArn))
	}
	for i, d := range got {
		if d.Target != want[i] || d.Error != "" || !strings.Contains(d.Input, `"severity":8`) || !strings.Contains(d.Input, `"region":"eu-west-1"`) {
			t.Errorf("delivery %d = %+v, want the eu-west-1 finding delivered to %s", i, d, want[i])
		}
	}
}

func TestFindingsRuleDrift(t *testing.T) {
	tests := []struct {
		name  string
		drift func(context.Context, *eventbridge.Client, *Spec) error
		want  []Diff
	}{
		{
			name: "disabled",
			drift: func(ctx context.Context, c *eventbridge.Client, spec *Spec) error {
				_, err := c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String(findingsRuleName)})
				return err
			},
			want: []Diff{{"State", "DISABLED", "ENABLED"}},
		},
		{
			name: "target removed",
			drift: func(ctx context.Context, c *eventbridge.Client, spec *Spec) error {
				_, err := c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(findingsRuleName), Ids: []string{"alerts"}})
				return err
			},
			want: []Diff{{"Target alerts", "", "arn:aws:events:us-east-1:{member}:event-bus/default"},
				{"Target alerts RoleArn", "", "arn:aws:iam::{member}:role/acme-findings-forwarder"},
				{"Target alerts DeadLetterConfig", "", "arn:aws:sqs:eu-west-1:{member}:acme-findings-dlq"}},
		},
		{
			name: "dead-letter queue taken off",
			drift: func(ctx context.Context, c *eventbridge.Client, spec *Spec) error {
				want := desiredFindingsRule(spec, "eu-west-1")
				_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(findingsRuleName), Targets: []ebtypes.Target{
					{Id: aws.String("alerts"), Arn: aws.String(want.TargetARN), RoleArn: aws.String(want.RoleARN)}}})
				return err
			},
			want: []Diff{{"Target alerts DeadLetterConfig", "", "arn:aws:sqs:eu-west-1:{member}:acme-findings-dlq"}},
		},
		{
			name: "target sent to the topic",
			drift: func(ctx context.Context, c *eventbridge.Client, spec *Spec) error {
				_, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(findingsRuleName), Targets: []ebtypes.Target{
					{Id: aws.String("alerts"), Arn: aws.String(alertsTopicARN(spec, "us-east-1"))}}})
				return err
			},
			want: []Diff{{"Target alerts", "arn:aws:sns:us-east-1:{member}:acme-alerts", "arn:aws:events:us-east-1:{member}:event-bus/default"},
				{"Target alerts RoleArn", "", "arn:aws:iam::{member}:role/acme-findings-forwarder"},
				{"Target alerts DeadLetterConfig", "", "arn:aws:sqs:eu-west-1:{member}:acme-findings-dlq"}},
		},
		{
			name: "pattern widened",
			drift: func(ctx context.Context, c *eventbridge.Client, spec *Spec) error {
				_, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(findingsRuleName), EventPattern: aws.String(`{"source":["aws.guardduty"]}`),
					Description: aws.String(desiredFindingsRule(spec, "eu-west-1").Description)})
				return err
			},
			want: []Diff{{"EventPattern", `{"source":["aws.guardduty"]}`, findingsPattern(4)}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			e := itemEngine("findings-rule")
			scope := ScopeRegion("eu-west-1")
			if _, err := e.Apply(ctx, f.spec, f.cfg, scope); err != nil {
				t.Fatal(err)
			}
			client := eventbridge.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
			if err := tt.drift(ctx, client, f.spec); err != nil {
				t.Fatal(err)
			}
			plan, err := e.Plan(ctx, f.spec, f.cfg, scope)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(tt.want)
			for i := range want {
				want[i].Have = strings.ReplaceAll(want[i].Have, "{member}", f.member)
				want[i].Want = strings.ReplaceAll(want[i].Want, "{member}", f.member)
			}
			c := changeOf(plan, "findings-rule", "rule/"+findingsRuleName, "eu-west-1")
			if c.Action != Update || !slices.Equal(c.Diffs, want) {
				t.Fatalf("change = %s %+v, want update %+v", c.Action, c.Diffs, want)
			}
			if _, err := e.Apply(ctx, f.spec, f.cfg, scope); err != nil {
				t.Fatal(err)
			}
			if again, err := e.Plan(ctx, f.spec, f.cfg, scope); err != nil || again.HasChanges() {
				t.Fatalf("plan after repair: %v\n%s", err, again)
			}
		})
	}
}

func TestFindingsRuleOwnership(t *testing.T) {
	tests := []struct {
		name  string
		adopt bool
		want  Action
		after Action
	}{
		{name: "not landfall's", want: Conflict, after: Conflict},
		{name: "adopted", adopt: true, want: Update, after: Unchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			f.spec.Profile.Adopt = tt.adopt
			client := eventbridge.NewFromConfig(awsx.InRegion(f.cfg, "eu-west-1"))
			theirs := `{"source":["aws.guardduty"]}`
			if _, err := client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(findingsRuleName), EventPattern: aws.String(theirs)}); err != nil {
				t.Fatal(err)
			}
			e := itemEngine("findings-rule")
			scope := ScopeRegion("eu-west-1")
			rep, err := e.Apply(ctx, f.spec, f.cfg, scope)
			if err != nil {
				t.Fatal(err)
			}
			resource := "rule/" + findingsRuleName
			ruleChange := func(changes []Change) Change {
				i := slices.IndexFunc(changes, func(c Change) bool { return c.Resource == resource })
				if i < 0 {
					t.Fatalf("no change of %s in %+v", resource, changes)
				}
				return changes[i]
			}
			if c := ruleChange(rep.Items[0].Changes); c.Action != tt.want {
				t.Fatalf("change = %s %q, want %s", c.Action, c.Detail, tt.want)
			}
			rule, err := client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(findingsRuleName)})
			if err != nil {
				t.Fatal(err)
			}
			if untouched := aws.ToString(rule.EventPattern) == theirs; untouched != (tt.want == Conflict) {
				t.Fatalf("pattern after apply = %s", aws.ToString(rule.EventPattern))
			}
			plan, err := e.Plan(ctx, f.spec, f.cfg, scope)
			if err != nil {
				t.Fatal(err)
			}
			if got := ruleChange(plan.Changes).Action; got != tt.after {
				t.Fatalf("plan after apply:\n%s", plan)
			}
		})
	}
}

// TestFindingsRuleRouteToRegion: per-region topics do not exist, so the
// profile's wish is reported and findings still go home.
func TestFindingsRuleRouteToRegion(t *testing.T) {
	f := newFixture(t)
	f.spec.Profile.Items.GuardDuty.RouteTo = "region"
	plan, err := itemEngine("findings-rule").Plan(context.Background(), f.spec, f.cfg, ScopeRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	if got["findings-rule route eu-west-1"] != Finding || got["findings-rule rule/"+findingsRuleName+" eu-west-1"] != Create {
		t.Fatalf("plan:\n%s", plan)
	}
}

// TestFindingsRuleKeepsWhatItCannotDeliver: a finding the rule could not
// deliver waits in a dead-letter queue of the rule's region, and the plan
// reports it: at home when the alerts topic shuts EventBridge out, in
// another region when the forwarder role may no longer put events home.
func TestFindingsRuleKeepsWhatItCannotDeliver(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	e := itemEngine("alerts-topic", "findings-forwarder-role", "guardduty", "findings-rule")
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(f.cfg).DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
		RoleName: aws.String("acme-findings-forwarder"), PolicyName: aws.String("forward-findings")}); err != nil {
		t.Fatal(err)
	}
	f.srv.SettleIAM()
	topic := alertsTopicARN(f.spec, "us-east-1")
	onlyTheAccount := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + f.member + ":root"}},
		Action: []string{"sns:Publish"}, Resource: []string{topic}}).JSON()
	if _, err := sns.NewFromConfig(f.cfg).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(onlyTheAccount)}); err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		if err := f.srv.RaiseGuardDutyFinding(f.member, region, 8, "Recon:IAMUser/MaliciousIPCaller"); err != nil {
			t.Fatal(err)
		}
	}

	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []deadLetterQueue{desiredAlertsDeadLetterQueue(f.spec), desiredFindingsDeadLetterQueue(f.spec, "eu-west-1")} {
		region := strings.Split(q.ARN, ":")[3]
		planned := region // the alerts queue is the global alerts-topic item's
		if region == "us-east-1" {
			planned = ""
		}
		found := false
		for _, c := range plan.Changes {
			found = found || (c.Action == Finding && c.Resource == "queue/"+q.Name && c.Region == planned && strings.Contains(c.Detail, "(1 waiting)"))
		}
		if !found {
			t.Errorf("the plan does not report the finding waiting in %s:\n%s", q.ARN, plan)
		}
		if got := f.srv.ReceiveAll(q.ARN); len(got) != 1 || !strings.Contains(got[0], `"region":"`+region+`"`) {
			t.Errorf("%s holds %v, want the %s finding", q.ARN, got, region)
		}
	}
}
