package localrun

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// The Lambda Runtime API, as a custom runtime (provided.al2023) sees it
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) and as
// aws-lambda-go's lambda/runtime_api_client.go speaks it.
const (
	runtimeAPIPrefix         = "/2018-06-01/runtime/"
	headerRequestID          = "Lambda-Runtime-Aws-Request-Id"
	headerDeadlineMS         = "Lambda-Runtime-Deadline-Ms"
	headerInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerTraceID            = "Lambda-Runtime-Trace-Id"
	headerErrorType          = "Lambda-Runtime-Function-Error-Type"
)

// Error types Lambda itself reports when the runtime, not the handler, fails.
const (
	errTypeExit    = "Runtime.ExitError"
	errTypeTimeout = "Sandbox.Timedout"
)

// outcome is the result of one invocation: a response, or a function error.
type outcome struct {
	result          []byte
	errType, errMsg string
}

// invocation is one request handed to a runtime process.
type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan outcome // buffered: the runtime's POST never waits on the invoker
}

// functionError is the body a runtime posts to .../error and init/error.
type functionError struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

// environment is one execution environment: a running function process and
// the Runtime API server it polls. It runs one invocation at a time.
type environment struct {
	functionARN string
	next        chan *invocation // GET .../next takes the next invocation from here
	exited      chan struct{}    // closed once the process has exited
	cmd         *exec.Cmd
	server      *http.Server

	mu      sync.Mutex
	current *invocation    // the invocation the process is working on
	initErr *functionError // what the runtime posted to init/error, if anything
	exitErr error          // the process's exit status, set before exited closes
}

// startEnvironment starts the process cmd (its environment still lacking
// AWS_LAMBDA_RUNTIME_API, which is added here) behind a Runtime API server on a
// loopback port of its own.
func startEnvironment(cmd *exec.Cmd, functionARN string) (*environment, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for the Lambda Runtime API of (%s): %w", functionARN, err)
	}
	e := &environment{functionARN: functionARN, next: make(chan *invocation), exited: make(chan struct{}), cmd: cmd}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+runtimeAPIPrefix+"invocation/next", e.serveNext)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"invocation/{id}/response", e.serveResponse)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"invocation/{id}/error", e.serveError)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"init/error", e.serveInitError)
	e.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = e.server.Serve(ln) }()

	cmd.Env = append(cmd.Env, "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	if err := cmd.Start(); err != nil {
		_ = e.server.Close()
		return nil, fmt.Errorf("starting Lambda function process (%s): %w", functionARN, err)
	}
	go func() {
		err := cmd.Wait()
		e.mu.Lock()
		e.exitErr = err
		e.mu.Unlock()
		close(e.exited)
		_ = e.server.Close()
	}()
	return e, nil
}

// alive reports whether the process is still running.
func (e *environment) alive() bool {
	select {
	case <-e.exited:
		return false
	default:
		return true
	}
}

// stop kills the process and waits until it has exited.
func (e *environment) stop() {
	_ = e.cmd.Process.Kill()
	<-e.exited
}

// invoke hands payload to the process and waits for its response, its error,
// its exit, the timeout (Lambda then stops the environment and reports
// Sandbox.Timedout) or ctx (the environment is stopped too: a running
// handler cannot be interrupted otherwise).
func (e *environment) invoke(ctx context.Context, payload []byte, timeout time.Duration) (outcome, error) {
	inv := &invocation{id: newRequestID(), payload: payload, deadline: time.Now().Add(timeout), done: make(chan outcome, 1)}
	timer := time.NewTimer(timeout)
	defer timer.Stop()

	select {
	case e.next <- inv:
	case <-e.exited:
		return e.exitOutcome(inv.id), nil
	case <-timer.C:
		e.stop()
		return timeoutOutcome(inv.id, timeout), nil
	case <-ctx.Done():
		return outcome{}, ctx.Err()
	}
	select {
	case out := <-inv.done:
		return out, nil
	case <-e.exited:
		return e.exitOutcome(inv.id), nil
	case <-timer.C:
		e.stop()
		return timeoutOutcome(inv.id, timeout), nil
	case <-ctx.Done():
		e.stop()
		return outcome{}, ctx.Err()
	}
}

// exitOutcome is what Lambda reports for an invocation whose process exited:
// the error the runtime posted to init/error if it did, else Runtime.ExitError.
func (e *environment) exitOutcome(id string) outcome {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.initErr != nil {
		return outcome{errType: e.initErr.Type, errMsg: e.initErr.Message}
	}
	return outcome{errType: errTypeExit, errMsg: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", id, e.exitErr)}
}

func timeoutOutcome(id string, timeout time.Duration) outcome {
	return outcome{errType: errTypeTimeout, errMsg: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", id, timeout.Seconds())}
}

func (e *environment) serveNext(w http.ResponseWriter, r *http.Request) {
	var inv *invocation
	select {
	case inv = <-e.next:
	case <-r.Context().Done():
		return
	}
	e.mu.Lock()
	e.current = inv
	e.mu.Unlock()
	h := w.Header()
	h.Set(headerRequestID, inv.id)
	h.Set(headerDeadlineMS, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(headerInvokedFunctionARN, e.functionARN)
	h.Set(headerTraceID, "Root=1-"+strconv.FormatInt(time.Now().Unix(), 16)+"-"+newRequestID()[:24]+";Sampled=0")
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(inv.payload)
}

func (e *environment) serveResponse(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "reading the response body: "+err.Error(), http.StatusBadRequest)
		return
	}
	e.finish(w, r.PathValue("id"), outcome{result: body})
}

func (e *environment) serveError(w http.ResponseWriter, r *http.Request) {
	fe, err := decodeFunctionError(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.finish(w, r.PathValue("id"), outcome{errType: fe.Type, errMsg: fe.Message})
}

func (e *environment) serveInitError(w http.ResponseWriter, r *http.Request) {
	fe, err := decodeFunctionError(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	e.mu.Lock()
	e.initErr = &fe
	e.mu.Unlock()
	writeAccepted(w)
}

// finish completes the current invocation if id names it; the Runtime API
// answers 400 for a request id that is not in flight.
func (e *environment) finish(w http.ResponseWriter, id string, out outcome) {
	e.mu.Lock()
	inv := e.current
	if inv != nil && inv.id == id {
		e.current = nil
	}
	e.mu.Unlock()
	if inv == nil || inv.id != id {
		http.Error(w, `{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`, http.StatusBadRequest)
		return
	}
	inv.done <- out
	writeAccepted(w)
}

// decodeFunctionError reads an error body; a runtime that sends none still
// names the type in the Lambda-Runtime-Function-Error-Type header.
func decodeFunctionError(r *http.Request) (functionError, error) {
	var fe functionError
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return fe, fmt.Errorf("reading the error body: %w", err)
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &fe); err != nil {
			return fe, errors.New("the error body is not a JSON {errorMessage, errorType} object")
		}
	}
	if fe.Type == "" {
		fe.Type = r.Header.Get(headerErrorType)
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe, nil
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

// newRequestID returns a random UUID, the shape of Lambda's request ids.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
