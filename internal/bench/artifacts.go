package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/lambdaenv"
)

// Artifact is figure 4 for one Lambda function.
type Artifact struct {
	Function string `json:"function"`
	// Bytes is the size of the deployed binary (make build: linux/arm64,
	// stripped); 0 when it has not been built.
	Bytes int64 `json:"bytes"`
	// Ready is the median time from process start to the first
	// GET /runtime/invocation/next, over Starts starts of the host build.
	Ready  time.Duration `json:"readyNs"`
	Starts int           `json:"starts"`
	Error  string        `json:"error,omitempty"`
}

// runtimeNextPath is where a custom runtime asks for its next invocation.
const runtimeNextPath = "/2018-06-01/runtime/invocation/next"

// readyTimeout bounds one start; a function that has not polled by then
// failed to initialise.
const readyTimeout = 10 * time.Second

// measureArtifacts sizes every function under moduleDir/functions and times
// starts of its host build against a Runtime API that answers nothing.
func measureArtifacts(ctx context.Context, moduleDir, workDir string, starts int) ([]Artifact, error) {
	entries, err := os.ReadDir(filepath.Join(moduleDir, "functions"))
	if err != nil {
		return nil, fmt.Errorf("listing the Lambda functions (%s): %w", moduleDir, err)
	}
	builder := localrun.NewBuilder(moduleDir, workDir)
	var out []Artifact
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		a := Artifact{Function: e.Name(), Starts: starts}
		if fi, err := os.Stat(filepath.Join(moduleDir, "build", "functions", e.Name(), "bootstrap")); err == nil {
			a.Bytes = fi.Size()
		}
		bin, err := builder.Build(ctx, "./functions/"+e.Name())
		if err != nil {
			a.Error = err.Error()
			out = append(out, a)
			continue
		}
		var times []float64
		for range starts {
			d, err := timeStart(ctx, bin, filepath.Join(moduleDir, "infra", "landfall.yaml"))
			if err != nil {
				a.Error = err.Error()
				break
			}
			times = append(times, float64(d))
		}
		a.Ready = time.Duration(median(times))
		out = append(out, a)
	}
	return out, nil
}

// timeStart starts bin as Lambda would and returns how long it took to ask
// for its first invocation.
func timeStart(ctx context.Context, bin, configPath string) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("listening for a Runtime API: %w", err)
	}
	polled := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == runtimeNextPath {
			select {
			case polled <- time.Now():
			default:
			}
		}
		<-r.Context().Done() // never hand out an invocation
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = filepath.Dir(configPath)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + ln.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME=bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIABENCH", "AWS_SECRET_ACCESS_KEY=bench",
		lambdaenv.ConfigFile + "=" + configPath,
		lambdaenv.LedgerTable + "=bench-ledger",
		lambdaenv.AlertsTopic + "=arn:aws:sns:us-east-1:111111111111:bench-alerts",
		"TZ=:UTC",
	}
	exited := make(chan error, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("starting the function (%s): %w", bin, err)
	}
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cancel()
		<-exited
	}()
	select {
	case t := <-polled:
		return t.Sub(start), nil
	case err := <-exited:
		return 0, fmt.Errorf("starting the function (%s): exited before polling: %v", bin, err)
	case <-ctx.Done():
		return 0, fmt.Errorf("starting the function (%s): no poll within %s", bin, readyTimeout)
	}
}

// timeCommand runs a command in dir and returns its wall time.
func timeCommand(ctx context.Context, dir string, argv []string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("running %v: %w\n%s", argv, err, tail(out, 2000))
	}
	return time.Since(start), nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return slices.Clone(b)
}
