package awslocal

// EventBridge (AWS JSON 1.1, signing name "events"), regional. Operations
// and the AWS pages followed (Amazon EventBridge API Reference,
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_<Operation>.html):
//
//   - PutRule, DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule
//     (schedule syntax per "Schedule expressions for rules" in the
//     EventBridge User Guide; patterns per "Amazon EventBridge event
//     patterns", compiled by internal/eventpattern)
//   - PutTargets, ListTargetsByRule, RemoveTargets (input per "Transforming
//     target input"; RoleArn required for Step Functions targets)
//   - PutEvents ("Sending events with PutEvents"), TestEventPattern
//   - TagResource, ListTagsForResource
//   - PutPermission, DescribeEventBus (the default bus's resource policy,
//     "Sending and receiving events between AWS accounts")
//   - delivery to SNS, SQS, another account's default bus, and Step
//     Functions / Lambda targets through Server.OnTarget, with the resource
//     policies of "Using resource-based policies for Amazon EventBridge";
//     targets only in the rule's region, except another region's bus
//     through a role ("Sending and receiving events between AWS Regions";
//     re:Post "Why isn't my Amazon SNS topic receiving EventBridge
//     notifications?"), anything else counted in FailedInvocations
//
// Known differences from AWS: only the default event bus of each account
// and region (no CreateEventBus; other bus names are ResourceNotFound);
// rate() schedules fire on the server clock, at most once per tick, while
// cron() schedules are validated but never fire; no retries: a failed
// delivery goes at once to the target's DeadLetterConfig queue if it has
// one, counted as InvocationsSentToDLQ or InvocationsFailedToBeSentToDLQ
// ("Using dead-letter queues to process undelivered events");
// FailedEntryCount of PutTargets and RemoveTargets is always 0 (invalid
// targets fail the whole call with ValidationException).

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/landfall/landfall/internal/eventpattern"
)

type eventsState struct {
	rules   map[string]*evRule // by name, on the default bus
	policy  string             // the default bus's resource policy, "" for none
	busTags map[string]string
}

type evRule struct {
	Name, ARN, Pattern, Schedule, State, Description, RoleARN string
	Tags                                                      map[string]string
	Targets                                                   []doc // in PutTargets order, as sent
	generation                                                int   // bumps to cancel a running schedule
}

func eventsOf(a *account, region string) *eventsState {
	return state(a, "events/"+region, func() *eventsState {
		return &eventsState{rules: map[string]*evRule{}, busTags: map[string]string{}}
	})
}

func registerEvents(s *Server) {
	s.register(&service{
		name: "events", protocol: jsonProtocol{version: "1.1"},
		throttle: *statusErrorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded"),
		ops: map[string]handler{
			"PutRule": evPutRule, "DescribeRule": evDescribeRule, "ListRules": evListRules, "DeleteRule": evDeleteRule,
			"EnableRule": evEnableRule, "DisableRule": evDisableRule,
			"PutTargets": evPutTargets, "ListTargetsByRule": evListTargetsByRule, "RemoveTargets": evRemoveTargets,
			"PutEvents": evPutEvents, "TestEventPattern": evTestEventPattern,
			"TagResource": evTagResource, "ListTagsForResource": evListTagsForResource,
			"PutPermission": evPutPermission, "DescribeEventBus": evDescribeEventBus,
		},
	})
	s.hooks.putEvent = func(accountID, region string, event doc) {
		s.routeEvent(accountID, region, event, 0)
	}
}

func evValidation(format string, args ...any) error {
	return errorf("ValidationException", format, args...)
}

func busARN(region, account string) string {
	return "arn:aws:events:" + region + ":" + account + ":event-bus/default"
}

func ruleARN(region, account, name string) string {
	return "arn:aws:events:" + region + ":" + account + ":rule/" + name
}

// checkBus accepts the default bus by name or ARN (of the caller's account
// and region); the endpoint has no custom buses.
func checkBus(c *call, key string) error {
	name := str(c.in, key)
	if name == "" || name == "default" || name == busARN(c.region, c.account.ID) {
		return nil
	}
	return errorf("ResourceNotFoundException", "Event bus %s does not exist.", name)
}

var evName = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)

func callerRule(c *call, key string) (*eventsState, *evRule, error) {
	if err := checkBus(c, "EventBusName"); err != nil {
		return nil, nil, err
	}
	st := eventsOf(c.account, c.region)
	name := str(c.in, key)
	r := st.rules[name]
	if r == nil {
		return nil, nil, errorf("ResourceNotFoundException", "Rule %s does not exist on EventBus default.", name)
	}
	return st, r, nil
}

var (
	evRate = regexp.MustCompile(`^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$`)
	evCron = regexp.MustCompile(`^cron\((.+)\)$`)
)

// scheduleInterval validates a schedule expression and returns the
// interval of a rate() expression (0 for cron()).
func scheduleInterval(expr string) (time.Duration, error) {
	invalid := evValidation("Parameter ScheduleExpression is not valid.")
	if m := evRate.FindStringSubmatch(expr); m != nil {
		n, _ := strconv.Atoi(m[1])
		unit := strings.TrimSuffix(m[2], "s")
		if (n == 1) != (unit == m[2]) { // "rate(1 minute)", "rate(5 minutes)"
			return 0, invalid
		}
		return time.Duration(n) * map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[unit], nil
	}
	if m := evCron.FindStringSubmatch(expr); m != nil {
		f := strings.Fields(m[1])
		// Minutes Hours Day-of-month Month Day-of-week Year; one of the day
		// fields must be "?".
		if len(f) != 6 || (f[2] == "?") == (f[4] == "?") {
			return 0, invalid
		}
		return 0, nil
	}
	return 0, invalid
}

func evPutRule(c *call) (doc, error) {
	name := str(c.in, "Name")
	if !evName.MatchString(name) {
		return nil, evValidation("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", name)
	}
	if err := checkBus(c, "EventBusName"); err != nil {
		return nil, err
	}
	pattern, schedule := str(c.in, "EventPattern"), str(c.in, "ScheduleExpression")
	if pattern == "" && schedule == "" {
		return nil, evValidation("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if pattern != "" {
		if _, err := eventpattern.Parse([]byte(pattern)); err != nil {
			return nil, errorf("InvalidEventPatternException", "Event pattern is not valid. Reason: %v", err)
		}
	}
	interval := time.Duration(0)
	if schedule != "" {
		var err error
		if interval, err = scheduleInterval(schedule); err != nil {
			return nil, err
		}
	}
	state := str(c.in, "State")
	switch state {
	case "":
		state = "ENABLED"
	case "ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
	default:
		return nil, evValidation("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", state)
	}
	if len(str(c.in, "Description")) > 512 {
		return nil, evValidation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 512")
	}
	st := eventsOf(c.account, c.region)
	r := st.rules[name]
	if r == nil {
		r = &evRule{Name: name, ARN: ruleARN(c.region, c.account.ID, name), Tags: tagList(c.in, "Tags")}
		st.rules[name] = r
	}
	// PutRule replaces the rule's definition; tags apply only on creation.
	r.Pattern, r.Schedule, r.State, r.Description, r.RoleARN = pattern, schedule, state, str(c.in, "Description"), str(c.in, "RoleArn")
	r.generation++
	if interval > 0 {
		c.srv.scheduleRule(c.account.ID, c.region, r, r.generation, interval)
	}
	return doc{"RuleArn": r.ARN}, nil
}

func (r *evRule) out() doc {
	d := doc{"Name": r.Name, "Arn": r.ARN, "State": r.State, "EventBusName": "default"}
	for k, v := range map[string]string{"EventPattern": r.Pattern, "ScheduleExpression": r.Schedule, "Description": r.Description, "RoleArn": r.RoleARN} {
		if v != "" {
			d[k] = v
		}
	}
	return d
}

func evDescribeRule(c *call) (doc, error) {
	_, r, err := callerRule(c, "Name")
	if err != nil {
		return nil, err
	}
	d := r.out()
	d["CreatedBy"] = c.account.ID
	return d, nil
}

func evListRules(c *call) (doc, error) {
	if err := checkBus(c, "EventBusName"); err != nil {
		return nil, err
	}
	st := eventsOf(c.account, c.region)
	var items []any
	for _, name := range sortedKeys(st.rules) {
		if strings.HasPrefix(name, str(c.in, "NamePrefix")) {
			items = append(items, st.rules[name].out())
		}
	}
	return evPage(c, "Rules", items)
}

// evPage pages with Limit (1-100) and NextToken.
func evPage(c *call, key string, items []any) (doc, error) {
	limit := intOr(c.in, "Limit", 0)
	if has(c.in, "Limit") && (limit < 1 || limit > 100) {
		return nil, evValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", limit)
	}
	pg, next, err := page(c.srv, items, str(c.in, "NextToken"), limit, func() error { return evValidation("The provided NextToken is not valid.") })
	if err != nil {
		return nil, err
	}
	out := doc{key: append([]any{}, pg...)}
	return withToken(out, "NextToken", next), nil
}

// evDeleteRule succeeds for a rule that does not exist, as the API
// reference says, and fails while the rule still has targets.
func evDeleteRule(c *call) (doc, error) {
	if err := checkBus(c, "EventBusName"); err != nil {
		return nil, err
	}
	st := eventsOf(c.account, c.region)
	r := st.rules[str(c.in, "Name")]
	if r == nil {
		return nil, nil
	}
	if len(r.Targets) > 0 {
		return nil, evValidation("Rule can't be deleted since it has targets.")
	}
	r.generation++
	delete(st.rules, r.Name)
	return nil, nil
}

func evEnableRule(c *call) (doc, error)  { return setRuleState(c, "ENABLED") }
func evDisableRule(c *call) (doc, error) { return setRuleState(c, "DISABLED") }

func setRuleState(c *call, state string) (doc, error) {
	_, r, err := callerRule(c, "Name")
	if err != nil {
		return nil, err
	}
	if r.State == state {
		return nil, nil
	}
	r.State = state
	r.generation++
	if interval, _ := scheduleInterval(r.Schedule); interval > 0 && state == "ENABLED" {
		c.srv.scheduleRule(c.account.ID, c.region, r, r.generation, interval)
	}
	return nil, nil
}

// taggedEventsResource finds the tags of a rule or the default bus by ARN.
func taggedEventsResource(c *call) (map[string]string, func(map[string]string), error) {
	arn := str(c.in, "ResourceARN")
	st := eventsOf(c.account, c.region)
	if arn == busARN(c.region, c.account.ID) {
		return st.busTags, func(t map[string]string) { st.busTags = t }, nil
	}
	prefix := ruleARN(c.region, c.account.ID, "")
	if r := st.rules[strings.TrimPrefix(arn, prefix)]; r != nil && strings.HasPrefix(arn, prefix) {
		return r.Tags, func(t map[string]string) { r.Tags = t }, nil
	}
	return nil, nil, errorf("ResourceNotFoundException", "Resource %s does not exist.", arn)
}

func evTagResource(c *call) (doc, error) {
	tags, set, err := taggedEventsResource(c)
	if err != nil {
		return nil, err
	}
	merged := map[string]string{}
	for k, v := range tags {
		merged[k] = v
	}
	for k, v := range tagList(c.in, "Tags") {
		merged[k] = v
	}
	if len(merged) > 50 {
		return nil, errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	}
	set(merged)
	return nil, nil
}

func evListTagsForResource(c *call) (doc, error) {
	tags, _, err := taggedEventsResource(c)
	if err != nil {
		return nil, err
	}
	return doc{"Tags": tagsOut(tags)}, nil
}

// evTestEventPattern requires the event's envelope fields, as the API does.
func evTestEventPattern(c *call) (doc, error) {
	p, err := eventpattern.Parse([]byte(str(c.in, "EventPattern")))
	if err != nil {
		return nil, errorf("InvalidEventPatternException", "Event pattern is not valid. Reason: %v", err)
	}
	var event map[string]any
	if err := json.Unmarshal([]byte(str(c.in, "Event")), &event); err != nil {
		return nil, evValidation("Parameter Event is not valid.")
	}
	for _, k := range []string{"id", "account", "source", "time", "region", "detail-type"} {
		if _, ok := event[k]; !ok {
			return nil, evValidation("Parameter Event is not valid. Reason: Provided Event is missing required field %s", k)
		}
	}
	ok, err := p.Match([]byte(str(c.in, "Event")))
	if err != nil {
		return nil, evValidation("Parameter Event is not valid.")
	}
	return doc{"Result": ok}, nil
}
