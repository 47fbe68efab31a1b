package notify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// EventBridge source and detail type of a GuardDuty finding event.
const (
	guardDutySource     = "aws.guardduty"
	guardDutyDetailType = "GuardDuty Finding"
)

// GuardDutyEvent is the EventBridge event GuardDuty emits for a new or
// updated finding; an EventBridge rule delivers it to SNS unchanged.
type GuardDutyEvent struct {
	Version    string           `json:"version"`
	ID         string           `json:"id"`
	DetailType string           `json:"detail-type"`
	Source     string           `json:"source"`
	Account    string           `json:"account"`
	Time       string           `json:"time"`
	Region     string           `json:"region"`
	Resources  []string         `json:"resources"`
	Detail     GuardDutyFinding `json:"detail"`
}

// GuardDutyFinding is the finding in the event's detail. Parts that landfall
// does not read are kept raw so nothing is lost when re-encoding.
type GuardDutyFinding struct {
	SchemaVersion string            `json:"schemaVersion"`
	AccountID     string            `json:"accountId"`
	Region        string            `json:"region"`
	Partition     string            `json:"partition"`
	ID            string            `json:"id"`
	ARN           string            `json:"arn"`
	Type          string            `json:"type"`
	Resource      GuardDutyResource `json:"resource"`
	Service       GuardDutyService  `json:"service"`
	Severity      float64           `json:"severity"`
	CreatedAt     string            `json:"createdAt"`
	UpdatedAt     string            `json:"updatedAt"`
	Title         string            `json:"title"`
	Description   string            `json:"description"`
}

// GuardDutyResource is the affected resource.
type GuardDutyResource struct {
	ResourceType     string              `json:"resourceType"`
	AccessKeyDetails *GuardDutyAccessKey `json:"accessKeyDetails,omitempty"`
	InstanceDetails  json.RawMessage     `json:"instanceDetails,omitempty"`
	S3BucketDetails  json.RawMessage     `json:"s3BucketDetails,omitempty"`
}

// GuardDutyAccessKey identifies the credentials involved.
type GuardDutyAccessKey struct {
	AccessKeyID string `json:"accessKeyId"`
	PrincipalID string `json:"principalId"`
	UserName    string `json:"userName"`
	UserType    string `json:"userType"`
}

// GuardDutyService holds what GuardDuty observed.
type GuardDutyService struct {
	ServiceName    string          `json:"serviceName"`
	DetectorID     string          `json:"detectorId"`
	Action         GuardDutyAction `json:"action"`
	ResourceRole   string          `json:"resourceRole,omitempty"`
	AdditionalInfo json.RawMessage `json:"additionalInfo,omitempty"`
	EventFirstSeen string          `json:"eventFirstSeen"`
	EventLastSeen  string          `json:"eventLastSeen"`
	Archived       bool            `json:"archived"`
	Count          int64           `json:"count"`
}

// GuardDutyAction is the observed activity; one of the *Action members is set
// according to ActionType.
type GuardDutyAction struct {
	ActionType              string                      `json:"actionType"`
	AWSAPICallAction        *GuardDutyAPICall           `json:"awsApiCallAction,omitempty"`
	NetworkConnectionAction *GuardDutyNetworkConnection `json:"networkConnectionAction,omitempty"`
	PortProbeAction         json.RawMessage             `json:"portProbeAction,omitempty"`
	DNSRequestAction        json.RawMessage             `json:"dnsRequestAction,omitempty"`
}

// GuardDutyAPICall is an AWS API call seen in CloudTrail.
type GuardDutyAPICall struct {
	API               string             `json:"api"`
	ServiceName       string             `json:"serviceName"`
	CallerType        string             `json:"callerType"`
	ErrorCode         string             `json:"errorCode,omitempty"`
	RemoteIPDetails   *GuardDutyRemoteIP `json:"remoteIpDetails,omitempty"`
	AffectedResources json.RawMessage    `json:"affectedResources,omitempty"`
}

// GuardDutyNetworkConnection is a connection seen in VPC flow logs.
type GuardDutyNetworkConnection struct {
	ConnectionDirection string             `json:"connectionDirection"`
	Protocol            string             `json:"protocol"`
	Blocked             bool               `json:"blocked"`
	RemoteIPDetails     *GuardDutyRemoteIP `json:"remoteIpDetails,omitempty"`
	RemotePortDetails   *GuardDutyPort     `json:"remotePortDetails,omitempty"`
	LocalPortDetails    *GuardDutyPort     `json:"localPortDetails,omitempty"`
	LocalIPDetails      json.RawMessage    `json:"localIpDetails,omitempty"`
}

// GuardDutyPort is a port and its well-known name.
type GuardDutyPort struct {
	Port     int    `json:"port"`
	PortName string `json:"portName"`
}

// GuardDutyRemoteIP describes the remote party of an action.
type GuardDutyRemoteIP struct {
	IPAddressV4  string          `json:"ipAddressV4"`
	Organization *GuardDutyOrg   `json:"organization,omitempty"`
	Country      *GuardDutyPlace `json:"country,omitempty"`
	City         *GuardDutyCity  `json:"city,omitempty"`
	GeoLocation  json.RawMessage `json:"geoLocation,omitempty"`
}

// GuardDutyOrg is the network owner of a remote IP.
type GuardDutyOrg struct {
	ASN    string `json:"asn"`
	ASNOrg string `json:"asnOrg"`
	ISP    string `json:"isp"`
	Org    string `json:"org"`
}

// GuardDutyPlace is a country.
type GuardDutyPlace struct {
	CountryName string `json:"countryName"`
}

// GuardDutyCity is a city.
type GuardDutyCity struct {
	CityName string `json:"cityName"`
}

// isGuardDuty reports whether a decoded object is a GuardDuty finding event.
func isGuardDuty(obj map[string]json.RawMessage) bool {
	return str(obj, "source") == guardDutySource && str(obj, "detail-type") == guardDutyDetailType
}

func formatGuardDuty(e GuardDutyEvent, ctx Context) Message {
	f := e.Detail
	accountID := firstNonEmpty(f.AccountID, e.Account)
	region := firstNonEmpty(f.Region, e.Region)
	if !looksLikeRegionCode(region) {
		region = ""
	}
	account := accountLabel(accountID, ctx.accountName(accountID))
	sev := severityFromScore(f.Severity)
	c := ctx.console(region)

	links := []Link{{Label: "GuardDuty finding", URL: c.guardDutyFinding(f.ID)}}
	if call := f.Service.Action.AWSAPICallAction; call != nil && call.API != "" {
		links = append(links, Link{
			Label: "CloudTrail event history (" + oneLine(call.API) + ")",
			URL:   c.cloudTrailEvents(call.API),
		})
	}
	links = append(links, eventNameLinks(ctx, region, ctx.Records)...)

	var w body
	w.para(fmt.Sprintf("GuardDuty reports %s in %s.", strings.TrimSuffix(oneLine(orUnknown(f.Title)), "."), account))
	if f.Description != "" && f.Description != f.Title {
		w.para(oneLine(f.Description))
	}
	w.field("Account", account)
	w.field("Region", region)
	w.field("Time", displayTime(firstNonEmpty(f.Service.EventLastSeen, f.UpdatedAt, e.Time)))
	w.field("Severity", fmt.Sprintf("%s (%s)", sev, strconv.FormatFloat(f.Severity, 'f', -1, 64)))
	w.field("Type", f.Type)
	w.field("Resource", f.Resource.describe())
	w.field("Seen", f.Service.seen())
	w.end()
	w.section("Who / from where:", f.who())
	w.section(whoHeading(len(ctx.Records)), recordLines(ctx.Records))
	w.section("What to do next:", f.advice(sev))
	w.links(links)

	return Message{
		Kind:      KindGuardDuty,
		Severity:  sev,
		Subject:   subject(sev, fmt.Sprintf("GuardDuty in %s: %s", account, firstNonEmpty(f.Title, f.Type))),
		Text:      w.String(),
		AccountID: accountID,
		Region:    region,
		Links:     links,
	}
}

// severityFromScore maps a GuardDuty severity score to a level, using the
// bands of the GuardDuty user guide: Low 1.0-3.9, Medium 4.0-6.9, High
// 7.0-8.9 and Critical 9.0-10.0 (the newest documented band).
func severityFromScore(score float64) string {
	switch {
	case score >= 9:
		return SeverityCritical
	case score >= 7:
		return SeverityHigh
	case score >= 4:
		return SeverityMedium
	}
	return SeverityLow
}

// instanceID reads the instance ID from the raw instance details.
func (r GuardDutyResource) instanceID() string {
	var d struct {
		InstanceID string `json:"instanceId"`
	}
	if err := json.Unmarshal(r.InstanceDetails, &d); err != nil {
		return ""
	}
	return d.InstanceID
}

func (r GuardDutyResource) describe() string {
	switch {
	case r.AccessKeyDetails != nil:
		k := r.AccessKeyDetails
		return fmt.Sprintf("access key %s of %s (%s)",
			orUnknown(k.AccessKeyID), orUnknown(k.UserName), orUnknown(k.UserType))
	case r.instanceID() != "":
		return "EC2 instance " + r.instanceID()
	}
	return r.ResourceType
}

func (s GuardDutyService) seen() string {
	switch {
	case s.Count > 1:
		return fmt.Sprintf("%d times, first %s, last %s", s.Count, displayTime(s.EventFirstSeen), displayTime(s.EventLastSeen))
	case s.EventFirstSeen != "":
		return "once, " + displayTime(s.EventFirstSeen)
	}
	return ""
}

// who lists the principal and the remote party of the action.
func (f GuardDutyFinding) who() []string {
	var lines []string
	if k := f.Resource.AccessKeyDetails; k != nil && k.UserName != "" {
		lines = append(lines, fmt.Sprintf("Principal: %s (%s), principal ID %s",
			oneLine(k.UserName), oneLine(orUnknown(k.UserType)), oneLine(orUnknown(k.PrincipalID))))
	}
	a := f.Service.Action
	switch {
	case a.AWSAPICallAction != nil:
		call := a.AWSAPICallAction
		line := fmt.Sprintf("API call %s to %s", oneLine(call.API), oneLine(call.ServiceName))
		if ip := call.RemoteIPDetails.describe(); ip != "" {
			line += " from " + ip
		}
		if call.ErrorCode != "" {
			line += ", error " + oneLine(call.ErrorCode)
		}
		lines = append(lines, line)
	case a.NetworkConnectionAction != nil:
		n := a.NetworkConnectionAction
		line := fmt.Sprintf("%s %s connection", strings.ToLower(oneLine(n.ConnectionDirection)), oneLine(n.Protocol))
		if ip := n.RemoteIPDetails.describe(); ip != "" {
			line += " with " + ip
		}
		if p := n.RemotePortDetails; p != nil {
			line += fmt.Sprintf(", remote port %d", p.Port)
		}
		if n.Blocked {
			line += " (blocked)"
		}
		lines = append(lines, line)
	}
	return lines
}

// describe renders "203.0.113.7 (Example ISP, Germany)".
func (ip *GuardDutyRemoteIP) describe() string {
	if ip == nil || ip.IPAddressV4 == "" {
		return ""
	}
	var where []string
	if ip.Organization != nil {
		if org := firstNonEmpty(ip.Organization.Org, ip.Organization.ASNOrg, ip.Organization.ISP); org != "" {
			where = append(where, oneLine(org))
		}
	}
	if ip.Country != nil && ip.Country.CountryName != "" {
		where = append(where, oneLine(ip.Country.CountryName))
	}
	if len(where) == 0 {
		return oneLine(ip.IPAddressV4)
	}
	return oneLine(ip.IPAddressV4) + " (" + strings.Join(where, ", ") + ")"
}

// advice gives next steps by affected resource, the part of a finding that
// decides what a responder does first.
func (f GuardDutyFinding) advice(sev string) []string {
	var lines []string
	r := f.Resource
	switch {
	case r.AccessKeyDetails != nil && r.AccessKeyDetails.UserType == "Root":
		lines = append(lines, "Root credentials were used. Confirm with the account owner; if unexpected, reset the root password, check root MFA and delete any root access keys.")
	case r.AccessKeyDetails != nil:
		lines = append(lines, fmt.Sprintf("If this activity is not expected, deactivate access key %s (for a role, revoke its active sessions) and review what it did in CloudTrail.",
			oneLine(orUnknown(r.AccessKeyDetails.AccessKeyID))))
	case r.instanceID() != "":
		lines = append(lines, fmt.Sprintf("If unexpected, isolate instance %s (security group without rules), snapshot its volumes for forensics, then rebuild it.",
			oneLine(r.instanceID())))
	case r.ResourceType == "S3Bucket":
		lines = append(lines, "Review the bucket policy, ACLs and access logs; block public access if it is not intended.")
	default:
		lines = append(lines, "Open the finding in the GuardDuty console to see the affected resource.")
	}
	if sev == SeverityLow {
		lines = append(lines, "Low severity: review when convenient.")
	}
	return append(lines, "If the activity is expected, archive the finding (or add a suppression rule) so it stops alerting.")
}
