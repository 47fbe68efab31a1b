package localrun

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
)

const (
	mgmt    = "111111111111"
	echoARN = "arn:aws:lambda:us-east-1:" + mgmt + ":function:echo"
)

// newEndpoint is a local endpoint that decides every request the way IAM
// does.
func newEndpoint(t *testing.T) *awslocal.Server {
	t.Helper()
	return newEndpointWith(t, awslocal.Options{})
}

// newEndpointWith is newEndpoint with opts.
func newEndpointWith(t *testing.T, opts awslocal.Options) *awslocal.Server {
	t.Helper()
	root, err := FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if opts.Authorizer, err = iamsim.Shared(root); err != nil {
		t.Fatal(err)
	}
	return awslocal.New(opts)
}

// startEcho starts an endpoint with the echo test function registered and
// returns a Lambda client acting as the management account's admin.
func startEcho(t *testing.T, logs *syncBuffer) (*lambda.Client, *awslocal.Server, string) {
	t.Helper()
	srv := newEndpoint(t)
	url := srv.Start(t)
	creds := srv.AdminCredentials(mgmt)
	fn, err := NewFunction(FunctionConfig{
		ARN: echoARN, Binary: buildEcho(t), TaskRoot: t.TempDir(),
		Env:         map[string]string{"CUSTOM": "from-config", "AWS_LAMBDA_FUNCTION_NAME": "overridden"},
		EndpointURL: url, Credentials: creds, Logs: logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fn.Close)
	if err := srv.RegisterFunction(echoARN, fn.Invoke); err != nil {
		t.Fatal(err)
	}
	cfg, err := awslocal.SDKConfig(context.Background(), url, creds, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.RetryMaxAttempts = 1
	return lambda.NewFromConfig(cfg), srv, url
}

type echoResponse struct {
	Value       any    `json:"value"`
	Account     string `json:"account"`
	Caller      string `json:"caller"`
	Function    string `json:"function"`
	FunctionARN string `json:"functionArn"`
	Custom      string `json:"custom"`
	Attempts    int    `json:"attempts"`
}

// TestFunctionThroughEndpoint invokes the real binary through the endpoint's
// Lambda Invoke. The steps share one warm process, so their order matters:
// attempts counts invocations the current process has handled.
func TestFunctionThroughEndpoint(t *testing.T) {
	logs := &syncBuffer{}
	client, _, _ := startEcho(t, logs)
	steps := []struct {
		name          string
		payload       string
		wantErrorType string
		wantValue     any
		wantAttempts  int
	}{
		{name: "first invocation starts the process", payload: `{"value":"a"}`, wantValue: "a", wantAttempts: 1},
		{name: "second invocation reuses it", payload: `{"value":42}`, wantValue: 42.0, wantAttempts: 2},
		{name: "function error keeps its type", payload: `{"fail":"AccountNotReady"}`, wantErrorType: "AccountNotReady"},
		// aws-lambda-go names a Go error by the type of the value returned.
		{name: "a Go error is named by its type", payload: `{"failAs":"typed"}`, wantErrorType: "NotReady"},
		{name: "a wrapped Go error is named by the wrapper", payload: `{"failAs":"wrapped"}`, wantErrorType: "wrapError"},
		{name: "process exit", payload: `{"exit":true}`, wantErrorType: "Runtime.ExitError"},
		{name: "a new process replaces it", payload: `{"value":"b"}`, wantValue: "b", wantAttempts: 1},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			out, err := client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(echoARN), Payload: []byte(st.payload)})
			if err != nil {
				t.Fatal(err)
			}
			if st.wantErrorType != "" {
				var fe struct{ ErrorType, ErrorMessage string }
				if err := json.Unmarshal(out.Payload, &fe); err != nil {
					t.Fatalf("error payload %s: %v", out.Payload, err)
				}
				if aws.ToString(out.FunctionError) != "Unhandled" || fe.ErrorType != st.wantErrorType || fe.ErrorMessage == "" {
					t.Fatalf("FunctionError %q, payload %s; want Unhandled with errorType %s", aws.ToString(out.FunctionError), out.Payload, st.wantErrorType)
				}
				return
			}
			if out.FunctionError != nil {
				t.Fatalf("function error %s: %s", aws.ToString(out.FunctionError), out.Payload)
			}
			var got echoResponse
			if err := json.Unmarshal(out.Payload, &got); err != nil {
				t.Fatal(err)
			}
			want := echoResponse{Value: st.wantValue, Account: mgmt, Caller: "arn:aws:iam::" + mgmt + ":user/admin", Function: "echo", FunctionARN: echoARN, Custom: "from-config", Attempts: st.wantAttempts}
			if got != want {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
	// aws-lambda-go logs a function error to stderr before reporting it.
	if l := logs.String(); !strings.Contains(l, "[echo] ") || !strings.Contains(l, "AccountNotReady") {
		t.Errorf("logs lack the prefixed error line:\n%s", l)
	}
}

// With two environments, two invocations started together each run in a
// fresh one; with one, the second would see the first's warm process.
func TestFunctionConcurrency(t *testing.T) {
	srv := newEndpoint(t)
	url := srv.Start(t)
	fn, err := NewFunction(FunctionConfig{ARN: echoARN, Binary: buildEcho(t), EndpointURL: url,
		Credentials: srv.AdminCredentials(mgmt), Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	results := make(chan int, 2)
	for range 2 {
		go func() {
			res, errType, _, err := fn.Invoke(context.Background(), []byte(`{}`))
			var got echoResponse
			if err != nil || errType != "" || json.Unmarshal(res, &got) != nil {
				results <- -1
				return
			}
			results <- got.Attempts
		}()
	}
	for range 2 {
		if a := <-results; a != 1 {
			t.Errorf("attempts = %d, want 1 (each invocation in its own fresh environment)", a)
		}
	}
}

// An invocation that outlives the timeout ends as Lambda ends it, and the
// stopped environment is replaced.
func TestFunctionTimeout(t *testing.T) {
	srv := newEndpoint(t)
	url := srv.Start(t)
	fn, err := NewFunction(FunctionConfig{ARN: echoARN, Binary: buildEcho(t), EndpointURL: url,
		Credentials: srv.AdminCredentials(mgmt), Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Close()
	_, errType, errMsg, err := fn.Invoke(context.Background(), []byte(`{"hang":true}`))
	if err != nil || errType != "Sandbox.Timedout" || !strings.Contains(errMsg, "Task timed out after 0.30 seconds") {
		t.Fatalf("got %q %q %v, want Sandbox.Timedout", errType, errMsg, err)
	}
	res, errType, _, err := fn.Invoke(context.Background(), []byte(`{"value":1}`))
	var got echoResponse
	if err != nil || errType != "" || json.Unmarshal(res, &got) != nil || got.Attempts != 1 {
		t.Fatalf("after the timeout: %s %q %v, want a fresh environment's answer", res, errType, err)
	}
}

func TestNewFunctionRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  FunctionConfig
	}{
		{"no ARN", FunctionConfig{Binary: "/bin/true", EndpointURL: "http://127.0.0.1:1"}},
		{"not a function ARN", FunctionConfig{ARN: "arn:aws:states:us-east-1:1:stateMachine:x", Binary: "/bin/true", EndpointURL: "http://127.0.0.1:1"}},
		{"no binary", FunctionConfig{ARN: echoARN, EndpointURL: "http://127.0.0.1:1"}},
		{"no endpoint", FunctionConfig{ARN: echoARN, Binary: "/bin/true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewFunction(tt.cfg); err == nil {
				t.Fatal("NewFunction accepted the config")
			}
		})
	}
}
