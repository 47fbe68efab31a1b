package notify

import (
	"encoding/json"
	"strings"
)

// SNSNotification is the JSON document SNS delivers to an SQS queue (or an
// HTTP endpoint) when raw message delivery is off. The field names differ
// from the Lambda SNS event ("SigningCertURL", not "SigningCertUrl").
type SNSNotification struct {
	Type              string                       `json:"Type"`
	MessageID         string                       `json:"MessageId"`
	TopicARN          string                       `json:"TopicArn"`
	Subject           string                       `json:"Subject,omitempty"`
	Message           string                       `json:"Message"`
	Timestamp         string                       `json:"Timestamp"`
	SignatureVersion  string                       `json:"SignatureVersion"`
	Signature         string                       `json:"Signature"`
	SigningCertURL    string                       `json:"SigningCertURL"`
	UnsubscribeURL    string                       `json:"UnsubscribeURL"`
	MessageAttributes map[string]SNSAttributeValue `json:"MessageAttributes,omitempty"`
}

// SNSAttributeValue is one message attribute in an SNS notification.
type SNSAttributeValue struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

// snsNotificationType is the Type of a published message; subscription
// confirmations and unsubscribe notices have other types.
const snsNotificationType = "Notification"

// unwrapSNS returns the notification when raw (decoded as obj) is an SNS
// notification envelope carrying a string Message.
func unwrapSNS(raw []byte, obj map[string]json.RawMessage) (SNSNotification, bool) {
	if str(obj, "Type") != snsNotificationType || str(obj, "TopicArn") == "" {
		return SNSNotification{}, false
	}
	if _, ok := obj["Message"]; !ok {
		return SNSNotification{}, false
	}
	var n SNSNotification
	if err := json.Unmarshal(raw, &n); err != nil {
		return SNSNotification{}, false
	}
	return n, true
}

// topicName returns the topic's name from its ARN.
func topicName(arn string) string {
	if name := lastSegment(arn, ":"); name != "" {
		return name
	}
	return arn
}

// str reads a string member of a decoded JSON object; other types read "".
func str(obj map[string]json.RawMessage, key string) string {
	raw, ok := obj[key]
	if !ok {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return ""
	}
	return strings.TrimSpace(s)
}
