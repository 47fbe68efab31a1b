package pipeline_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/orgevents"
	"github.com/landfall/landfall/pkg/pipeline"
)

// Every scope's summary travels in BaselineAccount's state, which Step
// Functions caps at 256 KiB. However many changes each apply makes (here,
// thousands of findings), the state of an account governed in every region,
// with the largest name, OU path and tags Organizations allows, stays under
// it, and the summaries still count every change.
func TestApplySummariesFitTheState(t *testing.T) {
	const changes = 5000
	item := baseline.ItemResult{Item: "iam-findings"}
	for i := range changes {
		item.Changes = append(item.Changes, baseline.Change{Item: "iam-findings", Resource: fmt.Sprintf("user/%064d", i),
			Action: baseline.Finding, Detail: strings.Repeat("no MFA device; ", 20)})
	}
	item.Changes = append(item.Changes, baseline.Change{Item: "iam-findings", Resource: "user/ok", Action: baseline.Unchanged})
	sum := pipeline.Summarize(baseline.Report{Scope: "eu-west-1", Items: []baseline.ItemResult{item}})
	if sum.Counts[string(baseline.Finding)] != changes || sum.Counts[string(baseline.Unchanged)] != 1 {
		t.Fatalf("counts %v, want %d findings and 1 unchanged", sum.Counts, changes)
	}
	if len(sum.Changes) == 0 || len(sum.Changes)+sum.ChangesOmitted != changes || sum.Changes[0].Resource != item.Changes[0].Resource {
		t.Fatalf("kept %d changes (first %q) and omitted %d, want the first ones kept and %d in all",
			len(sum.Changes), sum.Changes[0].Resource, sum.ChangesOmitted, changes)
	}

	st := pipeline.State{
		Decision: pipeline.DecideBaseline,
		Request: orgevents.Request{Action: orgevents.ActionBaseline, Reason: orgevents.ReasonAccountMoved, AccountID: "123456789012",
			AccountName: strings.Repeat("n", 50), EventID: strings.Repeat("e", 36), Source: "aws.organizations",
			FromParentID: "ou-" + strings.Repeat("p", 32) + "-" + strings.Repeat("q", 32), ToParentID: "ou-" + strings.Repeat("p", 32) + "-" + strings.Repeat("q", 32)},
		Account: config.Account{ID: "123456789012", Name: strings.Repeat("n", 50), Email: strings.Repeat("m", 52) + "@example.com",
			OUPath: "/Root" + strings.Repeat("/"+strings.Repeat("o", 128), 5), Tags: map[string]string{}, Status: "ACTIVE"},
		Profile: strings.Repeat("p", 64), Regions: config.CommercialRegions(), LockOwner: "arn:aws:states:ap-southeast-4:123456789012:execution:" + strings.Repeat("m", 80) + ":" + strings.Repeat("x", 80),
		LockExpires:    time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC),
		OrganizationID: "o-" + strings.Repeat("x", 32),
		Results:        &pipeline.Results{Global: &sum},
	}
	for i := range 50 { // Organizations' most tags per resource, at their longest keys and values
		st.Account.Tags[fmt.Sprintf("%0128d", i)] = strings.Repeat("v", 256)
	}
	for range st.Regions {
		st.Results.Regions = append(st.Results.Regions, sum)
	}
	encoded, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if len(encoded) > 256<<10 {
		t.Fatalf("the state Record receives for %d regions is %d bytes, over Step Functions' 256 KiB", len(st.Regions), len(encoded))
	}
	t.Logf("%d regions: %d bytes of state", len(st.Regions), len(encoded))
}
