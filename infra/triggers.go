package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/orgevents"
)

// Rule targets keep retrying for EventBridge's maximum window: the events are rare (an account was
// created, moved, closed) and each one matters, while the usual failure (StartExecution throttled) is
// transient. What still fails lands in the dead-letter queue, whose depth is alarmed.
const (
	targetMaxEventAge       = 24 * 60 * 60 // seconds
	targetRetryAttempts     = 185
	deadLetterRetentionDays = 14
	organizationsSource     = "aws.organizations"
)

// TriggersProps configures NewTriggers.
type TriggersProps struct {
	// BaselineAccount receives every matching event whole; describe decides what it means.
	BaselineAccount sfn.IStateMachine
	// Sweep is started on SweepSchedule.
	Sweep sfn.IStateMachine
	// SweepSchedule is an EventBridge schedule expression (pipeline.sweepSchedule), e.g. "rate(6 hours)".
	SweepSchedule string
}

// Triggers holds what other constructs need from the trigger rules.
type Triggers struct {
	// DeadLetterQueue receives the events no rule target could take; its depth is alarmed.
	DeadLetterQueue awssqs.Queue
}

// NewTriggers creates one rule per landfall trigger on the default bus, plus the sweep schedule.
func NewTriggers(scope constructs.Construct, id *string, props *TriggersProps) *Triggers {
	if props == nil || props.BaselineAccount == nil || props.Sweep == nil {
		panic("NewTriggers: props with both state machines are required")
	}
	construct := constructs.NewConstruct(scope, id)
	dlq := newDeadLetterQueue(construct)
	target := func(sm sfn.IStateMachine) awsevents.IRuleTarget {
		return awseventstargets.NewSfnStateMachine(sm, &awseventstargets.SfnStateMachineProps{
			DeadLetterQueue: dlq,
			MaxEventAge:     awscdk.Duration_Seconds(jsii.Number(targetMaxEventAge)),
			RetryAttempts:   jsii.Number(targetRetryAttempts),
		})
	}
	for _, r := range triggerRules() {
		awsevents.NewRule(construct, jsii.String(r.name), &awsevents.RuleProps{
			Description:  jsii.String(r.description),
			EventPattern: r.pattern,
			Targets:      &[]awsevents.IRuleTarget{target(props.BaselineAccount)},
		})
	}
	awsevents.NewRule(construct, jsii.String("SweepSchedule"), &awsevents.RuleProps{
		Description: jsii.String("Starts the sweep that baselines accounts the events missed"),
		Schedule:    awsevents.Schedule_Expression(jsii.String(props.SweepSchedule)),
		Targets:     &[]awsevents.IRuleTarget{target(props.Sweep)},
	})
	return &Triggers{DeadLetterQueue: dlq}
}

// newDeadLetterQueue makes a rule-target DLQ. It uses SQS-managed encryption: EventBridge can write to it
// without a key policy, which a customer managed key would need for events.amazonaws.com.
func newDeadLetterQueue(scope constructs.Construct) awssqs.Queue {
	dlq := awssqs.NewQueue(scope, jsii.String("DeadLetterQueue"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(deadLetterRetentionDays)),
	})
	acknowledgeNag(dlq, nagAck{"AwsSolutions-SQS3", reasonDeadLetterQueue})
	return dlq
}

// triggerRule is one event-pattern rule, built from pkg/orgevents so the rules and the decoder share one
// definition of each trigger.
type triggerRule struct {
	name, description string
	pattern           *awsevents.EventPattern
	// fromOrganizations marks events that Organizations emits only in us-east-1.
	fromOrganizations bool
}

func triggerRules() []triggerRule {
	var rules []triggerRule
	for _, r := range orgevents.Rules() {
		pattern, err := eventPatternFromJSON(r.Pattern)
		if err != nil {
			// The patterns are constants tested in pkg/orgevents and here; this is a programming error.
			panic(fmt.Sprintf("converting event pattern (%s): %v", r.Name, err))
		}
		rules = append(rules, triggerRule{
			name:              r.Name,
			description:       r.Description,
			pattern:           pattern,
			fromOrganizations: slices.Contains(derefAll(pattern.Source), organizationsSource),
		})
	}
	return rules
}

// eventPatternFromJSON converts a JSON event pattern into the CDK type. Only the keys landfall's patterns
// use are accepted; anything else is an error rather than a silently dropped (and so widened) filter.
func eventPatternFromJSON(pattern string) (*awsevents.EventPattern, error) {
	var raw struct {
		Source     []string       `json:"source"`
		DetailType []string       `json:"detail-type"`
		Detail     map[string]any `json:"detail"`
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(pattern), &keys); err != nil {
		return nil, fmt.Errorf("decoding event pattern: %w", err)
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if k != "source" && k != "detail-type" && k != "detail" {
			return nil, fmt.Errorf("decoding event pattern: unsupported key %q", k)
		}
	}
	if err := json.Unmarshal([]byte(pattern), &raw); err != nil {
		return nil, fmt.Errorf("decoding event pattern: %w", err)
	}
	if len(raw.Source) == 0 {
		return nil, fmt.Errorf("decoding event pattern: no source")
	}
	out := &awsevents.EventPattern{Source: jsii.Strings(raw.Source...)}
	if len(raw.DetailType) > 0 {
		out.DetailType = jsii.Strings(raw.DetailType...)
	}
	if raw.Detail != nil {
		out.Detail = &raw.Detail
	}
	return out, nil
}

func derefAll(values *[]*string) []string {
	if values == nil {
		return nil
	}
	out := make([]string, 0, len(*values))
	for _, v := range *values {
		out = append(out, *v)
	}
	return out
}
