package awslocal

// CloudWatch Logs events and metric filters: PutLogEvents, FilterLogEvents,
// PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter. See the header
// of svc_logs.go for the documentation followed and known differences.

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/landfall/landfall/internal/filterpattern"
)

type metricFilter struct {
	Name      string
	Pattern   *filterpattern.Pattern
	Transform doc // the single metricTransformation, as sent
	Created   time.Time
}

const (
	maxMetricFilters = 100 // per log group
	maxBatchEvents   = 10000
	maxBatchBytes    = 1048576
	eventOverhead    = 26 // bytes PutLogEvents counts per event on top of the message
	maxFutureSkew    = 2 * time.Hour
	maxPastAge       = 14 * 24 * time.Hour
)

var (
	logsFilterName  = regexp.MustCompile(`^[^:*]{1,512}$`)
	logsMetricName  = regexp.MustCompile(`^[^:*$]{1,255}$`)
	logsMetricValue = regexp.MustCompile(`^(\$\S+|-?\d+(\.\d+)?)$`)
)

func logsPutLogEvents(c *call) (doc, error) {
	g, err := logsOf(c).groupByName(str(c.in, "logGroupName"))
	if err != nil {
		return nil, err
	}
	stream, ok := g.Streams[str(c.in, "logStreamName")]
	if !ok {
		return nil, logsNotFound("The specified log stream does not exist.")
	}
	in := list(c.in, "logEvents")
	if len(in) == 0 || len(in) > maxBatchEvents {
		return nil, logsInvalid("1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and %d", maxBatchEvents)
	}
	events := make([]logEvent, len(in))
	size := 0
	for i, e := range in {
		ts, _ := num(e, "timestamp")
		events[i] = logEvent{Timestamp: int64(ts), Message: str(e, "message")}
		if events[i].Message == "" {
			return nil, logsInvalid("1 validation error detected: Value at 'logEvents.%d.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		}
		if i > 0 && events[i].Timestamp < events[i-1].Timestamp {
			return nil, logsInvalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(events[i].Message) + eventOverhead
	}
	if size > maxBatchBytes {
		return nil, logsInvalid("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	if time.Duration(events[len(events)-1].Timestamp-events[0].Timestamp)*time.Millisecond > 24*time.Hour {
		return nil, logsInvalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}

	accepted, rejected := screenEvents(events, c.srv.now(), g.Retention)
	c.srv.appendLogEvents(c.account.ID, c.region, logsOf(c), g, stream, accepted)
	out := doc{"nextSequenceToken": strconv.Itoa(len(stream.Events))}
	if len(rejected) > 0 {
		out["rejectedLogEventsInfo"] = rejected
	}
	return out, nil
}

// screenEvents drops the events AWS rejects without failing the call: too
// far in the future, older than 14 days, or older than the retention period.
// Events are in chronological order, so the rejected ones sit at the ends.
func screenEvents(events []logEvent, now time.Time, retentionDays int) ([]logEvent, doc) {
	rejected := doc{}
	tooNew := now.Add(maxFutureSkew).UnixMilli()
	tooOld := now.Add(-maxPastAge).UnixMilli()
	expired := int64(-1 << 63)
	if retentionDays > 0 {
		expired = now.Add(-time.Duration(retentionDays) * 24 * time.Hour).UnixMilli()
	}
	var accepted []logEvent
	for i, e := range events {
		switch {
		case e.Timestamp > tooNew:
			if !has(rejected, "tooNewLogEventStartIndex") {
				rejected["tooNewLogEventStartIndex"] = i
			}
		case e.Timestamp < expired:
			rejected["expiredLogEventEndIndex"] = i
		case e.Timestamp < tooOld:
			rejected["tooOldLogEventEndIndex"] = i
		default:
			accepted = append(accepted, e)
		}
	}
	return accepted, rejected
}

// appendLogEvents stores events in a stream and runs every metric filter of
// the group over each message, emitting the metrics to CloudWatch.
func (s *Server) appendLogEvents(accountID, region string, st *logsState, g *logGroup, stream *logStream, events []logEvent) {
	now := s.now()
	for _, e := range events {
		st.lastEventID++
		e.Ingested = now.UnixMilli()
		e.ID = fmt.Sprintf("%056d", st.lastEventID)
		stream.Events = append(stream.Events, e)
	}
	if len(events) == 0 || s.hooks.putMetric == nil {
		return
	}
	for _, name := range sortedKeys(g.Filters) {
		f := g.Filters[name]
		t := f.Transform
		matched := false
		for _, e := range events {
			if !f.Pattern.Match(e.Message) {
				continue
			}
			matched = true
			if v, ok := f.Pattern.MetricValue(e.Message, str(t, "metricValue")); ok {
				s.hooks.putMetric(accountID, region, filterDatum(t, v, time.UnixMilli(e.Timestamp)))
			}
		}
		if def, ok := num(t, "defaultValue"); ok && !matched {
			s.hooks.putMetric(accountID, region, filterDatum(t, def, now))
		}
	}
}

func filterDatum(t doc, v float64, at time.Time) metricDatum {
	return metricDatum{Namespace: str(t, "metricNamespace"), Name: str(t, "metricName"), Value: v, Time: at.UTC()}
}

func logsPutMetricFilter(c *call) (doc, error) {
	g, err := logsOf(c).groupByName(str(c.in, "logGroupName"))
	if err != nil {
		return nil, err
	}
	name := str(c.in, "filterName")
	if !logsFilterName.MatchString(name) {
		return nil, logsInvalid("1 validation error detected: Value '%s' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name)
	}
	p, err := filterpattern.Parse(str(c.in, "filterPattern"))
	if err != nil {
		return nil, logsInvalid("Invalid metric filter pattern: %v", err)
	}
	ts := list(c.in, "metricTransformations")
	if len(ts) != 1 {
		return nil, logsInvalid("1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	if err := checkTransformation(ts[0]); err != nil {
		return nil, err
	}
	if _, exists := g.Filters[name]; !exists && len(g.Filters) >= maxMetricFilters {
		return nil, errorf("LimitExceededException", "Resource limit exceeded.")
	}
	g.Filters[name] = &metricFilter{Name: name, Pattern: p, Transform: ts[0], Created: c.srv.now()}
	return doc{}, nil
}

func checkTransformation(t doc) error {
	if !logsMetricName.MatchString(str(t, "metricName")) || !logsMetricName.MatchString(str(t, "metricNamespace")) {
		return logsInvalid("Invalid metric name or namespace in metric transformation.")
	}
	if !logsMetricValue.MatchString(str(t, "metricValue")) {
		return logsInvalid("Invalid metric value: %q must be a number or a $ selector.", str(t, "metricValue"))
	}
	dims := obj(t, "dimensions")
	if len(dims) > 3 {
		return logsInvalid("A metric transformation can have at most 3 dimensions.")
	}
	if len(dims) > 0 && has(t, "defaultValue") {
		return logsInvalid("A metric transformation with dimensions cannot have a default value.")
	}
	return nil
}

func logsDescribeMetricFilters(c *call) (doc, error) {
	limit, err := logsLimit(c.in, 50)
	if err != nil {
		return nil, err
	}
	group, prefix := str(c.in, "logGroupName"), str(c.in, "filterNamePrefix")
	if prefix != "" && group == "" {
		return nil, logsInvalid("If you specify a filterNamePrefix, you must also specify a logGroupName.")
	}
	mName, mNamespace := str(c.in, "metricName"), str(c.in, "metricNamespace")
	if (mName == "") != (mNamespace == "") {
		return nil, logsInvalid("metricName and metricNamespace must be specified together.")
	}
	st := logsOf(c)
	groups := sortedKeys(st.groups)
	if group != "" {
		if _, err := st.groupByName(group); err != nil {
			return nil, err
		}
		groups = []string{group}
	}
	var out []any
	for _, gn := range groups {
		g := st.groups[gn]
		for _, fn := range sortedKeys(g.Filters) {
			f := g.Filters[fn]
			if !strings.HasPrefix(fn, prefix) || mName != "" && (str(f.Transform, "metricName") != mName || str(f.Transform, "metricNamespace") != mNamespace) {
				continue
			}
			out = append(out, doc{
				"filterName": f.Name, "filterPattern": f.Pattern.String(), "logGroupName": gn,
				"metricTransformations": []any{f.Transform}, "creationTime": f.Created.UnixMilli(),
				"applyOnTransformedLogs": false,
			})
		}
	}
	items, next, err := page(c.srv, out, str(c.in, "nextToken"), limit, logsBadToken)
	if err != nil {
		return nil, err
	}
	res := doc{"metricFilters": items}
	return withToken(res, "nextToken", next), nil
}

func logsDeleteMetricFilter(c *call) (doc, error) {
	g, err := logsOf(c).groupByName(str(c.in, "logGroupName"))
	if err != nil {
		return nil, err
	}
	name := str(c.in, "filterName")
	if _, ok := g.Filters[name]; !ok {
		return nil, logsNotFound("The specified resource does not exist.")
	}
	delete(g.Filters, name)
	return doc{}, nil
}

// filteredEvent is one FilterLogEvents result before rendering.
type filteredEvent struct {
	stream string
	logEvent
}

func logsFilterLogEvents(c *call) (doc, error) {
	st := logsOf(c)
	name := str(c.in, "logGroupName")
	if id := str(c.in, "logGroupIdentifier"); id != "" {
		if name != "" {
			return nil, logsInvalid("LogGroup name and LogGroup identifier are mutually exclusive parameters.")
		}
		name = strings.TrimSuffix(strings.TrimPrefix(id, "arn:aws:logs:"+c.region+":"+c.account.ID+":log-group:"), ":*")
	}
	g, err := st.groupByName(name)
	if err != nil {
		return nil, err
	}
	names, prefix := strs(c.in, "logStreamNames"), str(c.in, "logStreamNamePrefix")
	if len(names) > 0 && prefix != "" {
		return nil, logsInvalid("logStreamNames and logStreamNamePrefix are mutually exclusive.")
	}
	limit, err := logsLimit(c.in, 10000)
	if err != nil {
		return nil, err
	}
	p, err := filterpattern.Parse(str(c.in, "filterPattern"))
	if err != nil {
		return nil, logsInvalid("Invalid filter pattern: %v", err)
	}
	start, hasStart := num(c.in, "startTime")
	end, hasEnd := num(c.in, "endTime")

	var found []filteredEvent
	for _, sn := range sortedKeys(g.Streams) {
		if !strings.HasPrefix(sn, prefix) || len(names) > 0 && !slices.Contains(names, sn) {
			continue
		}
		for _, e := range g.Streams[sn].Events {
			if hasStart && e.Timestamp < int64(start) || hasEnd && e.Timestamp > int64(end) || !p.Match(e.Message) {
				continue
			}
			found = append(found, filteredEvent{stream: sn, logEvent: e})
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].Timestamp != found[j].Timestamp {
			return found[i].Timestamp < found[j].Timestamp
		}
		return found[i].ID < found[j].ID
	})
	items, next, err := page(c.srv, found, str(c.in, "nextToken"), limit, logsBadToken)
	if err != nil {
		return nil, err
	}
	out := doc{"events": anyList(items, func(e filteredEvent) any {
		return doc{"logStreamName": e.stream, "timestamp": e.Timestamp, "message": e.Message, "ingestionTime": e.Ingested, "eventId": e.ID}
	})}
	return withToken(out, "nextToken", next), nil
}
