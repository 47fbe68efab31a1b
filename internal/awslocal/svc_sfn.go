package awslocal

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Step Functions (JSON 1.0), only what landfall's operator CLI uses,
// following the AWS Step Functions API Reference
// (https://docs.aws.amazon.com/step-functions/latest/apireference/):
//
//	StartExecution     API_StartExecution.html
//	DescribeExecution  API_DescribeExecution.html
//	ListExecutions     API_ListExecutions.html
//	ListStateMachines  API_ListStateMachines.html
//
// State machines are deployed by CloudFormation in AWS; here the embedding
// program registers them with RegisterStateMachine, learns of new executions
// through OnStartExecution and reports their end with FinishExecution, so a
// test or the demo can run the real pipeline code in-process. Known
// differences from AWS: no state machine definition is interpreted; the
// 90-day name reuse window is infinite; EXPRESS workflows, redrive, map runs
// and execution history are not modelled.

type sfnState struct{ machines map[string]*sfnMachine } // by name

type sfnMachine struct {
	ARN        string
	Created    time.Time
	executions []*sfnExecution // in start order
}

type sfnExecution struct {
	ARN, Name, Status, Input, Output string
	Start, Stop                      time.Time
}

// sfnEmbedding is the embedding program's callback, kept with the
// management account's data because it belongs to the server, not to an
// account's resources.
type sfnEmbedding struct {
	onStart func(stateMachineARN, executionARN string, input []byte)
}

func registerStepFunctions(s *Server) {
	s.register(&service{
		name: "states", protocol: jsonProtocol{version: "1.0"}, unknownOp: "UnknownOperationException",
		throttle: *errorf("ThrottlingException", "Rate exceeded"),
		ops: map[string]handler{
			"StartExecution": sfnStartExecution, "DescribeExecution": sfnDescribeExecution, "ListExecutions": sfnListExecutions,
			"ListStateMachines": sfnListStateMachines,
		},
	})
}

func sfnOf(a *account, region string) *sfnState {
	return state(a, "states/"+region, func() *sfnState { return &sfnState{machines: map[string]*sfnMachine{}} })
}

func (s *Server) sfnEmbeddingLocked() *sfnEmbedding {
	return state(s.accounts[s.opts.ManagementAccountID], "states/embedding", func() *sfnEmbedding { return &sfnEmbedding{} })
}

var (
	sfnMachineARN = regexp.MustCompile(`^arn:aws:states:([a-z0-9-]+):(\d{12}):stateMachine:([\w-]{1,80})$`)
	sfnExecARN    = regexp.MustCompile(`^arn:aws:states:([a-z0-9-]+):(\d{12}):execution:([\w-]{1,80}):(.{1,80})$`)
	sfnBadName    = regexp.MustCompile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\x00-\\x1f\\x7f-\\x9f]")
)

// RegisterStateMachine makes a state machine exist in the account and
// region, as the CloudFormation stack would, and returns its ARN.
func (s *Server) RegisterStateMachine(accountID, region, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[accountID]
	if !ok {
		a = s.addAccount(accountID, "account-"+accountID, accountID+"@example.com")
	}
	arn := "arn:aws:states:" + region + ":" + accountID + ":stateMachine:" + name
	st := sfnOf(a, region)
	if _, ok := st.machines[name]; !ok {
		st.machines[name] = &sfnMachine{ARN: arn, Created: s.now()}
	}
	return arn
}

// OnStartExecution registers the function that runs an execution. It is
// called on its own goroutine after StartExecution succeeds (executions run
// asynchronously in AWS too), so it may call FinishExecution or the endpoint.
func (s *Server) OnStartExecution(fn func(stateMachineARN, executionARN string, input []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sfnEmbeddingLocked().onStart = fn
}

var sfnFinalStatuses = []string{"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}

// FinishExecution ends a running execution with a final status (SUCCEEDED,
// FAILED, TIMED_OUT or ABORTED) and, for SUCCEEDED, its output.
func (s *Server) FinishExecution(executionARN, status string, output []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(sfnFinalStatuses, status) {
		return fmt.Errorf("finishing execution (%s): status %q is not one of %v", executionARN, status, sfnFinalStatuses)
	}
	e, err := s.sfnExecutionLocked(executionARN)
	if err != nil {
		return fmt.Errorf("finishing execution (%s): %w", executionARN, err)
	}
	if e.Status != "RUNNING" {
		return fmt.Errorf("finishing execution (%s): already %s", executionARN, e.Status)
	}
	e.Status, e.Stop = status, s.now()
	if status == "SUCCEEDED" {
		e.Output = string(output)
	}
	return nil
}

// sfnMachineLocked resolves a state machine ARN to its machine.
func (s *Server) sfnMachineLocked(arn string) (*sfnMachine, error) {
	m := sfnMachineARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, errorf("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	a, ok := s.accounts[m[2]]
	if !ok {
		return nil, errorf("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	sm, ok := sfnOf(a, m[1]).machines[m[3]]
	if !ok {
		return nil, errorf("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return sm, nil
}

func (s *Server) sfnExecutionLocked(arn string) (*sfnExecution, error) {
	m := sfnExecARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, errorf("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	missing := errorf("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	a, ok := s.accounts[m[2]]
	if !ok {
		return nil, missing
	}
	sm, ok := sfnOf(a, m[1]).machines[m[3]]
	if !ok {
		return nil, missing
	}
	i := slices.IndexFunc(sm.executions, func(e *sfnExecution) bool { return e.ARN == arn })
	if i < 0 {
		return nil, missing
	}
	return sm.executions[i], nil
}

// sfnForeign reports an ARN of another account or region, whose resources
// stay invisible to the caller, answered as if they did not exist.
func sfnForeign(c *call, arn string) bool {
	return !strings.HasPrefix(arn, "arn:aws:states:"+c.region+":"+c.account.ID+":") && (sfnMachineARN.MatchString(arn) || sfnExecARN.MatchString(arn))
}

// sfnCallerMachine finds a state machine the caller can see.
func sfnCallerMachine(c *call, arn string) (*sfnMachine, error) {
	if sfnForeign(c, arn) {
		return nil, errorf("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	return c.srv.sfnMachineLocked(arn)
}

// sfnCallerExecution finds an execution the caller can see.
func sfnCallerExecution(c *call, arn string) (*sfnExecution, error) {
	if sfnForeign(c, arn) {
		return nil, errorf("ExecutionDoesNotExist", "Execution Does Not Exist: '%s'", arn)
	}
	return c.srv.sfnExecutionLocked(arn)
}

func sfnStartExecution(c *call) (doc, error) {
	smARN := str(c.in, "stateMachineArn")
	sm, err := sfnCallerMachine(c, smARN)
	if err != nil {
		return nil, err
	}
	name := str(c.in, "name")
	if !has(c.in, "name") {
		name = c.srv.uuid()
	}
	if len(name) < 1 || len(name) > 80 || sfnBadName.MatchString(name) {
		return nil, errorf("InvalidName", "Invalid Name: '%s'", name)
	}
	input := strOr(c.in, "input", "{}")
	if len(input) > 256*1024 || !json.Valid([]byte(input)) {
		return nil, errorf("InvalidExecutionInput", "Invalid State Machine Execution Input: 'input must be a JSON text of at most 256 KiB'")
	}
	arn := strings.Replace(sm.ARN, ":stateMachine:", ":execution:", 1) + ":" + name
	if i := slices.IndexFunc(sm.executions, func(e *sfnExecution) bool { return e.Name == name }); i >= 0 {
		// StartExecution is idempotent for a running execution with the
		// same name and input; otherwise the name is taken.
		if e := sm.executions[i]; e.Status == "RUNNING" && e.Input == input {
			return doc{"executionArn": e.ARN, "startDate": e.Start}, nil
		}
		return nil, errorf("ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn)
	}
	e := &sfnExecution{ARN: arn, Name: name, Status: "RUNNING", Input: input, Start: c.srv.now()}
	sm.executions = append(sm.executions, e)
	if fn := c.srv.sfnEmbeddingLocked().onStart; fn != nil {
		go fn(sm.ARN, arn, []byte(input))
	}
	return doc{"executionArn": arn, "startDate": e.Start}, nil
}

func (e *sfnExecution) summary(smARN string) doc {
	d := doc{"executionArn": e.ARN, "stateMachineArn": smARN, "name": e.Name, "status": e.Status, "startDate": e.Start}
	if !e.Stop.IsZero() {
		d["stopDate"] = e.Stop
	}
	return d
}

func sfnDescribeExecution(c *call) (doc, error) {
	arn := str(c.in, "executionArn")
	e, err := sfnCallerExecution(c, arn)
	if err != nil {
		return nil, err
	}
	m := sfnExecARN.FindStringSubmatch(arn)
	d := e.summary("arn:aws:states:" + m[1] + ":" + m[2] + ":stateMachine:" + m[3])
	d["input"], d["inputDetails"] = e.Input, doc{"included": true}
	if e.Status == "SUCCEEDED" {
		d["output"], d["outputDetails"] = e.Output, doc{"included": true}
	}
	return d, nil
}

var sfnStatuses = []string{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"}

// sfnListStateMachines lists the account's state machines in the region by
// name. Every machine registered here is a STANDARD workflow, as landfall's
// are.
func sfnListStateMachines(c *call) (doc, error) {
	if err := sfnCheckMaxResults(c); err != nil {
		return nil, err
	}
	st := sfnOf(c.account, c.region)
	items := make([]any, 0, len(st.machines))
	for _, name := range sortedKeys(st.machines) {
		sm := st.machines[name]
		items = append(items, doc{"stateMachineArn": sm.ARN, "name": name, "type": "STANDARD", "creationDate": sm.Created})
	}
	pg, next, err := page(c.srv, items, str(c.in, "nextToken"), intOr(c.in, "maxResults", 0), func() error {
		return errorf("InvalidToken", "Invalid Token: 'nextToken is not valid'")
	})
	if err != nil {
		return nil, err
	}
	return withToken(doc{"stateMachines": append([]any{}, pg...)}, "nextToken", next), nil
}

func sfnListExecutions(c *call) (doc, error) {
	smARN := str(c.in, "stateMachineArn")
	sm, err := sfnCallerMachine(c, smARN)
	if err != nil {
		return nil, err
	}
	filter := str(c.in, "statusFilter")
	if filter != "" && !slices.Contains(sfnStatuses, filter) {
		return nil, errorf("ValidationException", "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: %v", filter, sfnStatuses)
	}
	if err := sfnCheckMaxResults(c); err != nil {
		return nil, err
	}
	var items []any
	for i := len(sm.executions) - 1; i >= 0; i-- { // newest first, as AWS lists them
		if e := sm.executions[i]; filter == "" || e.Status == filter {
			items = append(items, e.summary(sm.ARN))
		}
	}
	pg, next, err := page(c.srv, items, str(c.in, "nextToken"), intOr(c.in, "maxResults", 0), func() error {
		return errorf("InvalidToken", "Invalid Token: 'nextToken is not valid'")
	})
	if err != nil {
		return nil, err
	}
	out := doc{"executions": append([]any{}, pg...)}
	return withToken(out, "nextToken", next), nil
}

// sfnCheckMaxResults refuses a page size the listing operations do not take
// (0, the default, to 1000).
func sfnCheckMaxResults(c *call) error {
	if m := intOr(c.in, "maxResults", 0); m < 0 || m > 1000 {
		return errorf("ValidationException", "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000", m)
	}
	return nil
}
