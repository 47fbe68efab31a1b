package localrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/landfall/landfall/internal/awslocal"
)

// Lambda's defaults for a function that does not set them
// (https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html).
const (
	defaultTimeout   = 3 * time.Second
	defaultMemoryMiB = 128
)

// FunctionConfig describes one function to run locally.
type FunctionConfig struct {
	// ARN is the function's ARN, arn:aws:lambda:<region>:<account>:function:<name>;
	// the name and region (AWS_REGION) come from it.
	ARN string
	// Binary is the function built for the host (Builder.Build).
	Binary string
	// TaskRoot is the process's working directory and LAMBDA_TASK_ROOT: where
	// the files deployed beside the binary (landfall.yaml) are.
	TaskRoot string
	// Env is the function's own environment (CONFIG, LEDGER_TABLE ...).
	Env map[string]string
	// EndpointURL is the local AWS endpoint every AWS call goes to.
	EndpointURL string
	// Credentials stand in for the function's execution role.
	Credentials awslocal.Credentials
	// Timeout bounds one invocation; default 3 s, as in Lambda.
	Timeout time.Duration
	// MemoryMiB is only reported to the function; default 128.
	MemoryMiB int
	// Concurrency is the number of execution environments (processes);
	// default 1, so invocations run one after another.
	Concurrency int
	// Logs receives the processes' stdout and stderr, one line at a time,
	// prefixed with "[<name>] "; nil discards them. Functions sharing one
	// writer must be given one that is safe for concurrent use.
	Logs io.Writer
}

// Function runs a Lambda function's binary the way Lambda does: each
// execution environment is a process that polls its own Runtime API for
// invocations and handles one at a time; environments stay warm between
// invocations, and one whose process exits (a crash, a timeout) is replaced
// on the next invocation.
type Function struct {
	cfg       FunctionConfig
	name      string
	region    string
	logs      io.Writer
	slots     chan *slot
	closed    chan struct{}
	closeOnce sync.Once
}

// slot is one execution environment, started on first use.
type slot struct{ env *environment }

// NewFunction validates cfg and returns a Function; no process starts until
// the first invocation.
func NewFunction(cfg FunctionConfig) (*Function, error) {
	parts := strings.Split(cfg.ARN, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "" {
		return nil, fmt.Errorf("configuring local Lambda function (%s): want arn:aws:lambda:<region>:<account>:function:<name>", cfg.ARN)
	}
	if cfg.Binary == "" || cfg.EndpointURL == "" {
		return nil, fmt.Errorf("configuring local Lambda function (%s): Binary and EndpointURL are required", cfg.ARN)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.MemoryMiB <= 0 {
		cfg.MemoryMiB = defaultMemoryMiB
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	f := &Function{
		cfg: cfg, name: parts[6], region: parts[3],
		logs:   io.Discard,
		slots:  make(chan *slot, cfg.Concurrency),
		closed: make(chan struct{}),
	}
	if cfg.Logs != nil {
		f.logs = newLineWriter(cfg.Logs, "["+f.name+"] ")
	}
	for range cfg.Concurrency {
		f.slots <- &slot{}
	}
	return f, nil
}

// errClosed is returned by Invoke after Close.
var errClosed = errors.New("the local function is closed")

// Invoke runs one invocation in a free execution environment, waiting for one
// when all are busy. A function error comes back in errType and errMsg, as
// Lambda reports it; err means the invocation did not run (ctx ended, the
// process could not start). Its signature is awslocal.InvokeFunc.
func (f *Function) Invoke(ctx context.Context, payload []byte) (result []byte, errType, errMsg string, err error) {
	var s *slot
	select {
	case s = <-f.slots:
	case <-f.closed:
		return nil, "", "", fmt.Errorf("invoking Lambda function (%s): %w", f.cfg.ARN, errClosed)
	case <-ctx.Done():
		return nil, "", "", ctx.Err()
	}
	defer func() { f.slots <- s }()
	select {
	case <-f.closed:
		return nil, "", "", fmt.Errorf("invoking Lambda function (%s): %w", f.cfg.ARN, errClosed)
	default:
	}
	if s.env == nil || !s.env.alive() {
		env, err := startEnvironment(f.command(), f.cfg.ARN)
		if err != nil {
			return nil, "", "", err
		}
		s.env = env
	}
	out, err := s.env.invoke(ctx, payload, f.cfg.Timeout)
	if err != nil {
		return nil, "", "", err
	}
	return out.result, out.errType, out.errMsg, nil
}

// Close waits for the invocations in flight and stops every process.
func (f *Function) Close() {
	f.closeOnce.Do(func() {
		close(f.closed)
		for range f.cfg.Concurrency {
			s := <-f.slots
			if s.env != nil {
				s.env.stop()
			}
		}
	})
}

// command is the function's process with Lambda's environment variables, plus
// what points it at the local endpoint. Nothing else of this process's
// environment leaks in (no AWS_PROFILE, no stray credentials), except
// AWS_CA_BUNDLE, which the SDK must keep seeing when the machine sets it.
func (f *Function) command() *exec.Cmd {
	cmd := exec.Command(f.cfg.Binary)
	cmd.Dir = f.cfg.TaskRoot
	cmd.Stdout, cmd.Stderr = f.logs, f.logs
	env := make([]string, 0, len(f.cfg.Env)+20)
	for k, v := range f.cfg.Env {
		env = append(env, k+"="+v)
	}
	// Reserved variables come last so that they win, as Lambda does not let a
	// function's configuration override them.
	reserved := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        f.name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(f.cfg.MemoryMiB),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + f.name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + strings.ReplaceAll(newRequestID(), "-", ""),
		"AWS_REGION":                      f.region,
		"AWS_DEFAULT_REGION":              f.region,
		"AWS_ACCESS_KEY_ID":               f.cfg.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":           f.cfg.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN":               f.cfg.Credentials.SessionToken,
		"LAMBDA_TASK_ROOT":                f.cfg.TaskRoot,
		"TZ":                              ":UTC",
		// Local only. HTTP_PROXY delivers S3's virtual-hosted names
		// (<bucket>.<host>) to the endpoint; see awslocal.SDKConfig.
		"AWS_ENDPOINT_URL": f.cfg.EndpointURL,
		"HTTP_PROXY":       f.cfg.EndpointURL,
	}
	if ca, ok := os.LookupEnv("AWS_CA_BUNDLE"); ok {
		reserved["AWS_CA_BUNDLE"] = ca
	}
	for k, v := range reserved {
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	cmd.Env = env
	return cmd
}
