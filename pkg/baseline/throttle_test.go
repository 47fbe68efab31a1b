package baseline

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/alarms"
	"github.com/landfall/landfall/pkg/awsx"
)

// With 30 % of every service's calls throttled, a full apply still
// converges with landfall's retry policy, and creates nothing twice.
func TestApplyConvergesUnderThrottling(t *testing.T) {
	f := newFixture(t)
	pipelineRole(t, f)
	admin := mustConfig(t, f.url, f.srv.AdminCredentials(mgmt))
	// landfall's attempts with the backoff capped and without adaptive
	// pacing, so the test measures convergence, not the minutes that backing
	// off from 30 % throttling takes (make bench measures that).
	admin.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts, o.MaxBackoff = awsx.MaxAttempts, 20*time.Millisecond
		})
	}
	f.cfg = awsx.AssumeRole(admin, awsx.RoleARN(f.member, f.spec.EntryRoleName()), "landfall-test")
	ctx := context.Background()

	remove := f.srv.InjectFault(awslocal.Fault{Kind: awslocal.Throttle, Fraction: 0.3})
	if _, err := catalogueEngine().Apply(ctx, f.spec, f.cfg, ScopeAll); err != nil {
		t.Fatalf("apply under throttling: %v", err)
	}
	remove()
	if n := f.srv.FaultsInjected()[awslocal.Throttle]; n < 20 {
		t.Fatalf("only %d calls were throttled; the test did not exercise retries", n)
	}
	plan, err := catalogueEngine().Plan(ctx, f.spec, f.cfg, ScopeAll)
	if err != nil {
		t.Fatal(err)
	}
	if plan.HasChanges() {
		t.Fatalf("not converged:\n%s", plan)
	}
	// Nothing was created twice by a retried create.
	n := 0
	p := cloudwatch.NewDescribeAlarmsPaginator(cloudwatch.NewFromConfig(f.cfg), &cloudwatch.DescribeAlarmsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page.MetricAlarms)
	}
	if want := len(alarms.All()) + 1; n != want {
		t.Errorf("%d alarms, want the %d of the catalogue and the dead letters'", n, want)
	}
	topics, err := sns.NewFromConfig(f.cfg).ListTopics(ctx, &sns.ListTopicsInput{})
	if err != nil || len(topics.Topics) != 1 {
		t.Fatalf("topics: %v %d", err, len(topics.Topics))
	}
	subs, err := sns.NewFromConfig(f.cfg).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: topics.Topics[0].TopicArn})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, s := range subs.Subscriptions {
		seen[aws.ToString(s.Protocol)+":"+aws.ToString(s.Endpoint)]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("subscription %s exists %d times", k, n)
		}
	}
}
