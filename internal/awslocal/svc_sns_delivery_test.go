package awslocal

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// A queue in another account, subscribed by the topic owner, receives a
// SubscriptionConfirmation and gets notifications only once its owner
// visits the SubscribeURL.
func TestSNSCrossAccountQueueConfirms(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	topic := mustTopic(t, c, "alerts", nil)
	q := sqs.NewFromConfig(sdkConfig(t, s, u, peerAccount, "us-east-1"))
	_, queueARN := mustQueue(t, q, "inbox", map[string]string{"Policy": snsQueuePolicy("arn:aws:sqs:us-east-1:"+peerAccount+":inbox", topic)})

	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)})
	mustNoErr(t, err)
	if aws.ToString(sub.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("SubscriptionArn = %s", aws.ToString(sub.SubscriptionArn))
	}
	got := s.ReceiveAll(queueARN)
	if len(got) != 1 {
		t.Fatalf("queue got %d messages, want the confirmation", len(got))
	}
	var confirm snsMessage
	mustNoErr(t, json.Unmarshal([]byte(got[0]), &confirm))
	if confirm.Type != "SubscriptionConfirmation" || confirm.Token == "" || !strings.Contains(confirm.SubscribeURL, "/_landfall/confirm?") {
		t.Fatalf("confirmation = %+v", confirm)
	}
	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("early")})))
	if got := s.ReceiveAll(queueARN); len(got) != 0 {
		t.Fatalf("pending subscription received %v", got)
	}

	// A signed ConfirmSubscription from the queue's account is a request
	// to another account's topic, which the topic policy does not admit
	// (the stricter reading: the API reference says only when a signature
	// is required). Visiting the SubscribeURL, as AWS documents, confirms.
	peer := snsClient(t, s, u, peerAccount)
	wantCode(t, errOf(peer.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(confirm.Token)})), "AuthorizationError")
	resp, err := http.Get(confirm.SubscribeURL)
	mustNoErr(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustNoErr(t, err)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), topic+":") {
		t.Fatalf("visiting SubscribeURL: %d %s", resp.StatusCode, body)
	}
	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("late")})))
	if got := s.ReceiveAll(queueARN); len(got) != 1 || !strings.Contains(got[0], `"Message":"late"`) {
		t.Fatalf("confirmed subscription received %v", got)
	}
}

func TestSNSLambdaAndHTTPSSubscriptions(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	topic := mustTopic(t, c, "alerts", nil)
	var payloads [][]byte
	s.mu.Lock()
	s.hooks.invokeFunc = func(arn string, payload []byte) error {
		payloads = append(payloads, payload)
		return nil
	}
	s.mu.Unlock()

	fn := "arn:aws:lambda:us-east-1:" + mgmt + ":function:notify"
	mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("lambda"), Endpoint: aws.String(fn)})))
	hook, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("https"), Endpoint: aws.String("https://hooks.example.com/sns")})
	mustNoErr(t, err)
	if aws.ToString(hook.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("https subscription = %s", aws.ToString(hook.SubscriptionArn))
	}
	if box := s.Outbox(); len(box) != 1 || box[0].Kind != "confirmation" || box[0].To != "https://hooks.example.com/sns" {
		t.Fatalf("outbox = %+v", box)
	}

	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Subject: aws.String("s"), Message: aws.String(`{"k":"v"}`)})))
	if len(payloads) != 1 {
		t.Fatalf("function invoked %d times", len(payloads))
	}
	var event struct {
		Records []struct {
			EventSource string
			Sns         struct{ Type, TopicArn, Subject, Message string }
		}
	}
	mustNoErr(t, json.Unmarshal(payloads[0], &event))
	if len(event.Records) != 1 || event.Records[0].EventSource != "aws:sns" || event.Records[0].Sns.Message != `{"k":"v"}` || event.Records[0].Sns.TopicArn != topic {
		t.Fatalf("lambda event = %s", payloads[0])
	}

	for _, tc := range []struct {
		name  string
		proto string
		point string
		attrs map[string]string
	}{
		{"lambda endpoint not an ARN", "lambda", "notify", nil},
		{"https endpoint not https", "https", "http://hooks.example.com", nil},
		{"raw delivery for email", "email", "ops@example.com", map[string]string{"RawMessageDelivery": "true"}},
		{"unknown attribute", "lambda", fn, map[string]string{"Colour": "red"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(tc.proto), Endpoint: aws.String(tc.point), Attributes: tc.attrs})), "InvalidParameter")
		})
	}
}

func TestSNSPublishMessageStructure(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	topic := mustTopic(t, c, "alerts", nil)
	q := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, queueARN := mustQueue(t, q, "inbox", nil)
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(u + "/" + mgmt + "/inbox"), Attributes: map[string]string{"Policy": snsQueuePolicy(queueARN, topic)}})))
	mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN), Attributes: map[string]string{"RawMessageDelivery": "true"}})))

	mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), MessageStructure: aws.String("json"), Message: aws.String(`{"default":"d","sqs":"for queues"}`)})))
	if got := s.ReceiveAll(queueARN); len(got) != 1 || got[0] != "for queues" {
		t.Fatalf("queue got %v", got)
	}
	for _, msg := range []string{`{"sqs":"no default"}`, `not json`} {
		wantCode(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), MessageStructure: aws.String("json"), Message: aws.String(msg)})), "InvalidParameter")
	}
}
