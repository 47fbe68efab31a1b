package main

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/orgevents"
)

func TestLambdaFunctions(t *testing.T) {
	// GIVEN the synthesized pipeline stack
	tmpl := synthesized.main
	// THEN there is exactly one function per spec, with the runtime, architecture and sizing of the spec
	check(t, func() {
		tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(float64(len(functionSpecs()))))
	})
	for _, spec := range functionSpecs() {
		t.Run(spec.name, func(t *testing.T) {
			check(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
					"Description":   spec.description,
					"Runtime":       "provided.al2023",
					"Architectures": []any{"arm64"},
					"Handler":       "bootstrap",
					"MemorySize":    spec.memoryMiB,
					"Timeout":       spec.timeoutSeconds,
					"TracingConfig": map[string]any{"Mode": "Active"},
					"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
						lambdaenv.ConfigFile: "/var/task/landfall.yaml",
						lambdaenv.LogLevel:   defaultLogLevel,
					})},
				})
			})
		})
	}
	// AND every function logs to a log group with a retention
	check(t, func() {
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Logs::LogGroup"),
			map[string]any{"RetentionInDays": 90}, jsii.Number(float64(len(functionSpecs())+2)))
	})
}

func TestLedgerTable(t *testing.T) {
	// GIVEN the synthesized pipeline stack
	tmpl := synthesized.main
	// THEN the ledger is one on-demand table keyed by accountId, with PITR and encryption, retained
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1)) })
	check(t, func() {
		tmpl.HasResource(jsii.String("AWS::DynamoDB::Table"), map[string]any{
			"DeletionPolicy":      "Retain",
			"UpdateReplacePolicy": "Retain",
			"Properties": map[string]any{
				"KeySchema":                        []any{map[string]any{"AttributeName": "accountId", "KeyType": "HASH"}},
				"AttributeDefinitions":             []any{map[string]any{"AttributeName": "accountId", "AttributeType": "S"}},
				"BillingMode":                      "PAY_PER_REQUEST",
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"SSESpecification":                 map[string]any{"SSEEnabled": true},
				"DeletionProtectionEnabled":        true,
			},
		})
	})
}

// TestStableLogicalIDs pins the logical IDs of stateful resources: a changed ID makes CloudFormation replace
// the resource, which for the ledger means losing every account's status, and for the topics losing every
// confirmed email subscription.
func TestStableLogicalIDs(t *testing.T) {
	tests := []struct {
		typ  string
		want []string
	}{
		{"AWS::DynamoDB::Table", []string{"LedgerTable9343E4AA"}},
		{"AWS::SNS::Topic", []string{"TopicsAlerts790CC8DD", "TopicsOperations73808476"}},
		{"AWS::KMS::Key", []string{"TopicsKey64CE8550"}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			var got []string
			for id := range synthesized.mainJSON.resourcesOfType(tt.typ) {
				got = append(got, id)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("logical IDs of %s = %v, want %v", tt.typ, got, tt.want)
			}
		})
	}
}

func TestTopics(t *testing.T) {
	// GIVEN the synthesized pipeline stack
	tmpl := synthesized.main
	// THEN both topics are encrypted with the rotated customer key and refuse plain HTTP
	check(t, func() {
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::SNS::Topic"), map[string]any{
			"KmsMasterKeyId": map[string]any{"Fn::GetAtt": []any{"TopicsKey64CE8550", "Arn"}},
		}, jsii.Number(2))
	})
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{"EnableKeyRotation": true})
	})
	check(t, func() {
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Effect":    "Deny",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			})})},
		}, jsii.Number(2))
	})
	// AND each configured email is subscribed to its topic
	tests := []struct{ email, topic string }{
		{"platform@acme.example", "TopicsOperations73808476"},
		{"oncall@acme.example", "TopicsOperations73808476"},
		{"secops@acme.example", "TopicsAlerts790CC8DD"},
	}
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(float64(len(tests)))) })
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			check(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
					"Protocol": "email", "Endpoint": tt.email, "TopicArn": map[string]any{"Ref": tt.topic},
				})
			})
		})
	}
}

func TestTriggerRules(t *testing.T) {
	// GIVEN the rules of the pipeline stack, keyed by their pattern's JSON
	rules := synthesized.mainJSON.resourcesOfType("AWS::Events::Rule")
	// THEN every orgevents pattern has exactly one rule, whose target has a DLQ and a retry policy
	for _, r := range orgevents.Rules() {
		t.Run(r.Name, func(t *testing.T) {
			var want any
			if err := json.Unmarshal([]byte(r.Pattern), &want); err != nil {
				t.Fatalf("decoding pattern: %v", err)
			}
			var matched []resource
			for _, rule := range rules {
				if reflect.DeepEqual(rule.Properties["EventPattern"], want) {
					matched = append(matched, rule)
				}
			}
			if len(matched) != 1 {
				t.Fatalf("rules with the %s pattern = %d, want 1", r.Name, len(matched))
			}
			assertStateMachineTarget(t, matched[0], "PipelineBaselineAccount")
		})
	}
	t.Run("sweep schedule", func(t *testing.T) {
		var matched []resource
		for _, rule := range rules {
			if rule.Properties["ScheduleExpression"] == "rate(12 hours)" {
				matched = append(matched, rule)
			}
		}
		if len(matched) != 1 {
			t.Fatalf("rules with the configured sweep schedule = %d, want 1", len(matched))
		}
		assertStateMachineTarget(t, matched[0], "PipelineSweep")
	})
	if got, want := len(rules), len(orgevents.Rules())+1; got != want {
		t.Errorf("rules = %d, want %d", got, want)
	}
}

func assertStateMachineTarget(t *testing.T, rule resource, logicalIDPrefix string) {
	t.Helper()
	targets, _ := rule.Properties["Targets"].([]any)
	if len(targets) != 1 {
		t.Fatalf("targets = %d, want 1", len(targets))
	}
	target := targets[0].(map[string]any)
	arn, _ := json.Marshal(target["Arn"])
	if !reflect.DeepEqual(target["RetryPolicy"], map[string]any{
		"MaximumEventAgeInSeconds": float64(targetMaxEventAge), "MaximumRetryAttempts": float64(targetRetryAttempts),
	}) {
		t.Errorf("RetryPolicy = %v", target["RetryPolicy"])
	}
	if target["DeadLetterConfig"] == nil {
		t.Error("target has no DeadLetterConfig")
	}
	if !json.Valid(arn) || !strings.Contains(string(arn), `"Ref":"`+logicalIDPrefix) {
		t.Errorf("target Arn = %s, want a Ref to %s*", arn, logicalIDPrefix)
	}
	if _, ok := target["Input"]; ok {
		t.Errorf("target has Input %v; the state machine must receive the whole event", target["Input"])
	}
}

func TestEventsForwarder(t *testing.T) {
	// GIVEN a home region that is not us-east-1, the forwarder stack
	tmpl := synthesized.forwarder
	// THEN only the Organizations patterns are forwarded, to the home region's default bus, with a DLQ
	var orgRules int
	for _, r := range triggerRules() {
		if r.fromOrganizations {
			orgRules++
		}
	}
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(float64(orgRules))) })
	check(t, func() {
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Events::Rule"), map[string]any{
			"EventPattern": map[string]any{"source": []any{organizationsSource}},
			"Targets": []any{map[string]any{
				"Arn":              "arn:aws:events:eu-west-1:111111111111:event-bus/default",
				"RoleArn":          assertions.Match_AnyValue(),
				"DeadLetterConfig": assertions.Match_AnyValue(),
			}},
		}, jsii.Number(float64(orgRules)))
	})
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action": "events:PutEvents", "Effect": "Allow",
				"Resource": "arn:aws:events:eu-west-1:111111111111:event-bus/default",
			}}},
		})
	})
	// AND events waiting in the DLQ alarm to operations through a topic of us-east-1, the alarm's own region,
	// which the operations emails subscribe
	dlq := tmpl.FindResources(jsii.String("AWS::SQS::Queue"), nil)
	if len(*dlq) != 1 {
		t.Fatalf("want the forwarder's one dead-letter queue, got %d queues", len(*dlq))
	}
	var dlqID string
	for id := range *dlq {
		dlqID = id
	}
	check(t, func() {
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Namespace":    "AWS/SQS",
			"MetricName":   "ApproximateNumberOfMessagesVisible",
			"Dimensions":   []any{map[string]any{"Name": "QueueName", "Value": map[string]any{"Fn::GetAtt": []any{dlqID, "QueueName"}}}},
			"AlarmActions": []any{map[string]any{"Ref": "TopicsOperations73808476"}},
			"Threshold":    0,
		}, jsii.Number(1))
	})
	for _, email := range []string{"platform@acme.example", "oncall@acme.example"} {
		check(t, func() {
			tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
				"Protocol": "email", "Endpoint": email, "TopicArn": map[string]any{"Ref": "TopicsOperations73808476"},
			})
		})
	}
}
