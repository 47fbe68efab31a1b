package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/ledger"
)

// Sweep compares every account of the organization with the ledger and
// returns those that need a run: never baselined, an older baseline
// version, a failed last run, or a drift check that is due. It is what
// catches events EventBridge delivered late or never.
func (d *Deps) Sweep(ctx context.Context) (SweepOutput, error) {
	rows, err := d.Ledger.List(ctx)
	if err != nil {
		return SweepOutput{}, err
	}
	byID := make(map[string]ledger.Row, len(rows))
	for _, r := range rows {
		byID[r.AccountID] = r
	}
	out := SweepOutput{Accounts: []SweepAccount{}}
	now := d.Now()
	every := time.Duration(d.Config.Pipeline.DriftCheckEvery)
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(d.AWS), &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return SweepOutput{}, fmt.Errorf("listing the organization's accounts: %w", err)
		}
		for _, a := range page.Accounts {
			if a.Status != "ACTIVE" {
				continue
			}
			out.Checked++
			id := aws.ToString(a.Id)
			if why := due(byID[id], now, every); why != "" {
				out.Accounts = append(out.Accounts, SweepAccount{AccountID: id, Why: why})
			}
		}
	}
	d.Log.Info("sweep", "checked", out.Checked, "due", len(out.Accounts))
	return out, nil
}

// due says why an account needs a run, or "" when it does not. Skipped
// accounts are re-checked like the others: a config change may select them.
func due(r ledger.Row, now time.Time, every time.Duration) string {
	switch {
	case r.Status == "":
		return "missing"
	case r.Status == ledger.StatusClosed:
		return ""
	case r.Status == ledger.StatusFailed:
		return "failed"
	case r.Status == ledger.StatusSucceeded && r.Version != baseline.Version:
		return "outdated"
	case now.Sub(r.LastRun) >= every:
		return "drift-check"
	}
	return ""
}
