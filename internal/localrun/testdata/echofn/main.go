// Command echofn is the test function for package localrun: a Lambda handler
// built like landfall's functions (aws-lambda-go, lambda.norpc) that reports
// what it sees and fails on request.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type request struct {
	Fail      string `json:"fail"`      // return a function error of this type
	FailAs    string `json:"failAs"`    // "typed": return a *NotReady; "wrapped": return it wrapped
	FailTimes int    `json:"failTimes"` // fail with Fail this many times in this process, then succeed
	Exit      bool   `json:"exit"`      // exit the process mid-invocation
	Hang      bool   `json:"hang"`      // never answer
	Value     any    `json:"value"`
}

type response struct {
	Value       any    `json:"value"`
	Account     string `json:"account"`
	Caller      string `json:"caller"`
	Function    string `json:"function"`
	FunctionARN string `json:"functionArn"`
	Custom      string `json:"custom"`
	Attempts    int    `json:"attempts"`
}

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		panic(err)
	}
	client := sts.NewFromConfig(cfg)
	attempts := 0
	lambda.Start(func(ctx context.Context, in request) (response, error) {
		attempts++
		if in.Exit {
			os.Exit(3)
		}
		if in.Hang {
			time.Sleep(time.Hour)
		}
		switch in.FailAs {
		case "typed":
			return response{}, &NotReady{}
		case "wrapped":
			return response{}, fmt.Errorf("entering: %w", &NotReady{})
		}
		if in.Fail != "" && attempts <= in.FailTimes || in.Fail != "" && in.FailTimes == 0 {
			return response{}, messages.InvokeResponse_Error{Type: in.Fail, Message: "failing as asked"}
		}
		id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return response{}, err
		}
		lc, _ := lambdacontext.FromContext(ctx)
		return response{
			Value: in.Value, Account: aws.ToString(id.Account), Caller: aws.ToString(id.Arn), Function: lambdacontext.FunctionName,
			FunctionARN: lc.InvokedFunctionArn, Custom: os.Getenv("CUSTOM"), Attempts: attempts,
		}, nil
	})
}

// NotReady is a Go error type, which aws-lambda-go names by its type name.
type NotReady struct{}

func (*NotReady) Error() string { return "not ready" }
