package awslocal

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"unicode"
)

// SNS Publish and delivery, following the Publish API reference, "Amazon
// SNS message delivery", "Parsing Amazon SNS message formats" (the JSON
// envelope), "Fanout to Lambda functions" (the Lambda event) and "Amazon SNS
// access control" (who may publish).

// snsMaxMessage is the largest message SNS accepts: 256 KiB.
const snsMaxMessage = 256 * 1024

// snsMessage is the JSON document SNS sends to queues, email-json and
// https endpoints. Fields are in AWS's order.
type snsMessage struct {
	Type             string `json:"Type"`
	MessageID        string `json:"MessageId"`
	Token            string `json:"Token,omitempty"`
	TopicARN         string `json:"TopicArn"`
	Subject          string `json:"Subject,omitempty"`
	Message          string `json:"Message"`
	SubscribeURL     string `json:"SubscribeURL,omitempty"`
	Timestamp        string `json:"Timestamp"`
	SignatureVersion string `json:"SignatureVersion"`
	Signature        string `json:"Signature"`
	SigningCertURL   string `json:"SigningCertURL"`
	UnsubscribeURL   string `json:"UnsubscribeURL,omitempty"`
}

func snsPublish(c *call) (doc, error) {
	key := "TopicArn"
	if !has(c.in, "TopicArn") && has(c.in, "TargetArn") {
		key = "TargetArn"
	}
	if has(c.in, "PhoneNumber") {
		return nil, snsInvalid("PhoneNumber Reason: SMS is not supported by the local endpoint")
	}
	subject, message := str(c.in, "Subject"), str(c.in, "Message")
	if has(c.in, "Subject") {
		if err := checkSubject(subject); err != nil {
			return nil, err
		}
	}
	messageFor, err := snsMessageFor(message, str(c.in, "MessageStructure"))
	if err != nil {
		return nil, err
	}
	st, t, err := callerTopic(c, key)
	if err != nil {
		return nil, err
	}
	return doc{"MessageId": c.srv.deliverToSubscribers(st, t, subject, messageFor)}, nil
}

// checkSubject applies Publish's constraints: UTF-8 text without line
// breaks or control characters, at most 100 characters.
func checkSubject(subject string) error {
	if subject == "" || len([]rune(subject)) > 100 {
		return snsInvalid("Subject")
	}
	for _, r := range subject {
		if unicode.IsControl(r) {
			return snsInvalid("Subject")
		}
	}
	return nil
}

// snsMessageFor validates the message and returns what each protocol gets:
// the message itself, or with MessageStructure "json" the protocol's entry
// of the JSON object, falling back to its required "default" entry.
func snsMessageFor(message, structure string) (func(proto string) string, error) {
	if message == "" {
		return nil, snsInvalid("Empty message")
	}
	if len(message) > snsMaxMessage {
		return nil, snsInvalid("Message too long")
	}
	switch structure {
	case "":
		return func(string) string { return message }, nil
	case "json":
		var per map[string]string
		if err := json.Unmarshal([]byte(message), &per); err != nil {
			return nil, snsInvalid("Message Structure - JSON message body failed to parse")
		}
		if _, ok := per["default"]; !ok {
			return nil, snsInvalid("Message Structure - No default entry in JSON message body")
		}
		return func(proto string) string {
			if m, ok := per[proto]; ok {
				return m
			}
			return per["default"]
		}, nil
	}
	return nil, snsInvalid("MessageStructure")
}

// publishAs publishes on behalf of an AWS service (its principal, e.g.
// "cloudwatch.amazonaws.com", "events.amazonaws.com",
// "budgets.amazonaws.com") and the resource sourceARN of sourceAccount;
// with an authorizer the topic policy (and the topic's key policy) must
// admit it (servicePublishAllowedLocked). It is hooks.publish, which other
// services call. Callers hold s.mu.
func (s *Server) publishAs(service, sourceAccount, sourceARN, topicARN, subject, message string) error {
	st, t := s.topicByARN(topicARN)
	if t == nil {
		return snsTopicNotFound()
	}
	if s.opts.Authorizer != nil {
		if err := s.servicePublishAllowedLocked(service, sourceAccount, sourceARN, t); err != nil {
			return err
		}
	}
	return s.deliverPublished(st, t, subject, message)
}

func (s *Server) deliverPublished(st *snsState, t *snsTopic, subject, message string) error {
	if subject != "" {
		if err := checkSubject(subject); err != nil {
			return err
		}
	}
	messageFor, err := snsMessageFor(message, "")
	if err != nil {
		return err
	}
	s.deliverToSubscribers(st, t, subject, messageFor)
	return nil
}

// servicePublishAllowedLocked decides, with the authorizer, whether a
// service may publish to t. The topic policy must admit it with
// aws:SourceAccount and aws:SourceArn, which CloudWatch, EventBridge and
// Budgets are documented to send ("Confused deputy prevention" in each
// service's guide); a CloudWatch alarm publishing to its own account's topic
// also carries AWS:SourceOwner, which the default topic policy reads. On an
// encrypted topic the key policy must let the service use the key ("Enable
// compatibility between event sources from AWS services and encrypted
// topics", SNS Developer Guide).
func (s *Server) servicePublishAllowedLocked(service, sourceAccount, sourceARN string, t *snsTopic) error {
	ctx := map[string][]string{"aws:SourceAccount": {sourceAccount}}
	if sourceARN != "" {
		ctx["aws:SourceArn"] = []string{sourceARN}
	}
	if service == "cloudwatch.amazonaws.com" && sourceAccount == t.Owner {
		ctx["aws:SourceOwner"] = []string{sourceAccount}
	}
	if !s.serviceAllowedLocked(service, "sns:Publish", authResource{ARN: t.ARN, Owner: t.Owner, Policy: t.effectivePolicy()}, ctx) {
		return snsDenied(service, "SNS:Publish", t.ARN)
	}
	if ref := t.Attrs["KmsMasterKeyId"]; ref != "" {
		return s.serviceKeyUseAllowedLocked(service, t.Owner, arnRegion(t.ARN), ref, "KMS")
	}
	return nil
}

// serviceKeyUseAllowedLocked decides whether service may use the key ref (of
// account and region) to encrypt what it delivers to a topic or queue:
// kms:GenerateDataKey and kms:Decrypt, the two permissions the SNS and SQS
// guides list. No service documents a condition key it sends to KMS, so
// none is. Errors are coded as the delivering API codes them: codePrefix is
// "KMS" for SNS (KMSNotFound), "Kms" for SQS (KmsNotFound).
func (s *Server) serviceKeyUseAllowedLocked(service, account, region, ref, codePrefix string) error {
	k := s.kmsKeyLocked(account, region, ref)
	if k == nil {
		return errorf(codePrefix+"NotFound", "Invalid keyId %s", ref)
	}
	if k.State != "Enabled" {
		return errorf(codePrefix+"Disabled", "%s is %s.", k.ARN, k.State)
	}
	for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
		if !s.serviceAllowedLocked(service, action, authResource{ARN: k.ARN, Owner: k.Account, Policy: k.Policy}, nil) {
			return errorf(codePrefix+"AccessDenied", "User: %s is not authorized to perform: %s on resource: %s", service, action, k.ARN)
		}
	}
	return nil
}

// deliverToSubscribers sends a message to every confirmed subscription and
// returns its message id. Deliveries that fail (a queue policy that does
// not admit SNS, a missing function) are counted in the topic's
// NumberOfNotificationsFailed, the others in NumberOfNotificationsDelivered
// ("Monitoring Amazon SNS topics using CloudWatch", SNS Developer Guide).
// A failed message goes to the subscription's dead-letter queue, as SNS
// sends it after its retries, when the queue's policy and key admit SNS for
// the topic; otherwise, or without one, it is dropped.
func (s *Server) deliverToSubscribers(st *snsState, t *snsTopic, subject string, messageFor func(proto string) string) string {
	id := s.uuid()
	region := arnRegion(t.ARN)
	var delivered, failed, redriven, notRedriven int
	for _, arn := range t.subs {
		sub := st.subs[arn]
		if !sub.Confirmed {
			continue
		}
		message := messageFor(sub.Protocol)
		var err error
		msg := snsMessage{Type: "Notification", MessageID: id, TopicARN: t.ARN, Subject: subject, Message: message,
			Timestamp:      s.now().Format("2006-01-02T15:04:05.000Z"),
			UnsubscribeURL: "https://sns." + region + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(sub.ARN)}
		switch sub.Protocol {
		case "email":
			s.outbox = append(s.outbox, Email{To: sub.Endpoint, Subject: emailSubject(subject), TopicARN: t.ARN, Kind: "notification", Time: s.now(),
				Body: message + "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n" +
					"https://sns." + region + ".amazonaws.com/unsubscribe.html?SubscriptionArn=" + url.QueryEscape(sub.ARN) + "&Endpoint=" + url.QueryEscape(sub.Endpoint) +
					"\n\nPlease do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support"})
		case "email-json":
			s.outbox = append(s.outbox, Email{To: sub.Endpoint, Subject: emailSubject(subject), TopicARN: t.ARN, Kind: "notification", Time: s.now(),
				Body: s.snsEnvelope(msg, t.ARN)})
		case "sqs":
			body := s.snsEnvelope(msg, t.ARN)
			if sub.Attrs["RawMessageDelivery"] == "true" {
				body = message
			}
			err = s.deliverToQueue(t, sub.Endpoint, body)
		case "lambda":
			err = s.deliverToFunction(sub, msg, region)
		}
		if err == nil {
			delivered++
			continue
		}
		failed++
		// Set and Subscribe have validated the policy; without one there
		// is no queue.
		if dlq, _ := snsDeadLetterQueue(sub.Attrs["RedrivePolicy"]); dlq != "" {
			if s.deliverToQueue(t, dlq, s.snsEnvelope(msg, t.ARN)) == nil {
				redriven++
			} else {
				notRedriven++
			}
		}
	}
	s.countNotifications(t, "NumberOfNotificationsDelivered", delivered)
	s.countNotifications(t, "NumberOfNotificationsFailed", failed)
	s.countNotifications(t, "NumberOfNotificationsRedrivenToDlq", redriven)
	s.countNotifications(t, "NumberOfNotificationsFailedToRedriveToDlq", notRedriven)
	return id
}

// countNotifications records n in the topic's metric, when there is any.
func (s *Server) countNotifications(t *snsTopic, metric string, n int) {
	if n > 0 {
		s.storeDatum(s.accounts[t.Owner], arnRegion(t.ARN), "AWS/SNS", metric, map[string]string{"TopicName": t.Name}, valuePoint(s.now(), float64(n)))
	}
}

func emailSubject(subject string) string {
	if subject == "" {
		return "AWS Notification Message"
	}
	return subject
}

// snsEnvelope signs (with a placeholder signature: the endpoint has no AWS
// signing certificate) and encodes a message.
func (s *Server) snsEnvelope(m snsMessage, topicARN string) string {
	if m.Timestamp == "" {
		m.Timestamp = s.now().Format("2006-01-02T15:04:05.000Z")
	}
	m.SignatureVersion = "1"
	m.Signature = base64.StdEncoding.EncodeToString([]byte(s.newID(128)))
	m.SigningCertURL = "https://sns." + arnRegion(topicARN) + ".amazonaws.com/SimpleNotificationService-" + s.newID(32) + ".pem"
	return string(mustJSON(m))
}

// deliverToQueue sends as sns.amazonaws.com, so the queue policy must admit
// the service with aws:SourceArn = the topic, even in the same account.
func (s *Server) deliverToQueue(t *snsTopic, queueARN, body string) error {
	from := sqsSender{service: "sns.amazonaws.com", account: t.Owner, sourceARN: t.ARN}
	err := s.sendToSQSAs(from, queueARN, body)
	if err != nil {
		s.log.Debug("awslocal: SNS delivery to SQS dropped", "topic", t.ARN, "queue", queueARN, "err", err)
	}
	return err
}

// deliverToFunction invokes a subscribed function with SNS's Lambda event.
func (s *Server) deliverToFunction(sub *snsSubscription, m snsMessage, region string) error {
	if s.hooks.invokeFunc == nil {
		return nil
	}
	event := doc{"Records": []any{doc{
		"EventSource": "aws:sns", "EventVersion": "1.0", "EventSubscriptionArn": sub.ARN,
		"Sns": doc{
			"Type": m.Type, "MessageId": m.MessageID, "TopicArn": m.TopicARN, "Subject": m.Subject, "Message": m.Message,
			"Timestamp": m.Timestamp, "SignatureVersion": "1", "Signature": base64.StdEncoding.EncodeToString([]byte(s.newID(128))),
			"SigningCertUrl": "https://sns." + region + ".amazonaws.com/SimpleNotificationService-" + s.newID(32) + ".pem",
			"UnsubscribeUrl": m.UnsubscribeURL, "MessageAttributes": doc{},
		},
	}}}
	err := s.hooks.invokeFunc(sub.Endpoint, mustJSON(event))
	if err != nil {
		s.log.Debug("awslocal: SNS delivery to Lambda dropped", "subscription", sub.ARN, "err", err)
	}
	return err
}
