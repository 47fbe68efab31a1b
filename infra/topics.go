package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// TopicsProps configures NewTopics.
type TopicsProps struct {
	// OperationsEmails receive pipeline results and failures (notifications.operationsEmails).
	OperationsEmails []string
	// AlertEmails receive the formatted security alerts of every account (notifications.alertEmails).
	AlertEmails []string
	// Alerts creates the central alerts topic: only the stack that holds the alert fan-in has one.
	Alerts bool
}

// Topics holds landfall's two SNS topics and the key that encrypts them.
type Topics struct {
	// Key is a customer managed key with rotation: alerts describe security findings, and only a customer
	// key lets the key policy name the services allowed to write them.
	Key awskms.Key
	// Operations carries pipeline outcomes and operational alarms to the platform team.
	Operations awssns.Topic
	// Alerts carries the organization-wide security alerts produced by the formatter; nil when
	// TopicsProps.Alerts is false.
	Alerts awssns.Topic
}

// NewTopics creates the operations topic and, when asked, the central alerts topic, with their email
// subscriptions.
func NewTopics(scope constructs.Construct, id *string, props *TopicsProps) *Topics {
	if props == nil {
		props = &TopicsProps{}
	}
	construct := constructs.NewConstruct(scope, id)
	description := "Encrypts landfall's operations topic."
	if props.Alerts {
		description = "Encrypts landfall's operations and alerts topics and the alert fan-in queue."
	}
	key := awskms.NewKey(construct, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
	})
	// CloudWatch alarms publish to the operations topic; SNS encrypts with the caller's data key, so the
	// CloudWatch service principal must be allowed to use the key or alarm notifications are silently lost.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), jsii.Bool(true))
	topics := &Topics{Key: key, Operations: newTopic(construct, "Operations", "landfall operations", key, props.OperationsEmails)}
	if props.Alerts {
		topics.Alerts = newTopic(construct, "Alerts", "landfall security alerts", key, props.AlertEmails)
	}
	return topics
}

func newTopic(scope constructs.Construct, id, displayName string, key awskms.IKey, emails []string) awssns.Topic {
	topic := awssns.NewTopic(scope, jsii.String(id), &awssns.TopicProps{
		DisplayName: jsii.String(displayName),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	for _, email := range emails {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return topic
}
