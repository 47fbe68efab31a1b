package orgevents

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Organizations identifiers as they appear in the envelope and the CloudTrail record. Organizations
// delivers its events only in us-east-1.
const (
	SourceOrganizations      = "aws.organizations"
	EventSourceOrganizations = "organizations.amazonaws.com"

	EventNameCreateAccountResult           = "CreateAccountResult"
	EventNameInviteAccountToOrganization   = "InviteAccountToOrganization"
	EventNameMoveAccount                   = "MoveAccount"
	EventNameCloseAccount                  = "CloseAccount"
	EventNameRemoveAccountFromOrganization = "RemoveAccountFromOrganization"
)

// CreateAccountState is the state of an Organizations account-creation request.
type CreateAccountState string

const (
	CreateAccountStateInProgress CreateAccountState = "IN_PROGRESS"
	CreateAccountStateSucceeded  CreateAccountState = "SUCCEEDED"
	CreateAccountStateFailed     CreateAccountState = "FAILED"
)

// OrganizationsServiceEventDetails is detail.serviceEventDetails of a CreateAccountResult.
type OrganizationsServiceEventDetails struct {
	CreateAccountStatus *CreateAccountStatus `json:"createAccountStatus,omitempty"`
}

// CreateAccountStatus reports how an account-creation request ended. Timestamps are kept as sent
// ("May 17, 2022 10:47:37 AM"); read them with ParseTimestamp.
type CreateAccountStatus struct {
	ID                 string             `json:"id"`
	State              CreateAccountState `json:"state"`
	AccountName        string             `json:"accountName,omitempty"`
	AccountID          string             `json:"accountId,omitempty"`
	FailureReason      string             `json:"failureReason,omitempty"`
	RequestedTimestamp string             `json:"requestedTimestamp,omitempty"`
	CompletedTimestamp string             `json:"completedTimestamp,omitempty"`
}

// InviteAccountParameters is detail.requestParameters of an InviteAccountToOrganization call.
type InviteAccountParameters struct {
	Target *HandshakeParty `json:"target"`
	Notes  string          `json:"notes,omitempty"`
}

// HandshakeResponse is detail.responseElements of a call that returns a handshake, such as
// InviteAccountToOrganization.
type HandshakeResponse struct {
	Handshake *Handshake `json:"handshake"`
}

// Handshake is an Organizations handshake as CloudTrail records it: action in lower case ("invite"),
// timestamps in the "Jan 2, 2006 3:04:05 PM" layout.
type Handshake struct {
	ID                  string           `json:"id"`
	ARN                 string           `json:"arn,omitempty"`
	Parties             []HandshakeParty `json:"parties"`
	State               string           `json:"state"`
	Action              string           `json:"action"`
	RequestedTimestamp  string           `json:"requestedTimestamp,omitempty"`
	ExpirationTimestamp string           `json:"expirationTimestamp,omitempty"`
	Resources           json.RawMessage  `json:"resources,omitempty"`
}

// HandshakeParty is one side of a handshake: an ORGANIZATION, an ACCOUNT or an EMAIL.
type HandshakeParty struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// The handshake action, state and party types of a new invitation.
const (
	HandshakeActionInvite     = "INVITE"
	HandshakeStateOpen        = "OPEN"
	HandshakePartyTypeAccount = "ACCOUNT"
	HandshakePartyTypeEmail   = "EMAIL"
)

// handshakeID is the form of a handshake ID (HandshakeId, Organizations API reference).
var handshakeID = regexp.MustCompile(`^h-[0-9a-z]{8,32}$`)

// MoveAccountParameters is detail.requestParameters of a MoveAccount call.
type MoveAccountParameters struct {
	AccountID           string `json:"accountId"`
	SourceParentID      string `json:"sourceParentId"`
	DestinationParentID string `json:"destinationParentId"`
}

// AccountParameters is detail.requestParameters of CloseAccount and RemoveAccountFromOrganization.
type AccountParameters struct {
	AccountID string `json:"accountId"`
}

func decodeOrganizations(event events.EventBridgeEvent) (Request, error) {
	d, err := decodeCloudTrailDetail(event.Detail, EventSourceOrganizations)
	if err != nil {
		return Request{}, err
	}
	switch d.EventName {
	case EventNameCreateAccountResult:
		if err := requireDetailType(event.DetailType, DetailTypeServiceEvent, d.EventName); err != nil {
			return Request{}, err
		}
		return decodeCreateAccountResult(event, d)
	case EventNameInviteAccountToOrganization:
		return decodeAPICall(event, d, decodeInviteAccount)
	case EventNameMoveAccount:
		return decodeAPICall(event, d, decodeMoveAccount)
	case EventNameCloseAccount:
		return decodeAPICall(event, d, accountLeft(ReasonAccountClosed))
	case EventNameRemoveAccountFromOrganization:
		return decodeAPICall(event, d, accountLeft(ReasonAccountRemoved))
	default:
		return Request{}, unsupported("detail.eventName", "%s is not an Organizations event landfall acts on", quote(d.EventName))
	}
}

// cloudTrailDecoder turns one kind of CloudTrail record into a Request.
type cloudTrailDecoder func(events.EventBridgeEvent, CloudTrailDetail) (Request, error)

// decodeAPICall checks what every API-call trigger shares (its detail-type, and that the call
// succeeded) before decode reads the call's own parameters.
func decodeAPICall(event events.EventBridgeEvent, d CloudTrailDetail, decode cloudTrailDecoder) (Request, error) {
	if err := requireDetailType(event.DetailType, DetailTypeAPICall, d.EventName); err != nil {
		return Request{}, err
	}
	if err := requireSucceededCall(d); err != nil {
		return Request{}, err
	}
	return decode(event, d)
}

func decodeCreateAccountResult(event events.EventBridgeEvent, d CloudTrailDetail) (Request, error) {
	const path = "detail.serviceEventDetails"
	var details OrganizationsServiceEventDetails
	if err := decodeObject(d.ServiceEventDetails, path, &details); err != nil {
		return Request{}, err
	}
	status := details.CreateAccountStatus
	const statusPath = path + ".createAccountStatus"
	if status == nil {
		return Request{}, malformed(statusPath, "missing")
	}
	r := provenance(event)
	r.Reason = ReasonAccountCreated
	r.AccountName = status.AccountName
	r.CompletedAt = timestampOrZero(status.CompletedTimestamp)
	switch status.State {
	case CreateAccountStateSucceeded:
		if err := requireAccountID(status.AccountID, statusPath+".accountId"); err != nil {
			return Request{}, err
		}
		r.Action = ActionBaseline
		r.AccountID = status.AccountID
		return r, nil
	case CreateAccountStateFailed:
		// A failed creation usually has no account; when it names one, it must still be a real ID.
		if status.AccountID != "" {
			if err := requireAccountID(status.AccountID, statusPath+".accountId"); err != nil {
				return Request{}, err
			}
		}
		if status.FailureReason == "" {
			return Request{}, malformed(statusPath+".failureReason", "missing on a FAILED creation")
		}
		r.Action = ActionReportFailure
		r.AccountID = status.AccountID
		r.FailureReason = status.FailureReason
		return r, nil
	case CreateAccountStateInProgress:
		return Request{}, unsupported(statusPath+".state", "%q: the account is not created yet", status.State)
	case "":
		return Request{}, malformed(statusPath+".state", "missing")
	default:
		return Request{}, unsupported(statusPath+".state", "%s is not a state landfall acts on", quote(string(status.State)))
	}
}

// decodeInviteAccount reads an invitation the management account sent. The invited account joins only
// when it accepts, and its AcceptHandshake is recorded in its own account, where landfall's rules do not
// run (AcceptHandshake API reference), so the pipeline follows the invitation's handshake instead.
func decodeInviteAccount(event events.EventBridgeEvent, d CloudTrailDetail) (Request, error) {
	const path = "detail.responseElements"
	var resp HandshakeResponse
	if err := decodeObject(d.ResponseElements, path, &resp); err != nil {
		return Request{}, err
	}
	h := resp.Handshake
	if h == nil {
		return Request{}, malformed(path+".handshake", "missing")
	}
	if !strings.EqualFold(h.Action, HandshakeActionInvite) {
		return Request{}, unsupported(path+".handshake.action", "%s is not %s: nobody was invited", quote(h.Action), HandshakeActionInvite)
	}
	if !strings.EqualFold(h.State, HandshakeStateOpen) {
		return Request{}, unsupported(path+".handshake.state", "%s is not %s: the invitation is not waiting for an answer", quote(h.State), HandshakeStateOpen)
	}
	if !handshakeID.MatchString(h.ID) {
		return Request{}, malformed(path+".handshake.id", "%s is not a handshake ID", quote(h.ID))
	}
	accountID, err := invitedAccount(h.Parties, path+".handshake.parties")
	if err != nil {
		return Request{}, err
	}
	r := provenance(event)
	r.Action = ActionAwaitInvitation
	r.Reason = ReasonAccountInvited
	r.AccountID = accountID
	r.HandshakeID = h.ID
	return r, nil
}

// invitedAccount returns the ID of the single ACCOUNT party of an invitation.
func invitedAccount(parties []HandshakeParty, path string) (string, error) {
	found := -1
	for i, p := range parties {
		if !strings.EqualFold(p.Type, HandshakePartyTypeAccount) {
			continue
		}
		if found >= 0 {
			return "", malformed(fmt.Sprintf("%s[%d]", path, i), "more than one %s party", HandshakePartyTypeAccount)
		}
		found = i
	}
	if found < 0 {
		// An invitation by email address names the account only once it accepts.
		for _, p := range parties {
			if strings.EqualFold(p.Type, HandshakePartyTypeEmail) {
				return "", unsupported(path, "the invitation names an email address, not an account; the sweep baselines the account once it joins")
			}
		}
		return "", malformed(path, "no party of type %s", HandshakePartyTypeAccount)
	}
	id := parties[found].ID
	if err := requireAccountID(id, fmt.Sprintf("%s[%d].id", path, found)); err != nil {
		return "", err
	}
	return id, nil
}

func decodeMoveAccount(event events.EventBridgeEvent, d CloudTrailDetail) (Request, error) {
	const path = "detail.requestParameters"
	var p MoveAccountParameters
	if err := decodeObject(d.RequestParameters, path, &p); err != nil {
		return Request{}, err
	}
	if err := requireAccountID(p.AccountID, path+".accountId"); err != nil {
		return Request{}, err
	}
	if p.SourceParentID == "" {
		return Request{}, malformed(path+".sourceParentId", "missing")
	}
	if p.DestinationParentID == "" {
		return Request{}, malformed(path+".destinationParentId", "missing")
	}
	r := provenance(event)
	r.Action = ActionBaseline
	r.Reason = ReasonAccountMoved
	r.AccountID = p.AccountID
	r.FromParentID = p.SourceParentID
	r.ToParentID = p.DestinationParentID
	return r, nil
}

// accountLeft decodes CloseAccount and RemoveAccountFromOrganization: the account leaves landfall's care,
// so the ledger forgets it.
func accountLeft(reason Reason) cloudTrailDecoder {
	return func(event events.EventBridgeEvent, d CloudTrailDetail) (Request, error) {
		return decodeAccountLeft(event, d, reason)
	}
}

func decodeAccountLeft(event events.EventBridgeEvent, d CloudTrailDetail, reason Reason) (Request, error) {
	const path = "detail.requestParameters"
	var p AccountParameters
	if err := decodeObject(d.RequestParameters, path, &p); err != nil {
		return Request{}, err
	}
	if err := requireAccountID(p.AccountID, path+".accountId"); err != nil {
		return Request{}, err
	}
	r := provenance(event)
	r.Action = ActionForget
	r.Reason = reason
	r.AccountID = p.AccountID
	return r, nil
}
