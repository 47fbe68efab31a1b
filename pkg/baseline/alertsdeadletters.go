package baseline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/landfall/landfall/pkg/alarms"
	"github.com/landfall/landfall/pkg/awsx"
)

// The alerts topic's dead-letter queue, in the home region: an alert the
// topic could not deliver to the central fan-in (its queue deleted, or its
// policy or key refusing SNS) waits there instead of being dropped. An
// alarm on the queue's depth tells the topic's other subscribers, and
// every plan reports the letters waiting, so a sweep finds them even when
// nobody else subscribes.
//
// SNS takes only a queue of the subscription's own account and region, and
// an encrypted one only with a customer managed key whose policy lets SNS
// use it ("Amazon SNS dead-letter queues", SNS Developer Guide): the queue
// is encrypted with the alerts topic's key, which admits SNS (alertsKey).
// Its policy admits SNS for the account's alerts topic only, as
// "Configuring an Amazon SNS dead-letter queue for a subscription" shows.

// deadLetterRetention is SQS's longest retention, 14 days: time for a
// person to read the letters after the alarm.
const deadLetterRetention = 14 * 24 * 60 * 60

// deadLettersAlarmKey names the alarm on the queue's depth
// (config.AlarmName), beside the catalogue's alarms.
const deadLettersAlarmKey = "alerts-dead-letters"

type alertsDeadLetterQueue struct {
	Name, ARN, KeyAlias string
	Policy              iamPolicy
}

func desiredAlertsDeadLetterQueue(s *Spec) alertsDeadLetterQueue {
	q := alertsDeadLetterQueue{Name: s.Config.AlertsDeadLetterQueueName(), KeyAlias: s.Config.AlertsKeyAlias()}
	q.ARN = "arn:aws:sqs:" + s.HomeRegion() + ":" + s.Account.ID + ":" + q.Name
	q.Policy = newIAMPolicy(
		iamStatement{Sid: "AlertsTopicDeadLetters", Effect: "Allow", Principal: map[string][]string{"Service": {"sns.amazonaws.com"}},
			Action: []string{"sqs:SendMessage"}, Resource: []string{q.ARN},
			Condition: map[string]map[string][]string{"ArnEquals": {"aws:SourceArn": {alertsTopicARN(s, s.HomeRegion())}}}},
		iamStatement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}},
			Action: []string{"sqs:*"}, Resource: []string{q.ARN},
			Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}}},
	)
	return q
}

// redrivePolicy is the subscription attribute that names the queue.
func (q alertsDeadLetterQueue) redrivePolicy() string {
	return `{"deadLetterTargetArn":"` + q.ARN + `"}`
}

// attributes are the queue attributes landfall sets and compares.
func (q alertsDeadLetterQueue) attributes() map[string]string {
	return map[string]string{"Policy": q.Policy.JSON(), "KmsMasterKeyId": q.KeyAlias, "MessageRetentionPeriod": strconv.Itoa(deadLetterRetention)}
}

// deadLettersAlarm is the alarm on the queue's depth, acting on the
// alerts topic like the catalogue's alarms.
func deadLettersAlarm(q alertsDeadLetterQueue) alarms.Alarm {
	return alarms.Alarm{
		Key: deadLettersAlarmKey, Title: "Undelivered alerts",
		MetricNamespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: map[string]string{"QueueName": q.Name},
		Statistic: alarms.StatisticMaximum, Period: 300, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: "GreaterThanThreshold",
		TreatMissingData: "notBreaching", Severity: alarms.SeverityHigh,
		Explanation: "Alerts of this account that its alerts topic could not deliver to the central fan-in wait in " + q.Name + ".",
		Runbook:     "Check that the fan-in queue exists and its policy and key admit SNS, then read the waiting alerts from " + q.Name + ".",
	}
}

func planAlertsDeadLetterQueue(ctx context.Context, client *sqs.Client, spec *Spec, want alertsDeadLetterQueue) ([]Change, error) {
	resource := "queue/" + want.Name
	url, err := findQueueURLByName(ctx, client, want.Name)
	if awsx.NotFound(err) {
		return []Change{{Resource: resource, Action: Create, Apply: func(ctx context.Context) error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(want.Name), Attributes: want.attributes(), Tags: spec.Tags})
			if err != nil {
				return fmt.Errorf("creating SQS queue (%s): %w", want.Name, err)
			}
			return nil
		}}}, nil
	}
	if err != nil {
		return nil, err
	}
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		return nil, fmt.Errorf("reading SQS queue (%s): %w", want.Name, err)
	}
	tags, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil {
		return nil, fmt.Errorf("listing tags of SQS queue (%s): %w", want.Name, err)
	}
	if !Owned(tags.Tags) && !spec.Profile.Adopt {
		return []Change{conflictChange(spec, resource, "SQS queue", want.Name)}, nil
	}
	have := out.Attributes
	var diffs []Diff
	if !iamPoliciesEquivalent(have["Policy"], want.Policy.JSON()) {
		diffs = append(diffs, Diff{"Policy", displayIAMPolicy(have["Policy"]), want.Policy.JSON()})
	}
	diffField(&diffs, "KmsMasterKeyId", have["KmsMasterKeyId"], want.KeyAlias)
	diffField(&diffs, "MessageRetentionPeriod", have["MessageRetentionPeriod"], strconv.Itoa(deadLetterRetention))
	var edits []roleEdit
	if len(diffs) > 0 {
		edits = append(edits, roleEdit{diffs, func(ctx context.Context) error {
			_, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: want.attributes()})
			if err != nil {
				return fmt.Errorf("setting attributes of SQS queue (%s): %w", want.Name, err)
			}
			return nil
		}})
	}
	if missing, d := missingTags(tags.Tags, spec.Tags); len(missing) > 0 {
		edits = append(edits, roleEdit{d, func(ctx context.Context) error {
			if _, err := client.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: missing}); err != nil {
				return fmt.Errorf("tagging SQS queue (%s): %w", want.Name, err)
			}
			return nil
		}})
	}
	changes := []Change{editsChange(resource, edits)}
	if n, _ := strconv.Atoi(have["ApproximateNumberOfMessages"]); n > 0 {
		changes = append(changes, Change{Resource: resource, Action: Finding, Detail: fmt.Sprintf(
			"%s holds alerts the alerts topic could not deliver to the central fan-in (%d waiting): check that the fan-in queue exists and admits SNS, then read them from %s",
			want.Name, n, want.Name)})
	}
	return changes, nil
}

// findQueueURLByName returns the queue's URL, or a NotFoundError.
func findQueueURLByName(ctx context.Context, client *sqs.Client, name string) (string, error) {
	out, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	if awsx.IsA[*sqstypes.QueueDoesNotExist](err) {
		return "", &awsx.NotFoundError{What: "SQS queue (" + name + ")", Err: err}
	}
	if err != nil {
		return "", fmt.Errorf("finding SQS queue (%s): %w", name, err)
	}
	return aws.ToString(out.QueueUrl), nil
}
