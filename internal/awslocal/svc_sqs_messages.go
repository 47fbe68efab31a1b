package awslocal

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SQS messages: SendMessage, ReceiveMessage, DeleteMessage, PurgeQueue,
// and delivery from other services, following their API reference pages,
// "Amazon SQS visibility timeout" and "Using dead-letter queues".

// sqsPurgeInterval is how often a queue may be purged ("Only one PurgeQueue
// operation on a queue is allowed every 60 seconds").
const sqsPurgeInterval = 60 * time.Second

// sqsSender is the AWS service (sns.amazonaws.com, events.amazonaws.com)
// that sends a message on behalf of a resource of an account.
type sqsSender struct {
	service   string
	account   string
	sourceARN string
}

// sendToSQSAs delivers a message on behalf of a service; with an
// authorizer the queue policy (and the queue's key policy) must admit it.
// Callers hold s.mu.
func (s *Server) sendToSQSAs(from sqsSender, queueARN, body string) error {
	q := s.queueByARN(queueARN)
	if q == nil {
		return sqsNoQueue()
	}
	if s.opts.Authorizer != nil {
		if err := s.serviceSendAllowedLocked(from, q); err != nil {
			return err
		}
	}
	if err := q.checkBody(body); err != nil {
		return err
	}
	q.enqueue(s, body, from.service, q.seconds("DelaySeconds"))
	return nil
}

// serviceSendAllowedLocked decides, with the authorizer, whether a service
// may send to q for the resource from.sourceARN. The queue policy must admit
// it with aws:SourceArn and aws:SourceAccount ("Subscribing an Amazon SQS
// queue to an Amazon SNS topic", SNS Developer Guide; "Amazon SQS
// permissions", EventBridge User Guide). aws:SourceOrgID is not documented
// to reach SQS or KMS, so it is never sent: a policy that needs it refuses.
// On an encrypted queue the key policy must let the service use the key
// ("Enable compatibility between event sources from AWS services and
// encrypted queues", SQS Developer Guide).
func (s *Server) serviceSendAllowedLocked(from sqsSender, q *sqsQueue) error {
	ctx := map[string][]string{"aws:SourceAccount": {from.account}, "aws:SourceArn": {from.sourceARN}}
	if !s.serviceAllowedLocked(from.service, "sqs:SendMessage", authResource{ARN: q.ARN, Owner: q.Account, Policy: q.Attrs["Policy"]}, ctx) {
		return sqsAccessDenied(q.ARN)
	}
	if ref := q.Attrs["KmsMasterKeyId"]; ref != "" {
		return s.serviceKeyUseAllowedLocked(from.service, q.Account, arnRegion(q.ARN), ref, "Kms")
	}
	return nil
}

func (q *sqsQueue) checkBody(body string) error {
	if body == "" {
		return sqsInvalidValue("The request must contain the parameter MessageBody.")
	}
	if limit, _ := strconv.Atoi(q.attr("MaximumMessageSize")); len(body) > limit {
		return sqsInvalidValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", limit)
	}
	// SQS accepts #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
	for _, r := range body {
		ok := r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000
		if !ok || r == utf8.RuneError {
			return sqsError("InvalidMessageContents", "InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
		}
	}
	return nil
}

func (q *sqsQueue) enqueue(s *Server, body, sender string, delay time.Duration) *sqsMessage {
	sum := md5.Sum([]byte(body))
	now := s.now()
	m := &sqsMessage{ID: s.uuid(), Body: body, MD5: hex.EncodeToString(sum[:]), SenderID: sender, Sent: now, VisibleAt: now.Add(delay)}
	q.msgs = append(q.msgs, m)
	s.reportQueueDepth(q)
	return m
}

// reportQueueDepth publishes the queue's ApproximateNumberOfMessagesVisible
// ("Available CloudWatch metrics for Amazon SQS"). SQS reports it every
// minute; the endpoint reports it whenever the number changes, which is
// when an alarm on it could change state.
func (s *Server) reportQueueDepth(q *sqsQueue) {
	now := s.now()
	visible := 0
	for _, m := range q.msgs {
		if !m.VisibleAt.After(now) {
			visible++
		}
	}
	s.storeDatum(s.accounts[q.Account], arnRegion(q.ARN), "AWS/SQS", "ApproximateNumberOfMessagesVisible",
		map[string]string{"QueueName": q.Name}, valuePoint(now, float64(visible)))
}

// expire drops messages older than the retention period.
func (q *sqsQueue) expire(now time.Time) {
	keep := q.msgs[:0]
	for _, m := range q.msgs {
		if now.Sub(m.Sent) < q.seconds("MessageRetentionPeriod") {
			keep = append(keep, m)
		}
	}
	q.msgs = keep
}

func sqsSendMessage(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	body := str(c.in, "MessageBody")
	if err := q.checkBody(body); err != nil {
		return nil, err
	}
	delay := q.seconds("DelaySeconds")
	if has(c.in, "DelaySeconds") {
		n := intOr(c.in, "DelaySeconds", -1)
		if n < 0 || n > 900 {
			return nil, sqsInvalidValue("Value %s for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", str(c.in, "DelaySeconds"))
		}
		delay = time.Duration(n) * time.Second
	}
	m := q.enqueue(c.srv, body, c.principal.UserID, delay)
	return doc{"MessageId": m.ID, "MD5OfMessageBody": m.MD5}, nil
}

// sqsSystemAttrs are the message system attributes returned on request.
var sqsSystemAttrs = []string{"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"}

func sqsReceiveMessage(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	max := intOr(c.in, "MaxNumberOfMessages", 1)
	if max < 1 || max > 10 {
		return nil, sqsInvalidValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
	}
	visibility := q.seconds("VisibilityTimeout")
	if has(c.in, "VisibilityTimeout") {
		n := intOr(c.in, "VisibilityTimeout", -1)
		if n < 0 || n > 43200 {
			return nil, sqsInvalidValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", n)
		}
		visibility = time.Duration(n) * time.Second
	}
	if w := intOr(c.in, "WaitTimeSeconds", 0); w < 0 || w > 20 {
		return nil, sqsInvalidValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", w)
	}
	wanted := map[string]bool{}
	for _, n := range append(strs(c.in, "AttributeNames"), strs(c.in, "MessageSystemAttributeNames")...) {
		wanted[n] = true
	}
	dlq, maxReceives := c.srv.redriveTarget(c.region, q)

	now := c.srv.now()
	q.expire(now)
	var out []any
	for _, m := range append([]*sqsMessage(nil), q.msgs...) {
		if len(out) == max {
			break
		}
		if m.VisibleAt.After(now) {
			continue
		}
		if dlq != nil && m.Receives >= maxReceives {
			// The receive that would exceed maxReceiveCount moves the
			// message to the dead-letter queue instead.
			q.remove(m.ID)
			m.VisibleAt = now
			dlq.msgs = append(dlq.msgs, m)
			c.srv.reportQueueDepth(dlq)
			continue
		}
		m.Receives++
		if m.FirstReceive.IsZero() {
			m.FirstReceive = now
		}
		m.VisibleAt = now.Add(visibility)
		q.receipts++
		out = append(out, m.output(q, wanted))
	}
	if len(out) == 0 {
		return doc{}, nil
	}
	return doc{"Messages": out}, nil
}

func (m *sqsMessage) output(q *sqsQueue, wanted map[string]bool) doc {
	handle := base64.RawURLEncoding.EncodeToString([]byte("landfall-receipt:" + q.ARN + "|" + m.ID + "|" + strconv.Itoa(q.receipts)))
	out := doc{"MessageId": m.ID, "ReceiptHandle": handle, "MD5OfBody": m.MD5, "Body": m.Body}
	values := map[string]string{
		"SenderId": m.SenderID, "SentTimestamp": strconv.FormatInt(m.Sent.UnixMilli(), 10),
		"ApproximateReceiveCount":          strconv.Itoa(m.Receives),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.FirstReceive.UnixMilli(), 10),
	}
	attrs := doc{}
	for _, name := range sqsSystemAttrs {
		if wanted["All"] || wanted[name] {
			attrs[name] = values[name]
		}
	}
	if len(attrs) > 0 {
		out["Attributes"] = attrs
	}
	return out
}

// redriveTarget is the queue's dead-letter queue and maxReceiveCount, or
// nil when it has no (longer a valid) redrive policy.
func (s *Server) redriveTarget(region string, q *sqsQueue) (*sqsQueue, int) {
	text := q.Attrs["RedrivePolicy"]
	if text == "" {
		return nil, 0
	}
	dlq, n, err := s.parseRedrive(region, text)
	if err != nil {
		return nil, 0
	}
	return dlq, n
}

func (q *sqsQueue) remove(id string) bool {
	for i, m := range q.msgs {
		if m.ID == id {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			return true
		}
	}
	return false
}

// sqsDeleteMessage deletes the message a receipt handle names. Deleting a
// message that is already gone succeeds, as SQS documents.
func sqsDeleteMessage(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	handle := str(c.in, "ReceiptHandle")
	raw, err := base64.RawURLEncoding.DecodeString(handle)
	fields := strings.Split(strings.TrimPrefix(string(raw), "landfall-receipt:"), "|")
	if err != nil || !strings.HasPrefix(string(raw), "landfall-receipt:") || len(fields) != 3 || fields[0] != q.ARN {
		return nil, sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle \"%s\" is not a valid receipt handle.", handle)
	}
	if q.remove(fields[1]) {
		c.srv.reportQueueDepth(q)
	}
	return nil, nil
}

func sqsPurgeQueue(c *call) (doc, error) {
	q, err := callerQueue(c)
	if err != nil {
		return nil, err
	}
	now := c.srv.now()
	if !q.lastPurge.IsZero() && now.Sub(q.lastPurge) < sqsPurgeInterval {
		return nil, sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
			"Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name)
	}
	q.lastPurge = now
	q.msgs = nil
	c.srv.reportQueueDepth(q)
	return nil, nil
}

// ReceiveAll removes every message from the queue, visible or not, and
// returns their bodies oldest first: tests and the demo use it to read
// deliveries without the API. It returns nil for a queue that does not
// exist.
func (s *Server) ReceiveAll(queueARN string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queueByARN(queueARN)
	if q == nil {
		return nil
	}
	out := make([]string, 0, len(q.msgs))
	for _, m := range q.msgs {
		out = append(out, m.Body)
	}
	q.msgs = nil
	s.reportQueueDepth(q)
	return out
}
