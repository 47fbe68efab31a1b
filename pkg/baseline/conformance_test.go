package baseline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestConformance runs the conformance contract over the whole catalogue
// on the local endpoint, each item in a fresh account after the items it
// needs. An item without a case fails, so none is added unchecked.
func TestConformance(t *testing.T) {
	for _, it := range catalogueEngine().Items() {
		t.Run(it.Name, func(t *testing.T) {
			c, ok := conformanceCases[it.Name]
			if !ok {
				t.Fatalf("item %s has no case in conformanceCases", it.Name)
			}
			f := newFixture(t)
			enableEveryItem(f.spec)
			if c.local != nil {
				c.local(t, f)
			}
			// The items run as the execution role, as the pipeline runs
			// them on every run after the first, so an action missing from
			// that role fails here; the execution-role item itself runs
			// through the entry role that creates it.
			cfg := f.cfg
			if it.Name != executionRoleItem.Name {
				cfg = executionRole(t, f)
			}
			check := conformanceCheck{engine: itemEngine(append(c.with, it.Name)...), spec: f.spec, cfg: cfg, scope: ScopeAll, bornWith: c.bornWith,
				writesDuring: func(apply func(aws.Config) error) ([]string, error) {
					f.srv.ResetCalls()
					err := apply(cfg)
					return countedWrites(f, ""), err
				}}
			if err := check.run(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// conformanceCase is how one item is checked, on the local endpoint and on
// moto (moto_test.go).
type conformanceCase struct {
	// with are the items that run before it, for the resources it needs.
	with []string
	// bornWith is what the item does, besides creating, to what every
	// account is born with.
	bornWith Action
	// local gives the local endpoint's account what the item finds there
	// on AWS, beyond a fresh member account.
	local func(*testing.T, *fixture)
}

// conformanceCases holds every catalogue item.
var conformanceCases = map[string]conformanceCase{
	"password-policy": {},
	// The account AWS hands over has no boundary yet, and the role's trust
	// names the pipeline role, which IAM requires to exist.
	"execution-role": {local: func(t *testing.T, f *fixture) {
		pipelineRole(t, f)
		f.deleteBoundary(t)
	}},
	"entry-role":              {bornWith: Update},
	"human-roles":             {},
	"account-alias":           {},
	"iam-findings":            {},
	"s3-public-access-block":  {},
	"alerts-topic":            {},
	"cloudtrail":              {},
	"alarms":                  {with: []string{"cloudtrail", "alerts-topic"}},
	"alerts-reader-role":      {},
	"budget":                  {with: []string{"alerts-topic"}},
	"alternate-contacts":      {},
	"aws-config-role":         {},
	"findings-forwarder-role": {},
	"guardduty":               {},
	"findings-rule":           {with: []string{"findings-forwarder-role", "alerts-topic", "guardduty"}},
	"ebs-encryption":          {},
	"access-analyzer":         {},
	"aws-config":              {with: []string{"aws-config-role"}, local: createConfigBucket},
	"security-hub":            {with: []string{"aws-config-role", "aws-config"}, local: createConfigBucket},
	"default-vpcs":            {bornWith: Delete},
}

// enableEveryItem switches on every item the test profile leaves off.
func enableEveryItem(s *Spec) {
	s.Profile.Items.AWSConfig.Enabled = true
	s.Profile.Items.SecurityHub.Enabled = true
	s.Profile.Items.DefaultVPCs.Remove = true
}

// createConfigBucket makes the log archive's bucket AWS Config delivers
// to, which the deploy creates before any account appears.
func createConfigBucket(t *testing.T, f *fixture) {
	t.Helper()
	bucket := configBucket(f.spec)
	if _, err := s3.NewFromConfig(f.cfg).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("creating bucket %s: %v", bucket, err)
	}
}

// conformanceCheck is the contract every item meets, on any endpoint: a
// fresh account plans only creates (and findings); applying makes the next
// plan all unchanged; and a second apply writes nothing, counted at the
// endpoint.
type conformanceCheck struct {
	engine *Engine
	spec   *Spec
	cfg    aws.Config
	scope  Scope
	// writesDuring runs apply and lists the writes the endpoint saw.
	writesDuring func(apply func(aws.Config) error) ([]string, error)
	// bornWith allows one more action in a fresh account's plan, for the
	// items that update or delete what every account is born with (the
	// entry role's trust, the default VPCs); creates and findings are
	// always allowed.
	bornWith Action
}

func (c conformanceCheck) run(ctx context.Context) error {
	plan, err := c.engine.Plan(ctx, c.spec, c.cfg, c.scope)
	if err != nil {
		return fmt.Errorf("plan on a fresh account: %w", err)
	}
	if len(plan.Changes) == 0 {
		return errors.New("plan on a fresh account is empty")
	}
	var errs []error
	for _, ch := range plan.Changes {
		if ch.Resource == itemResource(ch.Item) {
			errs = append(errs, fmt.Errorf("fresh account: %s", ch.Detail))
			continue
		}
		if ch.Action != Create && ch.Action != Finding && (c.bornWith == "" || ch.Action != c.bornWith) {
			errs = append(errs, fmt.Errorf("fresh account: %s %s is %s, want create", ch.Item, ch.Resource, ch.Action))
		}
	}
	if _, err := c.engine.Apply(ctx, c.spec, c.cfg, c.scope); err != nil {
		return errors.Join(append(errs, fmt.Errorf("apply: %w", err))...)
	}
	again, err := c.engine.Plan(ctx, c.spec, c.cfg, c.scope)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("plan after apply: %w", err))...)
	}
	// Every entry is read, not only HasChanges: an action it forgot would
	// otherwise pass as done.
	if slices.ContainsFunc(again.Changes, func(ch Change) bool { return ch.Action != Unchanged && ch.Action != Finding }) {
		return errors.Join(append(errs, fmt.Errorf("plan after apply still changes:\n%s", again))...)
	}
	writes, err := c.writesDuring(func(cfg aws.Config) error {
		_, err := c.engine.Apply(ctx, c.spec, cfg, c.scope)
		return err
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("second apply: %w", err))
	}
	for _, w := range writes {
		errs = append(errs, fmt.Errorf("second apply wrote: %s", w))
	}
	return errors.Join(errs...)
}
