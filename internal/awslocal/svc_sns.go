package awslocal

// SNS (awsQuery, signing name "sns"), regional: one state per account and
// region. Operations and the AWS pages followed (Amazon SNS API Reference,
// https://docs.aws.amazon.com/sns/latest/api/API_<Operation>.html):
//
//   - CreateTopic, GetTopicAttributes, SetTopicAttributes, DeleteTopic,
//     ListTopics, TagResource, ListTagsForResource
//   - Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptionsByTopic,
//     Get/SetSubscriptionAttributes, with a subscription's dead-letter queue
//     per "Amazon SNS dead-letter queues" and "Configuring an Amazon SNS
//     dead-letter queue for a subscription"
//   - Publish, with delivery per "Amazon SNS message delivery" and the
//     message formats of "Parsing Amazon SNS message formats"
//   - topic policies per "Amazon SNS access control" and "Example cases for
//     Amazon SNS access control" (service principals, aws:SourceAccount,
//     aws:SourceArn); the default topic policy of GetTopicAttributes
//
// Known differences from AWS: no FIFO topics, SMS, mobile push, http/https
// delivery or message filtering (http/https subscriptions can be confirmed
// with the token from the outbox but receive nothing); signatures in
// messages are not verifiable; a topic's KMS key is stored, not used;
// unconfirmed subscriptions are never garbage-collected (AWS drops them
// after 48 hours); same-account API callers are always allowed (their IAM
// identity policies are not evaluated).

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

type snsState struct {
	topics map[string]*snsTopic        // by ARN
	subs   map[string]*snsSubscription // by subscription ARN
}

type snsTopic struct {
	ARN, Name, Owner string
	Attrs            map[string]string // settable attributes only
	Tags             map[string]string
	subs             []string // subscription ARNs, in creation order
}

type snsSubscription struct {
	ARN, TopicARN, Protocol, Endpoint, Owner string
	Token                                    string
	TokenIssued                              time.Time
	Confirmed                                bool
	Attrs                                    map[string]string
}

func snsOf(a *account, region string) *snsState {
	return state(a, "sns/"+region, func() *snsState {
		return &snsState{topics: map[string]*snsTopic{}, subs: map[string]*snsSubscription{}}
	})
}

func registerSNS(s *Server) {
	s.register(&service{
		name: "sns", protocol: queryProtocol{}, xmlns: "http://sns.amazonaws.com/doc/2010-03-31/",
		throttle: *statusErrorf(http.StatusBadRequest, "Throttling", "Rate exceeded"),
		ops: map[string]handler{
			"CreateTopic": snsCreateTopic, "GetTopicAttributes": snsGetTopicAttributes,
			"SetTopicAttributes": snsSetTopicAttributes, "DeleteTopic": snsDeleteTopic, "ListTopics": snsListTopics,
			"Subscribe": snsSubscribe, "ConfirmSubscription": snsConfirmSubscription, "Unsubscribe": snsUnsubscribe,
			"ListSubscriptionsByTopic":  snsListSubscriptionsByTopic,
			"GetSubscriptionAttributes": snsGetSubscriptionAttributes,
			"SetSubscriptionAttributes": snsSetSubscriptionAttributes,
			"Publish":                   snsPublish,
			"TagResource":               snsTagResource, "ListTagsForResource": snsListTagsForResource,
		},
	})
	s.hooks.publish = s.publishAs
	s.hooks.confirm = s.snsConfirm
}

func snsInvalid(format string, args ...any) error {
	return errorf("InvalidParameter", "Invalid parameter: "+format, args...)
}

func snsTopicNotFound() error {
	return statusErrorf(http.StatusNotFound, "NotFound", "Topic does not exist")
}

var snsTopicName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// snsTopicAttrs are the topic attributes a caller may set; the rest of what
// GetTopicAttributes returns is computed.
var snsTopicAttrs = []string{"Policy", "DisplayName", "KmsMasterKeyId", "DeliveryPolicy", "SignatureVersion", "TracingConfig"}

// checkTopicAttr validates one settable attribute the way SNS does.
func checkTopicAttr(name, value string) error {
	if !slices.Contains(snsTopicAttrs, name) {
		return snsInvalid("AttributeName")
	}
	switch name {
	case "Policy":
		if _, err := parsePolicy(value); err != nil {
			return snsInvalid("Policy Error: %s", errMessage(err))
		}
	case "DisplayName":
		if len(value) > 100 {
			return snsInvalid("DisplayName Reason: must be at most 100 characters")
		}
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return snsInvalid("SignatureVersion Reason: must be 1 or 2")
		}
	}
	return nil
}

// topicByARN finds a topic by ARN in the account and region the ARN names,
// which may be another account's (cross-account access is then checked by
// the caller against the topic policy).
func (s *Server) topicByARN(arn string) (*snsState, *snsTopic) {
	p, ok := parseARNParts(arn)
	if !ok || p.service != "sns" {
		return nil, nil
	}
	a := s.accounts[p.account]
	if a == nil {
		return nil, nil
	}
	st := snsOf(a, p.region)
	return st, st.topics[arn]
}

// callerTopic resolves the TopicArn input (the authorizer decided the
// request before the operation ran).
func callerTopic(c *call, key string) (*snsState, *snsTopic, error) {
	arn := str(c.in, key)
	if arn == "" {
		return nil, nil, snsInvalid("%s", key)
	}
	if _, ok := parseARNParts(arn); !ok {
		return nil, nil, snsInvalid("%s Reason: An ARN must have at least 6 elements, not %d", key, len(strings.Split(arn, ":")))
	}
	st, t := c.srv.topicByARN(arn)
	if t == nil || arnRegion(arn) != c.region {
		return nil, nil, snsTopicNotFound()
	}
	return st, t, nil
}

func snsDenied(who, action, arn string) error {
	return statusErrorf(http.StatusForbidden, "AuthorizationError", "User: %s is not authorized to perform: %s on resource: %s", who, action, arn)
}

func (t *snsTopic) effectivePolicy() string {
	if p := t.Attrs["Policy"]; p != "" {
		return p
	}
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],` +
		`"Resource":"` + t.ARN + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + t.Owner + `"}}}]}`
}

func snsCreateTopic(c *call) (doc, error) {
	name := str(c.in, "Name")
	if !snsTopicName.MatchString(name) {
		return nil, snsInvalid("Topic Name")
	}
	attrs := map[string]string{}
	for k, v := range obj(c.in, "Attributes") {
		value, _ := v.(string)
		if err := checkTopicAttr(k, value); err != nil {
			return nil, err
		}
		attrs[k] = value
	}
	tags := tagList(c.in, "Tags")
	if err := checkSNSTags(tags); err != nil {
		return nil, err
	}
	st := snsOf(c.account, c.region)
	arn := "arn:aws:sns:" + c.region + ":" + c.account.ID + ":" + name
	if t, ok := st.topics[arn]; ok {
		// CreateTopic is idempotent only for identical attributes and tags.
		for k, v := range attrs {
			if t.Attrs[k] != v {
				return nil, snsInvalid("Attributes Reason: Topic already exists with different attributes")
			}
		}
		for k, v := range tags {
			if old, ok := t.Tags[k]; !ok || old != v {
				return nil, snsInvalid("Tags Reason: Topic already exists with different tags")
			}
		}
		return doc{"TopicArn": arn}, nil
	}
	st.topics[arn] = &snsTopic{ARN: arn, Name: name, Owner: c.account.ID, Attrs: attrs, Tags: tags}
	return doc{"TopicArn": arn}, nil
}

func checkSNSTags(tags map[string]string) error {
	if len(tags) > 50 {
		return errorf("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return snsInvalid("Tags Reason: tag keys must be 1-128 and values 0-256 characters")
		}
	}
	return nil
}

func snsGetTopicAttributes(c *call) (doc, error) {
	st, t, err := callerTopic(c, "TopicArn")
	if err != nil {
		return nil, err
	}
	confirmed, pending := 0, 0
	for _, arn := range t.subs {
		if st.subs[arn].Confirmed {
			confirmed++
		} else {
			pending++
		}
	}
	attrs := xmlMap{
		"TopicArn": t.ARN, "Owner": t.Owner, "Policy": t.effectivePolicy(), "DisplayName": t.Attrs["DisplayName"],
		"SubscriptionsConfirmed": strconv.Itoa(confirmed), "SubscriptionsPending": strconv.Itoa(pending), "SubscriptionsDeleted": "0",
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`,
	}
	for _, k := range []string{"KmsMasterKeyId", "DeliveryPolicy", "SignatureVersion", "TracingConfig"} {
		if v, ok := t.Attrs[k]; ok {
			attrs[k] = v
		}
	}
	return doc{"Attributes": attrs}, nil
}

func snsSetTopicAttributes(c *call) (doc, error) {
	_, t, err := callerTopic(c, "TopicArn")
	if err != nil {
		return nil, err
	}
	name, value := str(c.in, "AttributeName"), str(c.in, "AttributeValue")
	if err := checkTopicAttr(name, value); err != nil {
		return nil, err
	}
	if value == "" {
		delete(t.Attrs, name) // an empty value resets to the default
	} else {
		t.Attrs[name] = value
	}
	return nil, nil
}

// snsDeleteTopic is idempotent: deleting a topic that does not exist
// succeeds, as the API reference says.
func snsDeleteTopic(c *call) (doc, error) {
	arn := str(c.in, "TopicArn")
	if _, ok := parseARNParts(arn); !ok {
		return nil, snsInvalid("TopicArn")
	}
	st, t := c.srv.topicByARN(arn)
	if t == nil {
		return nil, nil
	}
	for _, sub := range t.subs {
		delete(st.subs, sub)
	}
	delete(st.topics, arn)
	return nil, nil
}

func snsListTopics(c *call) (doc, error) {
	st := snsOf(c.account, c.region)
	arns := sortedKeys(st.topics)
	pg, next, err := page(c.srv, arns, str(c.in, "NextToken"), 0, func() error { return snsInvalid("NextToken") })
	if err != nil {
		return nil, err
	}
	out := doc{"Topics": anyList(pg, func(arn string) any { return doc{"TopicArn": arn} })}
	return withToken(out, "NextToken", next), nil
}

func snsTagResource(c *call) (doc, error) {
	t, err := taggedTopic(c)
	if err != nil {
		return nil, err
	}
	tags := tagList(c.in, "Tags")
	merged := map[string]string{}
	for k, v := range t.Tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	if err := checkSNSTags(merged); err != nil {
		return nil, err
	}
	t.Tags = merged
	return doc{}, nil // AWS answers an empty TagResourceResult
}

func snsListTagsForResource(c *call) (doc, error) {
	t, err := taggedTopic(c)
	if err != nil {
		return nil, err
	}
	return doc{"Tags": tagsOut(t.Tags)}, nil
}

// taggedTopic finds the ResourceArn of the tagging operations, which answer
// ResourceNotFound rather than NotFound.
func taggedTopic(c *call) (*snsTopic, error) {
	arn := str(c.in, "ResourceArn")
	_, t := c.srv.topicByARN(arn)
	if t == nil || t.Owner != c.account.ID || arnRegion(arn) != c.region {
		return nil, statusErrorf(http.StatusNotFound, "ResourceNotFound", "Resource does not exist")
	}
	return t, nil
}

// arnParts are the fields of an ARN, arn:partition:service:region:account:resource.
type arnParts struct{ service, region, account, resource string }

// parseARNParts splits an ARN; SNS, SQS, EventBridge and KMS use it to find
// resources in other accounts and regions.
func parseARNParts(arn string) (arnParts, bool) {
	f := strings.SplitN(arn, ":", 6)
	if len(f) != 6 || f[0] != "arn" || f[1] == "" || f[2] == "" || f[5] == "" {
		return arnParts{}, false
	}
	return arnParts{service: f[2], region: f[3], account: f[4], resource: f[5]}, true
}

func arnAccount(arn string) string {
	p, _ := parseARNParts(arn)
	return p.account
}

func arnRegion(arn string) string {
	p, _ := parseARNParts(arn)
	return p.region
}

// errMessage is an error's message without its code, for errors that
// another service's validation returns inside its own wording.
func errMessage(err error) string {
	var e *APIError
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
