package awslocal

// CloudTrail tags, event selectors and the delivery of records to a trail's
// CloudWatch Logs log group. See the header of svc_cloudtrail.go for the
// documentation followed.

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

const (
	maxEventSelectors = 5
	maxListTagsIDs    = 20
)

// trailByARN resolves a tagging resource id, which must be a trail ARN.
func trailByARN(c *call, id string) (*trail, error) {
	if !trailARNRE.MatchString(id) {
		return nil, errorf("CloudTrailARNInvalidException", "%s is not a valid CloudTrail ARN.", id)
	}
	t, err := findTrail(c, id, false)
	if err != nil {
		return nil, errorf("ResourceNotFoundException", "Resource %s not found.", id)
	}
	return t, nil
}

func ctAddTags(c *call) (doc, error) {
	t, err := trailByARN(c, str(c.in, "ResourceId"))
	if err != nil {
		return nil, err
	}
	merged := map[string]string{}
	for _, m := range []map[string]string{t.Tags, tagList(c.in, "TagsList")} {
		for k, v := range m {
			merged[k] = v
		}
	}
	if err := checkTrailTags(merged); err != nil {
		return nil, err
	}
	t.Tags = merged
	return doc{}, nil
}

func ctListTags(c *call) (doc, error) {
	ids := strs(c.in, "ResourceIdList")
	if len(ids) == 0 || len(ids) > maxListTagsIDs {
		return nil, errorf("InvalidParameterException", "ResourceIdList must contain between 1 and %d ARNs.", maxListTagsIDs)
	}
	var out []any
	for _, id := range ids {
		t, err := trailByARN(c, id)
		if err != nil {
			return nil, err
		}
		out = append(out, doc{"ResourceId": id, "TagsList": tagsOut(t.Tags)})
	}
	items, next, err := page(c.srv, out, str(c.in, "NextToken"), 0, func() error {
		return errorf("InvalidTokenException", "Reading the NextToken failed: it is not valid.")
	})
	if err != nil {
		return nil, err
	}
	res := doc{"ResourceTagList": items}
	return withToken(res, "NextToken", next), nil
}

// defaultSelectors is what a trail logs until PutEventSelectors: all
// management events, read and write.
func defaultSelectors() []any {
	return []any{doc{"ReadWriteType": "All", "IncludeManagementEvents": true, "DataResources": []any{}, "ExcludeManagementEventSources": []any{}}}
}

func ctPutEventSelectors(c *call) (doc, error) {
	t, err := findTrail(c, str(c.in, "TrailName"), true)
	if err != nil {
		return nil, err
	}
	if has(c.in, "AdvancedEventSelectors") {
		return nil, errorf("InvalidEventSelectorsException", "Advanced event selectors are not supported by the local endpoint.")
	}
	in := list(c.in, "EventSelectors")
	if len(in) == 0 || len(in) > maxEventSelectors {
		return nil, errorf("InvalidEventSelectorsException", "A trail must have between 1 and %d event selectors.", maxEventSelectors)
	}
	selectors := make([]any, 0, len(in))
	for _, sel := range in {
		rw := str(sel, "ReadWriteType")
		if rw == "" {
			rw = "All"
		}
		if !slices.Contains([]string{"ReadOnly", "WriteOnly", "All"}, rw) {
			return nil, errorf("InvalidEventSelectorsException", "ReadWriteType %q is not valid: use ReadOnly, WriteOnly or All.", rw)
		}
		data := sel["DataResources"]
		if data == nil {
			data = []any{}
		}
		excluded := sel["ExcludeManagementEventSources"]
		if excluded == nil {
			excluded = []any{}
		}
		selectors = append(selectors, doc{
			"ReadWriteType": rw, "IncludeManagementEvents": boolOr(sel, "IncludeManagementEvents", true),
			"DataResources": data, "ExcludeManagementEventSources": excluded,
		})
	}
	t.Selectors = selectors
	return doc{"TrailARN": t.arn(c.account.ID), "EventSelectors": selectors}, nil
}

func ctGetEventSelectors(c *call) (doc, error) {
	t, err := findTrail(c, str(c.in, "TrailName"), false)
	if err != nil {
		return nil, err
	}
	selectors := t.Selectors
	if selectors == nil {
		selectors = defaultSelectors()
	}
	return doc{"TrailARN": t.arn(c.account.ID), "EventSelectors": selectors}, nil
}

// logsManagementEvent reports whether the trail's selectors log a
// management event that is read-only or not.
func (t *trail) logsManagementEvent(readOnly bool) bool {
	selectors := t.Selectors
	if selectors == nil {
		selectors = defaultSelectors()
	}
	for _, s := range selectors {
		sel, _ := s.(doc)
		rw := str(sel, "ReadWriteType")
		if boolOr(sel, "IncludeManagementEvents", true) && (rw == "All" || rw == "ReadOnly" && readOnly || rw == "WriteOnly" && !readOnly) {
			return true
		}
	}
	return false
}

// recordsGlobalAPICallLocked reports whether a trail records a write call
// to a global service (Organizations) made in account: EventBridge gets
// "AWS API Call via CloudTrail" events only where a trail with logging
// enabled records them ("Events from AWS services", EventBridge User
// Guide). Global services are recorded in us-east-1 and only by trails that
// include global service events ("Understanding global service events",
// CloudTrail User Guide), so the trail must cover us-east-1, include them
// and select write management events; an organization trail of the
// management account covers every member.
func (s *Server) recordsGlobalAPICallLocked(accountID string) bool {
	records := func(owner string, orgOnly bool) bool {
		a := s.accounts[owner]
		if a == nil {
			return false
		}
		for _, t := range trailsOf(a).trails {
			if (!orgOnly || t.Org) && t.Logging && t.visibleFrom("us-east-1") && t.IncludeGlobal && t.logsManagementEvent(false) {
				return true
			}
		}
		return false
	}
	m := s.opts.ManagementAccountID
	return records(accountID, false) || accountID != m && s.orgIDOf(accountID) != "" && records(m, true)
}

// RecordCloudTrailEvent delivers one CloudTrail record (a JSON object as
// CloudTrail writes it, e.g. a root ConsoleLogin) the way CloudTrail would:
// to the CloudWatch Logs log group of every trail in the account that is
// logging, covers the record's awsRegion and selects the event. The record
// lands in stream "<account>_CloudTrail_<region>" and runs the group's metric
// filters. A record no trail delivers (no trail, StopLogging, no log group,
// or excluded by the event selectors) is dropped silently, as AWS does.
func (s *Server) RecordCloudTrailEvent(accountID string, record []byte) error {
	var fields struct {
		AWSRegion string `json:"awsRegion"`
		EventTime string `json:"eventTime"`
		ReadOnly  any    `json:"readOnly"`
	}
	if err := json.Unmarshal(record, &fields); err != nil {
		return fmt.Errorf("decoding CloudTrail record for account (%s): %w", accountID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.runDueLocked() // as a request would, so due alarm evaluations come first
	a := s.accounts[accountID]
	if a == nil {
		return fmt.Errorf("recording CloudTrail event (%s): no such account", accountID)
	}
	region := fields.AWSRegion
	if region == "" {
		region = "us-east-1"
	}
	now := s.now()
	at := now
	if t, err := time.Parse(time.RFC3339, fields.EventTime); err == nil {
		at = t
	}
	readOnly := fields.ReadOnly == true || fields.ReadOnly == "true"
	st := trailsOf(a)
	for _, k := range sortedKeys(st.trails) {
		t := st.trails[k]
		if !t.Logging || t.LogGroupARN == "" || !t.visibleFrom(region) || !t.logsManagementEvent(readOnly) {
			continue
		}
		m := logGroupARNs.FindStringSubmatch(t.LogGroupARN)
		if m == nil {
			continue
		}
		logs := logsIn(a, m[1])
		g := logs.groups[m[3]]
		if g == nil {
			continue // the group was deleted; CloudTrail reports a delivery error
		}
		if s.opts.Authorizer != nil {
			if err := s.trailLogsAccessLocked(accountID, region, t); err != nil {
				t.LastDeliveryError = err.Error() // CloudTrail drops the events and reports why
				s.log.Debug("awslocal: CloudTrail delivery to CloudWatch Logs dropped", "trail", t.arn(accountID), "err", err)
				continue
			}
		}
		name := trailStreamName(accountID, region)
		stream := g.Streams[name]
		if stream == nil {
			stream = &logStream{Name: name, Created: now}
			g.Streams[name] = stream
		}
		s.appendLogEvents(accountID, m[1], logs, g, stream, []logEvent{{Timestamp: at.UnixMilli(), Message: string(record)}})
		t.LastDelivery, t.LastDeliveryError = now, ""
	}
	return nil
}
