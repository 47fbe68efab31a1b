package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	tasks "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/landfall/landfall/pkg/pipeline"
)

// Decisions returned by the describe function in $.decision; the Choice state routes on them.
const (
	decisionBaseline      = "baseline"
	decisionSkip          = "skip"
	decisionForget        = "forget"
	decisionDuplicate     = "duplicate"
	decisionReportFailure = "report-failure"
)

// The error names the state machines branch on are the names Step Functions sees for the pipeline's errors.
var (
	// errAccountNotReady is what waitready throws while the new account cannot be used yet.
	errAccountNotReady = pipeline.ErrorName(&pipeline.AccountNotReady{})
	// errThrottled is what a step throws when AWS still throttles it after the SDK's retries.
	errThrottled = pipeline.ErrorName(&pipeline.Throttled{})
	// errTransient is what a step throws when AWS still fails in a way that passes (5xx, a dropped
	// connection) after the SDK's retries.
	errTransient = pipeline.ErrorName(&pipeline.Transient{})
)

// errAccountBusy is the error name describe throws when another run holds the account's lock and this
// trigger (a move, an operator's rerun) may change what that run applies; it waits instead of being
// dropped, for as long as the other run may hold the lock (pipeline.LockTTL): 30 s doubling, then every
// 10 minutes.
var errAccountBusy = pipeline.ErrorName(&pipeline.AccountBusy{})

var busy = backoff{interval: 30 * time.Second, rate: 2, maxDelay: 10 * time.Minute}

// backoff is the schedule of a Step Functions retrier that waits for something outside landfall: the first
// wait, the factor each later wait grows by, and the longest wait.
type backoff struct {
	interval, maxDelay time.Duration
	rate               float64
}

// readiness: new accounts take minutes before AssumeRole and IAM answer. Starting at 10 s catches the fast
// case; growing by 1.5 keeps the number of Lambda invocations small; the cap keeps the last checks close
// together so a ready account is not left waiting for a long final interval.
var readiness = backoff{interval: 10 * time.Second, rate: 1.5, maxDelay: 2 * time.Minute}

// errInvitationPending is the error name describe throws while an invited account has not answered. A
// person answers an invitation, within minutes or days: checks start a minute apart and settle at one an
// hour, for as long as an invitation stays open (invitationLifetime): 365 checks at most.
var errInvitationPending = pipeline.ErrorName(&pipeline.InvitationPending{})

const invitationLifetime = 15 * 24 * time.Hour

var invitation = backoff{interval: time.Minute, rate: 2, maxDelay: time.Hour}

// attempts is the number of retries whose waits add up to at least timeout, following Step Functions'
// schedule: interval, then ×rate each retry, capped at the max delay.
func (b backoff) attempts(timeout time.Duration) int {
	attempts := 0
	delay := b.interval
	for waited := time.Duration(0); waited < timeout; attempts++ {
		waited += delay
		// Capped every step, so that many retries cannot overflow the duration.
		delay = min(time.Duration(float64(delay)*b.rate), b.maxDelay)
	}
	return max(attempts, 1)
}

// retry is the retrier that keeps retrying errorName on this schedule for at least timeout.
func (b backoff) retry(errorName string, timeout time.Duration) *sfn.RetryProps {
	return &sfn.RetryProps{
		Errors:      jsii.Strings(errorName),
		Interval:    awscdk.Duration_Seconds(jsii.Number(b.interval.Seconds())),
		BackoffRate: jsii.Number(b.rate),
		MaxDelay:    awscdk.Duration_Seconds(jsii.Number(b.maxDelay.Seconds())),
		MaxAttempts: jsii.Number(float64(b.attempts(timeout))),
	}
}

const (
	// sweepTimeout bounds a sweep that waits on every account's baseline. It is far above what a sweep
	// needs (accounts ÷ concurrency × a few minutes), so reaching it means the sweep is stuck, and a stuck
	// sweep must fail visibly instead of running for Step Functions' one-year maximum.
	sweepTimeout          = 24 * time.Hour
	stateMachineRetention = awslogs.RetentionDays_THREE_MONTHS
	// sweepReason is the reason the sweep passes to BaselineAccount, as a manual-style request.
	sweepReason = "scheduled-sweep"
)

// PipelineProps configures NewPipeline.
type PipelineProps struct {
	// BaselineName and SweepName are the state machines' physical names.
	BaselineName, SweepName string
	Functions               *Functions
	// MaxConcurrentRegions bounds the per-region applies of one account (pipeline.maxConcurrentRegions).
	MaxConcurrentRegions int
	// MaxConcurrentAccounts bounds how many accounts one sweep baselines at once (pipeline.maxConcurrentAccounts).
	MaxConcurrentAccounts int
	// ReadinessTimeout is how long WaitReady keeps retrying a new account (pipeline.readinessTimeout).
	ReadinessTimeout time.Duration
}

// Pipeline holds the two state machines.
type Pipeline struct {
	// BaselineAccount baselines one account: describe, wait until ready, apply, record.
	BaselineAccount sfn.StateMachine
	// Sweep finds accounts that need a baseline and runs BaselineAccount for each.
	Sweep sfn.StateMachine
}

// NewPipeline creates the BaselineAccount and Sweep state machines. State names are part of the contract:
// the local runner overrides tasks by state name, so rename them only together with it.
func NewPipeline(scope constructs.Construct, id *string, props *PipelineProps) *Pipeline {
	if props == nil || props.Functions == nil {
		panic("NewPipeline: props with Functions are required")
	}
	construct := constructs.NewConstruct(scope, id)
	// A run may wait for an invitation, then for another run's lock, then hold its own.
	lock := pipeline.LockTTL(props.ReadinessTimeout)
	// States get their own scopes: a state's construct ID is its state name, and "Sweep" is both a state
	// and a state machine.
	baseline := newStateMachine(construct, "BaselineAccount", props.BaselineName,
		baselineDefinition(constructs.NewConstruct(construct, jsii.String("BaselineAccountStates")), props),
		invitationLifetime+2*lock)
	sweep := newStateMachine(construct, "Sweep", props.SweepName,
		sweepDefinition(constructs.NewConstruct(construct, jsii.String("SweepStates")), props, baseline), sweepTimeout)
	fns := props.Functions
	acknowledgeNag(baseline.Role(), nagAck{"AwsSolutions-IAM5[Resource::*]", reasonStateMachineLogs},
		invokeVersionsAck(fns.Describe), invokeVersionsAck(fns.WaitReady), invokeVersionsAck(fns.Apply),
		invokeVersionsAck(fns.Record))
	acknowledgeNag(sweep.Role(), nagAck{"AwsSolutions-IAM5[Resource::*]", reasonStateMachineLogs},
		invokeVersionsAck(fns.Sweep), syncExecutionsAck(baseline))
	return &Pipeline{BaselineAccount: baseline, Sweep: sweep}
}

// syncExecutionsAck acknowledges the execution ARN pattern CDK grants for a .sync StartExecution of sm,
// written the way cdk-nag prints it.
func syncExecutionsAck(sm sfn.StateMachine) nagAck {
	stack := awscdk.Stack_Of(sm)
	logicalID := stack.GetLogicalId(sm.Node().DefaultChild().(awscdk.CfnElement))
	return nagAck{"AwsSolutions-IAM5[Resource::arn:" + nagPartition(sm) + ":states:" + *stack.Region() + ":" +
		*stack.Account() + `:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"` + *logicalID + `"}]}]}*]`,
		reasonSyncExecutions}
}

func newStateMachine(scope constructs.Construct, id, name string, definition sfn.IChainable, timeout time.Duration) sfn.StateMachine {
	logs := awslogs.NewLogGroup(scope, jsii.String(id+"Logs"), &awslogs.LogGroupProps{Retention: stateMachineRetention})
	return sfn.NewStateMachine(scope, jsii.String(id), &sfn.StateMachineProps{
		StateMachineName: jsii.String(name),
		StateMachineType: sfn.StateMachineType_STANDARD,
		DefinitionBody:   sfn.DefinitionBody_FromChainable(definition),
		Timeout:          awscdk.Duration_Seconds(jsii.Number(timeout.Seconds())),
		TracingEnabled:   jsii.Bool(true),
		Logs: &sfn.LogOptions{
			Destination:          logs,
			Level:                sfn.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(true),
		},
	})
}

// baselineDefinition is Describe → Decide → WaitReady → ApplyGlobal → ApplyRegions → Record. Every task
// that can fail is caught into RecordFailure, which writes a FAILED ledger row (releasing the lock) and
// then fails the execution with the original error, so the failure alarm fires.
func baselineDefinition(scope constructs.Construct, props *PipelineProps) sfn.IChainable {
	fns := props.Functions
	recordFailure := lambdaTask(scope, "RecordFailure", fns.Record, sfn.TaskInput_FromObject(&map[string]interface{}{
		"status":    "FAILED",
		"error.$":   "$.failure.Error",
		"cause.$":   "$.failure.Cause",
		"request.$": "$",
	}), sfn.JsonPath_DISCARD()).Next(sfn.NewFail(scope, jsii.String("BaselineFailed"), &sfn.FailProps{
		ErrorPath: jsii.String("$.failure.Error"),
		CausePath: jsii.String("$.failure.Cause"),
	}))
	catch := &sfn.CatchProps{Errors: jsii.Strings(*sfn.Errors_ALL()), ResultPath: jsii.String("$.failure")}

	// The execution's ARN owns the account's lock (pipeline.DescribeInput).
	describe := lambdaTask(scope, "Describe", fns.Describe, sfn.TaskInput_FromObject(&map[string]interface{}{
		"event.$":     "$",
		"execution.$": "$$.Execution.Id",
	}), nil)
	describe.AddRetry(busy.retry(errAccountBusy, pipeline.LockTTL(props.ReadinessTimeout)))
	describe.AddRetry(invitation.retry(errInvitationPending, invitationLifetime))
	describe.AddCatch(recordFailure, catch)

	waitReady := lambdaTask(scope, "WaitReady", fns.WaitReady, nil, sfn.JsonPath_DISCARD())
	waitReady.AddRetry(readiness.retry(errAccountNotReady, props.ReadinessTimeout))
	waitReady.AddCatch(recordFailure, catch)

	applyGlobal := lambdaTask(scope, "ApplyGlobal", fns.Apply, sfn.TaskInput_FromObject(&map[string]interface{}{
		"scope":     "global",
		"request.$": "$",
	}), jsii.String("$.results.global"))
	applyGlobal.AddCatch(recordFailure, catch)

	applyRegions := sfn.NewMap(scope, jsii.String("ApplyRegions"), &sfn.MapProps{
		ItemsPath:      jsii.String("$.regions"),
		MaxConcurrency: jsii.Number(float64(props.MaxConcurrentRegions)),
		ItemSelector: &map[string]interface{}{
			"region.$":  "$$.Map.Item.Value",
			"request.$": "$",
		},
		ResultPath: jsii.String("$.results.regions"),
	})
	applyRegions.ItemProcessor(lambdaTask(scope, "ApplyRegion", fns.Apply, sfn.TaskInput_FromObject(&map[string]interface{}{
		"scope":     "region",
		"region.$":  "$.region",
		"request.$": "$.request",
	}), nil), nil)
	applyRegions.AddCatch(recordFailure, catch)

	// Record receives the whole state: the describe result, and for a baseline the apply results.
	record := lambdaTask(scope, "Record", fns.Record, nil, nil)
	record.AddCatch(recordFailure, catch)

	decide := sfn.NewChoice(scope, jsii.String("Decide"), nil).
		When(decisionIs(decisionBaseline), waitReady.Next(applyGlobal).Next(applyRegions).Next(record), nil).
		When(decisionIs(decisionForget), record, nil).
		When(decisionIs(decisionReportFailure), record, nil).
		When(decisionIs(decisionSkip), sfn.NewSucceed(scope, jsii.String("Skipped"), nil), nil).
		When(decisionIs(decisionDuplicate), sfn.NewSucceed(scope, jsii.String("AlreadyInProgress"), nil), nil).
		Otherwise(sfn.NewFail(scope, jsii.String("UnknownDecision"), &sfn.FailProps{
			Error: jsii.String("UnknownDecision"),
			Cause: jsii.String("describe returned a decision this state machine does not handle"),
		}))
	return describe.Next(decide)
}

// sweepDefinition is Sweep → BaselineEach (Map) → StartBaseline (.sync:2) → MoreDue → ContinueSweep or
// SweepDone. A failed account is caught per item, so one broken account never stops the others; its own
// execution has already failed visibly. The Sweep step hands out at most pipeline.SweepBatch accounts, so
// that one execution stays within Step Functions' history and payload quotas; when more are due, the
// execution starts a new one of this state machine that continues after the batch ("Avoid reaching the
// history quota", Step Functions developer guide) and ends.
func sweepDefinition(scope constructs.Construct, props *PipelineProps, baseline sfn.IStateMachine) sfn.IChainable {
	// The execution input (the scheduled event, or a continuation's {"after": ...}) is the function's input.
	sweep := lambdaTask(scope, "Sweep", props.Functions.Sweep, nil, nil)

	start := tasks.NewStepFunctionsStartExecution(scope, jsii.String("StartBaseline"), &tasks.StepFunctionsStartExecutionProps{
		StateMachine:       baseline,
		IntegrationPattern: sfn.IntegrationPattern_RUN_JOB,
		// The input is the manual-request shape describe decodes (pkg/orgevents ManualRequest), with the
		// sweep's execution ARN as requestedBy so the ledger's audit trail leads back to the sweep.
		// AssociateWithParent is off: it would add a field the strict manual-request decoder rejects.
		Input: sfn.TaskInput_FromObject(&map[string]interface{}{
			"accountId.$":   "$.accountId",
			"reason.$":      "$.reason",
			"requestedBy.$": "$$.Execution.Id",
		}),
		ResultSelector: &map[string]interface{}{"status.$": "$.Status"},
		ResultPath:     jsii.String("$.baseline"),
	})
	// Keep only the error name: the cause of a .sync failure embeds the child's output, and a few hundred
	// of those would exceed the 256 KB state limit.
	start.AddCatch(sfn.NewPass(scope, jsii.String("AccountFailed"), &sfn.PassProps{
		Parameters: &map[string]interface{}{
			"accountId.$": "$.accountId",
			"error.$":     "$.failure.Error",
		},
	}), &sfn.CatchProps{Errors: jsii.Strings(*sfn.Errors_ALL()), ResultPath: jsii.String("$.failure")})

	each := sfn.NewMap(scope, jsii.String("BaselineEach"), &sfn.MapProps{
		ItemsPath:      jsii.String("$.accounts"),
		MaxConcurrency: jsii.Number(float64(props.MaxConcurrentAccounts)),
		ItemSelector: &map[string]interface{}{
			"accountId.$": "$$.Map.Item.Value.accountId",
			"reason":      sweepReason,
		},
		ResultPath: jsii.String("$.results"),
	})
	each.ItemProcessor(start, nil)

	// The machine starts itself by name: its ARN would make its definition and its role's policy depend on
	// the machine itself.
	itself := sfn.StateMachine_FromStateMachineName(scope, jsii.String("SweepItself"), jsii.String(props.SweepName))
	continueSweep := tasks.NewStepFunctionsStartExecution(scope, jsii.String("ContinueSweep"), &tasks.StepFunctionsStartExecutionProps{
		StateMachine:       itself,
		IntegrationPattern: sfn.IntegrationPattern_REQUEST_RESPONSE,
		Input:              sfn.TaskInput_FromObject(&map[string]interface{}{"after.$": "$.next"}),
		ResultSelector:     &map[string]interface{}{"executionArn.$": "$.ExecutionArn"},
		ResultPath:         jsii.String("$.continuedAs"),
	})
	moreDue := sfn.NewChoice(scope, jsii.String("MoreDue"), nil).
		When(sfn.Condition_IsPresent(jsii.String("$.next")), continueSweep, nil).
		Otherwise(sfn.NewSucceed(scope, jsii.String("SweepDone"), nil))
	return sweep.Next(each).Next(moreDue)
}

// lambdaTask invokes fn with payload (nil: the whole state) and retries, with backoff, the Lambda service's
// transient errors and the step's own Throttled and Transient. The retry list is written out instead of
// using RetryOnServiceExceptions so that it matches the documented set exactly and includes the step's
// own. Nothing retries a terminal error (pipeline.TerminalName) or any other: no retrier names them or
// States.ALL, so they go straight to the catch.
func lambdaTask(scope constructs.Construct, name string, fn awslambda.IFunction, payload sfn.TaskInput, resultPath *string) tasks.LambdaInvoke {
	task := tasks.NewLambdaInvoke(scope, jsii.String(name), &tasks.LambdaInvokeProps{
		LambdaFunction:           fn,
		Payload:                  payload,
		PayloadResponseOnly:      jsii.Bool(true),
		RetryOnServiceExceptions: jsii.Bool(false),
		ResultPath:               resultPath,
	})
	task.AddRetry(&sfn.RetryProps{
		// Errors where the function did not run, or AWS failed it in a way that passes: always safe to
		// retry, as every step is.
		Errors: jsii.Strings("Lambda.TooManyRequestsException", "Lambda.ServiceException",
			"Lambda.SdkClientException", errThrottled, errTransient),
		Interval:       awscdk.Duration_Seconds(jsii.Number(2)),
		BackoffRate:    jsii.Number(2),
		MaxAttempts:    jsii.Number(6),
		JitterStrategy: sfn.JitterType_FULL,
	})
	return task
}

func decisionIs(decision string) sfn.Condition {
	return sfn.Condition_StringEquals(jsii.String("$.decision"), jsii.String(decision))
}
