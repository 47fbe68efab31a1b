package awslocal

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

const peerAccount = "333333333333"

func snsClient(t *testing.T, s *Server, u, account string) *sns.Client {
	return sns.NewFromConfig(sdkConfig(t, s, u, account, "us-east-1"))
}

func mustTopic(t *testing.T, c *sns.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	mustNoErr(t, err)
	return aws.ToString(out.TopicArn)
}

func TestSNSTopics(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)

	out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts"),
		Attributes: map[string]string{"DisplayName": "Alerts"}, Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	mustNoErr(t, err)
	arn := aws.ToString(out.TopicArn)
	if arn != "arn:aws:sns:us-east-1:"+mgmt+":alerts" {
		t.Fatalf("TopicArn = %s", arn)
	}
	if again := mustTopic(t, c, "alerts", map[string]string{"DisplayName": "Alerts"}); again != arn {
		t.Fatalf("idempotent CreateTopic returned %s", again)
	}

	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	mustNoErr(t, err)
	for k, want := range map[string]string{"TopicArn": arn, "Owner": mgmt, "DisplayName": "Alerts", "SubscriptionsConfirmed": "0", "SubscriptionsPending": "0"} {
		if attrs.Attributes[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}
	if !strings.Contains(attrs.Attributes["Policy"], "__default_policy_ID") || !strings.Contains(attrs.Attributes["Policy"], `"AWS:SourceOwner":"`+mgmt+`"`) {
		t.Errorf("default policy = %s", attrs.Attributes["Policy"])
	}
	mustNoErr(t, errOf(c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("KmsMasterKeyId"), AttributeValue: aws.String("alias/aws/sns")})))
	attrs, err = c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	mustNoErr(t, err)
	if attrs.Attributes["KmsMasterKeyId"] != "alias/aws/sns" {
		t.Errorf("KmsMasterKeyId = %q", attrs.Attributes["KmsMasterKeyId"])
	}

	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	mustNoErr(t, err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "platform" {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	mustNoErr(t, errOf(c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})))
	tags, err = c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	mustNoErr(t, err)
	if len(tags.Tags) != 2 {
		t.Fatalf("tags after TagResource = %+v", tags.Tags)
	}

	missing := "arn:aws:sns:us-east-1:" + mgmt + ":missing"
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"different attributes", func() error {
			return errOf(c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("alerts"), Attributes: map[string]string{"DisplayName": "Other"}}))
		}, "InvalidParameter"},
		{"invalid name", func() error { return errOf(c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name")})) }, "InvalidParameter"},
		{"unknown attribute", func() error {
			return errOf(c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("x"), Attributes: map[string]string{"Colour": "red"}}))
		}, "InvalidParameter"},
		{"malformed policy", func() error {
			return errOf(c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("Policy"), AttributeValue: aws.String("{")}))
		}, "InvalidParameter"},
		{"get missing", func() error {
			return errOf(c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(missing)}))
		}, "NotFound"},
		{"set missing", func() error {
			return errOf(c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(missing), AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("x")}))
		}, "NotFound"},
		{"tags of missing", func() error {
			return errOf(c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(missing)}))
		}, "ResourceNotFound"},
		{"tag missing", func() error {
			return errOf(c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(missing), Tags: []snstypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
		}, "ResourceNotFound"},
		{"bad next token", func() error { return errOf(c.ListTopics(ctx, &sns.ListTopicsInput{NextToken: aws.String("nope")})) }, "InvalidParameter"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.code) })
	}

	mustNoErr(t, errOf(c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)})))
	mustNoErr(t, errOf(c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}))) // idempotent
	wantCode(t, errOf(c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})), "NotFound")
}

// wantLocalCode fails unless err is the endpoint's own error with code, for
// deliveries between services that no SDK call returns.
func wantLocalCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("want endpoint error %s, got %v", code, err)
	}
}

// errOf drops an SDK call's output, keeping its error.
func errOf[T any](_ T, err error) error { return err }

func TestSNSListTopicsPagesAndIsolates(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	want := map[string]bool{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		want[mustTopic(t, c, n, nil)] = true
	}
	got := map[string]bool{}
	pages := 0
	for p := sns.NewListTopicsPaginator(c, &sns.ListTopicsInput{}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		pages++
		for _, tp := range out.Topics {
			got[aws.ToString(tp.TopicArn)] = true
		}
	}
	if pages != 2 || len(got) != len(want) {
		t.Fatalf("%d pages, %d topics; want 2 pages, %d topics", pages, len(got), len(want))
	}

	other := snsClient(t, s, u, peerAccount)
	out, err := other.ListTopics(ctx, &sns.ListTopicsInput{})
	mustNoErr(t, err)
	if len(out.Topics) != 0 {
		t.Fatalf("another account sees %d topics", len(out.Topics))
	}
	// The default policy admits only the owner account.
	wantCode(t, errOf(other.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:" + mgmt + ":a")})), "AuthorizationError")
	wantCode(t, errOf(other.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:" + mgmt + ":a"), Message: aws.String("hi")})), "AuthorizationError")
}

var confirmLink = regexp.MustCompile(`Confirm subscription: (\S+)`)

func TestSNSEmailSubscriptionAndPublish(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	arn := mustTopic(t, c, "alerts", nil)

	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})
	mustNoErr(t, err)
	if aws.ToString(sub.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("SubscriptionArn = %s", aws.ToString(sub.SubscriptionArn))
	}
	subs, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	mustNoErr(t, err)
	if len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].SubscriptionArn) != "PendingConfirmation" {
		t.Fatalf("subscriptions = %+v", subs.Subscriptions)
	}
	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("before")})))

	box := s.Outbox()
	if len(box) != 1 || box[0].Kind != "confirmation" || box[0].To != "ops@example.com" {
		t.Fatalf("outbox = %+v", box)
	}
	m := confirmLink.FindStringSubmatch(box[0].Body)
	if m == nil || !strings.HasPrefix(m[1], u+"/_landfall/confirm?") {
		t.Fatalf("no confirmation link in %q", box[0].Body)
	}
	wantCode(t, errOf(c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String("wrong")})), "InvalidParameter")
	resp, err := http.Get(m[1])
	mustNoErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("confirmation link answered %d", resp.StatusCode)
	}

	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email-json"), Endpoint: aws.String("robot@example.com"), ReturnSubscriptionArn: true})
	mustNoErr(t, err)
	token := strings.TrimPrefix(confirmLink.FindStringSubmatch(s.Outbox()[1].Body)[1], u+"/_landfall/confirm?TopicArn="+strings.ReplaceAll(arn, ":", "%3A")+"&Token=")
	confirmed, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(arn), Token: aws.String(token)})
	mustNoErr(t, err)

	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("Root login"), Message: aws.String("someone signed in")})))
	box = s.Outbox()
	if len(box) != 4 {
		t.Fatalf("outbox has %d emails, want 4: %+v", len(box), box)
	}
	if box[2].Kind != "notification" || box[2].Subject != "Root login" || !strings.HasPrefix(box[2].Body, "someone signed in\n\n--\nIf you wish to stop receiving notifications") {
		t.Fatalf("email notification = %+v", box[2])
	}
	var env snsMessage
	mustNoErr(t, json.Unmarshal([]byte(box[3].Body), &env))
	if env.Type != "Notification" || env.Message != "someone signed in" || env.Subject != "Root login" || env.TopicARN != arn || env.Signature == "" {
		t.Fatalf("email-json envelope = %+v", env)
	}

	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: confirmed.SubscriptionArn})
	mustNoErr(t, err)
	if attrs.Attributes["PendingConfirmation"] != "false" || attrs.Attributes["Protocol"] != "email-json" {
		t.Fatalf("subscription attributes = %v", attrs.Attributes)
	}
	topicAttrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	mustNoErr(t, err)
	if topicAttrs.Attributes["SubscriptionsConfirmed"] != "2" {
		t.Fatalf("SubscriptionsConfirmed = %s", topicAttrs.Attributes["SubscriptionsConfirmed"])
	}

	// A token is valid for two days.
	mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("late@example.com")})))
	late := confirmLink.FindStringSubmatch(s.Outbox()[4].Body)[1]
	clk.advance(49 * time.Hour)
	resp, err = http.Get(late)
	mustNoErr(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("expired link answered %d", resp.StatusCode)
	}

	mustNoErr(t, errOf(c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: confirmed.SubscriptionArn})))
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"attributes of removed", errOf(c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: confirmed.SubscriptionArn})), "NotFound"},
		{"unsubscribe removed", errOf(c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: confirmed.SubscriptionArn})), "NotFound"},
		{"unsupported protocol", errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("pigeon"), Endpoint: aws.String("x")})), "InvalidParameter"},
		{"bad email", errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String("nobody")})), "InvalidParameter"},
		{"subject too long", errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String(strings.Repeat("s", 101)), Message: aws.String("m")})), "InvalidParameter"},
		{"subject with newline", errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String("a\nb"), Message: aws.String("m")})), "InvalidParameter"},
		{"empty message", errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("")})), "InvalidParameter"},
		{"publish to missing", errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn + "-gone"), Message: aws.String("m")})), "NotFound"},
		{"subscribers of missing", errOf(c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn + "-gone")})), "NotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}
	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Subject: aws.String(strings.Repeat("s", 100)), Message: aws.String("m")})))
}

func TestSNSListSubscriptionsPages(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	arn := mustTopic(t, c, "alerts", nil)
	for _, who := range []string{"a", "b", "c", "d", "e", "f"} {
		mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("email"), Endpoint: aws.String(who + "@example.com")})))
	}
	seen := map[string]bool{}
	for p := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		for _, sub := range out.Subscriptions {
			seen[aws.ToString(sub.Endpoint)] = true
		}
	}
	if len(seen) != 6 {
		t.Fatalf("paged through %d subscriptions, want 6", len(seen))
	}
}

func TestSNSDeliversToSQSOnlyWithQueuePolicy(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	q := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	topic := mustTopic(t, c, "alerts", nil)
	queueURL, queueARN := mustQueue(t, q, "inbox", nil)

	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)})
	mustNoErr(t, err)
	if !strings.HasPrefix(aws.ToString(sub.SubscriptionArn), topic+":") {
		t.Fatalf("same-account queue subscription is not confirmed: %s", aws.ToString(sub.SubscriptionArn))
	}
	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("dropped")})))
	if got := s.ReceiveAll(queueARN); len(got) != 0 {
		t.Fatalf("delivered without a queue policy: %v", got)
	}

	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL), Attributes: map[string]string{"Policy": snsQueuePolicy(queueARN, topic)}})))
	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("s"), Message: aws.String("hello")})))
	got := s.ReceiveAll(queueARN)
	if len(got) != 1 {
		t.Fatalf("queue got %d messages", len(got))
	}
	var env snsMessage
	mustNoErr(t, json.Unmarshal([]byte(got[0]), &env))
	if env.Type != "Notification" || env.Message != "hello" || env.TopicARN != topic || env.UnsubscribeURL == "" || env.SigningCertURL == "" {
		t.Fatalf("envelope = %+v", env)
	}

	mustNoErr(t, errOf(c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn})))
	mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN),
		Attributes: map[string]string{"RawMessageDelivery": "true"}})))
	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("raw")})))
	if got := s.ReceiveAll(queueARN); len(got) != 1 || got[0] != "raw" {
		t.Fatalf("raw delivery = %v", got)
	}
}

func snsQueuePolicy(queueARN, topicARN string) string {
	return serviceQueuePolicy("sns.amazonaws.com", queueARN, topicARN)
}

// serviceQueuePolicy lets service send to the queue for sourceARN only.
func serviceQueuePolicy(service, queueARN, sourceARN string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sqs:SendMessage",` +
		`"Resource":"` + queueARN + `","Condition":{"ArnEquals":{"aws:SourceArn":"` + sourceARN + `"}}}]}`
}

func TestSNSTopicPolicyGovernsServicesAndOtherAccounts(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	topic := mustTopic(t, c, "alerts", nil)
	mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("ops@example.com")})))
	link := confirmLink.FindStringSubmatch(s.Outbox()[0].Body)[1]
	resp, err := http.Get(link)
	mustNoErr(t, err)
	resp.Body.Close()

	publish := func(service, account string) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.publishAs(service, account, "arn:aws:events:us-east-1:"+account+":rule/r", topic, "", "msg")
	}
	// The default policy admits the owner's alarms but not EventBridge or
	// Budgets.
	for _, tc := range []struct {
		service, account string
		allowed          bool
	}{
		{"cloudwatch.amazonaws.com", mgmt, true},
		{"events.amazonaws.com", mgmt, false},
		{"budgets.amazonaws.com", mgmt, false},
	} {
		err := publish(tc.service, tc.account)
		if tc.allowed {
			mustNoErr(t, err)
		} else {
			wantLocalCode(t, err, "AuthorizationError")
		}
	}

	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `","Condition":{"StringEquals":{"aws:SourceAccount":"` + mgmt + `"}}},` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + peerAccount + `:root"},"Action":["sns:Publish","sns:Subscribe"],"Resource":"` + topic + `"}]}`
	mustNoErr(t, errOf(c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)})))
	mustNoErr(t, publish("events.amazonaws.com", mgmt))
	wantLocalCode(t, publish("events.amazonaws.com", peerAccount), "AuthorizationError")

	other := snsClient(t, s, u, peerAccount)
	mustNoErr(t, errOf(other.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("from B")})))
	// A queue of the subscribing account needs no confirmation.
	sub, err := other.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String("arn:aws:sqs:us-east-1:" + peerAccount + ":q")})
	mustNoErr(t, err)
	if aws.ToString(sub.SubscriptionArn) == "pending confirmation" {
		t.Fatal("the queue owner's own subscription should be confirmed")
	}
	wantCode(t, errOf(other.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})), "AuthorizationError")

	notifications := 0
	for _, e := range s.Outbox() {
		if e.Kind == "notification" {
			notifications++
		}
	}
	if notifications != 3 { // cloudwatch, events, account B
		t.Fatalf("%d notifications delivered, want 3", notifications)
	}
}
