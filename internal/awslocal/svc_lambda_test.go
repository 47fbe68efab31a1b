package awslocal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const echoARN = "arn:aws:lambda:us-east-1:" + mgmt + ":function:echo"

// echo answers its payload, fails with the error named in {"fail": "..."},
// and reports a runtime failure for {"crash": true}.
func echo(_ context.Context, payload []byte) ([]byte, string, string, error) {
	var in struct {
		Fail  string `json:"fail"`
		Crash bool   `json:"crash"`
	}
	_ = json.Unmarshal(payload, &in)
	switch {
	case in.Crash:
		return nil, "", "", errors.New("runtime exited")
	case in.Fail != "":
		return nil, in.Fail, "account is not ready", nil
	}
	return payload, "", "", nil
}

func TestLambdaInvoke(t *testing.T) {
	s, url, _ := newTestServer(t)
	mustNoErr(t, s.RegisterFunction(echoARN, echo))
	client := lambda.NewFromConfig(sdkConfig(t, s, url, mgmt, "us-east-1"))

	tests := []struct {
		name          string
		function      string
		qualifier     string
		payload       string
		wantCode      string // API error code
		wantPayload   string
		wantFuncError string
	}{
		{name: "by name", function: "echo", payload: `{"a":1}`, wantPayload: `{"a":1}`},
		{name: "by ARN", function: echoARN, payload: `[1,2]`, wantPayload: `[1,2]`},
		{name: "by partial ARN", function: mgmt + ":function:echo", payload: `"x"`, wantPayload: `"x"`},
		{name: "latest qualifier", function: "echo:$LATEST", payload: `{}`, wantPayload: `{}`},
		{name: "function error", function: "echo", payload: `{"fail":"AccountNotReady"}`,
			wantFuncError: "Unhandled", wantPayload: `{"errorMessage":"account is not ready","errorType":"AccountNotReady"}`},
		{name: "unknown function", function: "nope", payload: `{}`, wantCode: "ResourceNotFoundException"},
		{name: "other region", function: "arn:aws:lambda:eu-west-1:" + mgmt + ":function:echo", payload: `{}`, wantCode: "ResourceNotFoundException"},
		{name: "unknown qualifier", function: "echo", qualifier: "prod", payload: `{}`, wantCode: "ResourceNotFoundException"},
		{name: "other account", function: "arn:aws:lambda:us-east-1:222222222222:function:echo", payload: `{}`, wantCode: "AccessDeniedException"},
		{name: "payload not JSON", function: "echo", payload: `{`, wantCode: "InvalidRequestContentException"},
		{name: "runtime failure", function: "echo", payload: `{"crash":true}`, wantCode: "ServiceException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &lambda.InvokeInput{FunctionName: aws.String(tt.function), Payload: []byte(tt.payload)}
			if tt.qualifier != "" {
				in.Qualifier = aws.String(tt.qualifier)
			}
			out, err := client.Invoke(context.Background(), in)
			if tt.wantCode != "" {
				wantCode(t, err, tt.wantCode)
				return
			}
			mustNoErr(t, err)
			if out.StatusCode != 200 {
				t.Errorf("StatusCode = %d, want 200", out.StatusCode)
			}
			if got := aws.ToString(out.FunctionError); got != tt.wantFuncError {
				t.Errorf("FunctionError = %q, want %q", got, tt.wantFuncError)
			}
			if !bytes.Equal(out.Payload, []byte(tt.wantPayload)) {
				t.Errorf("Payload = %s, want %s", out.Payload, tt.wantPayload)
			}
			if got := aws.ToString(out.ExecutedVersion); got != "$LATEST" {
				t.Errorf("ExecutedVersion = %q, want $LATEST", got)
			}
		})
	}
}

// A function that calls the endpoint while it runs must not deadlock: the
// invocation runs without the state lock.
func TestLambdaInvokeCallsBack(t *testing.T) {
	s, url, _ := newTestServer(t)
	stsClient := sts.NewFromConfig(sdkConfig(t, s, url, mgmt, "us-east-1"))
	mustNoErr(t, s.RegisterFunction(echoARN, func(ctx context.Context, _ []byte) ([]byte, string, string, error) {
		id, err := stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, "", "", err
		}
		b, err := json.Marshal(aws.ToString(id.Account))
		return b, "", "", err
	}))
	out, err := lambda.NewFromConfig(sdkConfig(t, s, url, mgmt, "us-east-1")).Invoke(context.Background(),
		&lambda.InvokeInput{FunctionName: aws.String("echo")})
	mustNoErr(t, err)
	if want := `"` + mgmt + `"`; string(out.Payload) != want {
		t.Fatalf("Payload = %s, want %s", out.Payload, want)
	}
}

func TestLambdaInvocationTypes(t *testing.T) {
	tests := []struct {
		typ        types.InvocationType
		wantStatus int32
		wantRun    bool
	}{
		{types.InvocationTypeRequestResponse, 200, true},
		{types.InvocationTypeEvent, 202, true},
		{types.InvocationTypeDryRun, 204, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			s, url, _ := newTestServer(t)
			ran := make(chan []byte, 1)
			mustNoErr(t, s.RegisterFunction(echoARN, func(_ context.Context, p []byte) ([]byte, string, string, error) {
				ran <- p
				return p, "", "", nil
			}))
			out, err := lambda.NewFromConfig(sdkConfig(t, s, url, mgmt, "us-east-1")).Invoke(context.Background(),
				&lambda.InvokeInput{FunctionName: aws.String("echo"), InvocationType: tt.typ, Payload: []byte(`{"k":"v"}`)})
			mustNoErr(t, err)
			if out.StatusCode != tt.wantStatus {
				t.Errorf("StatusCode = %d, want %d", out.StatusCode, tt.wantStatus)
			}
			if !tt.wantRun {
				if len(ran) != 0 {
					t.Error("DryRun ran the function")
				}
				return
			}
			// The asynchronous invocation may still be running; wait for it.
			if got := <-ran; string(got) != `{"k":"v"}` {
				t.Errorf("function got payload %s", got)
			}
		})
	}
}

func TestLambdaGetFunction(t *testing.T) {
	s, url, _ := newTestServer(t)
	mustNoErr(t, s.RegisterFunction(echoARN, echo))
	client := lambda.NewFromConfig(sdkConfig(t, s, url, mgmt, "us-east-1"))
	out, err := client.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	mustNoErr(t, err)
	if got := aws.ToString(out.Configuration.FunctionArn); got != echoARN {
		t.Errorf("FunctionArn = %q, want %q", got, echoARN)
	}
	if out.Configuration.State != types.StateActive {
		t.Errorf("State = %q, want Active", out.Configuration.State)
	}
	_, err = client.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("other")})
	wantCode(t, err, "ResourceNotFoundException")
}

func TestRegisterFunctionRejectsBadARN(t *testing.T) {
	s := New(Options{})
	for _, arn := range []string{"echo", mgmt + ":function:echo", echoARN + ":prod", "arn:aws:lambda:us-east-1:1:function:echo"} {
		if err := s.RegisterFunction(arn, echo); err == nil {
			t.Errorf("RegisterFunction(%q) accepted a malformed ARN", arn)
		}
	}
}
