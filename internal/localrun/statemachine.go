package localrun

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/toolchain"
)

// defaultPause replaces every Retry interval and Wait duration: long enough to
// keep the order of events, short enough that a run takes seconds.
const defaultPause = 10 * time.Millisecond

// maxPayload is Step Functions' quota on an execution's, a task's or a
// state's input or output, in bytes ("Step Functions service quotas").
const maxPayload = 256 << 10

// StateMachine is a state machine definition (Amazon States Language) with the
// ARN it runs under.
type StateMachine struct {
	Name string
	ARN  string
	// RoleARN is the role Step Functions assumes to run the machine.
	RoleARN    string
	Definition []byte
}

// Execution is how an execution ended, as DescribeExecution reports it.
type Execution struct {
	ARN string
	// Status is SUCCEEDED, FAILED, TIMED_OUT or ABORTED.
	Status string
	// Output is the execution's output when it succeeded.
	Output json.RawMessage
	// Error and Cause say why it did not.
	Error, Cause string
}

// Event is one step of an execution as it happens (aws-local-stepfunctions'
// event log), for progress displays.
type Event struct {
	// Execution is the ARN of the execution it belongs to: the one started, or
	// a child started by a startExecution task.
	Execution string `json:"execution"`
	// Type is StateEntered, StateExited, StateFailed, StateRetried,
	// StateCaught, MapIterationStarted, ExecutionSucceeded ...
	Type  string `json:"type"`
	State string `json:"state,omitempty"`
	// Index is the Map iteration an event inside a Map belongs to.
	Index *int   `json:"index,omitempty"`
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
}

// Runner executes state machines with aws-local-stepfunctions on Node 22,
// through infra/toolchain/run-state-machine.mjs. Task states invoke their
// functions through the endpoint's Lambda Invoke, and a startExecution task
// runs the target machine from Machines. It keeps Step Functions' quotas
// (the package doc); the only difference from Step Functions is timing:
// every Retry interval is RetryInterval and every Wait state lasts
// WaitDuration.
type Runner struct {
	// Node is the Node 22 binary and Driver the run-state-machine.mjs script;
	// Toolchain finds both.
	Node, Driver string
	// EndpointURL and Region are where the Lambda calls go.
	EndpointURL string
	Region      string
	// Credentials are what each machine's Lambda calls are signed with, by
	// state machine ARN: the session Step Functions holds of the machine's
	// role (StateMachineCredentials). A machine without them cannot run.
	Credentials map[string]awslocal.Credentials
	// Machines are the state machines a startExecution task may start.
	Machines []StateMachine
	// RetryInterval and WaitDuration default to 10 ms.
	RetryInterval, WaitDuration time.Duration
	// OnEvent, when set, receives every event while the execution runs.
	OnEvent func(Event)
}

// Toolchain returns the pinned Node 22 and the driver script in the module
// rooted at moduleDir, or an error telling to run `make tools`.
func Toolchain(moduleDir string) (node, driver string, err error) {
	node, paths, err := toolchain.Find(moduleDir, "the local Step Functions toolchain",
		"run-state-machine.mjs", "node_modules/aws-local-stepfunctions/package.json")
	if err != nil {
		return "", "", err
	}
	return node, paths[0], nil
}

// driverRequest is what run-state-machine.mjs reads on stdin.
type driverRequest struct {
	Definition      json.RawMessage          `json:"definition"`
	Input           json.RawMessage          `json:"input"`
	Context         driverContext            `json:"context"`
	Machines        map[string]driverMachine `json:"machines"`
	Endpoint        string                   `json:"endpoint"`
	Region          string                   `json:"region"`
	Credentials     driverCredentials        `json:"credentials"`
	RetryIntervalMS int64                    `json:"retryIntervalMs"`
	WaitMS          int64                    `json:"waitMs"`
}

// driverMachine is a state machine a startExecution task may start, with
// the credentials of its own role, which its child execution runs with.
type driverMachine struct {
	Definition  json.RawMessage   `json:"definition"`
	Credentials driverCredentials `json:"credentials"`
}

// driverContext is the Context Object's execution and state machine, which
// definitions read as $$.Execution.Id and the like.
type driverContext struct {
	Execution    contextEntity `json:"Execution"`
	StateMachine contextEntity `json:"StateMachine"`
}

type contextEntity struct {
	ID   string `json:"Id"`
	Name string `json:"Name"`
}

type driverCredentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
	SessionToken    string `json:"sessionToken,omitempty"`
}

func driverCredentialsOf(c awslocal.Credentials) driverCredentials {
	return driverCredentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

// driverLine is one line the driver writes on stdout.
type driverLine struct {
	Event  *Event `json:"event"`
	Result *struct {
		Status string          `json:"status"`
		Output json.RawMessage `json:"output"`
		Error  string          `json:"error"`
		Cause  string          `json:"cause"`
	} `json:"result"`
}

// Execute runs one execution of machine with input and waits for it to end.
// A failed execution is reported in the Execution, not as an error; the error
// is for a run that could not happen (an invalid definition, a missing
// toolchain, ctx ending).
func (r *Runner) Execute(ctx context.Context, machine StateMachine, input []byte) (Execution, error) {
	name := newRequestID()
	run := Execution{ARN: strings.Replace(machine.ARN, ":stateMachine:", ":execution:", 1) + ":" + name}
	creds, ok := r.Credentials[machine.ARN]
	if !ok {
		return run, fmt.Errorf("starting local execution (%s): the runner has no credentials of the state machine's role", machine.ARN)
	}
	req := driverRequest{
		Definition:      machine.Definition,
		Input:           input,
		Machines:        map[string]driverMachine{},
		Endpoint:        r.EndpointURL,
		Region:          r.Region,
		Credentials:     driverCredentialsOf(creds),
		RetryIntervalMS: orDefault(r.RetryInterval).Milliseconds(),
		WaitMS:          orDefault(r.WaitDuration).Milliseconds(),
	}
	if len(bytes.TrimSpace(input)) == 0 {
		req.Input = json.RawMessage("{}")
	}
	// StartExecution takes at most 256 KiB of input (its API reference).
	if len(req.Input) > maxPayload {
		return run, fmt.Errorf("starting local execution (%s): the input is %d bytes, more than the %d Step Functions takes", machine.ARN, len(req.Input), maxPayload)
	}
	req.Context.Execution = contextEntity{ID: run.ARN, Name: name}
	req.Context.StateMachine = contextEntity{ID: machine.ARN, Name: machine.Name}
	for _, m := range r.Machines {
		c, ok := r.Credentials[m.ARN]
		if !ok {
			return run, fmt.Errorf("starting local execution (%s): the runner has no credentials of the role of %s", machine.ARN, m.ARN)
		}
		req.Machines[m.ARN] = driverMachine{Definition: m.Definition, Credentials: driverCredentialsOf(c)}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return run, fmt.Errorf("encoding the execution request (%s): %w", machine.ARN, err)
	}

	cmd := execCommand(ctx, r.Node, r.Driver)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return run, fmt.Errorf("starting local execution (%s): %w", run.ARN, err)
	}
	if err := cmd.Start(); err != nil {
		return run, fmt.Errorf("starting local execution (%s): %w", run.ARN, err)
	}
	done := false
	scanner := bufio.NewScanner(stdout)
	scanner.Buffer(make([]byte, 0, 64<<10), 16<<20) // a line carries a whole execution output
	for scanner.Scan() {
		var line driverLine
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			continue // not a protocol line: a library writing to stdout
		}
		switch {
		case line.Event != nil && r.OnEvent != nil:
			r.OnEvent(*line.Event)
		case line.Result != nil:
			run.Status, run.Output = line.Result.Status, line.Result.Output
			run.Error, run.Cause = line.Result.Error, line.Result.Cause
			done = true
		}
	}
	err = cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return run, ctx.Err()
	case err != nil:
		return run, fmt.Errorf("running local execution (%s): %w: %s", run.ARN, err, strings.TrimSpace(stderr.String()))
	case !done:
		return run, fmt.Errorf("running local execution (%s): the driver ended without a result: %s", run.ARN, strings.TrimSpace(stderr.String()))
	}
	return run, nil
}

// execCommand runs the driver with the machine's environment minus AWS_*
// settings: the driver is given its endpoint, region and credentials, and a
// stray AWS_PROFILE or AWS_ENDPOINT_URL_LAMBDA must not redirect it.
func execCommand(ctx context.Context, node, driver string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, node, driver)
	cmd.Dir = filepath.Dir(driver)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

func orDefault(d time.Duration) time.Duration {
	if d <= 0 {
		return defaultPause
	}
	return d
}
