package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/config"
)

// resource is the part of a template resource the local deploy reads.
type resource struct {
	Type       string                     `json:"Type"`
	Properties map[string]json.RawMessage `json:"Properties"`
}

// deployment is what the local deploy created: the names the demo needs.
type deployment struct {
	// tpl is the management account's stack; alerts is the security
	// account's central alerts stack, nil when the fan-in is in tpl.
	tpl, alerts *localrun.Template
	ledgerTable string
	// fanInAdmin acts in the account of the fan-in queue and the formatter,
	// as Lambda's SQS event source does.
	fanInAdmin      aws.Config
	fanInQueueURL   string
	fanInQueueARN   string
	formatterARN    string
	baseline, sweep localrun.StateMachine
}

// centralAlertsTemplate is the security account's stack in cdk.out when
// notifications.centralAlerts is security.
const centralAlertsTemplate = "landfall-central-alerts.template.json"

// deploy creates, on the local endpoint, the stateful resources of the
// synthesized stacks that the pipeline uses: every role with its policies,
// the ledger table, the topics and their email subscriptions, the fan-in
// queue with its policy, and the EventBridge rules with their targets. What
// CloudFormation would create and nothing reads (log groups, alarms, the
// dashboard) is left out.
func (r *run) deploy(ctx context.Context, templatePath string) error {
	d := &deployment{fanInAdmin: r.admin}
	r.dep = d
	var err error
	if d.tpl, err = r.deployStack(ctx, r.mgmtTemplate, templatePath, r.mgmt); err != nil {
		return err
	}
	templates := []*localrun.Template{d.tpl}
	if r.cfg.Notifications.CentralAlerts == config.CentralAlertsSecurity {
		security := r.cfg.Organization.SecurityAccountID
		d.fanInAdmin = r.adminOf(ctx, security)
		path := filepath.Join(filepath.Dir(templatePath), centralAlertsTemplate)
		alerts, err := localrun.ReadTemplate(path, localrun.TemplateOptions{Region: r.home, Account: security})
		if err != nil {
			return err
		}
		if d.alerts, err = r.deployStack(ctx, alerts, path, security); err != nil {
			return err
		}
		templates = append(templates, d.alerts)
		r.printf("%s into the security account %s: fan-in queue, formatter, alerts topic; it reaches the ledger through %s\n",
			centralAlertsTemplate, security, r.cfg.AlertsBridgeRoleName())
	}
	for _, tpl := range templates {
		for _, f := range tpl.Functions {
			if strings.HasSuffix(f.Package, "/formatter") {
				d.formatterARN = f.ARN
			}
		}
	}
	// The state machines exist for whoever lists them; the demo runs their
	// executions itself (startPipeline).
	for _, sm := range d.tpl.StateMachines {
		r.srv.RegisterStateMachine(r.mgmt, r.home, sm.Name)
	}
	if d.baseline, err = d.tpl.StateMachine("baseline-account"); err != nil {
		return err
	}
	if d.sweep, err = d.tpl.StateMachine("sweep"); err != nil {
		return err
	}
	return r.deployRules(ctx)
}

// readResources reads the resources of a synthesized template.
func readResources(templatePath string) (map[string]resource, error) {
	raw, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, fmt.Errorf("reading the synthesized template (%s): %w; run `make synth`", templatePath, err)
	}
	var doc struct {
		Resources map[string]resource `json:"Resources"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("decoding the template (%s): %w", templatePath, err)
	}
	return doc.Resources, nil
}

// deployStack deploys one synthesized template, tpl read from
// templatePath with its references resolved in account, into that account,
// and returns it.
func (r *run) deployStack(ctx context.Context, tpl *localrun.Template, templatePath, account string) (*localrun.Template, error) {
	resources, err := readResources(templatePath)
	if err != nil {
		return nil, err
	}
	d := r.dep
	admin := r.adminOf(ctx, account)
	roles, err := tpl.Roles()
	if err != nil {
		return nil, err
	}
	if err := localrun.DeployRoles(ctx, iam.NewFromConfig(admin), roles); err != nil {
		return nil, err
	}
	for id, res := range resources {
		switch res.Type {
		case "AWS::DynamoDB::Table":
			d.ledgerTable, err = tpl.Ref(id)
			if err == nil {
				_, err = dynamodb.NewFromConfig(admin).CreateTable(ctx, &dynamodb.CreateTableInput{
					TableName:            aws.String(d.ledgerTable),
					AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("accountId"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
					KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("accountId"), KeyType: ddbtypes.KeyTypeHash}},
					BillingMode:          ddbtypes.BillingModePayPerRequest,
				})
			}
		case "AWS::SNS::Topic":
			var arn string
			if arn, err = tpl.Ref(id); err == nil {
				_, err = sns.NewFromConfig(admin).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(arn[strings.LastIndex(arn, ":")+1:])})
			}
		}
		if err != nil {
			return nil, fmt.Errorf("deploying %s (%s) locally: %w", id, res.Type, err)
		}
	}
	for id, res := range resources {
		if res.Type != "AWS::SQS::Queue" {
			continue
		}
		var name string
		_ = json.Unmarshal(res.Properties["QueueName"], &name)
		if name == "" {
			continue // the dead-letter queues: nothing reads them locally
		}
		policy, err := queuePolicy(tpl, resources, id)
		if err != nil {
			return nil, err
		}
		out, err := sqs.NewFromConfig(admin).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name),
			Attributes: map[string]string{"Policy": policy}})
		if err != nil {
			return nil, fmt.Errorf("deploying %s locally: %w", id, err)
		}
		d.fanInQueueURL = aws.ToString(out.QueueUrl)
		d.fanInQueueARN = "arn:aws:sqs:" + r.home + ":" + account + ":" + name
	}
	for id, res := range resources {
		if res.Type != "AWS::SNS::Subscription" {
			continue
		}
		var p struct{ Protocol, Endpoint string }
		raw, _ := json.Marshal(res.Properties)
		_ = json.Unmarshal(raw, &p)
		var topicRef struct{ Ref string }
		_ = json.Unmarshal(res.Properties["TopicArn"], &topicRef)
		topic, err := tpl.Ref(topicRef.Ref)
		if err != nil || p.Protocol != "email" {
			continue
		}
		if _, err := sns.NewFromConfig(admin).Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(p.Protocol), Endpoint: aws.String(p.Endpoint)}); err != nil {
			return nil, fmt.Errorf("subscribing %s (%s) locally: %w", p.Endpoint, id, err)
		}
	}
	return tpl, nil
}

// queuePolicy is the template's AWS::SQS::QueuePolicy of the queue
// queueID, resolved: the fan-in queue's, which decides whose topics may
// deliver to it.
func queuePolicy(tpl *localrun.Template, resources map[string]resource, queueID string) (string, error) {
	for id, res := range resources {
		var queues []struct{ Ref string }
		if res.Type != "AWS::SQS::QueuePolicy" || json.Unmarshal(res.Properties["Queues"], &queues) != nil ||
			!slices.ContainsFunc(queues, func(q struct{ Ref string }) bool { return q.Ref == queueID }) {
			continue
		}
		doc, err := tpl.Resolve(res.Properties["PolicyDocument"])
		if err != nil {
			return "", fmt.Errorf("resolving %s locally: %w", id, err)
		}
		b, err := json.Marshal(doc)
		return string(b), err
	}
	return "", fmt.Errorf("deploying %s locally: the template has no policy for the queue", queueID)
}

// deployRules puts the template's EventBridge rules on the management
// account's default bus in the home region (us-east-1 in the demo, where
// Organizations emits its events).
func (r *run) deployRules(ctx context.Context) error {
	eb := eventbridge.NewFromConfig(r.admin)
	for _, rule := range r.dep.tpl.Rules {
		in := &eventbridge.PutRuleInput{Name: aws.String(rule.Name), State: ebtypes.RuleStateEnabled}
		if rule.EventPattern != nil {
			in.EventPattern = aws.String(string(rule.EventPattern))
		} else {
			in.ScheduleExpression = aws.String(rule.ScheduleExpression)
		}
		if _, err := eb.PutRule(ctx, in); err != nil {
			return fmt.Errorf("deploying rule (%s) locally: %w", rule.Name, err)
		}
		var targets []ebtypes.Target
		for _, t := range rule.Targets {
			target := ebtypes.Target{Id: aws.String(t.ID), Arn: aws.String(t.ARN)}
			if t.RoleARN != "" {
				target.RoleArn = aws.String(t.RoleARN)
			}
			if t.Input != "" {
				target.Input = aws.String(t.Input)
			}
			if t.InputPath != "" {
				target.InputPath = aws.String(t.InputPath)
			}
			targets = append(targets, target)
		}
		if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule.Name), Targets: targets}); err != nil {
			return fmt.Errorf("deploying the targets of rule (%s) locally: %w", rule.Name, err)
		}
	}
	return nil
}
