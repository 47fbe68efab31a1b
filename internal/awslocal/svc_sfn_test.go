package awslocal

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfnt "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

type started struct{ machine, execution, input string }

func TestStepFunctionsExecutions(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	runs := make(chan started, 16)
	s.OnStartExecution(func(sm, exec string, input []byte) { runs <- started{sm, exec, string(input)} })
	smARN := s.RegisterStateMachine(mgmt, "us-east-1", "landfall-baseline")
	if smARN != "arn:aws:states:us-east-1:"+mgmt+":stateMachine:landfall-baseline" {
		t.Fatalf("arn = %s", smARN)
	}
	sf := sfn.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	out, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("acct-222"), Input: aws.String(`{"account":"222"}`)})
	mustNoErr(t, err)
	execARN := aws.ToString(out.ExecutionArn)
	if execARN != "arn:aws:states:us-east-1:"+mgmt+":execution:landfall-baseline:acct-222" || out.StartDate == nil {
		t.Fatalf("start = %+v", out)
	}
	if r := <-runs; r.machine != smARN || r.execution != execARN || r.input != `{"account":"222"}` {
		t.Fatalf("callback got %+v", r)
	}

	// Same name and input while running: the same execution.
	again, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("acct-222"), Input: aws.String(`{"account":"222"}`)})
	mustNoErr(t, err)
	if aws.ToString(again.ExecutionArn) != execARN {
		t.Fatalf("idempotent start = %s", aws.ToString(again.ExecutionArn))
	}
	d, err := sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execARN)})
	mustNoErr(t, err)
	if d.Status != sfnt.ExecutionStatusRunning || d.StopDate != nil || aws.ToString(d.Input) != `{"account":"222"}` {
		t.Fatalf("running = %+v", d)
	}
	mustNoErr(t, s.FinishExecution(execARN, "SUCCEEDED", []byte(`{"ok":true}`)))
	if err := s.FinishExecution(execARN, "FAILED", nil); err == nil {
		t.Fatal("finishing a finished execution must fail")
	}
	if err := s.FinishExecution(execARN+"x", "BOGUS", nil); err == nil {
		t.Fatal("an unknown status must fail")
	}
	d, err = sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execARN)})
	mustNoErr(t, err)
	if d.Status != sfnt.ExecutionStatusSucceeded || d.StopDate == nil || aws.ToString(d.Output) != `{"ok":true}` {
		t.Fatalf("finished = %+v", d)
	}

	other := sfn.NewFromConfig(sdkConfig(t, s, u, "222222222222", "us-east-1"))
	errs := []struct {
		name string
		call func() error
		code string
	}{
		{"name reused after finish", func() error {
			_, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("acct-222"), Input: aws.String(`{"account":"222"}`)})
			return err
		}, "ExecutionAlreadyExists"},
		{"invalid name", func() error {
			_, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String("has space")})
			return err
		}, "InvalidName"},
		{"invalid input", func() error {
			_, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Input: aws.String("{not json")})
			return err
		}, "InvalidExecutionInput"},
		{"unknown machine", func() error {
			_, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN + "-nope")})
			return err
		}, "StateMachineDoesNotExist"},
		{"malformed arn", func() error {
			_, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("landfall-baseline")})
			return err
		}, "InvalidArn"},
		{"unknown execution", func() error {
			_, err := sf.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execARN + "-nope")})
			return err
		}, "ExecutionDoesNotExist"},
		// State machines have no resource-based policy, so IAM refuses
		// another account's request before the service looks it up.
		{"execution of another account", func() error {
			_, err := other.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execARN)})
			return err
		}, "AccessDeniedException"},
		{"machine of another account", func() error {
			_, err := other.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN)})
			return err
		}, "AccessDeniedException"},
		{"bad status filter", func() error {
			_, err := sf.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), StatusFilter: "DONE"})
			return err
		}, "ValidationException"},
		{"bad token", func() error {
			_, err := sf.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), NextToken: aws.String("nope")})
			return err
		}, "InvalidToken"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.code) })
	}

	for i := range 6 {
		_, err := sf.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smARN), Name: aws.String(fmt.Sprintf("run-%d", i))})
		mustNoErr(t, err)
		<-runs
	}
	lists := []struct {
		filter sfnt.ExecutionStatus
		want   int
	}{{"", 7}, {sfnt.ExecutionStatusRunning, 6}, {sfnt.ExecutionStatusSucceeded, 1}}
	for _, tc := range lists {
		t.Run("list "+string(tc.filter), func(t *testing.T) {
			var names []string
			pages := 0
			for p := sfn.NewListExecutionsPaginator(sf, &sfn.ListExecutionsInput{StateMachineArn: aws.String(smARN), StatusFilter: tc.filter}); p.HasMorePages(); pages++ {
				out, err := p.NextPage(ctx)
				mustNoErr(t, err)
				for _, e := range out.Executions {
					names = append(names, aws.ToString(e.Name))
				}
			}
			if len(names) != tc.want || (tc.want > 5 && pages < 2) {
				t.Fatalf("listed %v in %d pages, want %d", names, pages, tc.want)
			}
			if tc.filter == "" && (names[0] != "run-5" || names[6] != "acct-222") {
				t.Fatalf("want newest first, got %v", names)
			}
		})
	}
}
