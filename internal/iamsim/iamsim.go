// Package iamsim asks @cloud-copilot/iam-simulate whether AWS would allow a
// request: identity policies, the resource's policy (a role's trust, a key,
// topic, queue or bucket policy), permission boundaries and service control
// policies, with every condition operator and IAM's cross-account and
// trust-policy rules. The simulator runs in one long-lived Node worker
// (infra/toolchain/iam-authorize.mjs) on the project's pinned Node; this
// package starts it, speaks JSON lines with it, and keeps no evaluator of
// its own.
package iamsim

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"github.com/landfall/landfall/internal/toolchain"
)

// Policy is a named policy document (JSON).
type Policy struct {
	Name     string          `json:"name"`
	Document json.RawMessage `json:"policy"`
}

// OrgPolicies are the service control policies attached to one level of
// the organization: the root, an OU, or the account.
type OrgPolicies struct {
	Target   string   `json:"orgIdentifier"`
	Policies []Policy `json:"policies"`
}

// Request is one request to decide.
type Request struct {
	// Principal is the caller's ARN: a user, a role session
	// (arn:aws:sts::A:assumed-role/R/S), an account root, or a service
	// principal (events.amazonaws.com).
	Principal string `json:"principal"`
	// Action is the IAM action, prefix:Name.
	Action string `json:"action"`
	// Resource is the ARN acted on; "" for an action that takes none.
	Resource string `json:"resource"`
	// ResourceAccount owns the resource.
	ResourceAccount string `json:"resourceAccount"`
	// Context holds the request's condition keys.
	Context map[string][]string `json:"context"`
	// IdentityPolicies are the principal's inline and managed policies.
	IdentityPolicies []Policy `json:"identityPolicies"`
	// ResourcePolicy is the resource's policy, nil when it has none.
	ResourcePolicy json.RawMessage `json:"resourcePolicy,omitempty"`
	// PermissionBoundaries cap the principal's identity policies.
	PermissionBoundaries []Policy `json:"permissionBoundaries,omitempty"`
	// SCPs are the service control policies from the root down to the
	// principal's account, root first.
	SCPs []OrgPolicies `json:"scps,omitempty"`
}

// Denial names a policy that denied a request.
type Denial struct {
	PolicyType  string `json:"policyType"`
	DenialType  string `json:"denialType"` // Implicit | Explicit
	StatementID string `json:"statementId,omitempty"`
}

// Decision is the simulator's answer.
type Decision struct {
	// Result is Allowed, ImplicitlyDenied or ExplicitlyDenied.
	Result  string   `json:"result"`
	Denials []Denial `json:"denials,omitempty"`
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Result == "Allowed" }

// Worker is the running simulator. It is safe for concurrent use; requests
// are answered one at a time.
type Worker struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr *limitedWriter
	nextID int
	err    error // set once the worker is unusable
}

var shared struct {
	once   sync.Once
	worker *Worker
	err    error
}

// Shared is the process's one worker, started on first use from moduleDir
// and shared by every caller after it (the tests of a package). It ends
// with the process, when its stdin closes.
func Shared(moduleDir string) (*Worker, error) {
	shared.once.Do(func() { shared.worker, shared.err = Start(moduleDir) })
	return shared.worker, shared.err
}

// Start runs the worker from the repository rooted at moduleDir, on the
// pinned Node that `make tools` installs.
func Start(moduleDir string) (*Worker, error) {
	node, paths, err := toolchain.Find(moduleDir, "the IAM simulator",
		"iam-authorize.mjs", "node_modules/@cloud-copilot/iam-simulate/package.json")
	if err != nil {
		return nil, err
	}
	script := paths[0]
	cmd := exec.Command(node, script)
	cmd.Dir = filepath.Dir(script)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("starting the IAM simulator: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("starting the IAM simulator: %w", err)
	}
	w := &Worker{cmd: cmd, in: in, out: bufio.NewReaderSize(out, 1<<16), stderr: &limitedWriter{max: 4096}}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the IAM simulator: %w", err)
	}
	return w, nil
}

// Decide asks the simulator about one request. An error means the request
// could not be decided (an action AWS does not have, a resource the action
// does not take, a malformed policy, a dead worker), which is a fault of the
// caller's model of AWS, never a denial.
func (w *Worker) Decide(r Request) (Decision, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return Decision{}, w.err
	}
	w.nextID++
	line, err := json.Marshal(struct {
		ID int `json:"id"`
		Request
	}{w.nextID, r})
	if err != nil {
		return Decision{}, fmt.Errorf("encoding the request to the IAM simulator: %w", err)
	}
	if _, err := w.in.Write(append(line, '\n')); err != nil {
		return Decision{}, w.broken(err)
	}
	answer, err := w.out.ReadBytes('\n')
	if err != nil {
		return Decision{}, w.broken(err)
	}
	var a struct {
		ID    int    `json:"id"`
		Error string `json:"error"`
		Decision
	}
	if err := json.Unmarshal(answer, &a); err != nil {
		return Decision{}, w.broken(fmt.Errorf("reading its answer %q: %w", answer, err))
	}
	if a.ID != w.nextID {
		return Decision{}, w.broken(fmt.Errorf("answer %d to request %d", a.ID, w.nextID))
	}
	if a.Error != "" {
		return Decision{}, fmt.Errorf("IAM simulator: %s", a.Error)
	}
	return a.Decision, nil
}

// broken records that the worker can no longer answer.
func (w *Worker) broken(err error) error {
	w.err = fmt.Errorf("IAM simulator stopped answering: %w (stderr: %s)", err, w.stderr.String())
	return w.err
}

// Close stops the worker.
func (w *Worker) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = errors.New("IAM simulator closed")
	}
	_ = w.in.Close()
	return w.cmd.Wait()
}

// limitedWriter keeps the first max bytes of the worker's stderr for error
// messages, and drops the rest.
type limitedWriter struct {
	mu  sync.Mutex
	b   strings.Builder
	max int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.max - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (l *limitedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
