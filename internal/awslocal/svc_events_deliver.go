package awslocal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/landfall/landfall/internal/eventpattern"
)

// EventBridge delivery: PutEvents, service events (hooks.putEvent),
// scheduled rules, and routing matched events to targets, following
// "Sending events with PutEvents", "Amazon EventBridge targets" and
// "Sending and receiving events between AWS accounts".

// evMaxHops bounds bus-to-bus forwarding, so that two accounts whose rules
// target each other's buses cannot loop forever.
const evMaxHops = 4

// DeliveredEvent records one event delivered (or not) to one rule target.
type DeliveredEvent struct {
	Account string `json:"account"` // the rule's account
	Region  string `json:"region"`
	Rule    string `json:"rule"`   // rule ARN
	Target  string `json:"target"` // target ARN
	Input   string `json:"input"`  // what the target received
	Error   string `json:"error,omitempty"`
}

// eventsRegistry is the server-wide EventBridge bookkeeping. It lives in
// the management account's state because Server has no field for it.
type eventsRegistry struct {
	onTarget  func(targetARN string, input []byte)
	delivered map[string][]DeliveredEvent // by rule account
}

func (s *Server) eventsRegistry() *eventsRegistry {
	return state(s.accounts[s.opts.ManagementAccountID], "events/registry", func() *eventsRegistry {
		return &eventsRegistry{delivered: map[string][]DeliveredEvent{}}
	})
}

// OnTarget registers the function that receives events for Step Functions
// state machine and Lambda function targets, after Input, InputPath or
// InputTransformer is applied. The demo starts its local state machine from
// it. fn runs under the server's lock: it must not call the endpoint
// synchronously (start a goroutine instead). Without a callback, Lambda
// targets go to the Lambda service's invoke hook, if any.
func (s *Server) OnTarget(fn func(targetARN string, input []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eventsRegistry().onTarget = fn
}

// DeliveredEvents returns every target delivery of rules in the account,
// oldest first, failures included.
func (s *Server) DeliveredEvents(account string) []DeliveredEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]DeliveredEvent(nil), s.eventsRegistry().delivered[account]...)
}

// normalizeEvent gives an event the shape the pattern matcher expects:
// decoded JSON with numbers as json.Number.
func normalizeEvent(event map[string]any) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(mustJSON(jsonValue(event))))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return map[string]any{} // unreachable: mustJSON wrote an object
	}
	return out
}

// routeEvent puts an event on an account's default bus in region and
// delivers it to the targets of every enabled rule it matches.
func (s *Server) routeEvent(account, region string, event map[string]any, hops int) {
	a := s.accounts[account]
	if a == nil {
		return
	}
	norm := normalizeEvent(event)
	st := eventsOf(a, region)
	for _, name := range sortedKeys(st.rules) {
		r := st.rules[name]
		if r.State == "DISABLED" || r.Pattern == "" {
			continue
		}
		p, err := eventpattern.Parse([]byte(r.Pattern))
		if err != nil || !p.MatchValue(norm) {
			continue
		}
		s.deliverToTargets(account, region, r, norm, hops)
	}
}

func (s *Server) deliverToTargets(account, region string, r *evRule, event map[string]any, hops int) {
	reg := s.eventsRegistry()
	now := s.now().Format(time.RFC3339)
	for _, t := range r.Targets {
		input := targetInput(t, event, r, now)
		rec := DeliveredEvent{Account: account, Region: region, Rule: r.ARN, Target: str(t, "Arn"), Input: string(input)}
		if err := s.deliverTarget(account, region, r, t, event, input, hops); err != nil {
			rec.Error = err.Error()
			// EventBridge counts what it could not deliver ("Monitoring
			// Amazon EventBridge", FailedInvocations by RuleName).
			s.storeDatum(s.accounts[account], region, "AWS/Events", "FailedInvocations", map[string]string{"RuleName": r.Name}, valuePoint(s.now(), 1))
			if dl := obj(t, "DeadLetterConfig"); dl != nil {
				// The queue's policy (and key) must admit EventBridge for
				// the rule; the outcome is counted by rule as well.
				from := sqsSender{service: "events.amazonaws.com", account: account, sourceARN: r.ARN}
				metric := "InvocationsSentToDLQ"
				if dlErr := s.sendToSQSAs(from, str(dl, "Arn"), string(input)); dlErr != nil {
					rec.Error += "; dead-letter queue: " + dlErr.Error()
					metric = "InvocationsFailedToBeSentToDLQ"
				}
				s.storeDatum(s.accounts[account], region, "AWS/Events", metric, map[string]string{"RuleName": r.Name}, valuePoint(s.now(), 1))
			}
		}
		reg.delivered[account] = append(reg.delivered[account], rec)
	}
}

// deliverTarget sends input to one target as events.amazonaws.com, so the
// target's resource policy (topic, queue, bus) must admit EventBridge, or
// for a state machine the target's role must let EventBridge start it.
//
// Only an event bus may be in another region than the rule ("Why isn't my
// Amazon SNS topic receiving EventBridge notifications?", AWS re:Post: the
// targets of a rule must be in the rule's region; "Sending and receiving
// events between AWS Regions", EventBridge User Guide). AWS does not say
// whether PutTargets refuses such a target or every delivery fails; the
// endpoint accepts it and fails every delivery, which is what a rule's
// FailedInvocations shows either way.
func (s *Server) deliverTarget(account, region string, r *evRule, t doc, event map[string]any, input []byte, hops int) error {
	arn := str(t, "Arn")
	p, _ := parseARNParts(arn)
	if p.service != "events" && p.region != region {
		return fmt.Errorf("delivering to %s: the target is in %s and rule %s in %s; only an event bus may be in another region", arn, p.region, r.Name, region)
	}
	switch p.service {
	case "sns":
		return s.publishAs("events.amazonaws.com", account, r.ARN, arn, "", string(input))
	case "sqs":
		return s.sendToSQSAs(sqsSender{service: "events.amazonaws.com", account: account, sourceARN: r.ARN}, arn, string(input))
	case "events":
		return s.forwardToBus(account, region, r, str(t, "RoleArn"), arn, event, hops)
	case "states":
		if err := s.targetRoleMayLocked(r, str(t, "RoleArn"), "states:StartExecution", byARN(arn)); err != nil {
			return err
		}
		fallthrough
	case "lambda":
		if fn := s.eventsRegistry().onTarget; fn != nil {
			fn(arn, input)
			return nil
		}
		if p.service == "lambda" && s.hooks.invokeFunc != nil {
			return s.hooks.invokeFunc(arn, input)
		}
		return fmt.Errorf("delivering to %s: no OnTarget callback is registered", arn)
	}
	return fmt.Errorf("delivering to %s: the local endpoint has no %s targets", arn, p.service)
}

// targetRoleMayLocked checks, with an Authorizer, that EventBridge may
// take action on target for rule r as the target's role: the role's trust
// admits events.amazonaws.com and the role's session may take the action
// ("Permissions for targets", "Step Functions state machine as a target"
// and "Sending and receiving events between AWS accounts", EventBridge User
// Guide); for another account's target, its resource policy must admit the
// session too. The session is named after the rule. No aws:SourceArn or
// aws:SourceAccount reaches the trust: the guide does not say EventBridge
// sends them when it assumes a target's role.
func (s *Server) targetRoleMayLocked(r *evRule, roleARN, action string, target authResource) error {
	if s.opts.Authorizer == nil {
		return nil
	}
	role := s.roleByARNLocked(roleARN)
	if role == nil {
		return fmt.Errorf("delivering to %s: role %s does not exist", target.ARN, roleARN)
	}
	if !s.serviceMayAssumeLocked("events.amazonaws.com", roleARN, role, nil) {
		return fmt.Errorf("delivering to %s: events.amazonaws.com cannot assume role %s: its trust does not admit the service, or the role has not propagated yet", target.ARN, roleARN)
	}
	ok, err := s.roleSessionMayLocked(roleARN, role, r.Name, nil, sessionStep{action: action, on: target})
	if err != nil {
		return fmt.Errorf("delivering to %s: %w", target.ARN, err)
	}
	if !ok {
		return fmt.Errorf("delivering to %s: role %s is not allowed %s on it", target.ARN, roleARN, action)
	}
	return nil
}

// forwardToBus sends an event to another default bus, in another account
// or region. With an Authorizer, a target with a role is forwarded as that
// role (targetRoleMayLocked, with the bus policy); one without, to another
// account's bus, only if the bus policy admits the sending account, whose
// root the endpoint asks for.
//
// A bus in another region needs a role, in any account: the guides set one
// up for every cross-region target (AWS re:Post knowledge center,
// "eventbridge-centralized-bus-to-bus") and "Permissions for event buses"
// recommends one whenever the target is a bus, but neither says a rule
// without one fails. The endpoint takes the stricter reading.
func (s *Server) forwardToBus(from, region string, r *evRule, roleARN, arn string, event map[string]any, hops int) error {
	p, _ := parseARNParts(arn)
	target := s.accounts[p.account]
	if p.resource != "event-bus/default" || target == nil {
		return fmt.Errorf("forwarding to %s: event bus does not exist", arn)
	}
	if hops >= evMaxHops {
		return fmt.Errorf("forwarding to %s: event forwarded %d times, dropped", arn, hops)
	}
	if p.region != region && roleARN == "" {
		return fmt.Errorf("forwarding to %s: a bus in another region than rule %s (%s) is a target only with a role", arn, r.Name, region)
	}
	bus := authResource{ARN: arn, Owner: p.account, Policy: eventsOf(target, p.region).policy}
	switch {
	case s.opts.Authorizer == nil:
	case roleARN != "":
		if err := s.targetRoleMayLocked(r, roleARN, "events:PutEvents", bus); err != nil {
			return err
		}
	case p.account != from:
		root := rootOf(from)
		if err := s.decideLocked(root, "events:PutEvents", s.principalContextLocked(root), []authResource{bus}); err != nil {
			return fmt.Errorf("forwarding to %s: the bus policy does not admit account %s: %w", arn, from, err)
		}
	}
	s.routeEvent(p.account, p.region, event, hops+1)
	return nil
}

// scheduleRule fires a rate() rule every interval on the server clock,
// until the rule changes, is disabled or is deleted (its generation moves).
func (s *Server) scheduleRule(account, region string, r *evRule, gen int, every time.Duration) {
	s.afterLocked(every, func() {
		if r.generation != gen || r.State == "DISABLED" {
			return
		}
		event := doc{"version": "0", "id": s.uuid(), "detail-type": "Scheduled Event", "source": "aws.events", "account": account,
			"time": s.now().Format(time.RFC3339), "region": region, "resources": []any{r.ARN}, "detail": doc{}}
		s.deliverToTargets(account, region, r, normalizeEvent(event), 0)
		s.scheduleRule(account, region, r, gen, every)
	})
}

// evMaxEntriesSize is PutEvents's limit on the total size of the entries.
const evMaxEntriesSize = 256 * 1024

func evPutEvents(c *call) (doc, error) {
	entries := list(c.in, "Entries")
	if len(entries) == 0 || len(entries) > 10 {
		return nil, evValidation("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	if len(c.body) > evMaxEntriesSize {
		return nil, evValidation("Total size of the entries in the request is over the limit.")
	}
	failed := 0
	results := make([]any, 0, len(entries))
	for _, e := range entries {
		event, code, msg := eventFromEntry(c, e)
		if code != "" {
			failed++
			results = append(results, doc{"ErrorCode": code, "ErrorMessage": msg})
			continue
		}
		results = append(results, doc{"EventId": event["id"]})
		c.srv.routeEvent(c.account.ID, c.region, event, 0)
	}
	return doc{"FailedEntryCount": failed, "Entries": results}, nil
}

// eventFromEntry validates a PutEvents entry and builds its event, or
// returns the entry's error code and message.
func eventFromEntry(c *call, e doc) (doc, string, string) {
	bus := str(e, "EventBusName")
	if bus != "" && bus != "default" && bus != busARN(c.region, c.account.ID) {
		return nil, "ResourceNotFoundException", "Event bus " + bus + " does not exist."
	}
	for _, k := range []string{"Source", "DetailType", "Detail"} {
		if str(e, k) == "" {
			return nil, "InvalidArgument", "Parameter " + k + " is not valid. Reason: " + k + " is a required argument."
		}
	}
	var detail map[string]any
	if err := json.Unmarshal([]byte(str(e, "Detail")), &detail); err != nil || detail == nil {
		return nil, "MalformedDetail", "Detail is malformed."
	}
	if strings.HasPrefix(str(e, "Source"), "aws.") {
		return nil, "NotAuthorizedForSourceException", "Not authorized for the source."
	}
	at := c.srv.now()
	if sec, ok := num(e, "Time"); ok {
		at = time.UnixMilli(int64(sec * 1000)).UTC()
	}
	resources := stringList(strs(e, "Resources"))
	return doc{"version": "0", "id": c.srv.uuid(), "detail-type": str(e, "DetailType"), "source": str(e, "Source"),
		"account": c.account.ID, "time": at.Format(time.RFC3339), "region": c.region, "resources": resources, "detail": detail}, "", ""
}

var (
	evStatementID = regexp.MustCompile(`^[a-zA-Z0-9-_]{1,64}$`)
	evAccountID   = regexp.MustCompile(`^\d{12}$`)
)

// evPutPermission adds a statement to the default bus's policy, or replaces
// the policy with Policy.
func evPutPermission(c *call) (doc, error) {
	if err := checkBus(c, "EventBusName"); err != nil {
		return nil, err
	}
	st := eventsOf(c.account, c.region)
	if text := str(c.in, "Policy"); text != "" {
		if len(text) > 10240 {
			return nil, errorf("PolicyLengthExceededException", "The event bus policy is too long.")
		}
		if _, err := parsePolicy(text); err != nil {
			return nil, evValidation("Policy is not valid: %s", errMessage(err))
		}
		st.policy = text
		return nil, nil
	}
	if a := str(c.in, "Action"); a != "events:PutEvents" {
		return nil, evValidation("Provided value in parameter 'action' is not supported.")
	}
	principal, sid := str(c.in, "Principal"), str(c.in, "StatementId")
	if principal != "*" && !evAccountID.MatchString(principal) {
		return nil, evValidation("Parameter Principal is not valid.")
	}
	if !evStatementID.MatchString(sid) {
		return nil, evValidation("Parameter StatementId is not valid.")
	}
	stmt := map[string]any{"Sid": sid, "Effect": "Allow", "Action": "events:PutEvents", "Resource": busARN(c.region, c.account.ID),
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + principal + ":root"}}
	if principal == "*" {
		stmt["Principal"] = "*"
	}
	if cond := obj(c.in, "Condition"); cond != nil {
		if str(cond, "Type") != "StringEquals" || str(cond, "Key") != "aws:PrincipalOrgID" {
			return nil, evValidation("Condition must be of type StringEquals with key aws:PrincipalOrgID.")
		}
		stmt["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": str(cond, "Value")}}
	}
	policy := map[string]any{"Version": "2012-10-17", "Statement": []any{}}
	if st.policy != "" {
		if err := json.Unmarshal([]byte(st.policy), &policy); err != nil {
			return nil, fmt.Errorf("decoding the stored bus policy (%s): %w", busARN(c.region, c.account.ID), err)
		}
	}
	stmts, isList := policy["Statement"].([]any)
	if !isList && policy["Statement"] != nil { // IAM allows one statement object
		stmts = []any{policy["Statement"]}
	}
	for _, existing := range stmts {
		if m, ok := existing.(map[string]any); ok && m["Sid"] == sid {
			return nil, errorf("ResourceAlreadyExistsException", "Statement with the provided id already exists.")
		}
	}
	policy["Statement"] = append(stmts, stmt)
	st.policy = string(mustJSON(policy))
	return nil, nil
}

func evDescribeEventBus(c *call) (doc, error) {
	if err := checkBus(c, "Name"); err != nil {
		return nil, err
	}
	out := doc{"Name": "default", "Arn": busARN(c.region, c.account.ID)}
	if p := eventsOf(c.account, c.region).policy; p != "" {
		out["Policy"] = p
	}
	return out, nil
}
