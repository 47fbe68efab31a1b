package attacks

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

// TestAttackSilenceTheAlertPath plays the people who may change a member
// account but must not be able to silence it: its operators and developers
// (whose profile grants the developer every service of the alert path),
// by their roles' own guard, and its administrator, under the
// protect-baseline SCP. Each tries every way of keeping what the account
// does from reaching anyone: stop, rewire or delete the trail, delete or
// rewrite a metric filter, the log group or its retention, an alarm or its actions,
// unsubscribe the central fan-in or take its dead-letter queue off it,
// empty, rewrite or delete the dead-letter queues of every governed region,
// rewrite or delete the alerts topic, switch off the GuardDuty findings
// rule or take the dead-letter queue off its target, delete, disable or lock the
// topic's and the trail's keys, or move a key's alias. The alert path must
// be as landfall left it after each of them.
func TestAttackSilenceTheAlertPath(t *testing.T) {
	o := newOrganization(t)
	fanIn := o.alertFanIn(t)
	cfg := *o.cfg
	cfg.Profiles = slices.Clone(cfg.Profiles)
	for i := range cfg.Profiles {
		roles := &cfg.Profiles[i].Items.HumanRoles
		roles.Operator = true
		roles.Developer.Services = []string{"cloudtrail", "cloudwatch", "events", "kms", "logs", "sns", "sqs"}
		// Every governed region, so one away from home has its findings queue.
		cfg.Profiles[i].Regions = nil
	}
	if err := o.apply(t, cfg, o.member); err != nil {
		t.Fatal(err)
	}
	fanIn.deliver(t) // the formatter confirms the member's subscription to the fan-in

	admin := o.adminOf(t, o.member)
	before := alertPathOf(t, admin, &cfg, o.member)
	if !strings.Contains(before, "fan-in subscription: confirmed, dead letters to {") || !strings.Contains(before, "alerts key: Enabled") ||
		!strings.Contains(before, "trail key: Enabled") || !strings.Contains(before, "logging true to arn:") ||
		!strings.Contains(before, "dead letters to arn:aws:sqs:eu-west-1:"+o.member+":"+cfg.FindingsDeadLetterQueueName()) {
		t.Fatalf("the baseline left no alert path to attack:\n%s", before)
	}
	people := o.adminOf(t, cfg.Organization.Identity.AccountID) // with MFA
	for _, role := range []string{"operator", "developer"} {
		t.Run(role, func(t *testing.T) {
			silence(t, awsx.AssumeRole(people, awsx.RoleARN(o.member, cfg.Naming.Prefix+"-"+role), "attacker"), &cfg, o.member)
			if after := alertPathOf(t, admin, &cfg, o.member); after != before {
				t.Errorf("the %s changed the alert path:\n%s\nwas\n%s", role, after, before)
			}
		})
	}
	o.applySCPs(t)
	t.Run("administrator under the SCP", func(t *testing.T) {
		silence(t, admin, &cfg, o.member)
		if after := alertPathOf(t, admin, &cfg, o.member); after != before {
			t.Errorf("the administrator changed the alert path:\n%s\nwas\n%s", after, before)
		}
	})
}

// silence tries, as who, every way of silencing the account, each of which
// must be refused.
func silence(t *testing.T, who aws.Config, cfg *config.Config, account string) {
	t.Helper()
	ctx := context.Background()
	group, topic := aws.String(cfg.TrailLogGroupName()), aws.String("arn:aws:sns:"+cfg.Organization.HomeRegion+":"+account+":"+cfg.AlertsTopicName())
	alarm := cfg.AlarmName("root-usage")
	rule := aws.String(cfg.FindingsRuleName())
	logs, cw, ev, k, topics := cloudwatchlogs.NewFromConfig(who), cloudwatch.NewFromConfig(who), eventbridge.NewFromConfig(who), kms.NewFromConfig(who), sns.NewFromConfig(who)
	trails := cloudtrail.NewFromConfig(who)
	refused := func(what string, err error) {
		t.Helper()
		if !isAccessDenied(err) {
			t.Errorf("%s: %v, want access denied", what, err)
		}
	}
	trail := aws.String(cfg.TrailName())
	_, err := trails.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: trail})
	refused("stopping the trail", err)
	_, err = trails.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: trail, CloudWatchLogsLogGroupArn: aws.String(""), CloudWatchLogsRoleArn: aws.String("")})
	refused("taking the trail off its log group", err)
	_, err = trails.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: trail})
	refused("deleting the trail", err)
	_, err = logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: group, FilterName: aws.String(alarm)})
	refused("deleting the root-usage metric filter", err)
	_, err = logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: group, FilterName: aws.String(alarm),
		FilterPattern: aws.String(`{ $.eventName = "never" }`), MetricTransformations: []logstypes.MetricTransformation{
			{MetricName: aws.String("RootAccountUsage"), MetricNamespace: aws.String("LandfallCIS"), MetricValue: aws.String("1")}}})
	refused("rewriting the root-usage metric filter", err)
	_, err = logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: group, RetentionInDays: aws.Int32(1)})
	refused("shortening the log group's retention", err)
	_, err = logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: group})
	refused("deleting the trail's log group", err)

	_, err = cw.DisableAlarmActions(ctx, &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{alarm}})
	refused("disabling the root-usage alarm's actions", err)
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(alarm), MetricName: aws.String("RootAccountUsage"),
		Namespace: aws.String("LandfallCIS"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1e9), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold})
	refused("rewriting the root-usage alarm without actions", err)
	_, err = cw.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"someone-elses", alarm}})
	refused("deleting the root-usage alarm among others", err)

	subs, err := topics.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topic})
	if err != nil {
		t.Fatalf("listing the alerts topic's subscriptions: %v", err)
	}
	for _, s := range subs.Subscriptions {
		if aws.ToString(s.SubscriptionArn) == "PendingConfirmation" {
			continue // no one can name it until it is confirmed
		}
		_, err = topics.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: s.SubscriptionArn})
		refused("unsubscribing "+aws.ToString(s.Endpoint), err)
		_, err = topics.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: s.SubscriptionArn,
			AttributeName: aws.String("RedrivePolicy"), AttributeValue: aws.String("")})
		refused("taking the dead-letter queue off "+aws.ToString(s.Endpoint), err)
	}
	for _, q := range deadLetterQueues(cfg) {
		queues := sqs.NewFromConfig(awsx.InRegion(who, q.region))
		dlq, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q.name)})
		if err != nil {
			t.Fatalf("finding the dead-letter queue %s in %s: %v", q.name, q.region, err)
		}
		_, err = queues.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: dlq.QueueUrl})
		refused("emptying "+q.name+" in "+q.region, err)
		_, err = queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: dlq.QueueUrl, Attributes: map[string]string{"MessageRetentionPeriod": "60"}})
		refused("shortening the retention of "+q.name+" in "+q.region, err)
		_, err = queues.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: dlq.QueueUrl})
		refused("deleting "+q.name+" in "+q.region, err)
	}
	_, err = topics.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic, AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"*"}]}`)})
	refused("rewriting the alerts topic's policy", err)
	_, err = topics.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: topic})
	refused("deleting the alerts topic", err)

	_, err = ev.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: rule})
	refused("disabling the findings rule", err)
	_, err = ev.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: rule, Ids: []string{"alerts"}})
	refused("removing the findings rule's target", err)
	_, err = ev.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: rule, Targets: []ebtypes.Target{{Id: aws.String("alerts"), Arn: topic}}})
	refused("taking the dead-letter queue off the findings rule's target", err)
	_, err = ev.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: rule})
	refused("deleting the findings rule", err)

	own, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("the attacker's")})
	if err != nil {
		t.Fatalf("creating a key of one's own: %v", err)
	}
	for _, alias := range []string{cfg.AlertsKeyAlias(), cfg.TrailKeyAlias()} {
		_, err = k.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: own.KeyMetadata.KeyId})
		refused("moving "+alias+" to another key", err)
		_, err = k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(alias), PolicyName: aws.String("default"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` +
				account + `:root"},"Action":"kms:*","Resource":"*"}]}`)})
		refused("rewriting the policy of "+alias, err)
		_, err = k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(alias)})
		refused("disabling "+alias, err)
		_, err = k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(alias), PendingWindowInDays: aws.Int32(7)})
		refused("scheduling the deletion of "+alias, err)
	}
}

// alertPathOf describes the alert path of who's account as its reads show
// it, so that any change an attack makes shows as a difference.
func alertPathOf(t *testing.T, who aws.Config, cfg *config.Config, account string) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	logs, cw, k, topics := cloudwatchlogs.NewFromConfig(who), cloudwatch.NewFromConfig(who), kms.NewFromConfig(who), sns.NewFromConfig(who)
	trails := cloudtrail.NewFromConfig(who)
	trail, err := trails.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(cfg.TrailName())})
	if err != nil {
		t.Fatalf("reading the trail: %v", err)
	}
	status, err := trails.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(cfg.TrailName())})
	if err != nil {
		t.Fatalf("reading the trail's status: %v", err)
	}
	line("trail %s: logging %v to %s", aws.ToString(trail.Trail.Name), aws.ToBool(status.IsLogging), aws.ToString(trail.Trail.CloudWatchLogsLogGroupArn))
	group := aws.String(cfg.TrailLogGroupName())
	filters, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: group})
	if err != nil {
		t.Fatalf("reading the metric filters: %v", err)
	}
	for _, f := range filters.MetricFilters {
		line("metric filter %s: %s", aws.ToString(f.FilterName), aws.ToString(f.FilterPattern))
	}
	groups, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: group})
	if err != nil {
		t.Fatalf("reading the log group: %v", err)
	}
	for _, g := range groups.LogGroups {
		line("log group %s: %d days, key %s", aws.ToString(g.LogGroupName), aws.ToInt32(g.RetentionInDays), aws.ToString(g.KmsKeyId))
	}
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(cfg.Naming.Prefix + "-")})
	if err != nil {
		t.Fatalf("reading the alarms: %v", err)
	}
	for _, a := range alarms.MetricAlarms {
		line("alarm %s: actions %v %v, threshold %v", aws.ToString(a.AlarmName), aws.ToBool(a.ActionsEnabled), a.AlarmActions, aws.ToFloat64(a.Threshold))
	}
	topic := aws.String("arn:aws:sns:" + cfg.Organization.HomeRegion + ":" + account + ":" + cfg.AlertsTopicName())
	attrs, err := topics.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: topic})
	if err != nil {
		t.Fatalf("reading the alerts topic: %v", err)
	}
	line("alerts topic policy: %s, key %s", attrs.Attributes["Policy"], attrs.Attributes["KmsMasterKeyId"])
	subs, err := topics.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topic})
	if err != nil {
		t.Fatalf("reading the alerts topic's subscriptions: %v", err)
	}
	for _, s := range subs.Subscriptions {
		state := "confirmed"
		if aws.ToString(s.SubscriptionArn) == "PendingConfirmation" {
			state = "pending"
		}
		what := "subscription " + aws.ToString(s.Endpoint)
		if aws.ToString(s.Protocol) == "sqs" && strings.HasSuffix(aws.ToString(s.Endpoint), ":"+cfg.AlertFanInQueueName()) {
			what = "fan-in subscription"
		}
		if state == "confirmed" {
			a, err := topics.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: s.SubscriptionArn})
			if err != nil {
				t.Fatalf("reading %s: %v", what, err)
			}
			state += ", dead letters to " + a.Attributes["RedrivePolicy"]
		}
		line("%s: %s", what, state)
	}
	for _, q := range deadLetterQueues(cfg) {
		queues := sqs.NewFromConfig(awsx.InRegion(who, q.region))
		dlq, err := queues.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q.name)})
		if err != nil {
			t.Fatalf("finding the dead-letter queue %s in %s: %v", q.name, q.region, err)
		}
		dlqAttrs, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: dlq.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{"Policy", "KmsMasterKeyId", "SqsManagedSseEnabled", "MessageRetentionPeriod"}})
		if err != nil {
			t.Fatalf("reading the dead-letter queue %s in %s: %v", q.name, q.region, err)
		}
		a := dlqAttrs.Attributes
		line("dead-letter queue %s in %s: policy %s, key %s, SSE-SQS %s, retention %s", q.name, q.region, a["Policy"], a["KmsMasterKeyId"],
			a["SqsManagedSseEnabled"], a["MessageRetentionPeriod"])
	}
	for _, region := range cfg.Organization.GovernedRegions {
		ev := eventbridge.NewFromConfig(awsx.InRegion(who, region))
		rule, err := ev.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(cfg.FindingsRuleName())})
		if err != nil {
			line("findings rule in %s: %v", region, err)
			continue
		}
		targets, err := ev.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rule.Name})
		if err != nil {
			t.Fatalf("reading the findings rule's targets: %v", err)
		}
		line("findings rule in %s: %s", region, rule.State)
		for _, tg := range targets.Targets {
			var dlq string
			if tg.DeadLetterConfig != nil {
				dlq = aws.ToString(tg.DeadLetterConfig.Arn)
			}
			line("  target %s: %s as %s, dead letters to %s", aws.ToString(tg.Id), aws.ToString(tg.Arn), aws.ToString(tg.RoleArn), dlq)
		}
	}
	for name, alias := range map[string]string{"alerts key": cfg.AlertsKeyAlias(), "trail key": cfg.TrailKeyAlias()} {
		key, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(alias)})
		if err != nil {
			t.Fatalf("reading %s: %v", alias, err)
		}
		policy, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: key.KeyMetadata.KeyId})
		if err != nil {
			t.Fatalf("reading the policy of %s: %v", alias, err)
		}
		line("%s: %s %s, policy %s", name, key.KeyMetadata.KeyState, aws.ToString(key.KeyMetadata.KeyId), aws.ToString(policy.Policy))
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

type regionalQueue struct{ name, region string }

// deadLetterQueues are the alert path's dead-letter queues: the alerts
// queue at home, a findings queue in every other governed region.
func deadLetterQueues(cfg *config.Config) []regionalQueue {
	home := cfg.Organization.HomeRegion
	out := []regionalQueue{{cfg.AlertsDeadLetterQueueName(), home}}
	for _, region := range cfg.Organization.GovernedRegions {
		if region != home {
			out = append(out, regionalQueue{cfg.FindingsDeadLetterQueueName(), region})
		}
	}
	return out
}
