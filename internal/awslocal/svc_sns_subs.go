package awslocal

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SNS subscriptions: Subscribe, ConfirmSubscription, Unsubscribe,
// ListSubscriptionsByTopic and Get/SetSubscriptionAttributes, following their
// pages in the Amazon SNS API Reference. A subscription lives in the topic
// owner's state, whoever created it.

// snsTokenTTL is how long a confirmation token is valid ("Confirmation
// tokens are valid for two days", Subscribe API reference).
const snsTokenTTL = 48 * time.Hour

// snsPending is the SubscriptionArn Subscribe returns for a subscription
// that awaits confirmation; ListSubscriptionsByTopic spells it PendingConfirmation.
const snsPending = "pending confirmation"

func snsSubscribe(c *call) (doc, error) {
	st, t, err := callerTopic(c, "TopicArn")
	if err != nil {
		return nil, err
	}
	proto, endpoint := str(c.in, "Protocol"), str(c.in, "Endpoint")
	if err := checkSubscriptionEndpoint(proto, endpoint); err != nil {
		return nil, err
	}
	attrs := map[string]string{}
	for k, v := range obj(c.in, "Attributes") {
		value, _ := v.(string)
		if err := checkSubscriptionAttribute("Attributes", proto, t.ARN, k, value); err != nil {
			return nil, err
		}
		attrs[k] = value
	}
	returnARN := boolOr(c.in, "ReturnSubscriptionArn", false)
	for _, arn := range t.subs {
		sub := st.subs[arn]
		if sub.Protocol != proto || sub.Endpoint != endpoint {
			continue
		}
		for k, v := range attrs {
			if sub.Attrs[k] != v {
				return nil, snsInvalid("Attributes Reason: Subscription already exists with different attributes")
			}
		}
		return doc{"SubscriptionArn": subscribeResult(sub, returnARN)}, nil
	}

	sub := &snsSubscription{
		ARN: t.ARN + ":" + c.srv.uuid(), TopicARN: t.ARN, Protocol: proto, Endpoint: endpoint,
		Owner: c.account.ID, Attrs: attrs,
	}
	st.subs[sub.ARN] = sub
	t.subs = append(t.subs, sub.ARN)
	// An endpoint in the caller's own account (a queue or function it owns)
	// needs no confirmation; email, https and other accounts' endpoints do.
	if (proto == "sqs" || proto == "lambda") && arnAccount(endpoint) == c.account.ID {
		sub.Confirmed = true
	} else {
		sub.Token = c.srv.newID(128)
		sub.TokenIssued = c.srv.now()
		c.srv.sendConfirmation(t, sub, endpointBase(c))
	}
	return doc{"SubscriptionArn": subscribeResult(sub, returnARN)}, nil
}

// checkSubscriptionAttribute validates one attribute of a subscription of
// protocol proto to topic, as Subscribe and SetSubscriptionAttributes do;
// field is the parameter the error names. A dead-letter queue must be an SQS queue of
// the subscription's account and region ("Amazon SNS dead-letter queues",
// SNS Developer Guide); AWS does not say whether it refuses another one when
// it is set or drops what would go there, and the endpoint refuses it.
func checkSubscriptionAttribute(field, proto, topic, name, value string) error {
	invalid := func(format string, args ...any) error { return snsInvalid(field+" Reason: "+format, args...) }
	switch name {
	case "RawMessageDelivery":
		if value != "true" && value != "false" {
			return invalid("RawMessageDelivery: Invalid value [%s]. Must be true or false.", value)
		}
		if proto != "sqs" && proto != "https" {
			return invalid("Delivery protocol [%s] does not support raw message delivery.", proto)
		}
	case "RedrivePolicy":
		if value == "" {
			return nil
		}
		dlq, err := snsDeadLetterQueue(value)
		if err != nil {
			return invalid("RedrivePolicy: Invalid value [%s]. Must be a JSON object.", value)
		}
		p, ok := parseARNParts(dlq)
		if !ok || p.service != "sqs" {
			return invalid("RedrivePolicy: deadLetterTargetArn: Invalid value [%s]. Must be an SQS queue ARN.", dlq)
		}
		if p.account != arnAccount(topic) || p.region != arnRegion(topic) {
			return invalid("RedrivePolicy: deadLetterTargetArn: the dead-letter queue %s must be in the subscription's account %s and region %s.",
				dlq, arnAccount(topic), arnRegion(topic))
		}
	case "DeliveryPolicy":
	default:
		return snsInvalid("AttributeName Reason: Unrecognized attribute name: %s", name)
	}
	return nil
}

// snsDeadLetterQueue reads the dead-letter queue's ARN from a
// subscription's RedrivePolicy.
func snsDeadLetterQueue(redrivePolicy string) (string, error) {
	var rp struct {
		DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	}
	err := json.Unmarshal([]byte(redrivePolicy), &rp)
	return rp.DeadLetterTargetArn, err
}

// snsSetSubscriptionAttributes sets one attribute; an empty RedrivePolicy
// removes the dead-letter queue.
func snsSetSubscriptionAttributes(c *call) (doc, error) {
	_, sub, err := callerSubscription(c, "SNS:SetSubscriptionAttributes")
	if err != nil {
		return nil, err
	}
	name, value := str(c.in, "AttributeName"), str(c.in, "AttributeValue")
	if err := checkSubscriptionAttribute("AttributeValue", sub.Protocol, sub.TopicARN, name, value); err != nil {
		return nil, err
	}
	if value == "" && name == "RedrivePolicy" {
		delete(sub.Attrs, name)
	} else {
		sub.Attrs[name] = value
	}
	return nil, nil
}

func subscribeResult(sub *snsSubscription, returnARN bool) string {
	if sub.Confirmed || returnARN {
		return sub.ARN
	}
	return snsPending
}

// checkSubscriptionEndpoint validates Protocol and Endpoint as Subscribe does.
func checkSubscriptionEndpoint(proto, endpoint string) error {
	arnOf := func(service string) bool {
		p, ok := parseARNParts(endpoint)
		return ok && p.service == service
	}
	switch proto {
	case "email", "email-json":
		if at := strings.Index(endpoint, "@"); at <= 0 || at == len(endpoint)-1 || strings.ContainsAny(endpoint, " \r\n") {
			return snsInvalid("Email address")
		}
	case "sqs":
		if !arnOf("sqs") {
			return snsInvalid("SQS endpoint ARN")
		}
	case "lambda":
		if !arnOf("lambda") {
			return snsInvalid("Lambda endpoint ARN")
		}
	case "https":
		if u, err := url.Parse(endpoint); err != nil || u.Scheme != "https" || u.Host == "" {
			return snsInvalid("Endpoint Reason: must be an https URL")
		}
	default:
		return snsInvalid("Amazon SNS does not support this protocol string: %s", proto)
	}
	return nil
}

// endpointBase is the endpoint's own base URL as the caller reached it,
// for links in messages (the confirmation link, queue URLs).
func endpointBase(c *call) string {
	scheme := "http"
	if c.req.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.req.Host
}

// sendConfirmation delivers the SubscriptionConfirmation message: an email
// with the link for email endpoints, the JSON message for queues, and an
// outbox entry carrying the token for other endpoints, which the endpoint
// cannot reach.
func (s *Server) sendConfirmation(t *snsTopic, sub *snsSubscription, base string) {
	link := base + controlPrefix + "confirm?TopicArn=" + url.QueryEscape(t.ARN) + "&Token=" + sub.Token
	if sub.Protocol == "sqs" {
		msg := snsMessage{
			Type: "SubscriptionConfirmation", MessageID: s.uuid(), Token: sub.Token, TopicARN: t.ARN,
			Message:      "You have chosen to subscribe to the topic " + t.ARN + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
			SubscribeURL: link,
		}
		s.deliverToQueue(t, sub.Endpoint, s.snsEnvelope(msg, t.ARN))
		return
	}
	s.outbox = append(s.outbox, Email{
		To: sub.Endpoint, Subject: "AWS Notification - Subscription Confirmation", TopicARN: t.ARN, Kind: "confirmation", Time: s.now(),
		Body: "You have chosen to subscribe to the topic: \n" + t.ARN +
			"\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\nConfirm subscription: " + link +
			"\n\nPlease do not reply directly to this email. If you wish to remove yourself from receiving all future SNS subscription confirmation requests please send an email to sns-opt-out",
	})
}

// snsConfirm confirms a subscription by its token; it backs both
// ConfirmSubscription and the link in the confirmation email.
func (s *Server) snsConfirm(topicARN, token string) (string, error) {
	st, t := s.topicByARN(topicARN)
	if t == nil {
		return "", snsTopicNotFound()
	}
	for _, arn := range t.subs {
		sub := st.subs[arn]
		if sub.Token == "" || sub.Token != token {
			continue
		}
		if !sub.Confirmed && s.now().Sub(sub.TokenIssued) > snsTokenTTL {
			break
		}
		sub.Confirmed = true
		return sub.ARN, nil
	}
	return "", snsInvalid("Token")
}

// snsConfirmSubscription confirms with the token, the proof that the caller
// reads the endpoint. The API reference says the call "requires an AWS
// signature only when the AuthenticateOnUnsubscribe flag is set to true"; it
// does not say how a signed call is authorized, so the endpoint takes the
// stricter reading: a signed call is authorized like any other, and one from
// another account needs the topic's policy to admit it.
func snsConfirmSubscription(c *call) (doc, error) {
	topic := str(c.in, "TopicArn")
	if _, ok := parseARNParts(topic); !ok {
		return nil, snsInvalid("TopicArn")
	}
	if arnRegion(topic) != c.region {
		return nil, snsTopicNotFound()
	}
	arn, err := c.srv.snsConfirm(topic, str(c.in, "Token"))
	if err != nil {
		return nil, err
	}
	return doc{"SubscriptionArn": arn}, nil
}

// subscriptionByARN finds a subscription; its ARN is the topic ARN plus an id.
func (s *Server) subscriptionByARN(arn string) (*snsState, *snsSubscription) {
	i := strings.LastIndex(arn, ":")
	if i < 0 {
		return nil, nil
	}
	st, t := s.topicByARN(arn[:i])
	if t == nil {
		return nil, nil
	}
	return st, st.subs[arn]
}

// callerSubscription finds the SubscriptionArn input; the subscription's
// owner and the topic's owner may act on it.
func callerSubscription(c *call, action string) (*snsState, *snsSubscription, error) {
	arn := str(c.in, "SubscriptionArn")
	if p, ok := parseARNParts(arn); !ok || p.service != "sns" || strings.Count(p.resource, ":") != 1 {
		return nil, nil, snsInvalid("SubscriptionArn")
	}
	st, sub := c.srv.subscriptionByARN(arn)
	if sub == nil || arnRegion(arn) != c.region {
		return nil, nil, statusErrorf(http.StatusNotFound, "NotFound", "Subscription does not exist")
	}
	if sub.Owner != c.account.ID && arnAccount(sub.TopicARN) != c.account.ID {
		return nil, nil, snsDenied(c.principal.ARN, action, arn)
	}
	return st, sub, nil
}

func snsUnsubscribe(c *call) (doc, error) {
	st, sub, err := callerSubscription(c, "SNS:Unsubscribe")
	if err != nil {
		return nil, err
	}
	delete(st.subs, sub.ARN)
	if _, t := c.srv.topicByARN(sub.TopicARN); t != nil {
		t.subs = removeString(t.subs, sub.ARN)
	}
	return nil, nil
}

func removeString(items []string, v string) []string {
	out := items[:0]
	for _, it := range items {
		if it != v {
			out = append(out, it)
		}
	}
	return out
}

func snsGetSubscriptionAttributes(c *call) (doc, error) {
	_, sub, err := callerSubscription(c, "SNS:GetSubscriptionAttributes")
	if err != nil {
		return nil, err
	}
	attrs := xmlMap{
		"SubscriptionArn": sub.ARN, "TopicArn": sub.TopicARN, "Owner": sub.Owner, "Protocol": sub.Protocol,
		"Endpoint": sub.Endpoint, "PendingConfirmation": boolText(!sub.Confirmed),
		"ConfirmationWasAuthenticated": boolText(sub.Confirmed), "RawMessageDelivery": "false",
	}
	for k, v := range sub.Attrs {
		attrs[k] = v
	}
	return doc{"Attributes": attrs}, nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func snsListSubscriptionsByTopic(c *call) (doc, error) {
	st, t, err := callerTopic(c, "TopicArn")
	if err != nil {
		return nil, err
	}
	pg, next, err := page(c.srv, t.subs, str(c.in, "NextToken"), 0, func() error { return snsInvalid("NextToken") })
	if err != nil {
		return nil, err
	}
	out := doc{"Subscriptions": anyList(pg, func(arn string) any {
		sub := st.subs[arn]
		shown := sub.ARN
		if !sub.Confirmed {
			shown = "PendingConfirmation"
		}
		return doc{"SubscriptionArn": shown, "Owner": sub.Owner, "Protocol": sub.Protocol, "Endpoint": sub.Endpoint, "TopicArn": sub.TopicARN}
	})}
	return withToken(out, "NextToken", next), nil
}
