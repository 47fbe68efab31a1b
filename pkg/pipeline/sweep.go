package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
)

// SweepBatch is the most accounts one Sweep execution hands to BaselineEach.
// It keeps an execution within Step Functions' quotas whatever the
// organization's size: BaselineEach records about nine history events per
// account (25,000 at most) and its output holds each account twice, in the
// list and in the results (256 KiB at most). The state machine continues with
// the rest as a new execution, as the Step Functions guide recommends ("Avoid
// reaching the history quota"). TestSweepBatchFitsTheQuotas (internal/demo)
// runs a full batch through the local runner, which keeps both quotas.
const SweepBatch = 1000

// Sweep compares the organization's accounts with the ledger and returns, in
// account ID order from just after in.After, at most SweepBatch that need a
// run: never baselined, active again after the ledger recorded it closed or
// gone, an older baseline version, a failed last run (a terminal one only
// once the config or the baseline version changed), or a drift check that
// is due. When more are due after the batch, Next says where
// the next execution continues. It is what catches events EventBridge
// delivered late or never.
func (d *Deps) Sweep(ctx context.Context, in SweepInput) (SweepOutput, error) {
	if in.After != "" {
		if err := config.CheckAccountID(in.After); err != nil {
			return SweepOutput{}, fmt.Errorf("sweep input: after: %w", err)
		}
	}
	rows, err := d.Ledger.List(ctx)
	if err != nil {
		return SweepOutput{}, err
	}
	byID := make(map[string]ledger.Row, len(rows))
	for _, r := range rows {
		byID[r.AccountID] = r
	}
	var active []string // account IDs after in.After
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(d.AWS), &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return SweepOutput{}, fmt.Errorf("listing the organization's accounts: %w", err)
		}
		for _, a := range page.Accounts {
			if id := aws.ToString(a.Id); a.Status == types.AccountStatusActive && id > in.After {
				active = append(active, id)
			}
		}
	}
	// ListAccounts has no documented order; the account ID is a cursor that
	// stays valid between executions.
	slices.Sort(active)

	out := SweepOutput{Accounts: []SweepAccount{}}
	now := d.Now()
	every := time.Duration(d.Config.Pipeline.DriftCheckEvery)
	digest := d.Config.Digest()
	holding := 0
	for _, id := range active {
		why := ""
		if held(byID[id], digest) {
			holding++
		} else {
			why = due(byID[id], now, every)
		}
		if why != "" && len(out.Accounts) == SweepBatch {
			out.Next = out.Accounts[len(out.Accounts)-1].AccountID
			break
		}
		out.Checked++
		if why != "" {
			out.Accounts = append(out.Accounts, SweepAccount{AccountID: id, Why: why})
		}
	}
	d.Log.Info("sweep", "after", in.After, "checked", out.Checked, "due", len(out.Accounts), "held", holding, "next", out.Next)
	return out, nil
}

// due says why an active account needs a run, or "" when it does not.
// Skipped accounts are re-checked like the others: a config change may
// select them. An account the ledger recorded closed or gone is active
// again: AWS Support reopened it within the 90 days after closure (no event
// says so), or it was invited back and the event was missed. Its baseline
// may have decayed meanwhile, so it runs at once rather than at the next
// drift check. Sweep asks only of accounts it does not hold (see held).
func due(r ledger.Row, now time.Time, every time.Duration) string {
	switch {
	case r.Status == "":
		return "missing"
	case r.Status == ledger.StatusClosed:
		return "reopened"
	case r.Status == ledger.StatusFailed:
		return "failed"
	case r.Status == ledger.StatusSucceeded && r.Version != baseline.Version:
		return "outdated"
	case now.Sub(r.LastRun) >= every:
		return "drift-check"
	}
	return ""
}

// held reports a terminal failure whose causes are unchanged: the config
// (by its digest) and the baseline version are those the run failed with,
// so another run would fail the same way. What changes in the account
// itself reaches landfall as an event (a move, an operator's rerun), which
// runs it whatever the ledger says.
func held(r ledger.Row, digest string) bool {
	return r.Status == ledger.StatusFailed && r.Terminal && r.ConfigDigest == digest && r.Version == baseline.Version
}
