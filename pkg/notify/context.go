package notify

import (
	"fmt"
	"strings"
)

// maxRecordsShown caps the CloudTrail records listed in one message; more
// than a handful stops being readable, and the event-history link covers
// the rest.
const maxRecordsShown = 5

// Context is optional enrichment supplied by the caller. The zero value is
// valid and yields messages without account names or CloudTrail details.
type Context struct {
	// AccountNames maps account IDs to friendly names.
	AccountNames map[string]string
	// Records are CloudTrail records that matched the alarm's metric filter
	// (or relate to the finding), fetched by the caller, most recent first.
	Records []TrailRecord
	// ConsoleBaseURL replaces the console origin in links, for example an
	// access-portal or proxy URL. Empty means
	// https://<region>.console.aws.amazon.com (or the partition's domain).
	ConsoleBaseURL string
}

// accountName returns the friendly name for an account ID, or "".
func (c Context) accountName(id string) string {
	return c.AccountNames[id]
}

// console builds links for region. The region comes from the message,
// which anyone able to publish to an alerts topic writes, and becomes part
// of the link's host; anything but a region code links the global console.
func (c Context) console(region string) console {
	if !looksLikeRegionCode(region) {
		region = ""
	}
	return console{base: c.ConsoleBaseURL, region: region}
}

// TrailRecord is the subset of a CloudTrail record (as delivered to
// CloudWatch Logs or returned in LookupEvents' CloudTrailEvent) that says
// who did what. Decode a full record into it with encoding/json; other fields
// are ignored.
type TrailRecord struct {
	EventVersion        string         `json:"eventVersion,omitempty"`
	EventID             string         `json:"eventID,omitempty"`
	EventTime           string         `json:"eventTime"`
	EventSource         string         `json:"eventSource"`
	EventName           string         `json:"eventName"`
	EventType           string         `json:"eventType,omitempty"`
	AWSRegion           string         `json:"awsRegion"`
	SourceIPAddress     string         `json:"sourceIPAddress"`
	UserAgent           string         `json:"userAgent,omitempty"`
	UserIdentity        TrailIdentity  `json:"userIdentity"`
	AdditionalEventData map[string]any `json:"additionalEventData,omitempty"`
	ErrorCode           string         `json:"errorCode,omitempty"`
	ErrorMessage        string         `json:"errorMessage,omitempty"`
	RecipientAccountID  string         `json:"recipientAccountId,omitempty"`
}

// TrailIdentity is CloudTrail's userIdentity element.
type TrailIdentity struct {
	Type           string               `json:"type"`
	PrincipalID    string               `json:"principalId,omitempty"`
	ARN            string               `json:"arn,omitempty"`
	AccountID      string               `json:"accountId,omitempty"`
	AccessKeyID    string               `json:"accessKeyId,omitempty"`
	UserName       string               `json:"userName,omitempty"`
	InvokedBy      string               `json:"invokedBy,omitempty"`
	SessionContext *TrailSessionContext `json:"sessionContext,omitempty"`
}

// TrailSessionContext is userIdentity.sessionContext for temporary
// credentials.
type TrailSessionContext struct {
	SessionIssuer *TrailSessionIssuer `json:"sessionIssuer,omitempty"`
	Attributes    TrailSessionAttrs   `json:"attributes"`
}

// TrailSessionIssuer names the role or user that issued the session.
type TrailSessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// TrailSessionAttrs holds the session attributes CloudTrail records as
// strings ("true"/"false").
type TrailSessionAttrs struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated,omitempty"`
}

// principal describes who acted, in the words an operator searches for:
// "root user", a user name, or "role/session" for assumed roles.
func (r TrailRecord) principal() string {
	id := r.UserIdentity
	var who string
	switch {
	case id.Type == "Root":
		who = "root user"
	case id.Type == "AssumedRole" && id.SessionContext != nil && id.SessionContext.SessionIssuer != nil:
		who = "role " + id.SessionContext.SessionIssuer.UserName
		if session := lastSegment(id.ARN, "/"); session != "" {
			who += ", session " + session
		}
	case id.UserName != "":
		who = id.UserName
	case id.InvokedBy != "":
		who = id.InvokedBy
	default:
		who = id.PrincipalID
	}
	parts := []string{orUnknown(oneLine(who))}
	if id.ARN != "" {
		parts = append(parts, oneLine(id.ARN))
	}
	if id.Type != "" {
		parts = append(parts, "type "+oneLine(id.Type))
	}
	return strings.Join(parts, ", ")
}

// mfa reports whether MFA was used: ConsoleLogin records carry
// additionalEventData.MFAUsed ("Yes"/"No"); calls with temporary credentials
// carry sessionContext.attributes.mfaAuthenticated ("true"/"false").
func (r TrailRecord) mfa() string {
	if v, ok := r.AdditionalEventData["MFAUsed"].(string); ok && v != "" {
		return yesNo(strings.EqualFold(v, "yes"))
	}
	if sc := r.UserIdentity.SessionContext; sc != nil && sc.Attributes.MFAAuthenticated != "" {
		return yesNo(strings.EqualFold(sc.Attributes.MFAAuthenticated, "true"))
	}
	return "unknown"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// line renders one record on one line.
func (r TrailRecord) line() string {
	s := fmt.Sprintf("%s %s by %s, from %s, MFA %s",
		oneLine(displayTime(r.EventTime)), oneLine(r.EventName), r.principal(),
		orUnknown(oneLine(r.SourceIPAddress)), r.mfa())
	if r.ErrorCode != "" {
		s += ", error " + oneLine(r.ErrorCode)
	}
	return s
}

// whoHeading titles the CloudTrail record list.
func whoHeading(n int) string {
	if n == 1 {
		return "Who (1 matching CloudTrail record):"
	}
	return fmt.Sprintf("Who (%d matching CloudTrail records):", n)
}

// recordLines renders the caller's records, capped at maxRecordsShown.
func recordLines(records []TrailRecord) []string {
	var lines []string
	for i, r := range records {
		if i == maxRecordsShown {
			lines = append(lines, fmt.Sprintf("... and %d more (see CloudTrail event history)", len(records)-i))
			break
		}
		lines = append(lines, r.line())
	}
	return lines
}

// eventNameLinks links CloudTrail event history for each distinct event name
// in the records, in order of first appearance, at most three. Event history
// is regional, so each link uses the record's region (global services such
// as IAM and sign-in record us-east-1), falling back to region.
func eventNameLinks(ctx Context, region string, records []TrailRecord) []Link {
	seen := map[string]bool{}
	var links []Link
	for _, r := range records {
		if r.EventName == "" || seen[r.EventName] || len(links) == 3 {
			continue
		}
		seen[r.EventName] = true
		at := region
		if looksLikeRegionCode(r.AWSRegion) {
			at = r.AWSRegion
		}
		links = append(links, Link{
			Label: "CloudTrail event history (" + oneLine(r.EventName) + ")",
			URL:   ctx.console(at).cloudTrailEvents(r.EventName),
		})
	}
	return links
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// lastSegment returns the text after the last sep, or "" when sep is absent.
func lastSegment(s, sep string) string {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return ""
	}
	return s[i+len(sep):]
}
