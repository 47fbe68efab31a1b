package baseline

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
)

var confirmToken = regexp.MustCompile(`Token=([^&\s]+)`)

// confirmEmail confirms email's subscription to topic with the token from
// the confirmation email in the endpoint's outbox, as the recipient would.
func confirmEmail(t *testing.T, f *fixture, topic, email string) {
	t.Helper()
	for _, m := range f.srv.Outbox() {
		if m.Kind != "confirmation" || m.To != email || m.TopicARN != topic {
			continue
		}
		token := confirmToken.FindStringSubmatch(m.Body)
		if token == nil {
			t.Fatalf("no token in confirmation email: %s", m.Body)
		}
		if _, err := sns.NewFromConfig(f.cfg).ConfirmSubscription(context.Background(), &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(token[1])}); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no confirmation email to %s for %s", email, topic)
}

func TestAlertsTopic(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("alerts-topic")
	mustApplyGlobal(t, f, e, f.cfg)

	ctx := context.Background()
	client := sns.NewFromConfig(f.cfg)
	topic := alertsTopicARN(f.spec, "us-east-1")
	attrs, err := client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil || attrs.Attributes["KmsMasterKeyId"] != "alias/acme-alerts" ||
		!iamPoliciesEquivalent(attrs.Attributes["Policy"], desiredAlertsTopic(f.spec, "us-east-1").Policy.JSON()) {
		t.Fatalf("topic after apply: %v %+v", err, attrs)
	}
	keys := kms.NewFromConfig(f.cfg)
	key, err := findKeyByAlias(ctx, keys, "alias/acme-alerts")
	if err != nil {
		t.Fatal(err)
	}
	if rot, err := keys.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: key.KeyId}); err != nil || !rot.KeyRotationEnabled {
		t.Fatalf("key rotation: %v %+v", err, rot)
	}

	// Nobody has confirmed yet: both the email and the topic are findings.
	plan := mustPlan(t, f, e)
	fanIn := "subscription/sqs:arn:aws:sqs:us-east-1:" + mgmt + ":acme-alert-fanin"
	got := actions(plan)
	if got["alerts-topic subscription/email:secops@acme.example"] != Finding || got["alerts-topic "+fanIn] != Finding || plan.Count()[Finding] != 3 {
		t.Fatalf("before confirmation:\n%s", plan)
	}
	confirmEmail(t, f, topic, "secops@acme.example")
	plan = mustPlan(t, f, e)
	if actions(plan)["alerts-topic subscription/email:secops@acme.example"] != Unchanged || plan.Count()[Finding] != 1 {
		t.Fatalf("after confirmation:\n%s", plan)
	}

	// Drift: the subscription is removed, the policy reset, a stray address added.
	subs, err := findSubscriptionsByTopic(ctx, client, topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if aws.ToString(s.Endpoint) == "secops@acme.example" {
			if _, err := client.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: s.SubscriptionArn}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := client.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(newIAMPolicy(keyAdminStatement(f.member)).JSON())}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("old@acme.example")}); err != nil {
		t.Fatal(err)
	}
	confirmEmail(t, f, topic, "old@acme.example")
	plan = mustPlan(t, f, e)
	got = actions(plan)
	if got["alerts-topic subscription/email:secops@acme.example"] != Create || got["alerts-topic subscription/email:old@acme.example"] != Delete ||
		got["alerts-topic topic/acme-alerts"] != Update || plan.Count()[Update]+plan.Count()[Create]+plan.Count()[Delete] != 3 {
		t.Fatalf("after drift:\n%s", plan)
	}
	for _, c := range plan.Changes {
		if c.Resource == "topic/acme-alerts" && c.Action == Update && (len(c.Diffs) != 1 || c.Diffs[0].Field != "Policy") {
			t.Fatalf("topic diffs = %+v", c.Diffs)
		}
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if again := mustPlan(t, f, e); again.HasChanges() {
		t.Fatalf("after repair:\n%s", again)
	}
}

func TestAlertsTopicOwnership(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	client := sns.NewFromConfig(f.cfg)
	if _, err := client.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("acme-alerts")}); err != nil {
		t.Fatal(err)
	}
	e := itemEngine("alerts-topic")
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	plan := mustPlan(t, f, e)
	topic := alertsTopicARN(f.spec, "us-east-1")
	if actions(plan)["alerts-topic topic/acme-alerts"] != Conflict {
		t.Fatalf("unowned topic:\n%s", plan)
	}
	if subs, err := findSubscriptionsByTopic(ctx, client, topic); err != nil || len(subs) != 0 {
		t.Fatalf("unowned topic was subscribed: %v %+v", err, subs)
	}
	if tags, err := findTopicTags(ctx, client, topic); err != nil || Owned(tags) {
		t.Fatalf("unowned topic was tagged: %v %v", err, tags)
	}

	adopt := *f.spec.Profile
	adopt.Adopt = true
	f.spec.Profile = &adopt
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if tags, err := findTopicTags(ctx, client, topic); err != nil || !Owned(tags) {
		t.Fatalf("adopted topic not tagged: %v %v", err, tags)
	}
	if again := mustPlan(t, f, e); again.HasChanges() {
		t.Fatalf("after adopting:\n%s", again)
	}
}

func mustPlan(t *testing.T, f *fixture, e *Engine) Plan {
	t.Helper()
	plan, err := e.Plan(context.Background(), f.spec, f.cfg, ScopeGlobal)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestAlertsTopicFanInMoves changes notifications.centralAlerts from the
// management account to the security account after an account was
// baselined: the next run subscribes the new queue and removes the old
// subscription, so alerts are not delivered twice.
func TestAlertsTopicFanInMoves(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const security = "999988887777"
	queues := map[string]string{} // account -> queue ARN
	for _, account := range []string{mgmt, security} {
		arn := "arn:aws:sqs:us-east-1:" + account + ":acme-alert-fanin"
		policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`
		owner := mustConfig(t, f.url, f.srv.AdminCredentials(account))
		if _, err := sqs.NewFromConfig(owner).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("acme-alert-fanin"), Attributes: map[string]string{"Policy": policy}}); err != nil {
			t.Fatal(err)
		}
		queues[account] = arn
	}
	e := itemEngine("alerts-topic")
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	// The management account's formatter confirms the subscription.
	topic := alertsTopicARN(f.spec, "us-east-1")
	confirmFromQueue(t, f, queues[mgmt])

	moved := *f.spec.Config
	moved.Organization.SecurityAccountID = security
	moved.Notifications.CentralAlerts = config.CentralAlertsSecurity
	f.spec.Config = &moved
	plan := mustPlan(t, f, e)
	got := actions(plan)
	old, next := "alerts-topic subscription/sqs:"+queues[mgmt], "alerts-topic subscription/sqs:"+queues[security]
	if got[old] != Delete || got[next] != Create {
		t.Fatalf("after the move, want the old fan-in unsubscribed and the new one subscribed:\n%s", plan)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	confirmFromQueue(t, f, queues[security])
	subs, err := findSubscriptionsByTopic(ctx, sns.NewFromConfig(f.cfg), topic)
	if err != nil {
		t.Fatal(err)
	}
	var sqsEndpoints []string
	for _, s := range subs {
		if aws.ToString(s.Protocol) == "sqs" {
			sqsEndpoints = append(sqsEndpoints, aws.ToString(s.Endpoint))
		}
	}
	if len(sqsEndpoints) != 1 || sqsEndpoints[0] != queues[security] {
		t.Fatalf("queue subscriptions after the move = %v, want only %s", sqsEndpoints, queues[security])
	}
	if again := mustPlan(t, f, e); actions(again)[next] != Unchanged || again.Count()[Update]+again.Count()[Create] != 0 {
		t.Fatalf("after the move was applied:\n%s", again)
	}
}

// confirmFromQueue confirms the subscription whose confirmation message
// waits on a fan-in queue, as the formatter does.
func confirmFromQueue(t *testing.T, f *fixture, queueARN string) {
	t.Helper()
	for _, body := range f.srv.ReceiveAll(queueARN) {
		var m struct{ Type, TopicArn, Token string }
		if json.Unmarshal([]byte(body), &m) != nil || m.Type != "SubscriptionConfirmation" {
			continue
		}
		if _, err := sns.NewFromConfig(f.cfg).ConfirmSubscription(context.Background(), &sns.ConfirmSubscriptionInput{TopicArn: aws.String(m.TopicArn), Token: aws.String(m.Token)}); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("no subscription confirmation on %s", queueARN)
}

// The topic and key the baseline writes admit the services that publish
// alerts, with the condition keys those services really send: an alarm
// an EventBridge rule and the budget of the account reach the subscribed
// email through the encrypted topic.
func TestAlertsTopicAdmitsItsPublishers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := itemEngine("alerts-topic", "budget").Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	topic := alertsTopicARN(f.spec, "us-east-1")
	confirmEmail(t, f, topic, "secops@acme.example")

	cw := cloudwatch.NewFromConfig(f.cfg)
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("probe"), Namespace: aws.String("Probe"),
		MetricName: aws.String("Errors"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, AlarmActions: []string{topic}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("probe"), StateValue: cwtypes.StateValueAlarm,
		StateReason: aws.String("probe")}); err != nil {
		t.Fatal(err)
	}
	eb := eventbridge.NewFromConfig(f.cfg)
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("probe"), EventPattern: aws.String(`{"source":["probe"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("probe"), Targets: []ebtypes.Target{{Id: aws.String("alerts"), Arn: aws.String(topic)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("probe"), DetailType: aws.String("probe"), Detail: aws.String("{}")}}}); err != nil {
		t.Fatal(err)
	}
	// The budget's limit is 100 USD: 85 crosses its 80 % alert.
	if err := f.srv.SetBudgetSpend(f.member, "acme-monthly", 85, 90); err != nil {
		t.Fatal(err)
	}
	var from []string
	for _, m := range f.srv.Outbox() {
		if m.Kind == "notification" && m.TopicARN == topic {
			from = append(from, m.Subject)
		}
	}
	if len(from) != 3 {
		for _, d := range f.srv.DeliveredEvents(f.member) {
			t.Logf("delivery: %+v", d)
		}
		t.Fatalf("notifications through the alerts topic: %q, want the alarm's, the rule's and the budget's", from)
	}
}

// The fan-in queue's owner confirms the topic's subscription with a signed
// call from its own account: the topic admits the formatter's role for
// that, and no other role of the fan-in account.
func TestAlertsTopicLetsOnlyTheFormatterConfirm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	queue, err := sqs.NewFromConfig(admin).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(f.spec.Config.AlertFanInQueueName()),
		Attributes: map[string]string{"Policy": newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"Service": {"sns.amazonaws.com"}},
			Action: []string{"sqs:SendMessage"}, Resource: []string{"*"}}).JSON()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := itemEngine("alerts-topic").Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	topic := alertsTopicARN(f.spec, "us-east-1")
	var token string
	for _, body := range f.srv.ReceiveAll("arn:aws:sqs:us-east-1:" + mgmt + ":" + f.spec.Config.AlertFanInQueueName()) {
		var m struct{ Type, TopicArn, Token string }
		if json.Unmarshal([]byte(body), &m) == nil && m.Type == "SubscriptionConfirmation" && m.TopicArn == topic {
			token = m.Token
		}
	}
	if token == "" {
		t.Fatalf("no subscription confirmation in the fan-in queue %s", aws.ToString(queue.QueueUrl))
	}
	confirm := func(path, name string) error {
		t.Helper()
		trust := newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"AWS": {"arn:aws:iam::" + mgmt + ":root"}}, Action: []string{"sts:AssumeRole"}})
		allow := newIAMPolicy(iamStatement{Effect: "Allow", Action: []string{"sns:ConfirmSubscription"}, Resource: []string{"arn:aws:sns:*:*:acme-alerts"}})
		roles := iam.NewFromConfig(admin)
		role, err := roles.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(trust.JSON())})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := roles.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("confirm"), PolicyDocument: aws.String(allow.JSON())}); err != nil {
			t.Fatal(err)
		}
		f.srv.SettleIAM() // the test's roles stand for ones made long before
		as := awsx.AssumeRole(admin, aws.ToString(role.Role.Arn), "probe")
		_, err = sns.NewFromConfig(as).ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(token),
			AuthenticateOnUnsubscribe: aws.String("true")})
		return err
	}
	// The denial is worded as AWS words it; SNS's own error code is the
	// endpoint's to settle, so only the wording is checked here.
	if err := confirm("/", "acme-other"); err == nil || !strings.Contains(strings.ToLower(err.Error()), "is not authorized to perform: sns:confirmsubscription") {
		t.Fatalf("another role of the fan-in account confirming: err = %v, want a denial", err)
	}
	if err := confirm(f.spec.Config.AlertFormatterRolePath(), f.spec.Config.AlertFormatterRoleName()); err != nil {
		t.Fatalf("the formatter's role confirming: %v", err)
	}
}

// An alert the topic cannot deliver to the fan-in (its queue's policy no
// longer admits SNS) is kept in the account's dead-letter queue, whose
// alarm tells the topic's other subscribers, and every plan reports it.
// A subscription whose dead-letter queue was taken off gets it back.
func TestAlertsTopicKeepsWhatTheFanInRefuses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fanIn := "arn:aws:sqs:us-east-1:" + mgmt + ":" + f.spec.Config.AlertFanInQueueName()
	admitting := func(topic string) string {
		return newIAMPolicy(iamStatement{Effect: "Allow", Principal: map[string][]string{"Service": {"sns.amazonaws.com"}},
			Action: []string{"sqs:SendMessage"}, Resource: []string{fanIn},
			Condition: map[string]map[string][]string{"ArnLike": {"aws:SourceArn": {topic}}}}).JSON()
	}
	central := sqs.NewFromConfig(mustConfig(t, f.url, f.srv.AdminCredentials(mgmt)))
	queue, err := central.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(f.spec.Config.AlertFanInQueueName()),
		Attributes: map[string]string{"Policy": admitting("arn:aws:sns:*:*:acme-alerts")}})
	if err != nil {
		t.Fatal(err)
	}
	e := itemEngine("alerts-topic")
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	topic := alertsTopicARN(f.spec, "us-east-1")
	confirmFromQueue(t, f, fanIn)
	confirmEmail(t, f, topic, "secops@acme.example")
	if plan := mustPlan(t, f, e); plan.HasChanges() {
		t.Fatalf("once confirmed, the subscription gets its dead-letter queue:\n%s", plan)
	}
	if again := mustPlan(t, f, e); again.HasChanges() {
		t.Fatalf("after the dead-letter queue was set:\n%s", again)
	}
	dlq := desiredAlertsDeadLetterQueue(f.spec)
	publish := func(message string) {
		t.Helper()
		if _, err := sns.NewFromConfig(f.cfg).Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(message)}); err != nil {
			t.Fatal(err)
		}
	}
	publish("delivered")
	if got := f.srv.ReceiveAll(fanIn); len(got) != 1 {
		t.Fatalf("the fan-in got %d messages, want the alert", len(got))
	}
	if got := f.srv.ReceiveAll(dlq.ARN); len(got) != 0 {
		t.Fatalf("the dead-letter queue got %v while the fan-in took the alert", got)
	}

	// The fan-in's owner (or someone who may change its policy) shuts this
	// account's topic out.
	if _, err := central.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: queue.QueueUrl,
		Attributes: map[string]string{"Policy": admitting("arn:aws:sns:*:*:another-topic")}}); err != nil {
		t.Fatal(err)
	}
	publish("refused by the fan-in")
	plan := mustPlan(t, f, e)
	var found bool
	for _, c := range plan.Changes {
		// The refused alert and the alarm's own notification, which the
		// fan-in refuses too.
		found = found || (c.Action == Finding && c.Resource == "queue/"+dlq.Name && strings.Contains(c.Detail, "(2 waiting)"))
	}
	if !found {
		t.Fatalf("the plan does not report the alert waiting in %s:\n%s", dlq.Name, plan)
	}
	var alarmed bool
	for _, m := range f.srv.Outbox() {
		alarmed = alarmed || (m.Kind == "notification" && m.To == "secops@acme.example" && strings.Contains(m.Subject, "acme-alerts-dead-letters"))
	}
	if !alarmed {
		t.Fatal("the alarm on the dead-letter queue did not reach the topic's email subscriber")
	}
	got := f.srv.ReceiveAll(dlq.ARN)
	if len(got) != 2 || !strings.Contains(got[0], "refused by the fan-in") || !strings.Contains(got[1], "acme-alerts-dead-letters") {
		t.Fatalf("the dead-letter queue holds %v, want the refused alert", got)
	}

	// Someone takes the dead-letter queue off the subscription: the next
	// run puts it back.
	subs, err := findSubscriptionsByTopic(ctx, sns.NewFromConfig(f.cfg), topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		if aws.ToString(s.Endpoint) != fanIn {
			continue
		}
		if _, err := sns.NewFromConfig(f.cfg).SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: s.SubscriptionArn,
			AttributeName: aws.String("RedrivePolicy"), AttributeValue: aws.String("")}); err != nil {
			t.Fatal(err)
		}
	}
	if got := actions(mustPlan(t, f, e))["alerts-topic subscription/sqs:"+fanIn]; got != Update {
		t.Fatalf("the fan-in subscription without its dead-letter queue plans %s, want update", got)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	publish("refused again")
	if got := f.srv.ReceiveAll(dlq.ARN); len(got) != 1 {
		t.Fatalf("after the repair the dead-letter queue holds %v, want the refused alert", got)
	}
}
