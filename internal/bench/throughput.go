package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/landfall/landfall/internal/awslocal"
)

// Throughput is figure 6: requests per second the endpoint serves on one
// core (a `landfall-dev local serve` process with GOMAXPROCS=1), driven by
// Clients concurrent SDK clients from this process.
type Throughput struct {
	Clients  int           `json:"clients"`
	Duration time.Duration `json:"durationNs"`
	// Read is sts:GetCallerIdentity; Write is monitoring:PutMetricAlarm.
	Read  float64 `json:"readPerSecond"`
	Write float64 `json:"writePerSecond"`
}

func numCPU() int { return runtime.GOMAXPROCS(0) }

// measureThroughput starts exe ("landfall-dev") as the endpoint and measures
// each call for d.
func measureThroughput(ctx context.Context, exe string, clients int, d time.Duration) (Throughput, error) {
	addr, err := freeLoopback()
	if err != nil {
		return Throughput{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "local", "serve", "--addr", addr)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Throughput{}, fmt.Errorf("starting the endpoint (%s): %w", exe, err)
	}
	if err := cmd.Start(); err != nil {
		return Throughput{}, fmt.Errorf("starting the endpoint (%s): %w", exe, err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
	}()
	creds, err := readCredentials(stdout)
	if err != nil {
		return Throughput{}, fmt.Errorf("starting the endpoint (%s): %w", exe, err)
	}
	cfg, err := awslocal.SDKConfig(ctx, "http://"+addr, creds, "us-east-1")
	if err != nil {
		return Throughput{}, fmt.Errorf("configuring the SDK for the endpoint (%s): %w", addr, err)
	}
	cfg.RetryMaxAttempts = 1
	stsc, cw := sts.NewFromConfig(cfg), cloudwatch.NewFromConfig(cfg)
	out := Throughput{Clients: clients, Duration: d}
	out.Read, err = rate(ctx, clients, d, func(ctx context.Context, _ int) error {
		_, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	})
	if err != nil {
		return out, err
	}
	out.Write, err = rate(ctx, clients, d, func(ctx context.Context, i int) error {
		_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
			AlarmName:  aws.String(fmt.Sprintf("bench-%d", i%50)), // a bounded set, updated over and over
			MetricName: aws.String("Errors"), Namespace: aws.String("Bench"),
			ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
			EvaluationPeriods:  aws.Int32(1), Period: aws.Int32(300), Threshold: aws.Float64(1),
			Statistic: cwtypes.StatisticSum,
		})
		return err
	})
	return out, err
}

// rate runs call from clients goroutines for d and returns calls per
// second; the first error stops the measurement.
func rate(ctx context.Context, clients int, d time.Duration, call func(context.Context, int) error) (float64, error) {
	var (
		mu    sync.Mutex
		n     int
		first error
		wg    sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; time.Now().Before(deadline); i += clients {
				if err := call(ctx, i); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, fmt.Errorf("measuring endpoint throughput: %w", first)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// readCredentials reads the admin keys `landfall-dev local serve` prints.
func readCredentials(r io.Reader) (awslocal.Credentials, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var c awslocal.Credentials
		for _, f := range strings.Fields(sc.Text()) {
			if v, ok := strings.CutPrefix(f, "AWS_ACCESS_KEY_ID="); ok {
				c.AccessKeyID = v
			}
			if v, ok := strings.CutPrefix(f, "AWS_SECRET_ACCESS_KEY="); ok {
				c.SecretAccessKey = v
			}
		}
		if c.AccessKeyID != "" && c.SecretAccessKey != "" {
			return c, nil
		}
	}
	return awslocal.Credentials{}, fmt.Errorf("reading the endpoint's credentials: not printed")
}

func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
