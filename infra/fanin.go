package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

const (
	// fanInVisibilityTimeoutFactor follows the Lambda guidance for SQS event sources: the queue's visibility
	// timeout is six times the function timeout, so a batch retried by the poller is not redelivered while
	// an earlier attempt is still running.
	fanInVisibilityTimeoutFactor = 6
	// fanInMaxReceiveCount moves a message that keeps failing to the dead-letter queue instead of retrying
	// it until it expires; the DLQ depth alarm then tells operations.
	fanInMaxReceiveCount = 5
	// fanInBatchSize bounds one invocation's work; alerts are rare, so batching is about bursts (an alarm
	// storm after a bad deployment), not steady throughput.
	fanInBatchSize = 10
)

// FanInProps configures NewFanIn.
type FanInProps struct {
	// MemberAlertsTopicName is the alerts topic the baseline creates in every account, the one topic name
	// SNS may deliver to the queue for.
	MemberAlertsTopicName string
	// QueueName is fixed because member accounts' alerts topics subscribe the queue by ARN.
	QueueName string
	// Key encrypts the queue and its DLQ.
	Key awskms.IKey
	// Formatter consumes the queue and publishes to the central alerts topic.
	Formatter awslambda.Function
}

// FanIn is the central alert fan-in: every member account's alerts topic subscribes this queue.
type FanIn struct {
	Queue           awssqs.Queue
	DeadLetterQueue awssqs.Queue
}

// NewFanIn creates the fan-in queue, opens it to the organization's SNS topics and connects the formatter.
func NewFanIn(scope constructs.Construct, id *string, props *FanInProps) *FanIn {
	if props == nil {
		panic("NewFanIn: props are required")
	}
	construct := constructs.NewConstruct(scope, id)
	dlq := awssqs.NewQueue(construct, jsii.String("DeadLetterQueue"), &awssqs.QueueProps{
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: props.Key,
		EnforceSSL:          jsii.Bool(true),
		RetentionPeriod:     awscdk.Duration_Days(jsii.Number(14)),
	})
	queue := awssqs.NewQueue(construct, jsii.String("Queue"), &awssqs.QueueProps{
		QueueName:           jsii.String(props.QueueName),
		Encryption:          awssqs.QueueEncryption_KMS,
		EncryptionMasterKey: props.Key,
		EnforceSSL:          jsii.Bool(true),
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(
			*props.Formatter.Timeout().ToSeconds(nil) * fanInVisibilityTimeoutFactor)),
		DeadLetterQueue: &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(fanInMaxReceiveCount)},
	})

	// SNS delivers on behalf of the member account's topic, so the caller is the SNS service principal, and
	// the documented way to scope it is aws:SourceArn, the topic ("Subscribing an Amazon SQS queue to an
	// Amazon SNS topic"). aws:SourceOrgID is not documented to reach SQS, so the queue names every account's
	// alerts topic by pattern; which accounts may actually deliver is decided when the formatter confirms a
	// subscription, for topics of the organization's member accounts only. Accounts join and leave the
	// organization all the time; neither needs a redeploy.
	sns := awsiam.NewServicePrincipal(jsii.String("sns.amazonaws.com"), nil)
	queue.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowOrganizationTopics"),
		Principals: &[]awsiam.IPrincipal{sns},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  jsii.Strings(*queue.QueueArn()),
		Conditions: &map[string]interface{}{
			"ArnLike": map[string]interface{}{"aws:SourceArn": memberTopicsPattern(construct, props.MemberAlertsTopicName)},
		},
	}))
	// The queue is KMS-encrypted, so SNS also needs the key to write to it. SNS is not documented to send
	// any condition key to KMS, so the statement has none: one would keep every delivery out. The queue
	// policy above decides who may deliver.
	props.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowOrganizationTopicsToEncrypt"),
		Principals: &[]awsiam.IPrincipal{sns},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), jsii.Bool(true))

	props.Formatter.AddEventSource(awslambdaeventsources.NewSqsEventSource(queue, &awslambdaeventsources.SqsEventSourceProps{
		BatchSize:               jsii.Number(fanInBatchSize),
		ReportBatchItemFailures: jsii.Bool(true),
	}))
	return &FanIn{Queue: queue, DeadLetterQueue: dlq}
}

// memberTopicsPattern is the ARN pattern of every account's alerts topic, in any region.
func memberTopicsPattern(scope constructs.Construct, topicName string) *string {
	return awscdk.Fn_Join(jsii.String(""), jsii.Strings("arn:", *awscdk.Stack_Of(scope).Partition(), ":sns:*:*:", topicName))
}
