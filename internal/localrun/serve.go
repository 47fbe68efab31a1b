package localrun

import (
	"context"
	"fmt"
	"io"

	"github.com/landfall/landfall/internal/awslocal"
)

// ServeOptions are what every function started by ServeFunctions shares.
type ServeOptions struct {
	EndpointURL string
	// Concurrency is the number of processes per function (default 1).
	Concurrency int
	// Logs receives every function's output, each line prefixed with the
	// function's name; it must be safe for concurrent use.
	Logs io.Writer
}

// lambdaPrincipal is the service principal that assumes a function's
// execution role.
const lambdaPrincipal = "lambda.amazonaws.com"

// ServeFunctions builds each function of a template for the host, starts it
// as a local Function and registers it with srv under its ARN, so that the
// template's state machines reach it through Lambda Invoke. Each function
// runs as its execution role, which must exist (DeployRoles) and trust
// Lambda: it gets the session Lambda would start, named after the function.
// The returned Functions are the caller's to Close.
func ServeFunctions(ctx context.Context, srv *awslocal.Server, b *Builder, fns []TemplateFunction, opts ServeOptions) ([]*Function, error) {
	var started []*Function
	closeAll := func() {
		for _, f := range started {
			f.Close()
		}
	}
	for _, tf := range fns {
		creds, err := serviceCredentials(ctx, srv, lambdaPrincipal, tf.RoleARN, sessionNameOf(tf.Name))
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("starting function (%s) as its execution role: %w", tf.LogicalID, err)
		}
		bin, err := b.Build(ctx, tf.Package)
		if err != nil {
			closeAll()
			return nil, err
		}
		f, err := NewFunction(FunctionConfig{
			ARN: tf.ARN, Binary: bin, TaskRoot: tf.AssetDir, Env: tf.Env,
			EndpointURL: opts.EndpointURL, Credentials: creds,
			Timeout: tf.Timeout, MemoryMiB: tf.MemoryMiB, Concurrency: opts.Concurrency, Logs: opts.Logs,
		})
		if err == nil {
			err = srv.RegisterFunction(tf.ARN, f.Invoke)
		}
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("serving function (%s): %w", tf.LogicalID, err)
		}
		started = append(started, f)
	}
	return started, nil
}
