package pipeline

import (
	"encoding/json"
	"time"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
	"github.com/landfall/landfall/pkg/orgevents"
)

// Decision is what Describe tells the state machine to do next. The values
// are the state machine's Choice branches.
type Decision string

const (
	DecideBaseline      Decision = "baseline"
	DecideSkip          Decision = "skip"
	DecideForget        Decision = "forget"
	DecideDuplicate     Decision = "duplicate"
	DecideReportFailure Decision = "report-failure"
)

// State is the document that flows through BaselineAccount: Describe
// writes it, the later steps read it.
type State struct {
	Decision   Decision          `json:"decision"`
	Request    orgevents.Request `json:"request"`
	Account    config.Account    `json:"account"`
	Profile    string            `json:"profile,omitempty"`
	Regions    []string          `json:"regions"`
	SkipReason string            `json:"skipReason,omitempty"`
	// LockOwner holds the account's ledger lock for this run: the
	// execution's ARN, so that no other execution shares it.
	LockOwner string `json:"lockOwner,omitempty"`
	// LockExpires is when the lock lapses; the run acts on the account only
	// before then.
	LockExpires time.Time `json:"lockExpires,omitzero"`
	StartedAt   time.Time `json:"startedAt"`
	// OrganizationID is the organization's id, for trust-policy conditions.
	OrganizationID string `json:"organizationId,omitempty"`
	// IdentityAccountStatus is the identity account's status in the
	// organization ("" for none), read by Describe for the human roles'
	// trust (baseline.Spec.IdentityAccountStatus).
	IdentityAccountStatus string `json:"identityAccountStatus,omitempty"`

	// Results are filled in by the apply steps (ResultPath $.results).
	Results *Results `json:"results,omitempty"`
}

// Results are what ApplyGlobal and the ApplyRegions map returned.
type Results struct {
	Global  *ApplySummary  `json:"global,omitempty"`
	Regions []ApplySummary `json:"regions,omitempty"`
}

// ApplySummary is one apply step's outcome, small enough for Step
// Functions' 256 KiB state limit: counts of every change, and the changes
// that are not "unchanged" up to a size, which the function's log holds in
// full.
type ApplySummary struct {
	Scope   string            `json:"scope"`
	Counts  map[string]int    `json:"counts"`
	Changes []baseline.Change `json:"changes,omitempty"`
	// ChangesOmitted is how many changes did not fit in Changes.
	ChangesOmitted int   `json:"changesOmitted,omitempty"`
	Duration       int64 `json:"durationMs"`
	Reads          int   `json:"reads"`
	Writes         int   `json:"writes"`
}

// ApplyInput is the payload of ApplyGlobal and ApplyRegion.
// DescribeInput is what BaselineAccount hands its first step: the trigger
// that started the execution, and the execution's ARN ($$.Execution.Id),
// which owns the account's lock for the run.
type DescribeInput struct {
	Event     json.RawMessage `json:"event"`
	Execution string          `json:"execution"`
}

type ApplyInput struct {
	Scope   string `json:"scope"` // "global" or "region"
	Region  string `json:"region,omitempty"`
	Request State  `json:"request"`
}

// FailureInput is the payload of RecordFailure: the state when a step
// failed and what Step Functions caught.
type FailureInput struct {
	Status  string          `json:"status"` // "FAILED"
	Error   string          `json:"error"`
	Cause   string          `json:"cause"`
	Request FailedExecution `json:"request"`
}

// FailedExecution is the state at the time of failure: a full State when
// Describe had finished, or the raw trigger when Describe itself failed.
type FailedExecution struct {
	State
}

// SweepInput is what the Sweep step reads from the execution's input: the
// scheduled event, which has no After, or a continuation.
type SweepInput struct {
	// After is the account ID the previous execution of this sweep stopped
	// at: this one starts after it.
	After string `json:"after,omitempty"`
}

// SweepOutput is the Sweep step's result: the accounts BaselineEach visits.
type SweepOutput struct {
	Accounts []SweepAccount `json:"accounts"`
	// Checked is how many accounts the sweep compared with the ledger.
	Checked int `json:"checked"`
	// Next, when more accounts are due than one execution takes, is the
	// last account of this batch: the state machine continues after it in
	// a new execution (SweepInput.After).
	Next string `json:"next,omitempty"`
}

// SweepAccount is one account the sweep baselines, and why.
type SweepAccount struct {
	AccountID string `json:"accountId"`
	Why       string `json:"why"` // missing | reopened | outdated | failed | drift-check
}
