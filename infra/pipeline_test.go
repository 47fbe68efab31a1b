package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/landfall/landfall/pkg/pipeline"
)

// definition decodes the ASL of the state machine whose logical ID starts with prefix.
func definition(t *testing.T, prefix string) map[string]map[string]any {
	t.Helper()
	for id, r := range synthesized.mainJSON.resourcesOfType("AWS::StepFunctions::StateMachine") {
		if !strings.HasPrefix(id, prefix) {
			continue
		}
		var asl struct {
			States map[string]map[string]any `json:"States"`
		}
		if err := json.Unmarshal([]byte(flattenJoin(r.Properties["DefinitionString"])), &asl); err != nil {
			t.Fatalf("decoding %s definition: %v", id, err)
		}
		return asl.States
	}
	t.Fatalf("no state machine %s*", prefix)
	return nil
}

func TestBaselineAccountDefinition(t *testing.T) {
	// GIVEN the BaselineAccount definition
	states := definition(t, "PipelineBaselineAccount")
	// THEN it has the documented states, by their stable names
	want := []string{"AlreadyInProgress", "ApplyGlobal", "ApplyRegions", "BaselineFailed", "Decide", "Describe",
		"Record", "RecordFailure", "Skipped", "UnknownDecision", "WaitReady"}
	got := make([]string, 0, len(states))
	for name := range states {
		got = append(got, name)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("states = %v, want %v", got, want)
	}
	// AND every task that can fail is caught into RecordFailure, and retries Lambda's transient errors
	for _, name := range []string{"Describe", "WaitReady", "ApplyGlobal", "ApplyRegions", "Record"} {
		catch, _ := json.Marshal(states[name]["Catch"])
		if !strings.Contains(string(catch), `"Next":"RecordFailure"`) {
			t.Errorf("%s Catch = %s, want a catch into RecordFailure", name, catch)
		}
	}
	for _, name := range []string{"Describe", "WaitReady", "ApplyGlobal", "Record", "RecordFailure"} {
		retry, _ := json.Marshal(states[name]["Retry"])
		if !strings.Contains(string(retry), `"Lambda.TooManyRequestsException"`) || !strings.Contains(string(retry), `"Throttled"`) ||
			!strings.Contains(string(retry), `"Transient"`) {
			t.Errorf("%s Retry = %s, want Lambda transient errors", name, retry)
		}
	}
	// AND WaitReady backs off on AccountNotReady for the configured readiness timeout
	retry, _ := json.Marshal(states["WaitReady"]["Retry"])
	wantRetry := `{"BackoffRate":1.5,"ErrorEquals":["AccountNotReady"],"IntervalSeconds":10,"MaxAttempts":12,"MaxDelaySeconds":120}`
	if !strings.Contains(string(retry), wantRetry) {
		t.Errorf("WaitReady Retry = %s, want it to contain %s", retry, wantRetry)
	}
	// AND Describe gets the execution's ARN, which owns the account's lock, with the trigger
	params, _ := json.Marshal(states["Describe"]["Parameters"])
	if want := `{"event.$":"$","execution.$":"$$.Execution.Id"}`; string(params) != want {
		t.Errorf("Describe Parameters = %s, want %s", params, want)
	}
	// AND a trigger that may change what a running baseline applies waits for it as long as it may hold the
	// lock: 30+60+120+240+480 s, then 600 s each, past 75 minutes (15 of readiness, the hour to apply)
	retry, _ = json.Marshal(states["Describe"]["Retry"])
	wantBusy := `{"BackoffRate":2,"ErrorEquals":["AccountBusy"],"IntervalSeconds":30,"MaxAttempts":11,"MaxDelaySeconds":600}`
	if !strings.Contains(string(retry), wantBusy) {
		t.Errorf("Describe Retry = %s, want it to contain %s", retry, wantBusy)
	}
	// AND an invitation is followed for as long as it stays open
	wantInvitation := `{"BackoffRate":2,"ErrorEquals":["InvitationPending"],"IntervalSeconds":60,"MaxAttempts":365,"MaxDelaySeconds":3600}`
	if !strings.Contains(string(retry), wantInvitation) {
		t.Errorf("Describe Retry = %s, want it to contain %s", retry, wantInvitation)
	}
	// AND regions are applied with the configured concurrency, each with scope region
	if got := states["ApplyRegions"]["MaxConcurrency"]; got != float64(3) {
		t.Errorf("ApplyRegions MaxConcurrency = %v, want 3", got)
	}
	if got := states["ApplyRegions"]["ItemsPath"]; got != "$.regions" {
		t.Errorf("ApplyRegions ItemsPath = %v, want $.regions", got)
	}
	processor, _ := json.Marshal(states["ApplyRegions"]["ItemProcessor"])
	if !strings.Contains(string(processor), `"scope":"region"`) {
		t.Errorf("ApplyRegions ItemProcessor = %s, want an apply with scope region", processor)
	}
	// AND the Choice routes every decision describe can return
	choices, _ := json.Marshal(states["Decide"]["Choices"])
	for _, d := range []string{decisionBaseline, decisionSkip, decisionForget, decisionDuplicate, decisionReportFailure} {
		if !strings.Contains(string(choices), `"StringEquals":"`+d+`"`) {
			t.Errorf("Decide does not route decision %q", d)
		}
	}
}

func TestSweepDefinition(t *testing.T) {
	// GIVEN the Sweep definition
	states := definition(t, "PipelineSweep")
	each := states["BaselineEach"]
	// THEN it maps over the accounts with the configured concurrency, starting BaselineAccount synchronously
	if got := each["MaxConcurrency"]; got != float64(7) {
		t.Errorf("BaselineEach MaxConcurrency = %v, want 7", got)
	}
	processor, _ := json.Marshal(each["ItemProcessor"])
	for _, want := range []string{`states:startExecution.sync:2`, `"Next":"AccountFailed"`, `"reason":"scheduled-sweep"`, `"requestedBy.$":"$$.Execution.Id"`} {
		if !strings.Contains(string(processor)+mustJSON(each["ItemSelector"]), want) {
			t.Errorf("BaselineEach does not contain %s", want)
		}
	}
	// THEN a sweep handed one batch of many continues after it as a new execution of itself
	if next := each["Next"]; next != "MoreDue" {
		t.Errorf("BaselineEach goes to %v, want MoreDue", next)
	}
	moreDue := mustJSON(states["MoreDue"])
	continueSweep := mustJSON(states["ContinueSweep"])
	for _, want := range []string{`"IsPresent":true`, `"Variable":"$.next"`, `"Next":"ContinueSweep"`, `"Default":"SweepDone"`} {
		if !strings.Contains(moreDue, want) {
			t.Errorf("MoreDue %s does not contain %s", moreDue, want)
		}
	}
	for _, want := range []string{`states:startExecution"`, `:stateMachine:acme-sweep"`, `"after.$":"$.next"`, `"End":true`} {
		if !strings.Contains(continueSweep, want) {
			t.Errorf("ContinueSweep %s does not contain %s", continueSweep, want)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestStateMachinesLogAndTrace(t *testing.T) {
	check(t, func() {
		synthesized.main.ResourcePropertiesCountIs(jsii.String("AWS::StepFunctions::StateMachine"), map[string]any{
			"StateMachineType":     "STANDARD",
			"TracingConfiguration": map[string]any{"Enabled": true},
			"LoggingConfiguration": assertions.Match_ObjectLike(&map[string]any{"Level": "ALL"}),
		}, jsii.Number(2))
	})
}

// memberAlertsTopics is every account's alerts topic in the test config, as the fan-in's policies name it.
const memberAlertsTopics = "arn:aws:sns:*:*:acme-alerts"

func TestFanIn(t *testing.T) {
	tmpl := synthesized.main
	// THEN the queue admits SNS only for the accounts' alerts topics, by aws:SourceArn, the key SNS sends
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SQS::QueuePolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Action":    "sqs:SendMessage",
				"Effect":    "Allow",
				"Principal": map[string]any{"Service": "sns.amazonaws.com"},
				"Condition": map[string]any{"ArnLike": map[string]any{"aws:SourceArn": memberAlertsTopics}},
			})})},
		})
	})
	// AND the queue's key lets SNS encrypt without a condition: SNS sends none to KMS, and one would keep
	// every delivery out
	found := false
	for _, r := range synthesized.mainJSON.Resources {
		if r.Type != "AWS::KMS::Key" {
			continue
		}
		statements, _ := r.Properties["KeyPolicy"].(map[string]any)["Statement"].([]any)
		for _, st := range statements {
			if st := st.(map[string]any); st["Sid"] == "AllowOrganizationTopicsToEncrypt" {
				found = true
				if c, ok := st["Condition"]; ok {
					t.Errorf("the fan-in key admits SNS only with %v, which SNS does not send to KMS", c)
				}
			}
		}
	}
	if !found {
		t.Error("no key statement lets SNS encrypt for the fan-in queue")
	}
	// AND it is KMS-encrypted with a DLQ, and the formatter reports partial batch failures
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
			// a fixed name: member accounts' alerts topics subscribe it by ARN
			"QueueName":         "acme-alert-fanin",
			"KmsMasterKeyId":    assertions.Match_AnyValue(),
			"RedrivePolicy":     map[string]any{"deadLetterTargetArn": assertions.Match_AnyValue(), "maxReceiveCount": fanInMaxReceiveCount},
			"VisibilityTimeout": 180,
		})
	})
	check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
			"BatchSize":             fanInBatchSize,
			"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
		})
	})
}

func TestAlarmsAndDashboard(t *testing.T) {
	tmpl := synthesized.main
	// THEN failures of both state machines, errors of every function but waitready and both DLQs alarm
	want := 2 + len(functionSpecs()) - 1 + 2
	check(t, func() {
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmActions":       []any{map[string]any{"Ref": "TopicsOperations73808476"}},
			"ComparisonOperator": "GreaterThanThreshold",
			"Threshold":          0,
		}, jsii.Number(float64(want)))
	})
	check(t, func() { tmpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(float64(want))) })
	// AND the dashboard graphs the custom metrics record publishes
	for _, d := range synthesized.mainJSON.resourcesOfType("AWS::CloudWatch::Dashboard") {
		body := flattenJoin(d.Properties["DashboardBody"])
		for _, s := range []string{`"Landfall","AccountsBaselined"`, `"Landfall","OpenFindings"`, `"p95"`, "RUNNING_SUM"} {
			if !strings.Contains(body, s) {
				t.Errorf("dashboard body lacks %s", s)
			}
		}
	}
}

func TestBackoffAttempts(t *testing.T) {
	tests := []struct {
		b       backoff
		timeout time.Duration
		want    int
	}{
		{readiness, 0, 1},
		{readiness, 10 * time.Second, 1},
		{readiness, 11 * time.Second, 2},
		{readiness, 25 * time.Second, 2},
		{readiness, 15 * time.Minute, 12}, // 10+15+22.5+33.75+50.6+75.9+113.9 = 321.7 s, then 120 s each
		{readiness, 30 * time.Minute, 20},
		// 1+2+4+8+16+32 = 63 min, then an hour each: 6 + 359 retries to reach 360 h.
		{invitation, invitationLifetime, 365},
		{busy, pipeline.LockTTL(15 * time.Minute), 11},
	}
	for _, tt := range tests {
		if got := tt.b.attempts(tt.timeout); got != tt.want {
			t.Errorf("%+v.attempts(%v) = %d, want %d", tt.b, tt.timeout, got, tt.want)
		}
	}
}

func TestCheckFunctionAssets(t *testing.T) {
	config := []byte("version: 1\n")
	tests := []struct {
		name    string
		prepare func(t *testing.T, buildDir string)
		wantErr string
	}{
		{"all built", func(t *testing.T, dir string) {}, ""},
		{"not built", func(t *testing.T, dir string) { mustRemove(t, filepath.Join(dir, fnApply)) }, "apply): no bootstrap binary; run `make build` first"},
		{"config missing", func(t *testing.T, dir string) { mustRemove(t, filepath.Join(dir, fnRecord, assetConfigFile)) }, "no landfall.yaml copy of the config"},
		{"config stale", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, fnSweep, assetConfigFile), []byte("version: 2\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "landfall.yaml differs from the config being synthesized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			configPath := filepath.Join(dir, "landfall.yaml")
			if err := os.WriteFile(configPath, config, 0o600); err != nil {
				t.Fatal(err)
			}
			buildDir := filepath.Join(dir, "build")
			for _, spec := range functionSpecs() {
				if err := writeAsset(filepath.Join(buildDir, spec.name), config); err != nil {
					t.Fatal(err)
				}
			}
			tt.prepare(t, buildDir)
			err := checkFunctionAssets(buildDir, configPath)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("checkFunctionAssets() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("checkFunctionAssets() = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func mustRemove(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

func TestEventPatternFromJSON(t *testing.T) {
	tests := []struct {
		name, pattern, wantErr string
	}{
		{"every orgevents key", `{"source":["aws.organizations"],"detail-type":["x"],"detail":{"eventName":["y"]}}`, ""},
		{"unsupported key", `{"source":["aws.organizations"],"account":["111111111111"]}`, `unsupported key "account"`},
		{"no source", `{"detail-type":["x"]}`, "no source"},
		{"malformed", `{"source":`, "decoding event pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := eventPatternFromJSON(tt.pattern)
			if tt.wantErr == "" {
				if err != nil || got == nil || *(*got.Source)[0] != "aws.organizations" {
					t.Fatalf("eventPatternFromJSON() = %v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("eventPatternFromJSON() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestPhysicalNamesTheCommandLineDerives(t *testing.T) {
	// THEN the ledger and both state machines carry the names pkg/config derives from the prefix, which
	// is how `landfall status` and `landfall rerun` find them without CloudFormation lookups
	check(t, func() {
		synthesized.main.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{"TableName": "acme-ledger"})
	})
	for _, name := range []string{"acme-baseline-account", "acme-sweep"} {
		check(t, func() {
			synthesized.main.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), map[string]any{"StateMachineName": name})
		})
	}
}

// No retrier of either state machine, at any depth, takes a terminal error: not by its name, and not by a
// catch-all that would take it too.
func TestNoRetryTakesATerminalError(t *testing.T) {
	for _, machine := range []string{"PipelineBaselineAccount", "PipelineSweep"} {
		var retriers int
		var walk func(at string, v any)
		walk = func(at string, v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, child := range v {
					if k != "Retry" {
						walk(at+"."+k, child)
						continue
					}
					for _, r := range child.([]any) {
						retriers++
						for _, name := range r.(map[string]any)["ErrorEquals"].([]any) {
							if name == pipeline.TerminalName || name == "States.ALL" || name == "States.TaskFailed" {
								t.Errorf("%s%s retries %s", machine, at, name)
							}
						}
					}
				}
			case []any:
				for _, child := range v {
					walk(at, child)
				}
			}
		}
		for name, state := range definition(t, machine) {
			walk("."+name, state)
		}
		if retriers == 0 {
			t.Errorf("%s has no retriers at all", machine)
		}
	}
}
