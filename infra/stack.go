package main

import (
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
)

// LandfallStackProps is everything the pipeline stack needs, already resolved from the config file.
type LandfallStackProps struct {
	awscdk.StackProps
	OrganizationID    string
	EntryRoleName     string
	ExecutionRoleName string
	PipelineRoleName  string
	// AlertsReaderRoleName is the role in every account the formatter reads an alarm's trail through.
	AlertsReaderRoleName string
	AlertFanInQueueName  string
	// FormatterRoleName and FormatterRolePath name the formatter's role, in this stack or in the security
	// account's.
	FormatterRoleName string
	FormatterRolePath string
	// CentralAlerts is notifications.centralAlerts: the fan-in is in this stack only for "management".
	CentralAlerts string
	// AlertsBridge is set when the fan-in is in the security account.
	AlertsBridge    *AlertsBridgeProps
	ChatSecretNames []string
	// MemberAlertsTopicName is the alerts topic the baseline creates in every account.
	MemberAlertsTopicName string
	// Physical names the operator command line derives from the config (pkg/config naming.go).
	LedgerTableName          string
	BaselineStateMachineName string
	SweepStateMachineName    string
	OperationsEmails         []string
	AlertEmails              []string
	SweepSchedule            string
	MaxConcurrentAccounts    int
	MaxConcurrentRegions     int
	ReadinessTimeout         time.Duration
	// BuildDir holds the function assets made by `make build` (see checkFunctionAssets).
	BuildDir string
	LogLevel string
	// Organization sets up the organization itself (OUs, SCPs, trusted access, delegated admins); nil
	// when organization.manage is false.
	Organization *OrganizationSetupProps
	// ManagementBaseline is the management account's baseline, nil when no profile selects the account.
	ManagementBaseline *baseline.Spec
}

// NewLandfallStack creates the pipeline stack in the home region of the management account.
func NewLandfallStack(scope constructs.Construct, id string, props *LandfallStackProps) awscdk.Stack {
	if props == nil {
		panic("NewLandfallStack: props are required")
	}
	stack := awscdk.NewStack(scope, &id, &props.StackProps)

	fanInHere := props.CentralAlerts == config.CentralAlertsManagement
	topics := NewTopics(stack, jsii.String("Topics"), &TopicsProps{
		OperationsEmails: props.OperationsEmails,
		AlertEmails:      props.AlertEmails,
		Alerts:           fanInHere,
	})
	ledger := NewLedger(stack, jsii.String("Ledger"), &LedgerProps{TableName: props.LedgerTableName})
	functions := NewFunctions(stack, jsii.String("Functions"), &FunctionsProps{
		BuildDir:              props.BuildDir,
		Ledger:                ledger,
		OperationsTopic:       topics.Operations,
		AlertsTopic:           topics.Alerts,
		AlertsBridge:          props.AlertsBridge,
		OrganizationID:        props.OrganizationID,
		EntryRoleName:         props.EntryRoleName,
		ExecutionRoleName:     props.ExecutionRoleName,
		PipelineRoleName:      props.PipelineRoleName,
		AlertsReaderRoleName:  props.AlertsReaderRoleName,
		FormatterRoleName:     props.FormatterRoleName,
		FormatterRolePath:     props.FormatterRolePath,
		ChatSecretNames:       props.ChatSecretNames,
		MemberAlertsTopicName: props.MemberAlertsTopicName,
		LogLevel:              props.LogLevel,
		ManagementBaseline:    props.ManagementBaseline,
	})
	pipeline := NewPipeline(stack, jsii.String("Pipeline"), &PipelineProps{
		Functions:             functions,
		BaselineName:          props.BaselineStateMachineName,
		SweepName:             props.SweepStateMachineName,
		MaxConcurrentRegions:  props.MaxConcurrentRegions,
		MaxConcurrentAccounts: props.MaxConcurrentAccounts,
		ReadinessTimeout:      props.ReadinessTimeout,
	})
	triggers := NewTriggers(stack, jsii.String("Triggers"), &TriggersProps{
		BaselineAccount: pipeline.BaselineAccount,
		Sweep:           pipeline.Sweep,
		SweepSchedule:   props.SweepSchedule,
	})
	deadLetterQueues := []DeadLetterQueue{{Name: "Triggers", Queue: triggers.DeadLetterQueue}}
	if fanInHere {
		fanIn := NewFanIn(stack, jsii.String("AlertFanIn"), &FanInProps{
			MemberAlertsTopicName: props.MemberAlertsTopicName,
			QueueName:             props.AlertFanInQueueName,
			Key:                   topics.Key,
			Formatter:             functions.Formatter,
		})
		deadLetterQueues = append(deadLetterQueues, DeadLetterQueue{Name: "AlertFanIn", Queue: fanIn.DeadLetterQueue})
	}
	NewDashboard(stack, jsii.String("Operations"), &DashboardProps{
		Pipeline:         pipeline,
		Functions:        functions,
		DeadLetterQueues: deadLetterQueues,
		OperationsTopic:  topics.Operations,
	})
	if props.Organization != nil {
		NewOrganizationSetup(stack, jsii.String("Organization"), props.Organization)
	}
	return stack
}

// EventsForwarderStackProps configures NewEventsForwarderStack.
type EventsForwarderStackProps struct {
	// StackProps must place the stack in us-east-1 of the management account.
	awscdk.StackProps
	// HomeRegion is where the pipeline runs and the events are forwarded to.
	HomeRegion string
	// OperationsEmails receive the alarm on the forwarder's dead-letter queue.
	OperationsEmails []string
}

// organizationsEventsRegion is the only region where AWS Organizations delivers its events.
const organizationsEventsRegion = "us-east-1"

// NewEventsForwarderStack forwards the Organizations events, which only exist in us-east-1, to the default
// bus of the home region, where the pipeline's own rules match them like local events. It is only needed
// when the home region is not us-east-1.
func NewEventsForwarderStack(scope constructs.Construct, id string, props *EventsForwarderStackProps) awscdk.Stack {
	if props == nil {
		panic("NewEventsForwarderStack: props are required")
	}
	stack := awscdk.NewStack(scope, &id, &props.StackProps)
	homeBus := awsevents.EventBus_FromEventBusArn(stack, jsii.String("HomeBus"), stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("events"),
		Region:       jsii.String(props.HomeRegion),
		Resource:     jsii.String("event-bus"),
		ResourceName: jsii.String("default"),
	}))
	dlq := newDeadLetterQueue(stack)
	// One target object: CDK then gives all rules one role allowed to put events on the home bus.
	target := awseventstargets.NewEventBus(homeBus, &awseventstargets.EventBusProps{DeadLetterQueue: dlq})
	for _, r := range triggerRules() {
		if !r.fromOrganizations {
			continue
		}
		awsevents.NewRule(stack, jsii.String(r.name), &awsevents.RuleProps{
			Description:  jsii.String("Forwards to " + props.HomeRegion + ": " + r.description),
			EventPattern: r.pattern,
			Targets:      &[]awsevents.IRuleTarget{target},
		})
	}
	// An alarm can only notify a topic of its own region, and the operations topic is in the home region.
	// The forwarder's failures are exactly when events do not reach the home region, so the alarm cannot
	// travel that way either: the stack has an operations topic of its own, with the same recipients.
	topics := NewTopics(stack, jsii.String("Topics"), &TopicsProps{OperationsEmails: props.OperationsEmails})
	deadLetterAlarm(stack, DeadLetterQueue{Name: "Forwarder", Queue: dlq}, topics.Operations)
	return stack
}
