package pipeline

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/notify"
	"github.com/landfall/landfall/pkg/orgevents"
)

// Describe decodes the trigger, waits for an invited account to join,
// describes the account, chooses its profile and takes the account's ledger
// lock for the execution. Bad input never starts a baseline and never
// touches the ledger: it is logged and reported to operations, and the
// execution ends as skipped.
func (d *Deps) Describe(ctx context.Context, in DescribeInput) (State, error) {
	st := State{StartedAt: d.Now().UTC(), Regions: []string{}}
	// Without its execution the run could not tell itself from another: the
	// state machine's definition is wrong, not the trigger.
	if !executionARN.MatchString(in.Execution) {
		return st, awsx.Terminal(fmt.Errorf("describe input: execution %q is not a Step Functions execution ARN", truncate(in.Execution, 256)))
	}
	raw := in.Event
	req, err := orgevents.Decode(raw)
	if err != nil {
		return d.reject(ctx, st, fmt.Sprintf("the trigger was not understood: %v", err), raw), nil
	}
	st.Request = req
	switch req.Action {
	case orgevents.ActionReportFailure:
		st.Decision = DecideReportFailure
		st.Account = config.Account{ID: req.AccountID, Name: req.AccountName}
		return st, nil
	case orgevents.ActionForget:
		st.Decision = DecideForget
		st.Account = config.Account{ID: req.AccountID}
		return st, nil
	case orgevents.ActionSweep:
		return d.reject(ctx, st, "a sweep trigger reached BaselineAccount; the schedule belongs to the Sweep state machine", raw), nil
	}

	org := organizations.NewFromConfig(d.AWS)
	if req.Action == orgevents.ActionAwaitInvitation {
		if ended, err := d.awaitInvitation(ctx, org, &st, raw); ended || err != nil {
			return st, err
		}
	}
	orgOut, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return st, fmt.Errorf("describing the organization: %w", err)
	}
	st.OrganizationID = aws.ToString(orgOut.Organization.Id)
	acct, err := accounts.Describe(ctx, org, req.AccountID)
	if awsx.NotFound(err) {
		return d.reject(ctx, st, fmt.Sprintf("account %s is not in the organization", req.AccountID), raw), nil
	}
	if err != nil {
		return st, err
	}
	st.Account = acct

	sel, err := d.Config.SelectProfile(acct)
	if err != nil {
		return st, awsx.Terminal(fmt.Errorf("selecting a profile for %s: %w", acct.ID, err))
	}
	if sel.Profile == nil {
		st.Decision, st.SkipReason = DecideSkip, string(sel.Skip)
		return st, d.Ledger.Put(ctx, ledger.Row{
			AccountID: acct.ID, AccountName: acct.Name, Status: ledger.StatusSkipped,
			Reason: string(sel.Skip), LastRun: st.StartedAt,
		})
	}
	st.Profile = sel.Profile.Name
	st.Regions = d.Config.Regions(sel.Profile)
	if st.IdentityAccountStatus, err = accounts.IdentityStatus(ctx, org, d.Config); err != nil {
		return st, err
	}
	// The execution owns the lock: a retried Describe finds its own, while a
	// duplicate event or a second rerun, each its own execution, finds it
	// taken.
	ttl := LockTTL(time.Duration(d.Config.Pipeline.ReadinessTimeout))
	// The ledger keeps the expiry in whole seconds.
	expires := d.Now().UTC().Add(ttl).Truncate(time.Second)
	switch err := d.Ledger.Lock(ctx, acct.ID, in.Execution, ttl); {
	case errors.Is(err, ledger.ErrLocked) && changesDesiredState(req.Reason):
		// The running baseline may have chosen its profile before this
		// change: wait for it instead of dropping the trigger.
		return st, &AccountBusy{AccountID: acct.ID, Reason: string(req.Reason)}
	case errors.Is(err, ledger.ErrLocked):
		d.Log.Info("another run holds the account's lock; this trigger is a duplicate", "account", acct.ID, "request", req)
		st.Decision = DecideDuplicate
		return st, nil
	case err != nil:
		return st, err
	}
	st.LockOwner, st.LockExpires = in.Execution, expires
	st.Decision = DecideBaseline
	return st, nil
}

// executionARN is a Step Functions execution ARN, as $$.Execution.Id gives
// it: arn:<partition>:states:<region>:<account>:execution:<machine>:<name>,
// each name up to 80 characters.
var executionARN = regexp.MustCompile(`^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:\s]{1,80}:[^:\s]{1,80}$`)

// reject ends a run that must not baseline anything.
func (d *Deps) reject(ctx context.Context, st State, why string, raw []byte) State {
	d.Log.Warn("rejected trigger", "reason", why, "event", truncate(string(raw), 2048))
	d.notifyOperations(ctx, notify.BaselineResult{
		Kind: notify.PipelineKindBaseline, Status: notify.BaselineSkipped, AccountID: st.Request.AccountID,
		Error: why, Time: st.StartedAt.Format("2006-01-02T15:04:05Z"),
	})
	st.Decision, st.SkipReason = DecideSkip, "rejected: "+why
	return st
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// AccountBusy is Describe's error when another run holds the account's lock
// and this trigger may change what that run applies. Its type name is the
// error name Step Functions sees; the state machine retries it with backoff.
type AccountBusy struct{ AccountID, Reason string }

func (e *AccountBusy) Error() string {
	return "account " + e.AccountID + " is being baselined; the " + e.Reason + " trigger waits for that run to finish"
}

// changesDesiredState reports whether a trigger can change the baseline an
// account should get: a move to another OU re-selects the profile, Control
// Tower's update may do the same, and an operator's rerun asks for a run
// after whatever is happening now. The other triggers (a new or joined
// account, the sweep) ask for what a running baseline already does, so they
// are duplicates.
func changesDesiredState(r orgevents.Reason) bool {
	switch r {
	case orgevents.ReasonAccountMoved, orgevents.ReasonManagedAccountUpdated, orgevents.ReasonManual:
		return true
	}
	return false
}
