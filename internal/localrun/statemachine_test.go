package localrun

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/awslocal"
)

const (
	parentARN = "arn:aws:states:us-east-1:" + mgmt + ":stateMachine:Parent"
	childARN  = "arn:aws:states:us-east-1:" + mgmt + ":stateMachine:Child"
)

// child retries AccountNotReady the way BaselineAccount's WaitReady does
// (10 s, ×2), catches Boom, and lets any other error fail the execution.
var child = StateMachine{Name: "Child", ARN: childARN, Definition: []byte(`{
  "StartAt": "Echo",
  "States": {
    "Echo": {
      "Type": "Task", "Resource": "` + echoARN + `",
      "Retry": [{"ErrorEquals": ["AccountNotReady"], "IntervalSeconds": 10, "BackoffRate": 2, "MaxAttempts": 3}],
      "Catch": [{"ErrorEquals": ["Boom"], "ResultPath": "$.failure", "Next": "Handled"}],
      "End": true
    },
    "Handled": {"Type": "Pass", "End": true}
  }
}`)}

// parent starts child synchronously, like Sweep's StartBaseline.
var parent = StateMachine{Name: "Parent", ARN: parentARN, Definition: []byte(`{
  "StartAt": "Start",
  "States": {
    "Start": {
      "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
      "Parameters": {"StateMachineArn": "` + childARN + `", "Input": {"value.$": "$.value", "fail.$": "$.fail", "failTimes.$": "$.failTimes", "parent.$": "$$.Execution.Id"}},
      "ResultSelector": {"status.$": "$.Status", "output.$": "$.Output"},
      "End": true
    }
  }
}`)}

// integration waits an hour (the runner shortens it), then calls the function
// through the lambda:invoke service integration, whose result wraps the
// payload, and then a resource the runner does not support.
var integration = StateMachine{Name: "Integration", ARN: childARN, Definition: []byte(`{
  "StartAt": "Pause",
  "States": {
    "Pause": {"Type": "Wait", "Seconds": 3600, "Next": "Invoke"},
    "Invoke": {
      "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "` + echoARN + `", "Payload.$": "$"},
      "ResultSelector": {"status.$": "$.StatusCode", "version.$": "$.ExecutedVersion", "value.$": "$.Payload.value"},
      "ResultPath": "$.invoked",
      "Next": "Choose"
    },
    "Choose": {"Type": "Choice", "Choices": [{"Variable": "$.unsupported", "BooleanEquals": true, "Next": "Unsupported"}], "Default": "Done"},
    "Unsupported": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true},
    "Done": {"Type": "Succeed"}
  }
}`)}

func newTestRunner(t *testing.T) (*Runner, *awslocal.Server) {
	t.Helper()
	root, err := FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	node, driver, err := Toolchain(root)
	if err != nil {
		t.Fatal(err) // the message says to run `make tools`
	}
	srv := newEndpoint(t)
	url := srv.Start(t)
	creds := srv.AdminCredentials(mgmt)
	fn, err := NewFunction(FunctionConfig{ARN: echoARN, Binary: buildEcho(t), EndpointURL: url, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fn.Close)
	if err := srv.RegisterFunction(echoARN, fn.Invoke); err != nil {
		t.Fatal(err)
	}
	return &Runner{Node: node, Driver: driver, EndpointURL: url, Region: "us-east-1",
		Credentials: map[string]awslocal.Credentials{parentARN: creds, childARN: creds},
		Machines:    []StateMachine{child, parent}}, srv
}

// TestRunnerExecute runs definitions to their end. Step Functions' quotas
// end an execution too, and States.ALL catches neither
// States.DataLimitExceeded nor States.Runtime.
func TestRunnerExecute(t *testing.T) {
	catchAll := `"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]`
	under, underInput := mapOfPasses(6000)
	over, overInput := mapOfPasses(6300)
	tests := []struct {
		name        string
		machine     StateMachine
		input       string
		wantStatus  string
		wantError   string
		wantCause   string // a substring
		wantOutput  string // a JSON value the output must equal
		wantRetries int
	}{
		{name: "retry until ready", machine: child, input: `{"fail": "AccountNotReady", "failTimes": 2, "value": "x"}`,
			wantStatus: "SUCCEEDED", wantRetries: 2,
			wantOutput: `{"value":"x","account":"` + mgmt + `","caller":"arn:aws:iam::` + mgmt + `:user/admin","function":"echo","functionArn":"` + echoARN + `","custom":"","attempts":3}`},
		{name: "retries exhausted", machine: child, input: `{"fail": "AccountNotReady", "failTimes": 9}`,
			wantStatus: "FAILED", wantError: "AccountNotReady", wantRetries: 3,
			wantCause: `{"errorMessage":"failing as asked","errorType":"AccountNotReady"}`},
		{name: "caught error", machine: child, input: `{"fail": "Boom"}`, wantStatus: "SUCCEEDED",
			wantOutput: `{"fail":"Boom","failure":{"Error":"Boom","Cause":"{\"errorMessage\":\"failing as asked\",\"errorType\":\"Boom\"}"}}`},
		{name: "uncaught error", machine: child, input: `{"fail": "Other"}`, wantStatus: "FAILED", wantError: "Other"},
		{name: "child execution", machine: parent, input: `{"value": 7, "fail": "", "failTimes": 0}`, wantStatus: "SUCCEEDED",
			wantOutput: `{"status":"SUCCEEDED","output":{"value":7,"account":"` + mgmt + `","caller":"arn:aws:iam::` + mgmt + `:user/admin","function":"echo","functionArn":"` + echoARN + `","custom":"","attempts":1}}`},
		{name: "failed child execution", machine: parent, input: `{"value": 7, "fail": "Other", "failTimes": 0}`,
			wantStatus: "FAILED", wantError: "States.TaskFailed", wantCause: `"Error":"Other"`},
		{name: "lambda:invoke integration after a Wait", machine: integration, input: `{"value": 1, "unsupported": false}`, wantStatus: "SUCCEEDED",
			wantOutput: `{"value":1,"unsupported":false,"invoked":{"status":200,"version":"$LATEST","value":1}}`},
		{name: "unsupported resource", machine: integration, input: `{"value": 1, "unsupported": true}`,
			wantStatus: "FAILED", wantError: "States.Runtime", wantCause: "arn:aws:states:::sqs:sendMessage"},
		{name: "unknown function", machine: StateMachine{Name: "Bad", ARN: childARN, Definition: []byte(strings.ReplaceAll(string(child.Definition), ":echo", ":missing"))},
			input: `{}`, wantStatus: "FAILED", wantError: "Lambda.ResourceNotFoundException"},
		{name: "a state's output over 256 KiB", machine: quotaMachine(`"First": {"Type": "Pass", "Result": "` + over256KiB + `", "End": true}`),
			input: `{}`, wantStatus: "FAILED", wantError: "States.DataLimitExceeded"},
		{name: "a function's result over 256 KiB, not caught", input: `{"value": "` + over256KiB[:maxPayload-100] + `"}`,
			machine:    quotaMachine(`"First": {"Type": "Task", "Resource": "` + echoARN + `", ` + catchAll + `, "End": true}`),
			wantStatus: "FAILED", wantError: "States.DataLimitExceeded"},
		{name: "a task's input over 256 KiB after Parameters, not caught", input: `{"value": "` + over256KiB[:maxPayload/2] + `"}`,
			machine:    quotaMachine(`"First": {"Type": "Task", "Resource": "` + echoARN + `", "Parameters": {"a.$": "$.value", "b.$": "$.value"}, ` + catchAll + `, "End": true}`),
			wantStatus: "FAILED", wantError: "States.DataLimitExceeded"},
		{name: "a function's result under the quota", input: `{"value": "` + over256KiB[:maxPayload-1000] + `"}`,
			machine:    quotaMachine(`"First": {"Type": "Task", "Resource": "` + echoARN + `", "ResultPath": null, "End": true}`),
			wantStatus: "SUCCEEDED"},
		{name: "24,006 history events", machine: under, input: underInput, wantStatus: "SUCCEEDED"},
		{name: "25,206 history events", machine: over, input: overInput, wantStatus: "FAILED", wantError: "States.Runtime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner, _ := newTestRunner(t)
			retries := 0
			runner.OnEvent = func(e Event) {
				if e.Type == "StateRetried" {
					retries++
				}
			}
			got, err := runner.Execute(context.Background(), tt.machine, []byte(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tt.wantStatus || got.Error != tt.wantError {
				t.Fatalf("execution ended %s %s (%s), want %s %s", got.Status, got.Error, got.Cause, tt.wantStatus, tt.wantError)
			}
			if !strings.Contains(got.Cause, tt.wantCause) {
				t.Errorf("Cause = %s, want it to contain %s", got.Cause, tt.wantCause)
			}
			if tt.wantOutput != "" && !jsonEqual(t, got.Output, tt.wantOutput) {
				t.Errorf("Output = %s\nwant %s", got.Output, tt.wantOutput)
			}
			if retries != tt.wantRetries {
				t.Errorf("%d retries, want %d", retries, tt.wantRetries)
			}
			if !strings.HasPrefix(got.ARN, strings.Replace(tt.machine.ARN, ":stateMachine:", ":execution:", 1)+":") {
				t.Errorf("execution ARN %s does not belong to %s", got.ARN, tt.machine.ARN)
			}
		})
	}
}

func TestRunnerRejectsInvalidDefinition(t *testing.T) {
	runner, _ := newTestRunner(t)
	_, err := runner.Execute(context.Background(), StateMachine{ARN: childARN, Definition: []byte(`{"StartAt": "Nowhere", "States": {}}`)}, nil)
	if err == nil {
		t.Fatal("an invalid definition ran")
	}
}

func jsonEqual(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("output %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}

// quotaMachine is a state machine of states (starting at First), with a
// state Caught when one names it.
func quotaMachine(states string) StateMachine {
	if strings.Contains(states, `"Caught"`) {
		states += `, "Caught": {"Type": "Pass", "End": true}`
	}
	return StateMachine{Name: "Quota", ARN: childARN, Definition: []byte(`{"StartAt": "First", "States": {` + states + `}}`)}
}

// mapOfPasses is a Map of n Pass iterations, which records 4 history events
// each and 6 besides, and its input.
func mapOfPasses(n int) (StateMachine, string) {
	items := make([]string, n)
	for i := range items {
		items[i] = "1"
	}
	return quotaMachine(`"First": {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": {"StartAt": "Each", "States": {"Each": {"Type": "Pass", "End": true}}}, "End": true}`),
		`{"items": [` + strings.Join(items, ",") + `]}`
}

// over256KiB is a string too long for any state's data.
var over256KiB = strings.Repeat("x", maxPayload)

// An execution's input over Step Functions' quota is refused at the start.
func TestRunnerRefusesLargeInput(t *testing.T) {
	runner, _ := newTestRunner(t)
	if _, err := runner.Execute(context.Background(), child, []byte(`{"value": "`+over256KiB+`"}`)); err == nil || !strings.Contains(err.Error(), "more than the 262144") {
		t.Fatalf("err = %v, want the input refused", err)
	}
}
