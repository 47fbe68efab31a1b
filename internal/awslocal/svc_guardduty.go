package awslocal

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// GuardDuty (REST-JSON, lowerCamel members), following the Amazon GuardDuty
// API Reference (https://docs.aws.amazon.com/guardduty/latest/APIReference/):
//
//	CreateDetector, GetDetector, UpdateDetector,   API_CreateDetector.html, API_GetDetector.html, API_UpdateDetector.html,
//	DeleteDetector, ListDetectors                  API_DeleteDetector.html, API_ListDetectors.html
//	TagResource, ListTagsForResource               API_TagResource.html, API_ListTagsForResource.html
//	GetAdministratorAccount, CreateMembers         API_GetAdministratorAccount.html, API_CreateMembers.html
//	EnableOrganizationAdminAccount,                API_EnableOrganizationAdminAccount.html,
//	ListOrganizationAdminAccounts                  API_ListOrganizationAdminAccounts.html
//	finding events                                 guardduty_findings_eventbridge.html, guardduty_finding-format.html
//
// One detector per account and region. Known differences from AWS: data
// sources and features are stored and echoed, never evaluated; CreateMembers
// makes organization members "Enabled" at once and others "Created" (no
// invitation flow); findings exist only as the events RaiseGuardDutyFinding
// emits (no GetFindings/ListFindings).

type gdState struct {
	detector      *gdDetector // nil when the account has none in the region
	administrator doc         // the administrator relationship, when a member
	admins        []string    // delegated administrators (management account only)
}

type gdDetector struct {
	ID, Frequency    string
	Enabled          bool
	DataSources      any
	Features         any
	Created, Updated time.Time
	Tags             map[string]string
}

func registerGuardDuty(s *Server) {
	s.register(&service{
		name: "guardduty", protocol: restJSONProtocol{}, unknownOp: "BadRequestException",
		throttle: *statusErrorf(http.StatusTooManyRequests, "TooManyRequestsException", "Rate exceeded"),
		ops: map[string]handler{
			"CreateDetector": gdCreateDetector, "ListDetectors": gdListDetectors, "GetDetector": gdGetDetector,
			"UpdateDetector": gdUpdateDetector, "DeleteDetector": gdDeleteDetector,
			"TagResource": gdTagResource, "ListTagsForResource": gdListTagsForResource,
			"GetAdministratorAccount": gdGetAdministratorAccount, "CreateMembers": gdCreateMembers,
			"ListOrganizationAdminAccounts": gdListOrganizationAdminAccounts, "EnableOrganizationAdminAccount": gdEnableOrganizationAdminAccount,
		},
		routes: []route{
			newRoute("POST", "/detector", "CreateDetector"),
			newRoute("GET", "/detector", "ListDetectors"),
			newRoute("GET", "/detector/{detectorId}", "GetDetector"),
			newRoute("POST", "/detector/{detectorId}", "UpdateDetector"),
			newRoute("DELETE", "/detector/{detectorId}", "DeleteDetector"),
			newRoute("GET", "/detector/{detectorId}/administrator", "GetAdministratorAccount"),
			newRoute("POST", "/detector/{detectorId}/member", "CreateMembers"),
			newRoute("POST", "/tags/{resourceArn}", "TagResource"),
			newRoute("GET", "/tags/{resourceArn}", "ListTagsForResource"),
			newRoute("GET", "/admin", "ListOrganizationAdminAccounts"),
			newRoute("POST", "/admin/enable", "EnableOrganizationAdminAccount"),
		},
	})
}

func gdOf(a *account, region string) *gdState {
	return state(a, "guardduty/"+region, func() *gdState { return &gdState{} })
}

func gdBadRequest(format string, args ...any) error {
	return errorf("BadRequestException", format, args...)
}

var gdFrequencies = []string{"FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"}

func detectorARN(account, region, id string) string {
	return "arn:aws:guardduty:" + region + ":" + account + ":detector/" + id
}

// gdDetectorFor returns the caller's detector named in the path; GuardDuty
// answers BadRequestException for an id the account does not own.
func gdDetectorFor(c *call) (*gdDetector, error) {
	d := gdOf(c.account, c.region).detector
	id := str(c.in, "detectorId")
	if d == nil || d.ID != id {
		return nil, gdBadRequest("The request is rejected because the input detectorId is not owned by the current account.")
	}
	return d, nil
}

// gdApply sets the members CreateDetector and UpdateDetector share.
func gdApply(c *call, d *gdDetector) error {
	if has(c.in, "findingPublishingFrequency") {
		f := str(c.in, "findingPublishingFrequency")
		if !slices.Contains(gdFrequencies, f) {
			return gdBadRequest("The request is rejected because an invalid or out-of-range value is specified as an input parameter: findingPublishingFrequency must be one of %v.", gdFrequencies)
		}
		d.Frequency = f
	}
	if has(c.in, "enable") {
		d.Enabled = boolOr(c.in, "enable", d.Enabled)
	}
	if has(c.in, "dataSources") {
		d.DataSources = c.in["dataSources"]
	}
	if has(c.in, "features") {
		d.Features = c.in["features"]
	}
	d.Updated = c.srv.now()
	return nil
}

func gdCreateDetector(c *call) (doc, error) {
	st := gdOf(c.account, c.region)
	if st.detector != nil {
		return nil, gdBadRequest("The request is rejected because a detector already exists for the current account.")
	}
	b, ok := boolean(c.in, "enable")
	if !ok {
		return nil, gdBadRequest("The request is rejected because the enable parameter is required.")
	}
	d := &gdDetector{ID: c.srv.newID(32), Frequency: "SIX_HOURS", Enabled: b, Created: c.srv.now(), Tags: map[string]string{}}
	if err := gdApply(c, d); err != nil {
		return nil, err
	}
	if err := mergeTagMap(d.Tags, obj(c.in, "tags"), gdInvalidTags); err != nil {
		return nil, err
	}
	st.detector = d
	return doc{"detectorId": d.ID, "unprocessedDataSources": doc{}}, nil
}

// mergeTagMap adds tags given in the {"key": "value"} shape the REST-JSON
// security services (GuardDuty, Security Hub, Access Analyzer) use, with
// AWS's common limits: keys 1-128 characters, values up to 256, 50 tags.
func mergeTagMap(tags map[string]string, in doc, invalid func(why string) error) error {
	for k, v := range in {
		s, ok := v.(string)
		if k == "" || len(k) > 128 || !ok || len(s) > 256 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalid("tag key " + k + " or its value is invalid")
		}
		tags[k] = s
	}
	if len(tags) > 50 {
		return invalid("a resource can have at most 50 tags")
	}
	return nil
}

func gdInvalidTags(why string) error {
	return gdBadRequest("The request is rejected because the tags are invalid: %s.", why)
}

func gdListDetectors(c *call) (doc, error) {
	var ids []string
	if d := gdOf(c.account, c.region).detector; d != nil {
		ids = append(ids, d.ID)
	}
	if m := intOr(c.in, "maxResults", 50); m < 1 || m > 50 {
		return nil, gdBadRequest("The request is rejected because maxResults must be between 1 and 50.")
	}
	pg, next, err := page(c.srv, ids, str(c.in, "nextToken"), intOr(c.in, "maxResults", 50), func() error {
		return gdBadRequest("The request is rejected because the nextToken is invalid.")
	})
	if err != nil {
		return nil, err
	}
	out := doc{"detectorIds": stringList(pg)}
	return withToken(out, "nextToken", next), nil
}

func gdGetDetector(c *call) (doc, error) {
	d, err := gdDetectorFor(c)
	if err != nil {
		return nil, err
	}
	status := "DISABLED"
	if d.Enabled {
		status = "ENABLED"
	}
	out := doc{
		"status": status, "findingPublishingFrequency": d.Frequency, "tags": d.Tags,
		"serviceRole": "arn:aws:iam::" + c.account.ID + ":role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty",
		"createdAt":   d.Created.Format(time.RFC3339Nano), "updatedAt": d.Updated.Format(time.RFC3339Nano),
	}
	if d.DataSources != nil {
		out["dataSources"] = d.DataSources
	}
	if d.Features != nil {
		out["features"] = d.Features
	}
	return out, nil
}

func gdUpdateDetector(c *call) (doc, error) {
	d, err := gdDetectorFor(c)
	if err != nil {
		return nil, err
	}
	return doc{}, gdApply(c, d)
}

func gdDeleteDetector(c *call) (doc, error) {
	if _, err := gdDetectorFor(c); err != nil {
		return nil, err
	}
	gdOf(c.account, c.region).detector = nil
	return doc{}, nil
}

var gdDetectorARN = regexp.MustCompile(`^arn:aws:guardduty:([a-z0-9-]+):(\d{12}):detector/([0-9a-f]{32})$`)

// gdTagged resolves a detector ARN to the caller's detector.
func gdTagged(c *call) (*gdDetector, error) {
	m := gdDetectorARN.FindStringSubmatch(str(c.in, "resourceArn"))
	if m == nil {
		return nil, gdBadRequest("The request is rejected because the resource ARN is invalid.")
	}
	d := gdOf(c.account, c.region).detector
	if m[1] != c.region || m[2] != c.account.ID || d == nil || d.ID != m[3] {
		return nil, statusErrorf(http.StatusNotFound, "ResourceNotFoundException", "The requested resource can't be found.")
	}
	return d, nil
}

func gdTagResource(c *call) (doc, error) {
	d, err := gdTagged(c)
	if err != nil {
		return nil, err
	}
	if len(obj(c.in, "tags")) == 0 {
		return nil, gdBadRequest("The request is rejected because tags must not be empty.")
	}
	tags := copyTags(d.Tags)
	if err := mergeTagMap(tags, obj(c.in, "tags"), gdInvalidTags); err != nil {
		return nil, err
	}
	d.Tags = tags
	return doc{restStatus: http.StatusNoContent}, nil
}

func copyTags(t map[string]string) map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		out[k] = v
	}
	return out
}

func gdListTagsForResource(c *call) (doc, error) {
	d, err := gdTagged(c)
	if err != nil {
		return nil, err
	}
	return doc{"tags": d.Tags}, nil
}

func gdGetAdministratorAccount(c *call) (doc, error) {
	if _, err := gdDetectorFor(c); err != nil {
		return nil, err
	}
	if a := gdOf(c.account, c.region).administrator; a != nil {
		return doc{"administrator": a}, nil
	}
	return doc{}, nil
}

// gdCreateMembers records the caller (an administrator with a detector) as
// the administrator of each listed account.
func gdCreateMembers(c *call) (doc, error) {
	if _, err := gdDetectorFor(c); err != nil {
		return nil, err
	}
	details := list(c.in, "accountDetails")
	if len(details) == 0 || len(details) > 50 {
		return nil, gdBadRequest("The request is rejected because accountDetails must list 1 to 50 accounts.")
	}
	unprocessed := []any{}
	for _, d := range details {
		id := str(d, "accountId")
		target, ok := c.srv.accounts[id]
		switch {
		case !ok || id == c.account.ID:
			unprocessed = append(unprocessed, doc{"accountId": id, "result": "The request is rejected because the input account ID is invalid."})
			continue
		case gdOf(target, c.region).administrator != nil && str(gdOf(target, c.region).administrator, "accountId") != c.account.ID:
			unprocessed = append(unprocessed, doc{"accountId": id, "result": "The account is already associated with a different administrator account."})
			continue
		}
		status := "Created"
		if org := c.srv.orgIDOf(id); org != "" && org == c.srv.orgIDOf(c.account.ID) {
			status = "Enabled"
		}
		rel := doc{"accountId": c.account.ID, "relationshipStatus": status, "invitationId": c.srv.newID(32), "invitedAt": c.srv.now().Format(time.RFC3339Nano)}
		gdOf(target, c.region).administrator = rel
	}
	return doc{"unprocessedAccounts": unprocessed}, nil
}

// gdManagement refuses organization-admin operations outside the
// organization's management account.
func gdManagement(c *call) error {
	if c.srv.org == nil || c.account.ID != c.srv.opts.ManagementAccountID {
		return gdBadRequest("The request is rejected because the current account is not the management account of an organization.")
	}
	return nil
}

func gdEnableOrganizationAdminAccount(c *call) (doc, error) {
	if err := gdManagement(c); err != nil {
		return nil, err
	}
	id := str(c.in, "adminAccountId")
	if c.srv.orgIDOf(id) == "" {
		return nil, gdBadRequest("The request is rejected because the account %s is not a member of the organization.", id)
	}
	st := gdOf(c.account, c.region)
	if slices.Contains(st.admins, id) {
		return nil, gdBadRequest("The request is rejected because the account %s is already the delegated administrator.", id)
	}
	if len(st.admins) > 0 {
		return nil, gdBadRequest("The request is rejected because the organization already has a delegated administrator (%s).", st.admins[0])
	}
	st.admins = append(st.admins, id)
	return doc{}, nil
}

func gdListOrganizationAdminAccounts(c *call) (doc, error) {
	if err := gdManagement(c); err != nil {
		return nil, err
	}
	admins := anyList(gdOf(c.account, c.region).admins, func(id string) any {
		return doc{"adminAccountId": id, "adminStatus": "ENABLED"}
	})
	pg, next, err := page(c.srv, admins, str(c.in, "nextToken"), intOr(c.in, "maxResults", 50), func() error {
		return gdBadRequest("The request is rejected because the nextToken is invalid.")
	})
	if err != nil {
		return nil, err
	}
	out := doc{"adminAccounts": append([]any{}, pg...)}
	return withToken(out, "nextToken", next), nil
}

// RaiseGuardDutyFinding emits a "GuardDuty Finding" event in the account's
// default event bus, in the shape GuardDuty sends, as if the detector had
// found something. Like GuardDuty, it produces nothing unless the account
// has an enabled detector in the region.
func (s *Server) RaiseGuardDutyFinding(account, region string, severity float64, findingType string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[account]
	if !ok {
		return fmt.Errorf("raising GuardDuty finding (%s): no such account", account)
	}
	d := gdOf(a, region).detector
	if d == nil || !d.Enabled {
		return fmt.Errorf("raising GuardDuty finding (%s/%s): no enabled detector", account, region)
	}
	if severity < 1 || severity > 10 || findingType == "" {
		return fmt.Errorf("raising GuardDuty finding (%s): severity must be 1-10 and a type given", findingType)
	}
	id := s.newID(32)
	now := s.now().Format("2006-01-02T15:04:05.000Z")
	s.emitServiceEvent(account, region, "aws.guardduty", "GuardDuty Finding", doc{
		"schemaVersion": "2.0", "accountId": account, "region": region, "partition": "aws", "id": id,
		"arn":      detectorARN(account, region, d.ID) + "/finding/" + id,
		"type":     findingType,
		"resource": doc{"resourceType": "AccessKey", "accessKeyDetails": doc{"accessKeyId": "ASIAEXAMPLE", "principalId": "AROAEXAMPLE", "userName": "landfall-local", "userType": "AssumedRole"}},
		"service": doc{
			"serviceName": "guardduty", "detectorId": d.ID, "archived": false, "count": 1,
			"eventFirstSeen": now, "eventLastSeen": now, "resourceRole": "TARGET",
			"action": doc{"actionType": "AWS_API_CALL"},
		},
		"severity": severity, "createdAt": now, "updatedAt": now,
		"title":       "Finding " + findingType + " raised by the local endpoint",
		"description": "A " + findingType + " finding raised through RaiseGuardDutyFinding for account " + account + ".",
	})
	return nil
}
