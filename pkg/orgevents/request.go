package orgevents

import (
	"log/slog"
	"time"
)

// Action is what the pipeline does with a Request.
type Action string

const (
	// ActionBaseline applies the baseline to Request.AccountID.
	ActionBaseline Action = "baseline"
	// ActionForget records in the ledger that the account left (closed or removed); nothing is applied.
	ActionForget Action = "forget"
	// ActionReportFailure tells operations that creating or provisioning an account failed; nothing is
	// applied, and AccountID may be empty because a failed creation has no account.
	ActionReportFailure Action = "report-failure"
	// ActionSweep reconciles every account in the organization against the ledger.
	ActionSweep Action = "sweep"
	// ActionAwaitInvitation waits until Request.AccountID answers invitation Request.HandshakeID, then
	// baselines it if it joined.
	ActionAwaitInvitation Action = "await-invitation"
)

// Reason says which trigger produced a Request, for the ledger and the notifications.
type Reason string

const (
	ReasonAccountCreated        Reason = "account-created"
	ReasonAccountInvited        Reason = "account-invited"
	ReasonAccountMoved          Reason = "account-moved"
	ReasonManagedAccountCreated Reason = "managed-account-created"
	ReasonManagedAccountUpdated Reason = "managed-account-updated"
	ReasonAccountClosed         Reason = "account-closed"
	ReasonAccountRemoved        Reason = "account-removed"
	ReasonScheduledSweep        Reason = "scheduled-sweep"
	ReasonManual                Reason = "manual"
)

// SourceManual is Request.Source for a manual request, which has no EventBridge source of its own.
const SourceManual = "landfall.manual"

// Request is the one typed input of the pipeline, whatever triggered it. Its JSON form is what the first
// Lambda hands to the state machine.
type Request struct {
	Action Action `json:"action"`
	Reason Reason `json:"reason"`

	// AccountID is 12 digits for every action except ActionSweep (empty) and ActionReportFailure (empty
	// when the account was never created).
	AccountID   string `json:"accountId,omitempty"`
	AccountName string `json:"accountName,omitempty"`

	// Provenance for the ledger and the logs. EventID and EventTime are the EventBridge envelope's id and
	// time; a manual request has neither.
	EventID   string    `json:"eventId,omitempty"`
	EventTime time.Time `json:"eventTime,omitzero"`
	Source    string    `json:"source"`
	// RequestedBy is the principal ARN behind a manual request.
	RequestedBy string `json:"requestedBy,omitempty"`
	// CompletedAt is when the service reports the change completed (CreateAccountResult and Control
	// Tower events); zero when the event has no such timestamp or it could not be parsed.
	CompletedAt time.Time `json:"completedAt,omitzero"`

	// FailureReason explains an ActionReportFailure: Organizations' failureReason code or Control Tower's
	// message.
	FailureReason string `json:"failureReason,omitempty"`

	// HandshakeID is the invitation an ActionAwaitInvitation follows.
	HandshakeID string `json:"handshakeId,omitempty"`

	// FromParentID and ToParentID are the root or OU IDs of a MoveAccount.
	FromParentID string `json:"fromParentId,omitempty"`
	ToParentID   string `json:"toParentId,omitempty"`
}

// LogValue groups the fields an operator needs to find a request again, so handlers can log a Request
// with slog.Any("request", r).
func (r Request) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("action", string(r.Action)),
		slog.String("reason", string(r.Reason)),
		slog.String("source", r.Source),
	}
	for _, a := range []slog.Attr{
		slog.String("accountId", r.AccountID),
		slog.String("eventId", r.EventID),
		slog.String("requestedBy", r.RequestedBy),
		slog.String("failureReason", r.FailureReason),
	} {
		if a.Value.String() != "" {
			attrs = append(attrs, a)
		}
	}
	return slog.GroupValue(attrs...)
}

// IsAccountID reports whether s is an AWS account ID: exactly 12 ASCII digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
