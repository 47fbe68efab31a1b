package awslocal

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const rootLoginPattern = `{"source":["landfall.test"],"detail":{"severity":[{"numeric":[">",5]}]}}`

func ebClient(t *testing.T, s *Server, u, account string) *eventbridge.Client {
	return eventbridge.NewFromConfig(sdkConfig(t, s, u, account, "us-east-1"))
}

func TestEventsRules(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ebClient(t, s, u, mgmt)

	put, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("alerts"), EventPattern: aws.String(rootLoginPattern),
		Description: aws.String("high severity"), Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	mustNoErr(t, err)
	if aws.ToString(put.RuleArn) != "arn:aws:events:us-east-1:"+mgmt+":rule/alerts" {
		t.Fatalf("RuleArn = %s", aws.ToString(put.RuleArn))
	}
	d, err := c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("alerts")})
	mustNoErr(t, err)
	if d.State != ebtypes.RuleStateEnabled || aws.ToString(d.EventPattern) != rootLoginPattern || aws.ToString(d.Description) != "high severity" {
		t.Fatalf("DescribeRule = %+v", d)
	}
	mustNoErr(t, errOf(c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("alerts")})))
	d, err = c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("alerts")})
	mustNoErr(t, err)
	if d.State != ebtypes.RuleStateDisabled {
		t.Fatalf("state after DisableRule = %s", d.State)
	}
	mustNoErr(t, errOf(c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("alerts")})))

	tags, err := c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: put.RuleArn})
	mustNoErr(t, err)
	if len(tags.Tags) != 1 {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	mustNoErr(t, errOf(c.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: put.RuleArn, Tags: []ebtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})))
	tags, err = c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: put.RuleArn})
	mustNoErr(t, err)
	if len(tags.Tags) != 2 {
		t.Fatalf("tags after TagResource = %+v", tags.Tags)
	}

	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"invalid pattern", errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventPattern: aws.String(`{"source":"not-an-array"}`)})), "InvalidEventPatternException"},
		{"no pattern or schedule", errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x")})), "ValidationException"},
		{"plural rate of one", errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), ScheduleExpression: aws.String("rate(1 minutes)")})), "ValidationException"},
		{"cron without ?", errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), ScheduleExpression: aws.String("cron(0 12 * * * *)")})), "ValidationException"},
		{"bad name", errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("no spaces"), EventPattern: aws.String(rootLoginPattern)})), "ValidationException"},
		{"unknown bus", errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("x"), EventPattern: aws.String(rootLoginPattern), EventBusName: aws.String("custom")})), "ResourceNotFoundException"},
		{"describe missing", errOf(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("missing")})), "ResourceNotFoundException"},
		{"enable missing", errOf(c.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("missing")})), "ResourceNotFoundException"},
		{"tags of missing", errOf(c.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:events:us-east-1:" + mgmt + ":rule/missing")})), "ResourceNotFoundException"},
		{"bad next token", errOf(c.ListRules(ctx, &eventbridge.ListRulesInput{NextToken: aws.String("bogus")})), "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}
	mustNoErr(t, errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("nightly"), ScheduleExpression: aws.String("cron(0 3 * * ? *)")})))

	// A rule with targets cannot be deleted; deleting a missing rule succeeds.
	mustNoErr(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("alerts"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:" + mgmt + ":q")}}})))
	wantCode(t, errOf(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("alerts")})), "ValidationException")
	mustNoErr(t, errOf(c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("alerts"), Ids: []string{"q"}})))
	mustNoErr(t, errOf(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("alerts")})))
	mustNoErr(t, errOf(c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("alerts")})))
	wantCode(t, errOf(c.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("alerts")})), "ResourceNotFoundException")
}

func TestEventsListRulesPagesByPrefixAndAccount(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ebClient(t, s, u, mgmt)
	for _, n := range []string{"landfall-1", "landfall-2", "landfall-3", "landfall-4", "landfall-5", "landfall-6", "other"} {
		mustNoErr(t, errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(n), EventPattern: aws.String(rootLoginPattern)})))
	}
	var names []string
	pages := 0
	for in := (&eventbridge.ListRulesInput{NamePrefix: aws.String("landfall-")}); ; {
		out, err := c.ListRules(ctx, in)
		mustNoErr(t, err)
		pages++
		for _, r := range out.Rules {
			names = append(names, aws.ToString(r.Name))
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	if pages != 2 || len(names) != 6 {
		t.Fatalf("%d pages: %v", pages, names)
	}
	out, err := ebClient(t, s, u, peerAccount).ListRules(ctx, &eventbridge.ListRulesInput{})
	mustNoErr(t, err)
	if len(out.Rules) != 0 {
		t.Fatalf("another account sees %d rules", len(out.Rules))
	}
}

func TestEventsTargets(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ebClient(t, s, u, mgmt)
	mustNoErr(t, errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventPattern: aws.String(rootLoginPattern)})))
	queue := func(n string) *string { return aws.String("arn:aws:sqs:us-east-1:" + mgmt + ":" + n) }
	out, err := c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("a"), Arn: queue("a"), Input: aws.String(`{"k":1}`)},
		{Id: aws.String("b"), Arn: queue("b"), InputPath: aws.String("$.detail")},
		{Id: aws.String("c"), Arn: queue("c"), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: queue("dlq")},
			RetryPolicy: &ebtypes.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(3600)}},
	}})
	mustNoErr(t, err)
	if out.FailedEntryCount != 0 {
		t.Fatalf("FailedEntryCount = %d", out.FailedEntryCount)
	}
	var ids []string
	for in := (&eventbridge.ListTargetsByRuleInput{Rule: aws.String("r"), Limit: aws.Int32(2)}); ; {
		page, err := c.ListTargetsByRule(ctx, in)
		mustNoErr(t, err)
		for _, tg := range page.Targets {
			ids = append(ids, aws.ToString(tg.Id))
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if strings.Join(ids, ",") != "a,b,c" {
		t.Fatalf("targets = %v", ids)
	}

	for _, tc := range []struct {
		name   string
		target ebtypes.Target
		code   string
	}{
		{"state machine without role", ebtypes.Target{Id: aws.String("sfn"), Arn: aws.String("arn:aws:states:us-east-1:" + mgmt + ":stateMachine:m")}, "ValidationException"},
		{"two inputs", ebtypes.Target{Id: aws.String("x"), Arn: queue("x"), Input: aws.String("{}"), InputPath: aws.String("$.detail")}, "ValidationException"},
		{"input not JSON", ebtypes.Target{Id: aws.String("x"), Arn: queue("x"), Input: aws.String("{")}, "ValidationException"},
		{"bad input path", ebtypes.Target{Id: aws.String("x"), Arn: queue("x"), InputPath: aws.String("detail")}, "ValidationException"},
		{"not an ARN", ebtypes.Target{Id: aws.String("x"), Arn: aws.String("queue")}, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{tc.target}})), tc.code)
		})
	}
	wantCode(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("missing"), Targets: []ebtypes.Target{{Id: aws.String("a"), Arn: queue("a")}}})), "ResourceNotFoundException")
	wantCode(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{
		{Id: aws.String("d"), Arn: queue("d")}, {Id: aws.String("e"), Arn: queue("e")}, {Id: aws.String("f"), Arn: queue("f")}}})), "LimitExceededException")
}

// eventsQueuePolicy lets EventBridge rules of account send to the queue.
func eventsQueuePolicy(queueARN, account string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage",` +
		`"Resource":"` + queueARN + `","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:events:us-east-1:` + account + `:rule/*"}}}]}`
}

func TestEventsPutEventsDeliversToTargets(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ebClient(t, s, u, mgmt)
	q := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, queueARN := mustQueue(t, q, "alerts", nil)
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u + "/" + mgmt + "/alerts"),
		Attributes: map[string]string{"Policy": eventsQueuePolicy(queueARN, mgmt)}})))
	_, closedARN := mustQueue(t, q, "closed", nil) // no policy: EventBridge may not send
	topic := mustTopic(t, snsClient(t, s, u, mgmt), "alerts", nil)

	type call struct {
		arn   string
		input string
	}
	var calls []call
	s.OnTarget(func(arn string, input []byte) { calls = append(calls, call{arn, string(input)}) })
	machine := "arn:aws:states:us-east-1:" + mgmt + ":stateMachine:baseline"
	starter := serviceRole(t, sdkConfig(t, s, u, mgmt, "us-east-1"), "events", "events.amazonaws.com",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"states:StartExecution","Resource":"`+machine+`"}]}`)
	mustNoErr(t, errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("severe"), EventPattern: aws.String(rootLoginPattern)})))
	mustNoErr(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("severe"), Targets: []ebtypes.Target{
		{Id: aws.String("queue"), Arn: aws.String(queueARN), InputPath: aws.String("$.detail")},
		{Id: aws.String("closed"), Arn: aws.String(closedARN)},
		{Id: aws.String("topic"), Arn: aws.String(topic)},
		{Id: aws.String("machine"), Arn: aws.String(machine), RoleArn: aws.String(starter),
			InputTransformer: &ebtypes.InputTransformer{
				InputPathsMap: map[string]string{"who": "$.detail.user", "sev": "$.detail.severity", "gone": "$.detail.nothing"},
				InputTemplate: aws.String(`{"user": <who>, "severity": <sev>, "text": "<who> at <sev>", "missing": <gone>, "rule": "<aws.events.rule-name>"}`),
			}},
	}})))

	out, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("landfall.test"), DetailType: aws.String("Root login"), Detail: aws.String(`{"severity":8,"user":"root"}`)},
		{Source: aws.String("landfall.test"), DetailType: aws.String("Root login"), Detail: aws.String(`{"severity":2,"user":"root"}`)},
		{Source: aws.String("aws.signin"), DetailType: aws.String("Root login"), Detail: aws.String(`{}`)},
		{Source: aws.String("landfall.test"), DetailType: aws.String("Root login"), Detail: aws.String(`not json`)},
	}})
	mustNoErr(t, err)
	if out.FailedEntryCount != 2 || aws.ToString(out.Entries[0].EventId) == "" ||
		aws.ToString(out.Entries[2].ErrorCode) != "NotAuthorizedForSourceException" || aws.ToString(out.Entries[3].ErrorCode) != "MalformedDetail" {
		t.Fatalf("PutEvents = %d failed, entries %+v", out.FailedEntryCount, out.Entries)
	}

	if got := s.ReceiveAll(queueARN); len(got) != 1 || got[0] != `{"severity":8,"user":"root"}` {
		t.Fatalf("queue got %v", got)
	}
	if len(calls) != 1 || calls[0].arn != machine {
		t.Fatalf("OnTarget calls = %+v", calls)
	}
	var in map[string]any
	mustNoErr(t, json.Unmarshal([]byte(calls[0].input), &in))
	if in["user"] != "root" || in["severity"] != float64(8) || in["text"] != "root at 8" || in["missing"] != nil || in["rule"] != "severe" {
		t.Fatalf("transformed input = %s", calls[0].input)
	}

	errs := map[string]bool{}
	for _, d := range s.DeliveredEvents(mgmt) {
		errs[d.Target] = d.Error != ""
	}
	// The topic and the closed queue have no policy admitting EventBridge.
	want := map[string]bool{queueARN: false, closedARN: true, topic: true, machine: false}
	for arn, failed := range want {
		if errs[arn] != failed {
			t.Errorf("delivery to %s failed=%v, want %v", arn, errs[arn], failed)
		}
	}
	if len(s.DeliveredEvents(peerAccount)) != 0 {
		t.Fatal("deliveries recorded for an uninvolved account")
	}
}

func TestEventsCrossAccountBusNeedsPermission(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	central := ebClient(t, s, u, mgmt)
	member := ebClient(t, s, u, peerAccount)
	q := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, queueARN := mustQueue(t, q, "central", nil)
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u + "/" + mgmt + "/central"),
		Attributes: map[string]string{"Policy": eventsQueuePolicy(queueARN, mgmt)}})))

	mustNoErr(t, errOf(central.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("collect"), EventPattern: aws.String(`{"account":["` + peerAccount + `"]}`)})))
	mustNoErr(t, errOf(central.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("collect"), Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}})))
	mustNoErr(t, errOf(member.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("forward"), EventPattern: aws.String(rootLoginPattern)})))
	// The member forwards as a role that may put events on the central bus,
	// which the bus policy must admit too.
	forwarder := serviceRole(t, sdkConfig(t, s, u, peerAccount, "us-east-1"), "forward", "events.amazonaws.com",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"`+busARN("us-east-1", mgmt)+`"}]}`)
	mustNoErr(t, errOf(member.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("forward"), Targets: []ebtypes.Target{
		{Id: aws.String("bus"), Arn: aws.String(busARN("us-east-1", mgmt)), RoleArn: aws.String(forwarder)}}})))
	// A target without a role forwards as the member account itself.
	mustNoErr(t, errOf(member.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("forward-as-account"), EventPattern: aws.String(rootLoginPattern)})))
	mustNoErr(t, errOf(member.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("forward-as-account"), Targets: []ebtypes.Target{
		{Id: aws.String("bus"), Arn: aws.String(busARN("us-east-1", mgmt))}}})))
	send := func() {
		t.Helper()
		mustNoErr(t, errOf(member.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("landfall.test"), DetailType: aws.String("Root login"), Detail: aws.String(`{"severity":9}`)}}})))
	}

	send()
	if got := s.ReceiveAll(queueARN); len(got) != 0 {
		t.Fatalf("forwarded without a bus policy: %v", got)
	}
	mustNoErr(t, errOf(central.PutPermission(ctx, &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"), Principal: aws.String(peerAccount), StatementId: aws.String("member")})))
	wantCode(t, errOf(central.PutPermission(ctx, &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"), Principal: aws.String(peerAccount), StatementId: aws.String("member")})), "ResourceAlreadyExistsException")
	wantCode(t, errOf(central.PutPermission(ctx, &eventbridge.PutPermissionInput{Action: aws.String("events:PutEvents"), Principal: aws.String("someone"), StatementId: aws.String("bad")})), "ValidationException")
	bus, err := central.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	mustNoErr(t, err)
	if !strings.Contains(aws.ToString(bus.Policy), "arn:aws:iam::"+peerAccount+":root") || aws.ToString(bus.Arn) != busARN("us-east-1", mgmt) {
		t.Fatalf("DescribeEventBus = %+v", bus)
	}

	send()
	got := s.ReceiveAll(queueARN)
	if len(got) != 2 {
		t.Fatalf("central queue got %d events, want one by each rule", len(got))
	}
	var ev map[string]any
	mustNoErr(t, json.Unmarshal([]byte(got[0]), &ev))
	if ev["account"] != peerAccount || ev["source"] != "landfall.test" {
		t.Fatalf("forwarded event = %s", got[0])
	}
}

func TestEventsScheduledRuleFiresOnTheClock(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	c := ebClient(t, s, u, mgmt)
	var inputs []string
	s.OnTarget(func(_ string, input []byte) { inputs = append(inputs, string(input)) })
	mustNoErr(t, errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("drift"), ScheduleExpression: aws.String("rate(5 minutes)")})))
	mustNoErr(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("drift"), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String("arn:aws:lambda:us-east-1:" + mgmt + ":function:drift")}}})))

	for _, step := range []struct {
		advance time.Duration
		want    int
	}{{4 * time.Minute, 0}, {time.Minute, 1}, {5 * time.Minute, 2}} {
		clk.advance(step.advance)
		s.Tick()
		if len(inputs) != step.want {
			t.Fatalf("after %v: %d firings, want %d", step.advance, len(inputs), step.want)
		}
	}
	var ev map[string]any
	mustNoErr(t, json.Unmarshal([]byte(inputs[0]), &ev))
	if ev["detail-type"] != "Scheduled Event" || ev["source"] != "aws.events" {
		t.Fatalf("scheduled event = %s", inputs[0])
	}
	mustNoErr(t, errOf(c.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("drift")})))
	clk.advance(10 * time.Minute)
	s.Tick()
	if len(inputs) != 2 {
		t.Fatalf("disabled rule fired: %d", len(inputs))
	}
}

func TestEventsServiceEventsAndTestEventPattern(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := ebClient(t, s, u, mgmt)
	topic := mustTopic(t, snsClient(t, s, u, mgmt), "org", nil)
	mustNoErr(t, errOf(snsClient(t, s, u, mgmt).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `"}]}`)})))
	pattern := `{"source":["aws.organizations"],"detail":{"eventName":["CreateAccountResult"]}}`
	mustNoErr(t, errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("accounts"), EventPattern: aws.String(pattern)})))
	mustNoErr(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("accounts"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String(topic)}}})))

	s.mu.Lock()
	s.emitServiceEvent(mgmt, "us-east-1", "aws.organizations", "AWS Service Event via CloudTrail", doc{"eventName": "CreateAccountResult"})
	s.mu.Unlock()
	delivered := s.DeliveredEvents(mgmt)
	if len(delivered) != 1 || delivered[0].Error != "" || !strings.Contains(delivered[0].Input, `"CreateAccountResult"`) {
		t.Fatalf("service event deliveries = %+v", delivered)
	}

	event := `{"id":"1","account":"` + mgmt + `","source":"aws.organizations","time":"2026-11-23T12:00:00Z","region":"us-east-1","resources":[],"detail-type":"x","detail":{"eventName":"CreateAccountResult"}}`
	for _, tc := range []struct {
		name, pattern, event string
		want                 bool
		code                 string
	}{
		{"match", pattern, event, true, ""},
		{"no match", `{"source":["aws.s3"]}`, event, false, ""},
		{"invalid pattern", `{"source":[{"prefix":1}]}`, event, false, "InvalidEventPatternException"},
		{"event missing fields", pattern, `{"source":"aws.organizations"}`, false, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(tc.pattern), Event: aws.String(tc.event)})
			if tc.code != "" {
				wantCode(t, err, tc.code)
				return
			}
			mustNoErr(t, err)
			if out.Result != tc.want {
				t.Fatalf("Result = %v, want %v", out.Result, tc.want)
			}
		})
	}
}

// TestEventsTargetsInAnotherRegion: a rule delivers only to targets in its
// own region, except an event bus, which it reaches through a role.
func TestEventsTargetsInAnotherRegion(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	home := sdkConfig(t, s, u, mgmt, "us-east-1")
	q := sqs.NewFromConfig(home)
	queueURL, queueARN := mustQueue(t, q, "alerts", nil)
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL), Attributes: map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `"}]}`}})))
	topic := mustTopic(t, sns.NewFromConfig(home), "alerts", map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"*"}]}`})
	homeBus := busARN("us-east-1", mgmt)
	forwarder := serviceRole(t, home, "forward", "events.amazonaws.com",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"`+homeBus+`"}]}`)
	rule := func(c *eventbridge.Client, name string, targets ...ebtypes.Target) {
		t.Helper()
		mustNoErr(t, errOf(c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventPattern: aws.String(rootLoginPattern)})))
		mustNoErr(t, errOf(c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), Targets: targets})))
	}
	rule(eventbridge.NewFromConfig(home), "collect", ebtypes.Target{Id: aws.String("queue"), Arn: aws.String(queueARN)})
	away := eventbridge.NewFromConfig(sdkConfig(t, s, u, mgmt, "eu-west-1"))
	rule(away, "direct",
		ebtypes.Target{Id: aws.String("topic"), Arn: aws.String(topic)},
		ebtypes.Target{Id: aws.String("queue"), Arn: aws.String(queueARN)},
		ebtypes.Target{Id: aws.String("bus"), Arn: aws.String(homeBus)})
	rule(away, "forward", ebtypes.Target{Id: aws.String("bus"), Arn: aws.String(homeBus), RoleArn: aws.String(forwarder)})

	mustNoErr(t, errOf(away.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("landfall.test"), DetailType: aws.String("Root login"), Detail: aws.String(`{"severity":9}`)}}})))

	failed := map[string]bool{}
	for _, d := range s.DeliveredEvents(mgmt) {
		failed[d.Rule[strings.LastIndex(d.Rule, "/")+1:]+" "+d.Target] = d.Error != ""
	}
	want := map[string]bool{"direct " + topic: true, "direct " + queueARN: true, "direct " + homeBus: true, "forward " + homeBus: false, "collect " + queueARN: false}
	if !maps.Equal(failed, want) {
		t.Fatalf("failed deliveries = %v, want %v", failed, want)
	}
	got := s.ReceiveAll(queueARN)
	if len(got) != 1 || !strings.Contains(got[0], `"region":"eu-west-1"`) {
		t.Fatalf("queue got %v, want the eu-west-1 event once, through the home bus", got)
	}
}
