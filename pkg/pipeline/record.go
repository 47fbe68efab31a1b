package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/notify"
)

// Record finishes a run: for a baseline it verifies the account by planning
// again (anything still to change is a failure), writes the ledger row,
// releases the lock and tells operations. It also records accounts that
// left the organization and failed account creations.
func (d *Deps) Record(ctx context.Context, st State) error {
	now := d.Now().UTC()
	switch st.Decision {
	case DecideForget:
		row := ledger.Row{AccountID: st.Account.ID, Status: ledger.StatusClosed, Reason: string(st.Request.Reason), LastRun: now}
		if prev, err := d.Ledger.Get(ctx, st.Account.ID); err == nil {
			row.AccountName, row.Profile, row.Version = prev.AccountName, prev.Profile, prev.Version
		}
		return d.Ledger.Put(ctx, row)
	case DecideReportFailure:
		d.notifyOperations(ctx, notify.AccountCreationFailed{
			Kind: notify.PipelineKindAccountCreationFailed, AccountName: st.Request.AccountName,
			FailureReason: st.Request.FailureReason, Time: now.Format(time.RFC3339),
		})
		return d.Ledger.Put(ctx, ledger.Row{
			AccountID: failedCreationKey(st), AccountName: st.Request.AccountName, Status: ledger.StatusFailed,
			Reason: string(st.Request.Reason), LastRun: now, LastError: "account creation failed: " + st.Request.FailureReason,
		})
	case DecideBaseline:
		return d.recordBaseline(ctx, st, now)
	}
	return fmt.Errorf("recording a run with decision %q: nothing to record", st.Decision)
}

// RecordOutcome is the record Lambda's handler. The state machine's Record
// and RecordFailure states invoke the same function, so it routes on the
// input: RecordFailure's carries status FAILED (FailureInput), Record's is
// the run's State.
func (d *Deps) RecordOutcome(ctx context.Context, raw json.RawMessage) error {
	var probe struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return fmt.Errorf("decoding record input: %w", err)
	}
	if probe.Status == "FAILED" {
		var in FailureInput
		if err := json.Unmarshal(raw, &in); err != nil {
			return fmt.Errorf("decoding RecordFailure input: %w", err)
		}
		return d.RecordFailure(ctx, in)
	}
	var st State
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("decoding Record input: %w", err)
	}
	return d.Record(ctx, st)
}

// failedCreationKey is the ledger key of a creation that produced no
// account: the account name, so the operator finds it where the account
// would have been.
func failedCreationKey(st State) string {
	if st.Account.ID != "" {
		return st.Account.ID
	}
	return "creation-failed/" + st.Request.AccountName
}

func (d *Deps) recordBaseline(ctx context.Context, st State, now time.Time) error {
	spec, err := d.spec(st)
	if err != nil {
		return err
	}
	cfg, err := d.enter(ctx, st.Account.ID)
	if err != nil {
		return err
	}
	plan, err := d.Engine.Plan(ctx, spec, cfg, baseline.ScopeAll)
	if err != nil {
		return fmt.Errorf("verifying the baseline of %s: %w", st.Account.ID, err)
	}
	row := ledger.Row{
		AccountID: st.Account.ID, AccountName: st.Account.Name, Profile: st.Profile, Version: spec.Version,
		Status: ledger.StatusSucceeded, Reason: string(st.Request.Reason), LastRun: now,
		DurationMs: now.Sub(st.StartedAt).Milliseconds(),
	}
	if st.Results != nil {
		for _, s := range append(st.Results.Regions, derefSummary(st.Results.Global)...) {
			row.Created += s.Counts[string(baseline.Create)]
			row.Updated += s.Counts[string(baseline.Update)]
			row.Deleted += s.Counts[string(baseline.Delete)]
		}
	}
	// Changes made to an account that already held this baseline version
	// are repaired drift.
	if prev, err := d.Ledger.Get(ctx, st.Account.ID); err == nil && prev.Status == ledger.StatusSucceeded && prev.Version == spec.Version {
		row.Drift = row.Created + row.Updated + row.Deleted
	} else if err != nil && !awsx.NotFound(err) {
		return err
	}
	var findings []notify.BaselineFinding
	pending := 0
	for _, c := range plan.Changes {
		switch {
		case c.Changing():
			pending++
			findings = append(findings, notify.BaselineFinding{Item: c.Item, Detail: "still differs after apply: " + c.Resource})
		case c.Action == baseline.Finding || c.Action == baseline.Conflict:
			row.Findings = append(row.Findings, c.Item+": "+c.Detail)
			findings = append(findings, notify.BaselineFinding{Item: c.Item, Detail: c.Detail})
		}
	}
	if pending > 0 {
		row.Status = ledger.StatusFailed
		row.LastError = fmt.Sprintf("verification found %d changes still pending after apply", pending)
	}
	if err := d.Ledger.Put(ctx, row); err != nil {
		return err
	}
	if err := d.Ledger.Unlock(ctx, st.Account.ID, st.LockOwner); err != nil {
		return err
	}
	if d.Metrics != nil {
		baselined := 0
		if row.Status == ledger.StatusSucceeded {
			baselined = 1
		}
		if err := emitMetrics(d.Metrics, now, baselined, len(row.Findings)); err != nil {
			d.Log.Warn("writing metrics", "error", err)
		}
	}
	d.notifyOperations(ctx, notify.BaselineResult{
		Kind: notify.PipelineKindBaseline, Status: string(row.Status), AccountID: row.AccountID, AccountName: row.AccountName,
		Profile: row.Profile, Version: row.Version, Region: spec.HomeRegion(), DurationMs: row.DurationMs,
		Created: row.Created, Updated: row.Updated, Deleted: row.Deleted, Findings: findings, Error: row.LastError, Time: now.Format(time.RFC3339),
	})
	if row.Status == ledger.StatusFailed {
		return fmt.Errorf("verifying the baseline of %s: %s", st.Account.ID, row.LastError)
	}
	return nil
}

func derefSummary(s *ApplySummary) []ApplySummary {
	if s == nil {
		return nil
	}
	return []ApplySummary{*s}
}

// RecordFailure writes the FAILED row for a run a step failed, releases the
// lock, and tells operations. When Describe itself failed there is no
// account yet, and only operations hear of it. A terminal failure is marked
// so in the row, with the config it failed under, for the sweep to hold.
func (d *Deps) RecordFailure(ctx context.Context, in FailureInput) error {
	now := d.Now().UTC()
	st := in.Request.State
	reason := in.Error
	if cause := lambdaErrorMessage(in.Cause); cause != "" {
		reason += ": " + truncate(cause, 1024)
	}
	terminal := in.Error == TerminalName
	msg := notify.BaselineResult{
		Kind: notify.PipelineKindBaseline, Status: notify.BaselineFailed, AccountID: st.Account.ID,
		AccountName: st.Account.Name, Profile: st.Profile, Error: reason, Terminal: terminal, Time: now.Format(time.RFC3339),
	}
	defer d.notifyOperations(ctx, msg)
	if st.Account.ID == "" {
		d.Log.Error("run failed before the account was known", "error", reason)
		return nil
	}
	row := ledger.Row{
		AccountID: st.Account.ID, AccountName: st.Account.Name, Profile: st.Profile, Version: baseline.Version,
		Status: ledger.StatusFailed, Reason: string(st.Request.Reason), LastRun: now, LastError: reason,
		Terminal: terminal, ConfigDigest: d.Config.Digest(),
	}
	if !st.StartedAt.IsZero() {
		row.DurationMs = now.Sub(st.StartedAt).Milliseconds()
	}
	if err := d.Ledger.Put(ctx, row); err != nil {
		return err
	}
	if st.LockOwner == "" {
		return nil
	}
	return d.Ledger.Unlock(ctx, st.Account.ID, st.LockOwner)
}

// lambdaErrorMessage reads the message out of a caught Lambda error's cause,
// which Step Functions passes as the function's error JSON
// ({"errorMessage": ..., "errorType": ...}); other causes pass through.
func lambdaErrorMessage(cause string) string {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(cause), &e) == nil && e.ErrorMessage != "" {
		return e.ErrorMessage
	}
	return cause
}
