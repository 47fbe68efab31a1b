package baseline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/landfall/landfall/pkg/alarms"
	"github.com/landfall/landfall/pkg/awsx"
)

// Dead-letter queues keep what a delivery of the alert path could not
// deliver, instead of dropping it. Every plan reports the letters waiting,
// so a sweep finds them even where no alarm can tell anyone.
//
// The alerts queue, in the home region, keeps what the alerts topic could
// not deliver to the central fan-in (its queue deleted, or its policy or
// key refusing SNS) and the GuardDuty findings the home region's findings
// rule could not publish to the topic. An alarm on its depth tells the
// topic's other subscribers. SNS takes only a queue of the subscription's
// own account and region, and an encrypted one only with a customer managed
// key whose policy lets SNS use it ("Amazon SNS dead-letter queues", SNS
// Developer Guide): the queue is encrypted with the alerts topic's key,
// which admits SNS and EventBridge (alertsKey). Its policy admits SNS for
// the account's alerts topic and EventBridge for the findings rule only,
// as "Configuring an Amazon SNS dead-letter queue for a subscription" and
// "Using dead-letter queues to process undelivered events" (EventBridge
// User Guide) show.
//
// Every other governed region has a findings queue of its own, for the
// findings its rule could not forward to the home region's bus: a rule's
// dead-letter queue must be in its region (stricter reading, see the
// endpoint's PutTargets). Those regions have no topic, so no alarm could
// tell anyone; the plan's finding is the signal. SQS's own keys encrypt
// them (SSE-SQS), which need no key policy for EventBridge.

// deadLetterRetention is SQS's longest retention, 14 days: time for a
// person to read the letters after the alarm or the sweep's finding.
const deadLetterRetention = 14 * 24 * 60 * 60

// deadLettersAlarmKey names the alarm on the alerts queue's depth
// (config.AlarmName), beside the catalogue's alarms.
const deadLettersAlarmKey = "alerts-dead-letters"

type deadLetterQueue struct {
	Name, ARN string
	// KeyAlias is the customer managed key that encrypts the queue; ""
	// means SQS's own (SSE-SQS).
	KeyAlias string
	Policy   iamPolicy
	// Holds says what the letters are and Check what to look at first,
	// for the plan's finding.
	Holds, Check string
}

// admitting is the statement that lets service send letters for source;
// newDeadLetterQueue names the queue in it.
func admitting(sid, service, source string) iamStatement {
	return iamStatement{Sid: sid, Effect: "Allow", Principal: map[string][]string{"Service": {service}},
		Action: []string{"sqs:SendMessage"}, Condition: map[string]map[string][]string{"ArnEquals": {"aws:SourceArn": {source}}}}
}

func newDeadLetterQueue(s *Spec, region, name string, admit ...iamStatement) deadLetterQueue {
	q := deadLetterQueue{Name: name, ARN: "arn:aws:sqs:" + region + ":" + s.Account.ID + ":" + name}
	for i := range admit {
		admit[i].Resource = []string{q.ARN}
	}
	q.Policy = newIAMPolicy(append(admit,
		iamStatement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}},
			Action: []string{"sqs:*"}, Resource: []string{q.ARN},
			Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}}})...)
	return q
}

func desiredAlertsDeadLetterQueue(s *Spec) deadLetterQueue {
	name, home := s.Config.AlertsDeadLetterQueueName(), s.HomeRegion()
	admit := []iamStatement{admitting("AlertsTopicDeadLetters", "sns.amazonaws.com", alertsTopicARN(s, home))}
	if s.Profile.Items.GuardDuty.Enabled {
		admit = append(admit, admitting("FindingsRuleDeadLetters", "events.amazonaws.com", findingsRuleARN(s, home)))
	}
	q := newDeadLetterQueue(s, home, name, admit...)
	q.KeyAlias = s.Config.AlertsKeyAlias()
	q.Holds = "alerts the alerts topic could not deliver to the central fan-in, or GuardDuty findings the findings rule could not publish to the topic"
	q.Check = "check that the fan-in queue admits SNS and the alerts topic admits EventBridge"
	return q
}

// desiredFindingsDeadLetterQueue is the queue of a region other than home.
func desiredFindingsDeadLetterQueue(s *Spec, region string) deadLetterQueue {
	q := newDeadLetterQueue(s, region, s.Config.FindingsDeadLetterQueueName(),
		admitting("FindingsRuleDeadLetters", "events.amazonaws.com", findingsRuleARN(s, region)))
	q.Holds = "GuardDuty findings the findings rule could not forward to " + s.HomeRegion() + "'s event bus"
	q.Check = "check the role " + findingsForwarderName(s) + " and that it may put events on that bus"
	return q
}

// redrivePolicy is the subscription attribute that names the queue.
func (q deadLetterQueue) redrivePolicy() string {
	return `{"deadLetterTargetArn":"` + q.ARN + `"}`
}

// attributes are the queue attributes landfall sets and compares.
func (q deadLetterQueue) attributes() map[string]string {
	a := map[string]string{"Policy": q.Policy.JSON(), "MessageRetentionPeriod": strconv.Itoa(deadLetterRetention)}
	if q.KeyAlias != "" {
		a["KmsMasterKeyId"] = q.KeyAlias
	} else {
		a["SqsManagedSseEnabled"] = "true"
	}
	return a
}

// deadLettersAlarm is the alarm on the alerts queue's depth, acting on the
// alerts topic like the catalogue's alarms.
func deadLettersAlarm(q deadLetterQueue) alarms.Alarm {
	return alarms.Alarm{
		Key: deadLettersAlarmKey, Title: "Undelivered alerts",
		MetricNamespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: map[string]string{"QueueName": q.Name},
		Statistic: alarms.StatisticMaximum, Period: 300, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: "GreaterThanThreshold",
		TreatMissingData: "notBreaching", Severity: alarms.SeverityHigh,
		Explanation: "Alerts of this account that could not be delivered (to the central fan-in, or GuardDuty findings to the alerts topic) wait in " + q.Name + ".",
		Runbook:     "Check that the fan-in queue exists and admits SNS, and that the alerts topic admits EventBridge, then read the waiting alerts from " + q.Name + ".",
	}
}

// deadLetterQueuePermissions are what planDeadLetterQueue needs.
func deadLetterQueuePermissions(s *Spec) iamStatement {
	return allow("SQS", []string{"arn:aws:sqs:*:*:" + s.Prefix + "-*"},
		"sqs:CreateQueue", "sqs:GetQueueUrl", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:ListQueueTags")
}

// planDeadLetterQueue creates or repairs the queue, and reports the
// letters waiting in it.
func planDeadLetterQueue(ctx context.Context, client *sqs.Client, spec *Spec, want deadLetterQueue) ([]Change, error) {
	c, have, err := planOwned(ctx, spec, owned[sqsQueue]{
		Kind: "SQS queue", Name: want.Name, Resource: "queue/" + want.Name,
		Find: func(ctx context.Context) (sqsQueue, error) { return findQueueByName(ctx, client, want.Name) },
		Tags: func(ctx context.Context, q sqsQueue) (map[string]string, error) {
			out, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(q.URL)})
			if err != nil {
				return nil, fmt.Errorf("listing tags of SQS queue (%s): %w", want.Name, err)
			}
			return out.Tags, nil
		},
		Tag: func(ctx context.Context, q sqsQueue, missing, _ map[string]string) error {
			_, err := client.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(q.URL), Tags: missing})
			return err
		},
		Create: func(ctx context.Context) error {
			_, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(want.Name), Attributes: want.attributes(), Tags: spec.Tags})
			if err != nil {
				return fmt.Errorf("creating SQS queue (%s): %w", want.Name, err)
			}
			return nil
		},
		Edits: func(_ context.Context, q sqsQueue) ([]edit, error) { return diffDeadLetterQueue(client, want, q), nil },
	})
	if err != nil {
		return nil, err
	}
	changes := []Change{c}
	if n, _ := strconv.Atoi(have.Attributes["ApproximateNumberOfMessages"]); n > 0 && c.Action != Conflict {
		changes = append(changes, Change{Resource: c.Resource, Action: Finding, Detail: fmt.Sprintf(
			"%s holds %s (%d waiting): %s, then read them from %s", want.Name, want.Holds, n, want.Check, want.Name)})
	}
	return changes, nil
}

func diffDeadLetterQueue(client *sqs.Client, want deadLetterQueue, q sqsQueue) []edit {
	attrs := want.attributes()
	var diffs []Diff
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		switch {
		case k != "Policy":
			diffField(&diffs, k, q.Attributes[k], attrs[k])
		case !iamPoliciesEquivalent(q.Attributes[k], attrs[k]):
			diffs = append(diffs, Diff{k, displayIAMPolicy(q.Attributes[k]), attrs[k]})
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	return []edit{{diffs, func(ctx context.Context) error {
		_, err := client.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(q.URL), Attributes: attrs})
		if err != nil {
			return fmt.Errorf("setting attributes of SQS queue (%s): %w", want.Name, err)
		}
		return nil
	}}}
}

// sqsQueue is a queue as read back: its URL and every attribute.
type sqsQueue struct {
	URL        string
	Attributes map[string]string
}

// findQueueByName returns the queue with its attributes, or a
// NotFoundError.
func findQueueByName(ctx context.Context, client *sqs.Client, name string) (sqsQueue, error) {
	url, err := findQueueURLByName(ctx, client, name)
	if err != nil {
		return sqsQueue{}, err
	}
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		return sqsQueue{}, fmt.Errorf("reading SQS queue (%s): %w", name, err)
	}
	return sqsQueue{URL: url, Attributes: out.Attributes}, nil
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
