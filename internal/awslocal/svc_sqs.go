package awslocal

// SQS (AWS JSON 1.0, query-compatible errors, signing name "sqs"), regional.
// Operations and the AWS pages followed (Amazon SQS API Reference,
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_<Operation>.html):
//
//   - CreateQueue, GetQueueUrl, GetQueueAttributes, SetQueueAttributes,
//     ListQueues, TagQueue, ListQueueTags (attribute ranges from
//     API_SetQueueAttributes), DeleteQueue
//   - SendMessage, ReceiveMessage, DeleteMessage, PurgeQueue; visibility
//     timeout per "Amazon SQS visibility timeout", redrive per "Using
//     dead-letter queues in Amazon SQS"
//   - queue policies per "Basic examples of Amazon SQS policies" (service
//     principals with aws:SourceArn, cross-account access)
//   - the ApproximateNumberOfMessagesVisible metric of "Available CloudWatch
//     metrics for Amazon SQS", reported when it changes rather than every
//     minute
//
// Known differences from AWS: standard queues only (no FIFO); messages are
// delivered exactly once and in order; long polling (WaitTimeSeconds)
// returns at once; message attributes are not stored; KMS keys are stored,
// not used; a deleted queue's messages are gone at once;
// same-account API callers are always allowed (their IAM identity policies
// are not evaluated).

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type sqsState struct {
	queues  map[string]*sqsQueue // by name
	deleted map[string]time.Time // when a queue of that name was deleted
}

// sqsRecreateWait is how long a deleted queue's name stays taken ("After
// you delete a queue, you must wait at least 60 seconds before creating a
// queue with the same name", API_DeleteQueue).
const sqsRecreateWait = 60 * time.Second

type sqsQueue struct {
	Name, ARN, Account string
	Attrs              map[string]string // settable attributes that were set
	Tags               map[string]string
	Created, Modified  time.Time
	lastPurge          time.Time
	msgs               []*sqsMessage
	receipts           int // receipt handles issued, for unique handles
}

type sqsMessage struct {
	ID, Body, MD5, SenderID       string
	Sent, FirstReceive, VisibleAt time.Time
	Receives                      int
}

func sqsOf(a *account, region string) *sqsState {
	return state(a, "sqs/"+region, func() *sqsState {
		return &sqsState{queues: map[string]*sqsQueue{}, deleted: map[string]time.Time{}}
	})
}

func registerSQS(s *Server) {
	s.register(&service{
		name: "sqs", protocol: jsonProtocol{version: "1.0", queryCompatible: true},
		throttle: APIError{Code: "ThrottlingException", QueryCode: "RequestThrottled", Status: http.StatusBadRequest, Message: "Rate exceeded"},
		ops: map[string]handler{
			"CreateQueue": sqsCreateQueue, "GetQueueUrl": sqsGetQueueURL, "GetQueueAttributes": sqsGetQueueAttributes,
			"SetQueueAttributes": sqsSetQueueAttributes, "ListQueues": sqsListQueues,
			"TagQueue": sqsTagQueue, "ListQueueTags": sqsListQueueTags,
			"SendMessage": sqsSendMessage, "ReceiveMessage": sqsReceiveMessage, "DeleteMessage": sqsDeleteMessage,
			"PurgeQueue": sqsPurgeQueue, "DeleteQueue": sqsDeleteQueue,
		},
	})
}

// sqsError builds an error with both the JSON shape name and the legacy
// query code that the SDK reports.
func sqsError(code, queryCode, format string, args ...any) *APIError {
	e := errorf(code, format, args...)
	e.QueryCode = queryCode
	return e
}

func sqsNoQueue() error {
	return sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

// sqsAccessDenied is SQS's answer when a queue policy does not admit the
// caller (JSON type AccessDeniedException, query code AccessDenied).
func sqsAccessDenied(queueARN string) error {
	e := statusErrorf(http.StatusForbidden, "AccessDeniedException", "Access to the resource %s is denied.", queueARN)
	e.QueryCode = "AccessDenied"
	return e
}

func sqsInvalidValue(format string, args ...any) error {
	return sqsError("InvalidParameterValue", "InvalidParameterValue", format, args...)
}

// sqsAttrRange is the valid range and default of each numeric attribute.
var sqsAttrRange = map[string][3]int{
	"DelaySeconds":                  {0, 900, 0},
	"MaximumMessageSize":            {1024, 262144, 262144},
	"MessageRetentionPeriod":        {60, 1209600, 345600},
	"ReceiveMessageWaitTimeSeconds": {0, 20, 0},
	"VisibilityTimeout":             {0, 43200, 30},
	"KmsDataKeyReusePeriodSeconds":  {60, 86400, 300},
}

// sqsTextAttrs are the other settable attributes.
var sqsTextAttrs = map[string]bool{"Policy": true, "RedrivePolicy": true, "KmsMasterKeyId": true, "SqsManagedSseEnabled": true, "RedriveAllowPolicy": true}

// checkQueueAttr validates one settable attribute as SetQueueAttributes does.
func (s *Server) checkQueueAttr(region, name, value string) error {
	if r, ok := sqsAttrRange[name]; ok {
		n, err := strconv.Atoi(value)
		if err != nil || n < r[0] || n > r[1] {
			return sqsError("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter %s.", name)
		}
		return nil
	}
	if !sqsTextAttrs[name] {
		return sqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
	}
	switch name {
	case "Policy":
		if value != "" {
			if _, err := parsePolicy(value); err != nil {
				return sqsError("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter Policy.")
			}
		}
	case "RedrivePolicy":
		if value != "" {
			_, _, err := s.parseRedrive(region, value)
			return err
		}
	case "SqsManagedSseEnabled":
		if value != "true" && value != "false" {
			return sqsError("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter SqsManagedSseEnabled.")
		}
	}
	return nil
}

// parseRedrive validates a RedrivePolicy and returns the dead-letter queue
// and maxReceiveCount. The dead-letter queue must exist in the same account
// and region.
func (s *Server) parseRedrive(region, value string) (*sqsQueue, int, error) {
	var rp struct {
		DeadLetterTargetArn string
		MaxReceiveCount     json.Number
	}
	invalid := func(reason string) error {
		return sqsInvalidValue("Value %s for parameter RedrivePolicy is invalid. Reason: %s", value, reason)
	}
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber()
	if err := dec.Decode(&rp); err != nil {
		return nil, 0, invalid("Redrive policy is not a valid JSON map.")
	}
	n, err := strconv.Atoi(strings.Trim(rp.MaxReceiveCount.String(), `"`))
	if err != nil || n < 1 || n > 1000 {
		return nil, 0, invalid("Invalid value for maxReceiveCount: " + rp.MaxReceiveCount.String() + ", valid values are from 1 to 1000 both inclusive.")
	}
	dlq := s.queueByARN(rp.DeadLetterTargetArn)
	if dlq == nil || arnRegion(rp.DeadLetterTargetArn) != region {
		return nil, 0, invalid("Dead letter target does not exist.")
	}
	return dlq, n, nil
}

// attr is an attribute's value, or its default.
func (q *sqsQueue) attr(name string) string {
	if v, ok := q.Attrs[name]; ok {
		return v
	}
	if r, ok := sqsAttrRange[name]; ok {
		return strconv.Itoa(r[2])
	}
	if name == "SqsManagedSseEnabled" {
		return "true"
	}
	return ""
}

func (q *sqsQueue) seconds(name string) time.Duration {
	n, _ := strconv.Atoi(q.attr(name))
	return time.Duration(n) * time.Second
}

func (s *Server) queueByARN(arn string) *sqsQueue {
	p, ok := parseARNParts(arn)
	if !ok || p.service != "sqs" || s.accounts[p.account] == nil {
		return nil
	}
	return sqsOf(s.accounts[p.account], p.region).queues[p.resource]
}

func (q *sqsQueue) url(base string) string { return base + "/" + q.Account + "/" + q.Name }

// queueURLParts reads a queue URL of any host: its path is the owner
// account and the queue name.
func queueURLParts(raw string) (account, name string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", false
	}
	return strings.Cut(strings.Trim(u.Path, "/"), "/")
}

// callerQueue resolves the QueueUrl input (any host; the path names the
// account and queue) in the call's region.
func callerQueue(c *call) (*sqsQueue, error) {
	acct, name, ok := queueURLParts(str(c.in, "QueueUrl"))
	if !ok || c.srv.accounts[acct] == nil {
		return nil, sqsNoQueue()
	}
	q := sqsOf(c.srv.accounts[acct], c.region).queues[name]
	if q == nil {
		return nil, sqsNoQueue()
	}
	return q, nil // the authorizer decided the request before the operation ran
}

var sqsQueueName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func sqsCreateQueue(c *call) (doc, error) {
	name := str(c.in, "QueueName")
	if !sqsQueueName.MatchString(name) {
		return nil, sqsInvalidValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	attrs := map[string]string{}
	for k, v := range obj(c.in, "Attributes") {
		value, _ := v.(string)
		if err := c.srv.checkQueueAttr(c.region, k, value); err != nil {
			return nil, err
		}
		attrs[k] = value
	}
	tags := map[string]string{}
	for k, v := range obj(c.in, "tags") {
		tags[k], _ = v.(string)
	}
	if len(tags) > 50 {
		return nil, sqsInvalidValue("Too many tags added for queue %s.", name)
	}
	st := sqsOf(c.account, c.region)
	if q, ok := st.queues[name]; ok {
		for k, v := range attrs {
			if q.attr(k) != v {
				return nil, sqsError("QueueNameExists", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute %s", k)
			}
		}
		return doc{"QueueUrl": q.url(endpointBase(c))}, nil
	}
	now := c.srv.now()
	if at, ok := st.deleted[name]; ok && now.Sub(at) < sqsRecreateWait {
		return nil, sqsError("QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently",
			"You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	}
	q := &sqsQueue{Name: name, ARN: "arn:aws:sqs:" + c.region + ":" + c.account.ID + ":" + name, Account: c.account.ID,
		Attrs: attrs, Tags: tags, Created: now, Modified: now}
	st.queues[name] = q
	return doc{"QueueUrl": q.url(endpointBase(c))}, nil
}

// sqsDeleteQueue deletes the queue and its messages.
func sqsDeleteQueue(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	st := sqsOf(c.srv.accounts[q.Account], c.region)
	delete(st.queues, q.Name)
	st.deleted[q.Name] = c.srv.now()
	return nil, nil
}

func sqsGetQueueURL(c *call) (doc, error) {
	acct := str(c.in, "QueueOwnerAWSAccountId")
	if acct == "" {
		acct = c.account.ID
	}
	c.in["QueueUrl"] = "/" + acct + "/" + str(c.in, "QueueName")
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	return doc{"QueueUrl": q.url(endpointBase(c))}, nil
}

// sqsComputed are the read-only attributes GetQueueAttributes reports.
var sqsComputed = []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
	"CreatedTimestamp", "LastModifiedTimestamp", "QueueArn"}

func sqsGetQueueAttributes(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	now := c.srv.now()
	q.expire(now)
	visible, inflight, delayed := 0, 0, 0
	for _, m := range q.msgs {
		switch {
		case m.VisibleAt.After(now) && m.Receives == 0:
			delayed++
		case m.VisibleAt.After(now):
			inflight++
		default:
			visible++
		}
	}
	all := map[string]string{
		"ApproximateNumberOfMessages": strconv.Itoa(visible), "ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inflight),
		"ApproximateNumberOfMessagesDelayed": strconv.Itoa(delayed), "QueueArn": q.ARN,
		"CreatedTimestamp": strconv.FormatInt(q.Created.Unix(), 10), "LastModifiedTimestamp": strconv.FormatInt(q.Modified.Unix(), 10),
	}
	for name := range sqsAttrRange {
		all[name] = q.attr(name)
	}
	all["SqsManagedSseEnabled"] = q.attr("SqsManagedSseEnabled")
	for name, v := range q.Attrs {
		all[name] = v
	}
	out := doc{}
	for _, name := range strs(c.in, "AttributeNames") {
		if name == "All" {
			for k, v := range all {
				out[k] = v
			}
			continue
		}
		if _, known := sqsAttrRange[name]; !known && !sqsTextAttrs[name] && !slices.Contains(sqsComputed, name) {
			return nil, sqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	if len(out) == 0 {
		return doc{}, nil
	}
	return doc{"Attributes": out}, nil
}

func sqsSetQueueAttributes(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	attrs := obj(c.in, "Attributes")
	for k, v := range attrs {
		value, _ := v.(string)
		if err := c.srv.checkQueueAttr(c.region, k, value); err != nil {
			return nil, err
		}
	}
	for k, v := range attrs {
		if value, _ := v.(string); value == "" && (k == "Policy" || k == "RedrivePolicy") {
			delete(q.Attrs, k) // an empty policy removes it
		} else {
			q.Attrs[k] = value
		}
	}
	q.Modified = c.srv.now()
	return nil, nil
}

// sqsListQueues pages only when the caller sets MaxResults; without it SQS
// returns up to 1,000 queues and no NextToken (ListQueues API reference).
func sqsListQueues(c *call) (doc, error) {
	prefix := str(c.in, "QueueNamePrefix")
	st := sqsOf(c.account, c.region)
	var urls []string
	for _, name := range sortedKeys(st.queues) {
		if strings.HasPrefix(name, prefix) {
			urls = append(urls, st.queues[name].url(endpointBase(c)))
		}
	}
	if !has(c.in, "MaxResults") {
		return doc{"QueueUrls": stringList(urls[:min(len(urls), 1000)])}, nil
	}
	limit := intOr(c.in, "MaxResults", 0)
	if limit < 1 || limit > 1000 {
		return nil, sqsInvalidValue("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", limit)
	}
	pg, next, err := page(c.srv, urls, str(c.in, "NextToken"), limit, func() error { return sqsInvalidValue("Invalid NextToken value.") })
	if err != nil {
		return nil, err
	}
	out := doc{"QueueUrls": stringList(pg)}
	return withToken(out, "NextToken", next), nil
}

func sqsTagQueue(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	merged := map[string]string{}
	for k, v := range q.Tags {
		merged[k] = v
	}
	for k, v := range obj(c.in, "Tags") {
		merged[k], _ = v.(string)
	}
	if len(merged) > 50 {
		return nil, sqsInvalidValue("Too many tags added for queue %s.", q.Name)
	}
	q.Tags = merged
	return nil, nil
}

func sqsListQueueTags(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	tags := doc{}
	for k, v := range q.Tags {
		tags[k] = v
	}
	return doc{"Tags": tags}, nil
}
