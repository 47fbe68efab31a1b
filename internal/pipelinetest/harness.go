// Package pipelinetest is an organization on the local endpoint with what
// the CDK stack deploys for the baseline steps (the pipeline role, the
// ledger table, the operations topic), for the tests that need member
// accounts baselined the way the pipeline does it: the pipeline's own and
// the alert formatter's.
package pipelinetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/internal/ledgertest"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/pipeline"
)

// Management is the organization's management account.
const Management = "111111111111"

// Harness is the organization and the baseline steps' dependencies.
type Harness struct {
	Srv   *awslocal.Server
	URL   string
	Clock *time.Time
	// Admin acts as the management account's administrator, us-east-1.
	Admin aws.Config
	// Deps are the steps' dependencies, as the Lambdas build them.
	Deps *pipeline.Deps
	// OrgID is the organization's id.
	OrgID string
}

// Path returns a file's path from the repository root, wherever the test
// runs from.
func Path(elem ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", ".."}, elem...)...)
}

// ConfigPath is the organization's config: one workload profile that turns
// on every item the local endpoint can check.
func ConfigPath() string { return Path("internal", "pipelinetest", "testdata", "landfall.yaml") }

// IAMPropagation is how long the harness's IAM changes take to take effect:
// each wait for IAM the pipeline makes fails its first try and is retried,
// and, being shorter than awsx.Retry's first delay, costs one delay only.
const IAMPropagation = 400 * time.Millisecond

// New creates the organization with the pipeline role, the ledger table and
// the operations topic. They stand for the deploy, long before any account
// appears, so they are propagated when New returns.
func New(t testing.TB) *Harness {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	h := &Harness{Clock: &now}
	authorizer, err := iamsim.Shared(Path())
	if err != nil {
		t.Fatal(err)
	}
	h.Srv = awslocal.New(awslocal.Options{Clock: func() time.Time { return *h.Clock }, Seed: 5, Authorizer: authorizer, IAMPropagation: IAMPropagation})
	h.URL = h.Srv.Start(t)
	h.Admin, err = awslocal.SDKConfig(ctx, h.URL, h.Srv.AdminCredentials(Management), "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(ConfigPath())
	if err != nil {
		t.Fatal(err)
	}
	org, err := organizations.NewFromConfig(h.Admin).CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	h.OrgID = aws.ToString(org.Organization.Id)
	// The identity account, whose people the human roles trust, is a member.
	if err := h.Srv.JoinByInvitation(ctx, h.Admin, h.URL, cfg.Organization.Identity.AccountID); err != nil {
		t.Fatal(err)
	}
	pipelineRole := CreatePipelineRole(t, h.Admin, cfg, h.OrgID)
	led := ledgertest.New(t, h.Admin, "landfall-ledger")
	led.Now = h.Now
	topic, err := sns.NewFromConfig(h.Admin).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("landfall-operations")})
	if err != nil {
		t.Fatal(err)
	}
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	h.Deps = &pipeline.Deps{
		Config: cfg, AWS: h.Admin, Ledger: led, OperationsTopicARN: aws.ToString(topic.TopicArn),
		PipelineRoleARN: pipelineRole, Engine: engine, Now: h.Now,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	h.Srv.SettleIAM()
	return h
}

// Now is the endpoint's clock.
func (h *Harness) Now() time.Time { return *h.Clock }

// Vend creates a member account through Organizations and returns its id.
func (h *Harness) Vend(t testing.TB, name string) string {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(h.Admin)
	out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	*h.Clock = h.Clock.Add(awslocal.AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("creating %s: %v", name, err)
	}
	return aws.ToString(st.CreateAccountStatus.AccountId)
}

// Baseline runs BaselineAccount for an account, as its CreateAccountResult
// event would start it.
func (h *Harness) Baseline(t testing.TB, accountID string) {
	t.Helper()
	if err := h.Run(t, h.Describe(t, accountID)); err != nil {
		t.Fatal(err)
	}
}

// executions numbers the executions Execution starts.
var executions atomic.Int64

// Execution is the input of a new BaselineAccount execution that event
// started, as the state machine hands it to Describe: every call is another
// execution, as every delivery of an event is.
func Execution(event []byte) pipeline.DescribeInput {
	return pipeline.DescribeInput{Event: event,
		Execution: fmt.Sprintf("arn:aws:states:us-east-1:%s:execution:landfall-baseline:run-%d", Management, executions.Add(1))}
}

// Describe runs the first step of an execution its CreateAccountResult
// event started.
func (h *Harness) Describe(t testing.TB, accountID string) pipeline.State {
	t.Helper()
	st, err := h.Deps.Describe(context.Background(), Execution(CreatedEvent(t, accountID, "created-"+accountID)))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// CreatedEvent is the CreateAccountResult sample with the account id and
// event id replaced.
func CreatedEvent(t testing.TB, accountID, eventID string) []byte {
	t.Helper()
	raw, err := os.ReadFile(Path("events", "organizations", "created-succeeded.json"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(raw), "444455556666", accountID)
	return []byte(strings.Replace(s, "5f1b8a2e-6c0d-4e1f-9a3b-2c7d8e9f0a1b", eventID, 1))
}

// Run drives one BaselineAccount execution the way the state machine
// does, without Step Functions: the end-to-end test runs the real one.
func (h *Harness) Run(t testing.TB, st pipeline.State) error {
	t.Helper()
	ctx := context.Background()
	if err := h.Deps.WaitReady(ctx, st); err != nil {
		return err
	}
	g, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "global", Request: st})
	if err != nil {
		return err
	}
	st.Results = &pipeline.Results{Global: &g}
	for _, r := range st.Regions {
		s, err := h.Deps.Apply(ctx, pipeline.ApplyInput{Scope: "region", Region: r, Request: st})
		if err != nil {
			return err
		}
		st.Results.Regions = append(st.Results.Regions, s)
	}
	return h.Deps.Record(ctx, st)
}

// FanInQueuePolicy is the fan-in queue's policy as the CDK stack writes it
// (infra/fanin.go): SNS may deliver for any account's alerts topic; the
// formatter confirms only the organization's.
func FanInQueuePolicy(queueARN, alertsTopicName string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"AllowOrganizationTopics","Effect":"Allow",` +
		`"Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queueARN + `",` +
		`"Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:` + alertsTopicName + `"}}}]}`
}
