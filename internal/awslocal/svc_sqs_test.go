package awslocal

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// mustQueue creates a queue and returns its URL and ARN.
func mustQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) (string, string) {
	t.Helper()
	ctx := context.Background()
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	mustNoErr(t, err)
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"}})
	mustNoErr(t, err)
	return aws.ToString(out.QueueUrl), a.Attributes["QueueArn"]
}

func TestSQSQueues(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "eu-west-1"))

	url, arn := mustQueue(t, c, "events", map[string]string{"VisibilityTimeout": "60"})
	if url != u+"/"+mgmt+"/events" || arn != "arn:aws:sqs:eu-west-1:"+mgmt+":events" {
		t.Fatalf("url %s arn %s", url, arn)
	}
	again, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events"), Attributes: map[string]string{"VisibilityTimeout": "60"}})
	mustNoErr(t, err)
	if aws.ToString(again.QueueUrl) != url {
		t.Fatalf("idempotent CreateQueue = %s", aws.ToString(again.QueueUrl))
	}
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("events")})
	mustNoErr(t, err)
	if aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %s", aws.ToString(got.QueueUrl))
	}

	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + arn + `"}]}`
	mustNoErr(t, errOf(c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": policy, "MessageRetentionPeriod": "86400"}})))
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	mustNoErr(t, err)
	for k, want := range map[string]string{"QueueArn": arn, "VisibilityTimeout": "60", "MessageRetentionPeriod": "86400", "Policy": policy, "ApproximateNumberOfMessages": "0"} {
		if attrs.Attributes[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}

	mustNoErr(t, errOf(c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"team": "platform"}})))
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	mustNoErr(t, err)
	if tags.Tags["team"] != "platform" {
		t.Fatalf("tags = %v", tags.Tags)
	}

	missing := u + "/" + mgmt + "/missing"
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"different attributes", errOf(c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("events"), Attributes: map[string]string{"VisibilityTimeout": "10"}})), "QueueAlreadyExists"},
		{"invalid name", errOf(c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad/name")})), "InvalidParameterValue"},
		{"out of range", errOf(c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"VisibilityTimeout": "43201"}})), "InvalidAttributeValue"},
		{"unknown attribute", errOf(c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"Colour": "1"}})), "InvalidAttributeName"},
		{"bad policy", errOf(c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": "{"}})), "InvalidAttributeValue"},
		{"dead-letter queue missing", errOf(c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
			Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:` + mgmt + `:nope","maxReceiveCount":3}`}})), "InvalidParameterValue"},
		{"url of missing", errOf(c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("missing")})), "AWS.SimpleQueueService.NonExistentQueue"},
		{"attributes of missing", errOf(c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(missing)})), "AWS.SimpleQueueService.NonExistentQueue"},
		{"send to missing", errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(missing), MessageBody: aws.String("x")})), "AWS.SimpleQueueService.NonExistentQueue"},
		{"tags of missing", errOf(c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(missing)})), "AWS.SimpleQueueService.NonExistentQueue"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}

	// Queues are per region and per account.
	for _, cfg := range []struct{ account, region string }{{mgmt, "us-east-1"}, {peerAccount, "eu-west-1"}} {
		elsewhere := sqs.NewFromConfig(sdkConfig(t, s, u, cfg.account, cfg.region))
		wantCode(t, errOf(elsewhere.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("events")})), "AWS.SimpleQueueService.NonExistentQueue")
	}
	other := sqs.NewFromConfig(sdkConfig(t, s, u, peerAccount, "eu-west-1"))
	wantCode(t, errOf(other.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})), "AccessDenied")
}

func TestSQSListQueuesPagesOnlyWithMaxResults(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	for _, n := range []string{"q1", "q2", "q3", "q4", "q5", "q6", "q7", "other"} {
		mustNoErr(t, errOf(c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(n)})))
	}
	all, err := c.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("q")})
	mustNoErr(t, err)
	if len(all.QueueUrls) != 7 || all.NextToken != nil {
		t.Fatalf("without MaxResults: %d urls, token %v", len(all.QueueUrls), all.NextToken)
	}
	var urls []string
	pages := 0
	for p := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("q"), MaxResults: aws.Int32(100)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		pages++
		urls = append(urls, out.QueueUrls...)
	}
	if pages != 2 || len(urls) != 7 {
		t.Fatalf("%d pages, %d urls", pages, len(urls))
	}
	wantCode(t, errOf(c.ListQueues(ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(5), NextToken: aws.String("bogus")})), "InvalidParameterValue")
}

func TestSQSMessages(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, dlqARN := mustQueue(t, c, "dlq", nil)
	url, _ := mustQueue(t, c, "work", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":"2"}`})

	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("job-1")})
	mustNoErr(t, err) // the SDK verifies MD5OfMessageBody
	receive := func() []sqstypes.Message {
		t.Helper()
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}})
		mustNoErr(t, err)
		return out.Messages
	}
	msgs := receive()
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "job-1" || aws.ToString(msgs[0].MessageId) != aws.ToString(sent.MessageId) || msgs[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v", msgs)
	}
	if again := receive(); len(again) != 0 {
		t.Fatalf("message visible during its visibility timeout: %+v", again)
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessagesNotVisible"}})
	mustNoErr(t, err)
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Fatalf("in flight = %v", attrs.Attributes)
	}
	clk.advance(31 * time.Second)
	msgs = receive()
	if len(msgs) != 1 || msgs[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive = %+v", msgs)
	}
	// The third receive exceeds maxReceiveCount: the message moves to the DLQ.
	clk.advance(31 * time.Second)
	if third := receive(); len(third) != 0 {
		t.Fatalf("third receive returned %+v", third)
	}
	if dead := s.ReceiveAll(dlqARN); len(dead) != 1 || dead[0] != "job-1" {
		t.Fatalf("dead-letter queue = %v", dead)
	}

	mustNoErr(t, errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("job-2")})))
	msgs = receive()
	mustNoErr(t, errOf(c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle})))
	mustNoErr(t, errOf(c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: msgs[0].ReceiptHandle})))
	clk.advance(time.Hour)
	if left := receive(); len(left) != 0 {
		t.Fatalf("deleted message came back: %+v", left)
	}

	mustNoErr(t, errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("job-3")})))
	mustNoErr(t, errOf(c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})))
	if left := receive(); len(left) != 0 {
		t.Fatalf("purged message came back: %+v", left)
	}
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"purge again", errOf(c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})), "AWS.SimpleQueueService.PurgeQueueInProgress"},
		{"bad receipt", errOf(c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("nope")})), "ReceiptHandleIsInvalid"},
		{"too many", errOf(c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})), "InvalidParameterValue"},
		{"empty body", errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("")})), "InvalidParameterValue"},
		{"too large", errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 262145))})), "InvalidParameterValue"},
		{"control character", errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("a\x01b")})), "InvalidMessageContents"},
		{"delay too long", errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"), DelaySeconds: 901})), "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}
	clk.advance(sqsPurgeInterval)
	mustNoErr(t, errOf(c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)})))
}

func TestSQSSendHookHonoursQueuePolicy(t *testing.T) {
	s, u, _ := newTestServer(t)
	c := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, arn := mustQueue(t, c, "inbox", map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},` +
		`"Action":"sqs:SendMessage","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:events:us-east-1:` + mgmt + `:rule/*"}}}]}`})
	for _, tc := range []struct {
		from    sqsSender
		allowed bool
	}{
		{sqsSender{service: "events.amazonaws.com", account: mgmt, sourceARN: "arn:aws:events:us-east-1:" + mgmt + ":rule/alerts"}, true},
		{sqsSender{service: "events.amazonaws.com", account: peerAccount, sourceARN: "arn:aws:events:us-east-1:" + peerAccount + ":rule/alerts"}, false},
		{sqsSender{service: "sns.amazonaws.com", account: mgmt, sourceARN: "arn:aws:sns:us-east-1:" + mgmt + ":t"}, false},
	} {
		s.mu.Lock()
		err := s.sendToSQSAs(tc.from, arn, "m")
		s.mu.Unlock()
		if tc.allowed {
			mustNoErr(t, err)
		} else {
			wantLocalCode(t, err, "AccessDeniedException")
		}
	}
	if got := s.ReceiveAll(arn); len(got) != 1 {
		t.Fatalf("delivered %d messages, want 1", len(got))
	}
}

// A deleted queue is gone with its messages, and its name stays taken for
// 60 seconds.
func TestSQSDeleteQueue(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	c := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	url, _ := mustQueue(t, c, "dead-letters", nil)
	mustNoErr(t, errOf(c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("kept")})))
	mustNoErr(t, errOf(c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})))
	wantCode(t, errOf(c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("dead-letters")})), "AWS.SimpleQueueService.NonExistentQueue")
	wantCode(t, errOf(c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)})), "AWS.SimpleQueueService.NonExistentQueue")
	wantCode(t, errOf(c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dead-letters")})), "AWS.SimpleQueueService.QueueDeletedRecently")
	clk.advance(time.Minute)
	url, _ = mustQueue(t, c, "dead-letters", nil)
	out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	mustNoErr(t, err)
	if len(out.Messages) != 0 {
		t.Fatalf("the new queue holds the deleted one's messages: %v", out.Messages)
	}
}
