package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/internal/localrun"
)

// startPipeline builds and starts the template's Lambdas, connects the
// rules' Step Functions targets to the local interpreter, and emulates the
// SQS event source that feeds the formatter from the fan-in queue.
func (r *run) startPipeline(ctx context.Context) (func(), error) {
	node, driver, err := localrun.Toolchain(r.opts.ModuleDir)
	if err != nil {
		return nil, err
	}
	logs := r.opts.FunctionLogs
	if logs == nil {
		logs = io.Discard
	}
	builder := localrun.NewBuilder(r.opts.ModuleDir, r.opts.BuildDir)
	n := len(r.dep.tpl.Functions)
	if r.dep.alerts != nil {
		n += len(r.dep.alerts.Functions)
	}
	r.printf("building the Lambdas for this machine and starting them (%d functions)\n", n)
	machines, err := localrun.StateMachineCredentials(ctx, r.srv, r.dep.tpl.StateMachines)
	if err != nil {
		return nil, err
	}
	serve := localrun.ServeOptions{EndpointURL: r.url, Concurrency: 3, Logs: logs}
	fns, err := localrun.ServeFunctions(ctx, r.srv, builder, r.dep.tpl.Functions, serve)
	if err != nil {
		return nil, err
	}
	if r.dep.alerts != nil {
		alertFns, err := localrun.ServeFunctions(ctx, r.srv, builder, r.dep.alerts.Functions, serve)
		if err != nil {
			for _, f := range fns {
				f.Close()
			}
			return nil, err
		}
		fns = append(fns, alertFns...)
	}
	r.runner = &localrun.Runner{Node: node, Driver: driver, EndpointURL: r.url, Region: r.home, Credentials: machines,
		Machines: r.dep.tpl.StateMachines, RetryInterval: retryInterval}
	r.srv.OnTarget(func(target string, input []byte) {
		// Called under the endpoint's lock: start the execution elsewhere.
		if target != r.dep.baseline.ARN && target != r.dep.sweep.ARN {
			return
		}
		r.execs.Add(1)
		go func() {
			defer r.execs.Done()
			r.execute(ctx, target, input)
		}()
	})
	shimCtx, stopShim := context.WithCancel(ctx)
	shimDone := make(chan struct{})
	go func() {
		defer close(shimDone)
		r.feedFormatter(shimCtx)
	}()
	r.printf("rules %d, state machines %s and %s, fan-in queue %s\n", len(r.dep.tpl.Rules),
		r.dep.baseline.Name, r.dep.sweep.Name, strings.TrimPrefix(r.dep.fanInQueueARN, "arn:aws:sqs:"+r.home+":"))
	return func() {
		stopShim()
		<-shimDone
		for _, f := range fns {
			f.Close()
		}
	}, nil
}

// execute runs one state machine execution and records its path.
func (r *run) execute(ctx context.Context, machineARN string, input []byte) Execution {
	machine := r.dep.baseline
	if machineARN == r.dep.sweep.ARN {
		machine = r.dep.sweep
	}
	exec := Execution{Machine: machine.Name, Account: accountOf(input)}
	start := time.Now()
	runner := *r.runner
	retries := 0
	top := ""
	runner.OnEvent = func(e localrun.Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		if top == "" {
			top = e.Execution
		}
		if e.Execution != top { // a child execution started by the sweep
			return
		}
		switch e.Type {
		case "StateEntered":
			exec.States = append(exec.States, e.State)
		case "StateRetried":
			retries++
			if e.State == "Describe" {
				r.invitationChecks[exec.Account]++
			}
		}
	}
	out, err := runner.Execute(ctx, machine, input)
	exec.Duration = time.Since(start)
	exec.Status, exec.Error = out.Status, out.Error
	if err != nil {
		exec.Status, exec.Error = "ERROR", err.Error()
	}
	if exec.Account == "" {
		exec.Account = accountOf(out.Output)
	}
	r.mu.Lock()
	r.rep.Executions = append(r.rep.Executions, exec)
	r.mu.Unlock()
	path := strings.Join(compact(exec.States), " → ")
	if retries > 0 {
		path += fmt.Sprintf(" (%d retries)", retries)
	}
	if exec.Error != "" {
		path += ": " + trunc(exec.Error, 120)
	}
	r.printf("  %-14s %-22s %-9s %6.1fs  %s\n", r.nameOf(exec.Account), machine.Name, exec.Status, exec.Duration.Seconds(), path)
	return exec
}

// compact drops consecutive repeats (a retried state, map iterations).
func compact(states []string) []string {
	var out []string
	for _, s := range states {
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// accountOf finds the account an execution is about in its input: a
// manual request, or an Organizations event.
func accountOf(input []byte) string {
	var probe struct {
		AccountID string `json:"accountId"`
		Detail    struct {
			ServiceEventDetails struct {
				CreateAccountStatus struct {
					AccountID string `json:"accountId"`
				} `json:"createAccountStatus"`
			} `json:"serviceEventDetails"`
			UserIdentity struct {
				AccountID string `json:"accountId"`
			} `json:"userIdentity"`
			RequestParameters struct {
				AccountID string `json:"accountId"`
			} `json:"requestParameters"`
			ResponseElements struct {
				Handshake struct {
					Parties []struct{ ID, Type string } `json:"parties"`
				} `json:"handshake"`
			} `json:"responseElements"`
		} `json:"detail"`
	}
	_ = json.Unmarshal(input, &probe)
	for _, p := range probe.Detail.ResponseElements.Handshake.Parties {
		if strings.EqualFold(p.Type, "ACCOUNT") {
			return p.ID
		}
	}
	for _, id := range []string{probe.AccountID, probe.Detail.ServiceEventDetails.CreateAccountStatus.AccountID, probe.Detail.RequestParameters.AccountID} {
		if id != "" {
			return id
		}
	}
	return ""
}

func (r *run) nameOf(id string) string {
	for name, v := range r.rep.Accounts {
		if v == id {
			return name
		}
	}
	if id == "" {
		return "-"
	}
	return id
}

// feedFormatter does what Lambda's SQS event source mapping does for the
// formatter: receive batches from the fan-in queue, invoke the function,
// and delete what it did not report as failed.
func (r *run) feedFormatter(ctx context.Context) {
	q := sqs.NewFromConfig(r.dep.fanInAdmin)
	fn := lambda.NewFromConfig(r.dep.fanInAdmin)
	for ctx.Err() == nil {
		out, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(r.dep.fanInQueueURL), MaxNumberOfMessages: 10})
		if err != nil || len(out.Messages) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		var ev events.SQSEvent
		for _, m := range out.Messages {
			ev.Records = append(ev.Records, events.SQSMessage{MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
				Body: aws.ToString(m.Body), EventSource: "aws:sqs", EventSourceARN: r.dep.fanInQueueARN, AWSRegion: r.home})
		}
		payload, _ := json.Marshal(ev)
		res, err := fn.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(r.dep.formatterARN), Payload: payload})
		if err != nil || res.FunctionError != nil {
			continue // the messages become visible again and are retried
		}
		var resp events.SQSEventResponse
		_ = json.Unmarshal(res.Payload, &resp)
		failed := map[string]bool{}
		for _, f := range resp.BatchItemFailures {
			failed[f.ItemIdentifier] = true
		}
		for _, m := range out.Messages {
			if !failed[aws.ToString(m.MessageId)] {
				_, _ = q.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(r.dep.fanInQueueURL), ReceiptHandle: m.ReceiptHandle})
			}
		}
	}
}
