package orgevents

import "github.com/aws/aws-lambda-go/events"

// Control Tower identifiers. Its lifecycle events arrive in the landing zone's home Region.
const (
	SourceControlTower      = "aws.controltower"
	EventSourceControlTower = "controltower.amazonaws.com"

	EventNameCreateManagedAccount = "CreateManagedAccount"
	EventNameUpdateManagedAccount = "UpdateManagedAccount"
)

// Lifecycle event states. Control Tower records a lifecycle event only when the action has completed.
const (
	LifecycleStateSucceeded = "SUCCEEDED"
	LifecycleStateFailed    = "FAILED"
)

// ControlTowerServiceEventDetails is detail.serviceEventDetails of a managed-account lifecycle event; the
// one field that is set matches the event name.
type ControlTowerServiceEventDetails struct {
	CreateManagedAccountStatus *ManagedAccountStatus `json:"createManagedAccountStatus,omitempty"`
	UpdateManagedAccountStatus *ManagedAccountStatus `json:"updateManagedAccountStatus,omitempty"`
}

// ManagedAccountStatus reports how creating, enrolling or updating a managed account ended. Timestamps
// are kept as sent ("2019-11-15T11:45:18+0000"); read them with ParseTimestamp.
type ManagedAccountStatus struct {
	OrganizationalUnit OrganizationalUnit `json:"organizationalUnit"`
	Account            ManagedAccount     `json:"account"`
	State              string             `json:"state"`
	Message            string             `json:"message,omitempty"`
	RequestedTimestamp string             `json:"requestedTimestamp,omitempty"`
	CompletedTimestamp string             `json:"completedTimestamp,omitempty"`
}

// OrganizationalUnit names the OU a managed account was placed in.
type OrganizationalUnit struct {
	OrganizationalUnitName string `json:"organizationalUnitName"`
	OrganizationalUnitID   string `json:"organizationalUnitId"`
}

// ManagedAccount names the account of a lifecycle event.
type ManagedAccount struct {
	AccountName string `json:"accountName"`
	AccountID   string `json:"accountId"`
}

func decodeControlTower(event events.EventBridgeEvent) (Request, error) {
	d, err := decodeCloudTrailDetail(event.Detail, EventSourceControlTower)
	if err != nil {
		return Request{}, err
	}
	var reason Reason
	switch d.EventName {
	case EventNameCreateManagedAccount:
		reason = ReasonManagedAccountCreated
	case EventNameUpdateManagedAccount:
		// Control Tower records UpdateManagedAccount, not CreateManagedAccount, when a failed creation
		// is retried, so both mean "this account may be new to landfall".
		reason = ReasonManagedAccountUpdated
	default:
		return Request{}, unsupported("detail.eventName", "%s is not a Control Tower event landfall acts on", quote(d.EventName))
	}
	if err := requireDetailType(event.DetailType, DetailTypeServiceEvent, d.EventName); err != nil {
		return Request{}, err
	}

	const path = "detail.serviceEventDetails"
	var details ControlTowerServiceEventDetails
	if err := decodeObject(d.ServiceEventDetails, path, &details); err != nil {
		return Request{}, err
	}
	status, statusPath := details.CreateManagedAccountStatus, path+".createManagedAccountStatus"
	if reason == ReasonManagedAccountUpdated {
		status, statusPath = details.UpdateManagedAccountStatus, path+".updateManagedAccountStatus"
	}
	if status == nil {
		return Request{}, malformed(statusPath, "missing")
	}

	r := provenance(event)
	r.Reason = reason
	r.AccountName = status.Account.AccountName
	r.CompletedAt = timestampOrZero(status.CompletedTimestamp)
	accountPath := statusPath + ".account.accountId"
	switch status.State {
	case LifecycleStateSucceeded:
		if err := requireAccountID(status.Account.AccountID, accountPath); err != nil {
			return Request{}, err
		}
		r.Action = ActionBaseline
	case LifecycleStateFailed:
		// The account often exists after a failed provisioning; report it with its ID when there is one.
		if status.Account.AccountID != "" {
			if err := requireAccountID(status.Account.AccountID, accountPath); err != nil {
				return Request{}, err
			}
		}
		r.Action = ActionReportFailure
		r.FailureReason = status.Message
		if r.FailureReason == "" {
			r.FailureReason = "Control Tower reported " + LifecycleStateFailed + " without a message"
		}
	case "":
		return Request{}, malformed(statusPath+".state", "missing")
	default:
		return Request{}, unsupported(statusPath+".state", "%s is not a state landfall acts on", quote(status.State))
	}
	r.AccountID = status.Account.AccountID
	return r, nil
}
