package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/landfall/landfall/pkg/lambdaenv"
)

// CentralAlertsStackProps configures NewCentralAlertsStack.
type CentralAlertsStackProps struct {
	// StackProps must place the stack in the security account, home region.
	awscdk.StackProps
	// QueueName is the fan-in queue's fixed name: member accounts' alerts topics subscribe it by ARN.
	QueueName        string
	AlertEmails      []string
	OperationsEmails []string
	// ChatSecretNames are secrets in the security account holding the chat webhook URLs.
	ChatSecretNames []string
	// MemberAlertsTopicName is the alerts topic the baseline creates in every account.
	MemberAlertsTopicName string
	// FormatterRoleName is fixed because the management account's bridge role trusts it by name.
	FormatterRoleName string
	// FormatterRolePath keeps the role out of the protect-baseline SCP ((*config.Config).AlertFormatterRolePath).
	FormatterRolePath string
	// The management account's parts the formatter uses: they are named, not referenced, because a stack
	// cannot reference another account's resources.
	ManagementAccountID string
	BridgeRoleName      string
	LedgerTableName     string
	// OrganizationID and AlertsReaderRoleName name the role the formatter may assume in accounts of the
	// organization to read an alarm's trail.
	OrganizationID       string
	AlertsReaderRoleName string
	BuildDir             string
	LogLevel             string
}

// NewCentralAlertsStack creates the alert fan-in in the security account: the queue every member account's
// alerts topic subscribes, the formatter, the central alerts topic, and alarms on the formatter and the
// queue's dead letters, which go to an operations topic of this stack (CloudWatch alarms publish only to
// topics of their own account). The formatter reaches the ledger and the organization through the
// management account's alerts bridge role, and reads an alarm's trail through the account's alerts reader role.
func NewCentralAlertsStack(scope constructs.Construct, id string, props *CentralAlertsStackProps) awscdk.Stack {
	if props == nil {
		panic("NewCentralAlertsStack: props are required")
	}
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	topics := NewTopics(stack, jsii.String("Topics"), &TopicsProps{
		OperationsEmails: props.OperationsEmails,
		AlertEmails:      props.AlertEmails,
		Alerts:           true,
	})
	// The formatter's spec without the grants it has in the management account: here the bridge role
	// holds them.
	spec := formatterSpec()
	spec.ledger, spec.organizationsRead = ledgerNone, nil
	role := awsiam.NewRole(stack, jsii.String(spec.constructID+"Role"), &awsiam.RoleProps{
		RoleName:    jsii.String(props.FormatterRoleName),
		Path:        jsii.String(props.FormatterRolePath),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs the landfall formatter function"),
	})
	formatter := newFunction(stack, spec, &FunctionsProps{
		BuildDir:              props.BuildDir,
		AlertsTopic:           topics.Alerts,
		ChatSecretNames:       props.ChatSecretNames,
		MemberAlertsTopicName: props.MemberAlertsTopicName,
		OrganizationID:        props.OrganizationID,
		AlertsReaderRoleName:  props.AlertsReaderRoleName,
		LogLevel:              props.LogLevel,
	}, role)
	bridge := roleARN(stack, props.ManagementAccountID, props.BridgeRoleName)
	formatter.AddToRolePolicy(assumeRoleOnStatement(bridge))
	formatter.AddEnvironment(jsii.String(lambdaenv.ManagementRole), bridge, nil)
	formatter.AddEnvironment(jsii.String(lambdaenv.LedgerTable), jsii.String(props.LedgerTableName), nil)
	fanIn := NewFanIn(stack, jsii.String("AlertFanIn"), &FanInProps{
		MemberAlertsTopicName: props.MemberAlertsTopicName,
		QueueName:             props.QueueName,
		Key:                   topics.Key,
		Formatter:             formatter,
	})
	operationsAlarm(stack, "FormatterErrorsAlarm", "The Formatter function returned errors", formatter.MetricErrors(period()), topics.Operations)
	deadLetterAlarm(stack, DeadLetterQueue{Name: "AlertFanIn", Queue: fanIn.DeadLetterQueue}, topics.Operations)
	return stack
}
