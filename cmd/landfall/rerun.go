package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/orgevents"
)

// executionPoll is how often `rerun --wait` asks Step Functions about the
// execution. A baseline takes minutes; DescribeExecution is cheap, but its
// quota is shared with the pipeline's own calls.
const executionPoll = 5 * time.Second

// runRerun implements `landfall rerun --account ID [--wait]`.
func runRerun(ctx context.Context, e cli.Env, args []string) int {
	return rerun(ctx, e, args, executionPoll)
}

// rerun is runRerun with the poll interval as a parameter, for tests.
func rerun(ctx context.Context, e cli.Env, args []string, poll time.Duration) int {
	fs := flag.NewFlagSet("rerun", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	account := fs.String("account", "", accountFlagUsage)
	wait := fs.Bool("wait", false, "wait for the execution to end; exit 1 if it did not succeed")
	configFlag := fs.String("config", "", configFlagUsage)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall rerun --account ID [--wait]\n\n"+
			"Start the BaselineAccount state machine for one account, as the pipeline does\n"+
			"on account events, and print the execution ARN. The request names you (your\n"+
			"caller identity) for the audit trail.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if !validAccountID(*account) {
		fmt.Fprintf(e.Stderr, "landfall rerun: %v\n", accountFlagError(*account))
		return cli.ExitUsage
	}
	op, err := connect(ctx, e, *configFlag)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall rerun: %v\n", err)
		return cli.ExitFail
	}
	arn, err := startBaseline(ctx, op, *account)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall rerun: %v\n", err)
		return cli.ExitFail
	}
	fmt.Fprintln(e.Stdout, arn)
	if !*wait {
		return cli.ExitOK
	}
	out, err := waitExecution(ctx, sfn.NewFromConfig(op.aws), arn, poll)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall rerun: %v\n", err)
		return cli.ExitFail
	}
	took := aws.ToTime(out.StopDate).Sub(aws.ToTime(out.StartDate)).Round(time.Second)
	if out.Status != sfntypes.ExecutionStatusSucceeded {
		fmt.Fprintf(e.Stderr, "landfall rerun: execution %s after %s: %s\n", out.Status, took, executionFailure(out))
		return cli.ExitFail
	}
	fmt.Fprintf(e.Stdout, "SUCCEEDED in %s\n", took)
	return cli.ExitOK
}

// startBaseline starts BaselineAccount with the manual request
// pkg/orgevents decodes. The account is checked first: the pipeline would
// reject an unknown one too, but only in its logs and the operations topic.
func startBaseline(ctx context.Context, op operator, accountID string) (string, error) {
	status, err := accounts.Status(ctx, organizations.NewFromConfig(op.aws), accountID)
	if err != nil {
		return "", err
	}
	if status == "" {
		return "", fmt.Errorf("account %s is not in the organization", accountID)
	}
	id, err := sts.NewFromConfig(op.aws).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("getting the caller identity: %w", err)
	}
	input, err := json.Marshal(orgevents.ManualRequest{AccountID: accountID, Reason: "manual", RequestedBy: aws.ToString(id.Arn)})
	if err != nil {
		return "", fmt.Errorf("encoding the manual request: %w", err)
	}
	machine := baselineStateMachineARN(op)
	out, err := sfn.NewFromConfig(op.aws).StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machine), Input: aws.String(string(input))})
	if err != nil {
		return "", fmt.Errorf("starting execution of (%s): %w", machine, err)
	}
	return aws.ToString(out.ExecutionArn), nil
}

// baselineStateMachineARN follows from the config: the stack deploys
// BaselineAccount under a fixed name in the management account's home region.
func baselineStateMachineARN(op operator) string {
	org := op.cfg.Organization
	return "arn:aws:states:" + org.HomeRegion + ":" + org.ManagementAccountID + ":stateMachine:" + op.cfg.BaselineStateMachineName()
}

// waitExecution polls the execution until it is no longer running.
func waitExecution(ctx context.Context, client *sfn.Client, arn string, every time.Duration) (*sfn.DescribeExecutionOutput, error) {
	var out *sfn.DescribeExecutionOutput
	err := pollUntil(ctx, every, func() (bool, error) {
		var err error
		out, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			return false, fmt.Errorf("describing execution (%s): %w", arn, err)
		}
		return out.Status != sfntypes.ExecutionStatusRunning, nil
	})
	return out, err
}

// executionFailure is what Step Functions says about a failed execution.
func executionFailure(out *sfn.DescribeExecutionOutput) string {
	switch {
	case aws.ToString(out.Error) != "" && aws.ToString(out.Cause) != "":
		return aws.ToString(out.Error) + ": " + aws.ToString(out.Cause)
	case aws.ToString(out.Error) != "":
		return aws.ToString(out.Error)
	}
	return "no error recorded; see the execution's history in the Step Functions console"
}

// pollUntil calls check every interval until it reports done or fails, or
// ctx ends. The first check is immediate.
func pollUntil(ctx context.Context, every time.Duration, check func() (bool, error)) error {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
