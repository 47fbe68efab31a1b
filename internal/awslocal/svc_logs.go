package awslocal

// CloudWatch Logs (JSON 1.1, signing name "logs"), regional: one state per
// account and region. Operations and the CloudWatch Logs API Reference pages
// followed (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/):
//
//	CreateLogGroup        API_CreateLogGroup.html
//	DescribeLogGroups     API_DescribeLogGroups.html
//	DeleteLogGroup        API_DeleteLogGroup.html
//	PutRetentionPolicy    API_PutRetentionPolicy.html
//	TagResource           API_TagResource.html
//	ListTagsForResource   API_ListTagsForResource.html
//	CreateLogStream       API_CreateLogStream.html
//	PutLogEvents          API_PutLogEvents.html
//	PutMetricFilter       API_PutMetricFilter.html, and "Creating metrics from log events using filters"
//	DescribeMetricFilters API_DescribeMetricFilters.html
//	DeleteMetricFilter    API_DeleteMetricFilter.html
//	FilterLogEvents       API_FilterLogEvents.html
//
// Known differences from AWS: no KMS association, data protection, log
// classes or cross-account identifiers (logGroupIdentifier accepts only a
// name or an ARN in the caller's account); storedBytes is always 0; events
// are never expired by the retention policy; a metric filter's dimensions
// are stored and echoed but not emitted with the metric; a defaultValue is
// emitted once per PutLogEvents batch in which no event matched (AWS emits
// it once per period with ingestion and no match).

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

type logsState struct {
	groups map[string]*logGroup // by name
	// lastEventID numbers ingested events so eventIds sort by arrival.
	lastEventID int64
}

type logGroup struct {
	Name      string
	Created   time.Time
	Retention int // days; 0 means never expire
	Tags      map[string]string
	Streams   map[string]*logStream
	Filters   map[string]*metricFilter // by filter name
}

type logStream struct {
	Name    string
	Created time.Time
	Events  []logEvent
}

type logEvent struct {
	Timestamp int64 // ms since the epoch, as the caller sent it
	Ingested  int64
	Message   string
	ID        string
}

func logsOf(c *call) *logsState {
	return logsIn(c.account, c.region)
}

func logsIn(a *account, region string) *logsState {
	return state(a, "logs/"+region, func() *logsState {
		return &logsState{groups: map[string]*logGroup{}}
	})
}

func registerLogs(s *Server) {
	s.register(&service{
		name: "logs", protocol: jsonProtocol{version: "1.1"},
		throttle:  *statusErrorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded"),
		unknownOp: "UnknownOperationException",
		ops: map[string]handler{
			"CreateLogGroup": logsCreateLogGroup, "DescribeLogGroups": logsDescribeLogGroups,
			"DeleteLogGroup": logsDeleteLogGroup, "PutRetentionPolicy": logsPutRetentionPolicy,
			"TagResource": logsTagResource, "ListTagsForResource": logsListTagsForResource,

			"CreateLogStream": logsCreateLogStream, "PutLogEvents": logsPutLogEvents,
			"PutMetricFilter": logsPutMetricFilter, "DescribeMetricFilters": logsDescribeMetricFilters,
			"DeleteMetricFilter": logsDeleteMetricFilter, "FilterLogEvents": logsFilterLogEvents,
		},
	})
}

func logsInvalid(format string, args ...any) error {
	return errorf("InvalidParameterException", format, args...)
}

func logsNotFound(format string, args ...any) error {
	return errorf("ResourceNotFoundException", format, args...)
}

var (
	logGroupName  = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	logStreamName = regexp.MustCompile(`^[^:*]{1,512}$`)
	// validRetention is the set PutRetentionPolicy accepts.
	validRetention = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

// logGroupARN is the ARN tagging APIs take; DescribeLogGroups' "arn" adds ":*".
func logGroupARN(account, region, name string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + name
}

// groupByName finds the group named by the "logGroupName" member.
func (st *logsState) groupByName(name string) (*logGroup, error) {
	g, ok := st.groups[name]
	if !ok {
		return nil, logsNotFound("The specified log group does not exist.")
	}
	return g, nil
}

func logsCreateLogGroup(c *call) (doc, error) {
	name := str(c.in, "logGroupName")
	if !logGroupName.MatchString(name) {
		return nil, logsInvalid("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name)
	}
	st := logsOf(c)
	if _, ok := st.groups[name]; ok {
		return nil, errorf("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	tags, err := logsTags(obj(c.in, "tags"))
	if err != nil {
		return nil, err
	}
	st.groups[name] = &logGroup{
		Name: name, Created: c.srv.now(), Tags: tags,
		Streams: map[string]*logStream{}, Filters: map[string]*metricFilter{},
	}
	return doc{}, nil
}

// logsTags reads the {key: value} tag map Logs uses, with its limits.
func logsTags(in doc) (map[string]string, error) {
	tags := map[string]string{}
	for k, v := range in {
		s, _ := v.(string)
		if k == "" || len(k) > 128 || len(s) > 256 || strings.HasPrefix(k, "aws:") {
			return nil, logsInvalid("invalid tag key %q or value", k)
		}
		tags[k] = s
	}
	if len(tags) > 50 {
		return nil, logsInvalid("A log group can have at most 50 tags.")
	}
	return tags, nil
}

// logsLimit reads an optional "limit" member with its documented range.
func logsLimit(in doc, max int) (int, error) {
	limit := intOr(in, "limit", 0)
	if has(in, "limit") && (limit < 1 || limit > max) {
		return 0, logsInvalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", limit, max)
	}
	return limit, nil
}

func logsBadToken() error { return logsInvalid("The specified nextToken is invalid.") }

func logsDescribeLogGroups(c *call) (doc, error) {
	prefix, pattern := str(c.in, "logGroupNamePrefix"), str(c.in, "logGroupNamePattern")
	if prefix != "" && pattern != "" {
		return nil, logsInvalid("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive.")
	}
	limit, err := logsLimit(c.in, 50)
	if err != nil {
		return nil, err
	}
	st := logsOf(c)
	var names []string
	for name := range st.groups {
		if strings.HasPrefix(name, prefix) && strings.Contains(strings.ToLower(name), strings.ToLower(pattern)) {
			names = append(names, name)
		}
	}
	slices.Sort(names) // AWS lists groups in ASCII order of name
	pageNames, next, err := page(c.srv, names, str(c.in, "nextToken"), limit, logsBadToken)
	if err != nil {
		return nil, err
	}
	out := doc{"logGroups": anyList(pageNames, func(n string) any { return logGroupOut(c, st.groups[n]) })}
	return withToken(out, "nextToken", next), nil
}

func logGroupOut(c *call, g *logGroup) doc {
	arn := logGroupARN(c.account.ID, c.region, g.Name)
	out := doc{
		"logGroupName": g.Name, "creationTime": g.Created.UnixMilli(), "metricFilterCount": len(g.Filters),
		"arn": arn + ":*", "logGroupArn": arn, "storedBytes": 0, "logGroupClass": "STANDARD",
	}
	if g.Retention > 0 {
		out["retentionInDays"] = g.Retention
	}
	return out
}

func logsDeleteLogGroup(c *call) (doc, error) {
	st := logsOf(c)
	name := str(c.in, "logGroupName")
	if _, err := st.groupByName(name); err != nil {
		return nil, err
	}
	delete(st.groups, name)
	return doc{}, nil
}

func logsPutRetentionPolicy(c *call) (doc, error) {
	g, err := logsOf(c).groupByName(str(c.in, "logGroupName"))
	if err != nil {
		return nil, err
	}
	days := intOr(c.in, "retentionInDays", 0)
	if !slices.Contains(validRetention, days) {
		return nil, logsInvalid("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: %v", days, validRetention)
	}
	g.Retention = days
	return doc{}, nil
}

// groupByARN resolves a tagging ARN, which must name a log group in the
// caller's account and region.
func groupByARN(c *call, arn string) (*logGroup, error) {
	prefix := "arn:aws:logs:" + c.region + ":" + c.account.ID + ":log-group:"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || name == "" {
		if strings.HasPrefix(arn, "arn:aws:logs:") {
			return nil, logsNotFound("The specified resource does not exist.")
		}
		return nil, logsInvalid("1 validation error detected: Value '%s' at 'resourceArn' failed to satisfy constraint: Member must be a valid log group ARN", arn)
	}
	g, ok := logsOf(c).groups[strings.TrimSuffix(name, ":*")]
	if !ok {
		return nil, logsNotFound("The specified resource does not exist.")
	}
	return g, nil
}

func addLogTags(g *logGroup, in doc) error {
	tags, err := logsTags(in)
	if err != nil {
		return err
	}
	merged := map[string]string{}
	for _, m := range []map[string]string{g.Tags, tags} {
		for k, v := range m {
			merged[k] = v
		}
	}
	if len(merged) > 50 {
		return errorf("TooManyTagsException", "A resource can have no more than 50 tags.")
	}
	g.Tags = merged
	return nil
}

func logsTagResource(c *call) (doc, error) {
	g, err := groupByARN(c, str(c.in, "resourceArn"))
	if err != nil {
		return nil, err
	}
	return doc{}, addLogTags(g, obj(c.in, "tags"))
}

func logsListTagsForResource(c *call) (doc, error) {
	g, err := groupByARN(c, str(c.in, "resourceArn"))
	if err != nil {
		return nil, err
	}
	return doc{"tags": tagMap(g.Tags)}, nil
}

func tagMap(tags map[string]string) doc {
	out := doc{}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

func logsCreateLogStream(c *call) (doc, error) {
	g, err := logsOf(c).groupByName(str(c.in, "logGroupName"))
	if err != nil {
		return nil, err
	}
	name := str(c.in, "logStreamName")
	if !logStreamName.MatchString(name) {
		return nil, logsInvalid("1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name)
	}
	if _, ok := g.Streams[name]; ok {
		return nil, errorf("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	g.Streams[name] = &logStream{Name: name, Created: c.srv.now()}
	return doc{}, nil
}
