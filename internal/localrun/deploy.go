package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Deployed is what Deploy created.
type Deployed struct {
	// Tables are the DynamoDB tables' names.
	Tables []string
	// Topics are the SNS topics' ARNs.
	Topics []string
	// Queues are the named SQS queues (the alert fan-in), by name.
	Queues map[string]DeployedQueue
}

// DeployedQueue is a queue Deploy created.
type DeployedQueue struct{ URL, ARN string }

// Deploy creates the template's stateful resources with cfg, in its
// account and region, as CloudFormation would: the customer managed
// policies, every role with its policies, the DynamoDB tables, the SNS topics with their email
// subscriptions, and the queues other accounts send to by name with their
// policies. What nothing reads locally (log groups, alarms, the dashboard,
// dead-letter queues) is left out. A policy may name what only a
// deployment knows (a custom resource's output): set it first with
// SetAttribute.
func (t *Template) Deploy(ctx context.Context, cfg aws.Config) (Deployed, error) {
	var d Deployed
	if err := t.deployManagedPolicies(ctx, iam.NewFromConfig(cfg)); err != nil {
		return d, err
	}
	roles, err := t.Roles()
	if err != nil {
		return d, err
	}
	if err := DeployRoles(ctx, iam.NewFromConfig(cfg), roles); err != nil {
		return d, err
	}
	for _, id := range t.LogicalIDs("AWS::DynamoDB::Table") {
		name, err := t.deployTable(ctx, dynamodb.NewFromConfig(cfg), id)
		if err != nil {
			return d, fmt.Errorf("deploying %s (AWS::DynamoDB::Table) locally: %w", id, err)
		}
		d.Tables = append(d.Tables, name)
	}
	for _, id := range t.LogicalIDs("AWS::SNS::Topic") {
		arn, err := t.Ref(id)
		if err == nil {
			_, err = sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(arn[strings.LastIndex(arn, ":")+1:])})
		}
		if err != nil {
			return d, fmt.Errorf("deploying %s (AWS::SNS::Topic) locally: %w", id, err)
		}
		d.Topics = append(d.Topics, arn)
	}
	if d.Queues, err = t.deployQueues(ctx, sqs.NewFromConfig(cfg)); err != nil {
		return d, err
	}
	return d, t.deployEmailSubscriptions(ctx, sns.NewFromConfig(cfg))
}

// deployManagedPolicies creates the template's AWS::IAM::ManagedPolicy
// resources that stand alone, named and attached to no one: the ones
// landfall's deploy makes for the baseline to use.
func (t *Template) deployManagedPolicies(ctx context.Context, client *iam.Client) error {
	for _, id := range t.LogicalIDs("AWS::IAM::ManagedPolicy") {
		props := t.resolver.resources[id].Properties
		if props["Roles"] != nil || props["Users"] != nil || props["Groups"] != nil {
			return fmt.Errorf("deploying %s (AWS::IAM::ManagedPolicy) locally: only policies attached to no one are supported", id)
		}
		var name, description string
		_ = json.Unmarshal(props["ManagedPolicyName"], &name)
		_ = json.Unmarshal(props["Description"], &description)
		doc, err := t.resolver.resolveJSON(props["PolicyDocument"])
		if err == nil && name == "" {
			err = fmt.Errorf("it has no ManagedPolicyName")
		}
		if err == nil {
			in := &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}
			if description != "" {
				in.Description = aws.String(description)
			}
			_, err = client.CreatePolicy(ctx, in)
		}
		if err != nil {
			return fmt.Errorf("deploying %s (AWS::IAM::ManagedPolicy) locally: %w", id, err)
		}
	}
	return nil
}

func (t *Template) deployTable(ctx context.Context, client *dynamodb.Client, id string) (string, error) {
	props := t.resolver.resources[id].Properties
	name, err := t.Ref(id)
	if err != nil {
		return "", err
	}
	in := &dynamodb.CreateTableInput{TableName: aws.String(name), BillingMode: ddbtypes.BillingModePayPerRequest}
	if err := json.Unmarshal(props["KeySchema"], &in.KeySchema); err != nil {
		return "", fmt.Errorf("reading its key schema: %w", err)
	}
	if err := json.Unmarshal(props["AttributeDefinitions"], &in.AttributeDefinitions); err != nil {
		return "", fmt.Errorf("reading its attribute definitions: %w", err)
	}
	_, err = client.CreateTable(ctx, in)
	return name, err
}

// deployQueues creates the queues that have a name of their own, with the
// policy of their AWS::SQS::QueuePolicy: who may send to them.
func (t *Template) deployQueues(ctx context.Context, client *sqs.Client) (map[string]DeployedQueue, error) {
	out := map[string]DeployedQueue{}
	for _, id := range t.LogicalIDs("AWS::SQS::Queue") {
		var name string
		_ = json.Unmarshal(t.resolver.resources[id].Properties["QueueName"], &name)
		if name == "" {
			continue
		}
		policy, err := t.queuePolicy(id)
		if err != nil {
			return nil, err
		}
		arn, err := t.resolver.arn(id)
		if err != nil {
			return nil, err
		}
		q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"Policy": policy}})
		if err != nil {
			return nil, fmt.Errorf("deploying %s (AWS::SQS::Queue) locally: %w", id, err)
		}
		out[name] = DeployedQueue{URL: aws.ToString(q.QueueUrl), ARN: arn}
	}
	return out, nil
}

// queuePolicy is the resolved policy document of the queue queueID.
func (t *Template) queuePolicy(queueID string) (string, error) {
	for _, id := range t.LogicalIDs("AWS::SQS::QueuePolicy") {
		props := t.resolver.resources[id].Properties
		var queues []struct{ Ref string }
		if json.Unmarshal(props["Queues"], &queues) != nil ||
			!slices.ContainsFunc(queues, func(q struct{ Ref string }) bool { return q.Ref == queueID }) {
			continue
		}
		doc, err := t.Resolve(props["PolicyDocument"])
		if err != nil {
			return "", fmt.Errorf("resolving %s locally: %w", id, err)
		}
		b, err := json.Marshal(doc)
		return string(b), err
	}
	return "", fmt.Errorf("deploying %s locally: the template has no policy for the queue", queueID)
}

// deployEmailSubscriptions subscribes the template's email addresses to
// their topics; SNS mails each a confirmation.
func (t *Template) deployEmailSubscriptions(ctx context.Context, client *sns.Client) error {
	for _, id := range t.LogicalIDs("AWS::SNS::Subscription") {
		props := t.resolver.resources[id].Properties
		var protocol, endpoint string
		_ = json.Unmarshal(props["Protocol"], &protocol)
		_ = json.Unmarshal(props["Endpoint"], &endpoint)
		var topicRef struct{ Ref string }
		_ = json.Unmarshal(props["TopicArn"], &topicRef)
		topic, err := t.Ref(topicRef.Ref)
		if err != nil || protocol != "email" {
			continue
		}
		if _, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(protocol), Endpoint: aws.String(endpoint)}); err != nil {
			return fmt.Errorf("subscribing %s (%s) locally: %w", endpoint, id, err)
		}
	}
	return nil
}
