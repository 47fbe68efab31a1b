package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
)

// GovernedRegions are the 17 commercial regions AWS enables by default in
// every account (the opt-in regions need an explicit opt-in first).
var GovernedRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
	"ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1",
	"eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// world is a local organization under a model: the endpoint, the config
// governing the benchmark regions, and a counter for account ids.
type world struct {
	srv   *awslocal.Server
	url   string
	close func()
	model *awslocal.Model
	cfg   *config.Config
	// profile is the profile every benchmark account gets.
	profile *config.Profile
	next    int
	// http is shared by every account's SDK config: one connection pool
	// with a cap on idle connections. S3 names every bucket as a host of
	// its own, so per-host pools over a thousand accounts would run the
	// process out of file descriptors.
	http *awshttp.BuildableClient
}

// newWorld starts an endpoint with the given model (nil: none yet) and loads
// the config at path, governing GovernedRegions with profileName.
func newWorld(path, profileName string, model *awslocal.Model, regionConcurrency int) (*world, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("loading the benchmark config (%s): %w", path, err)
	}
	cfg.Organization.GovernedRegions = GovernedRegions
	if regionConcurrency > 0 {
		cfg.Pipeline.MaxConcurrentRegions = regionConcurrency
	}
	profile := cfg.ProfileNamed(profileName)
	if profile == nil {
		return nil, fmt.Errorf("selecting the benchmark profile (%s): not in %s", profileName, path)
	}
	profile.Regions = nil // govern every benchmark region
	// Each account's trail writes to its own bucket: the central log-archive
	// bucket is one bucket set up once, not part of an account's baseline.
	cfg.Organization.LogArchive = config.LogArchive{}
	// AWS pages at 100 or more; the endpoint's default of 5 is a test device.
	srv := awslocal.New(awslocal.Options{ManagementAccountID: cfg.Organization.ManagementAccountID, PageSize: 100, Seed: 1, Model: model})
	ts := httptest.NewServer(srv)
	proxy, err := url.Parse(ts.URL)
	if err != nil {
		ts.Close()
		return nil, fmt.Errorf("parsing the endpoint's URL (%s): %w", ts.URL, err)
	}
	// Routed through the endpoint as a proxy, as awslocal.SDKConfig does.
	client := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.Proxy = http.ProxyURL(proxy)
		t.MaxIdleConns = 512
		t.MaxIdleConnsPerHost = 128
		t.IdleConnTimeout = 5 * time.Second
	})
	w := &world{srv: srv, url: ts.URL, close: ts.Close, model: model, cfg: cfg, profile: profile, next: 1, http: client}
	if err := w.createPipelineRole(); err != nil {
		ts.Close()
		return nil, err
	}
	return w, nil
}

// createPipelineRole creates the role landfall's Lambdas run as in the
// management account: every execution role names it as its principal, and
// IAM refuses a trust policy naming a role that does not exist.
func (w *world) createPipelineRole() error {
	ctx := context.Background()
	mgmt := w.cfg.Organization.ManagementAccountID
	admin, err := awslocal.SDKConfig(ctx, w.url, w.srv.AdminCredentials(mgmt), w.cfg.Organization.HomeRegion)
	if err != nil {
		return fmt.Errorf("configuring the SDK for the management account (%s): %w", mgmt, err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
	name := w.cfg.PipelineRoleName()
	if _, err := iam.NewFromConfig(admin).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		return fmt.Errorf("creating the pipeline role (%s): %w", name, err)
	}
	return nil
}

// scale is the world's time scale (1 without a model).
func (w *world) scale() float64 {
	if w.model == nil || w.model.Scale <= 0 {
		return 1
	}
	return w.model.Scale
}

// simulated converts a real duration measured in this world.
func (w *world) simulated(real time.Duration) time.Duration {
	return time.Duration(float64(real) / w.scale())
}

// target is one member account, with the spec landfall applies to it and
// SDK configuration acting in it.
type target struct {
	spec *baseline.Spec
	aws  aws.Config
}

// newAccount adds a member account and returns it as a target. Members act
// through administrator keys rather than an assumed role, so the benchmark
// measures the baseline, not account entry.
func (w *world) newAccount(ctx context.Context) (target, error) {
	id := fmt.Sprintf("5%011d", w.next)
	w.next++
	name := "bench-" + id
	if err := w.srv.AddAccount(id, name, name+"@example.com"); err != nil {
		return target{}, err
	}
	acct := config.Account{ID: id, Name: name, Email: name + "@example.com", OUPath: "/Root"}
	spec, err := baseline.NewSpec(w.cfg, w.profile, acct, "o-bench00000")
	if err != nil {
		return target{}, fmt.Errorf("resolving the spec of account (%s): %w", id, err)
	}
	// The benchmark's accounts belong to no organization; its identity
	// account is taken to be the active member the pipeline would find.
	spec.IdentityAccountStatus = "ACTIVE"
	cfg, err := awslocal.SDKConfig(ctx, w.url, w.srv.AdminCredentials(id), w.cfg.Organization.HomeRegion,
		awsconfig.WithRetryer(scaledRetryer(w.scale())), awsconfig.WithHTTPClient(w.http))
	if err != nil {
		return target{}, fmt.Errorf("configuring the SDK for account (%s): %w", id, err)
	}
	return target{spec: spec, aws: cfg}, nil
}

// scaledRetryer is landfall's retry policy (awsx.MaxAttempts,
// awsx.MaxBackoff) with the backoff scaled like the model, so that waiting
// out a throttle costs the same simulated time it would against AWS. It is
// the standard retryer: adaptive mode's client-side rate limiter measures
// real time and cannot be scaled.
func scaledRetryer(scale float64) func() aws.Retryer {
	return func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = awsx.MaxAttempts
			o.MaxBackoff = awsx.MaxBackoff
			o.Backoff = scaledBackoff{inner: retry.NewExponentialJitterBackoff(awsx.MaxBackoff), scale: scale}
		})
	}
}

type scaledBackoff struct {
	inner retry.BackoffDelayer
	scale float64
}

func (b scaledBackoff) BackoffDelay(attempt int, err error) (time.Duration, error) {
	d, e := b.inner.BackoffDelay(attempt, err)
	return time.Duration(float64(d) * b.scale), e
}
