package orgevents

import "encoding/json"

// EventBridge detail-types of the events CloudTrail delivers.
const (
	// DetailTypeAPICall marks an API call recorded by CloudTrail (MoveAccount, InviteAccountToOrganization ...).
	DetailTypeAPICall = "AWS API Call via CloudTrail"
	// DetailTypeServiceEvent marks an event a service records on its own (CreateAccountResult, Control
	// Tower lifecycle events).
	DetailTypeServiceEvent = "AWS Service Event via CloudTrail"
)

// CloudTrailDetail is the detail of a CloudTrail-delivered EventBridge event: one CloudTrail record.
// Service-specific parts stay raw and are decoded by the handler of that event.
type CloudTrailDetail struct {
	EventVersion        string          `json:"eventVersion"`
	UserIdentity        UserIdentity    `json:"userIdentity"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AWSRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode,omitempty"`
	ErrorMessage        string          `json:"errorMessage,omitempty"`
	RequestParameters   json.RawMessage `json:"requestParameters,omitempty"`
	ResponseElements    json.RawMessage `json:"responseElements,omitempty"`
	RequestID           string          `json:"requestID,omitempty"`
	EventID             string          `json:"eventID"`
	ReadOnly            bool            `json:"readOnly"`
	EventType           string          `json:"eventType"`
	ManagementEvent     bool            `json:"managementEvent"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	ServiceEventDetails json.RawMessage `json:"serviceEventDetails,omitempty"`
	EventCategory       string          `json:"eventCategory"`
	TLSDetails          json.RawMessage `json:"tlsDetails,omitempty"`
}

// UserIdentity is the CloudTrail userIdentity element: who made the call.
type UserIdentity struct {
	Type           string          `json:"type,omitempty"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext json.RawMessage `json:"sessionContext,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
}

// decodeCloudTrailDetail reads the CloudTrail record of event detail and checks that it comes from
// wantEventSource, the service whose envelope source carried it.
func decodeCloudTrailDetail(detail json.RawMessage, wantEventSource string) (CloudTrailDetail, error) {
	var d CloudTrailDetail
	if err := decodeObject(detail, "detail", &d); err != nil {
		return CloudTrailDetail{}, err
	}
	switch d.EventSource {
	case wantEventSource:
	case "":
		return CloudTrailDetail{}, malformed("detail.eventSource", "missing")
	default:
		return CloudTrailDetail{}, unsupported("detail.eventSource", "%s is not %q", quote(d.EventSource), wantEventSource)
	}
	if d.EventName == "" {
		return CloudTrailDetail{}, malformed("detail.eventName", "missing")
	}
	return d, nil
}

// requireDetailType checks that an event named eventName arrived with the detail-type CloudTrail gives it.
func requireDetailType(got, want, eventName string) error {
	if got != want {
		return unsupported("detail-type", "%s with detail-type %s; expected %q", eventName, quote(got), want)
	}
	return nil
}

// requireSucceededCall rejects an API call that CloudTrail recorded as failed: it changed nothing.
func requireSucceededCall(d CloudTrailDetail) error {
	if d.ErrorCode != "" {
		return unsupported("detail.errorCode", "%s call failed with %s; nothing changed", d.EventName, quote(d.ErrorCode))
	}
	return nil
}
