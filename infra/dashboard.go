package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	cw "github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Custom metrics the record function publishes with the CloudWatch embedded metric format.
const (
	landfallNamespace       = "Landfall"
	metricAccountsBaselined = "AccountsBaselined"
	metricOpenFindings      = "OpenFindings"
	alarmPeriodMinutes      = 5
	dashboardWidgetWidth    = 12
	dashboardWidgetHeight   = 6
)

// DeadLetterQueue names a queue whose depth is alarmed.
type DeadLetterQueue struct {
	// Name is a construct-ID-safe name, e.g. "Triggers".
	Name  string
	Queue awssqs.IQueue
}

// DashboardProps configures NewDashboard.
type DashboardProps struct {
	Pipeline         *Pipeline
	Functions        *Functions
	DeadLetterQueues []DeadLetterQueue
	// OperationsTopic receives every alarm.
	OperationsTopic awssns.ITopic
}

// NewDashboard creates the operations alarms and the landfall CloudWatch dashboard.
func NewDashboard(scope constructs.Construct, id *string, props *DashboardProps) cw.Dashboard {
	if props == nil || props.Pipeline == nil || props.Functions == nil || props.OperationsTopic == nil {
		panic("NewDashboard: props with Pipeline, Functions and OperationsTopic are required")
	}
	construct := constructs.NewConstruct(scope, id)
	alarm := func(id, description string, metric cw.IMetric) {
		operationsAlarm(construct, id, description, metric, props.OperationsTopic)
	}

	machines := []struct {
		name string
		sm   sfn.StateMachine
	}{{"BaselineAccount", props.Pipeline.BaselineAccount}, {"Sweep", props.Pipeline.Sweep}}
	for _, m := range machines {
		alarm(m.name+"FailedAlarm", m.name+" executions failed, timed out or were aborted", unsuccessfulExecutions(m.sm))
	}
	for _, fn := range props.Functions.All() {
		// waitready reports "not ready yet" as an error on purpose and is retried; an account that never
		// becomes ready fails the BaselineAccount execution, which is alarmed above.
		if fn == props.Functions.WaitReady {
			continue
		}
		name := *fn.Node().Id()
		alarm(name+"ErrorsAlarm", "The "+name+" function returned errors", fn.MetricErrors(period()))
	}
	for _, q := range props.DeadLetterQueues {
		deadLetterAlarm(construct, q, props.OperationsTopic)
	}

	baseline := props.Pipeline.BaselineAccount
	var lambdaErrors []cw.IMetric
	for _, fn := range props.Functions.All() {
		lambdaErrors = append(lambdaErrors, fn.MetricErrors(&cw.MetricOptions{Label: fn.Node().Id()}))
	}
	return cw.NewDashboard(construct, jsii.String("Dashboard"), &cw.DashboardProps{
		Widgets: &[]*[]cw.IWidget{
			{
				graph("Executions", baseline.MetricSucceeded(label("Succeeded")), baseline.MetricFailed(label("Failed")),
					unsuccessfulExecutions(props.Pipeline.Sweep)),
				graph("Execution duration", baseline.MetricTime(&cw.MetricOptions{Statistic: jsii.String("p50"), Label: jsii.String("p50")}),
					baseline.MetricTime(&cw.MetricOptions{Statistic: jsii.String("p95"), Label: jsii.String("p95")})),
			},
			{
				graph("Executions in flight", inFlight(baseline)),
				graph("Lambda errors", lambdaErrors...),
			},
			{
				graph("Accounts baselined", landfallMetric(metricAccountsBaselined, "Sum")),
				graph("Open findings", landfallMetric(metricOpenFindings, "Maximum")),
			},
		},
	})
}

// operationsAlarm tells operations whenever metric is above zero. It is named "<stack>/<id>": the name
// CloudFormation would make, "<stack>-<id>-<hash>", begins with "landfall-" like the baseline's alarms under
// the default prefix, and the baseline's alarm on its alert path (Landfall.1) would take every deploy of the
// stack for someone changing the alert path.
func operationsAlarm(scope constructs.Construct, id, description string, metric cw.IMetric, topic awssns.ITopic) {
	a := cw.NewAlarm(scope, jsii.String(id), &cw.AlarmProps{
		AlarmName:          jsii.String(*awscdk.Stack_Of(scope).StackName() + "/" + id),
		Metric:             metric,
		AlarmDescription:   jsii.String(description),
		Threshold:          jsii.Number(0),
		ComparisonOperator: cw.ComparisonOperator_GREATER_THAN_THRESHOLD,
		EvaluationPeriods:  jsii.Number(1),
		// No data means nothing happened, which is healthy for an event-driven pipeline.
		TreatMissingData: cw.TreatMissingData_NOT_BREACHING,
	})
	a.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
}

// deadLetterAlarm tells operations when messages wait in a dead-letter queue.
func deadLetterAlarm(scope constructs.Construct, q DeadLetterQueue, topic awssns.ITopic) {
	operationsAlarm(scope, q.Name+"DeadLetterAlarm", "Messages are waiting in the "+q.Name+" dead-letter queue",
		q.Queue.MetricApproximateNumberOfMessagesVisible(&cw.MetricOptions{
			Period:    awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes)),
			Statistic: jsii.String("Maximum"),
		}), topic)
}

func period() *cw.MetricOptions {
	return &cw.MetricOptions{Period: awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes))}
}

func label(text string) *cw.MetricOptions {
	return &cw.MetricOptions{Label: jsii.String(text)}
}

func graph(title string, metrics ...cw.IMetric) cw.IWidget {
	return cw.NewGraphWidget(&cw.GraphWidgetProps{
		Title:  jsii.String(title),
		Left:   &metrics,
		Width:  jsii.Number(dashboardWidgetWidth),
		Height: jsii.Number(dashboardWidgetHeight),
	})
}

func landfallMetric(name, statistic string) cw.IMetric {
	return cw.NewMetric(&cw.MetricProps{
		Namespace:  jsii.String(landfallNamespace),
		MetricName: jsii.String(name),
		Statistic:  jsii.String(statistic),
		Label:      jsii.String(name),
	})
}

// unsuccessfulExecutions counts executions that failed, timed out or were aborted: ExecutionsFailed alone
// misses the other two, and each of them leaves an account without its baseline.
func unsuccessfulExecutions(sm sfn.StateMachine) cw.IMetric {
	return cw.NewMathExpression(&cw.MathExpressionProps{
		Expression: jsii.String("FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)"),
		UsingMetrics: &map[string]cw.IMetric{
			"failed":   sm.MetricFailed(nil),
			"timedOut": sm.MetricTimedOut(nil),
			"aborted":  sm.MetricAborted(nil),
		},
		Label:  jsii.String(*sm.Node().Id() + " unsuccessful"),
		Period: awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes)),
	})
}

// inFlight approximates running executions as started minus finished, summed over the graph's window.
// Step Functions publishes no per-state-machine gauge of open executions; the approximation is exact
// whenever nothing was running at the start of the window, which for landfall is almost always.
func inFlight(sm sfn.StateMachine) cw.IMetric {
	return cw.NewMathExpression(&cw.MathExpressionProps{
		Expression: jsii.String("RUNNING_SUM(FILL(started, 0) - FILL(succeeded, 0) - FILL(failed, 0) - FILL(timedOut, 0) - FILL(aborted, 0))"),
		UsingMetrics: &map[string]cw.IMetric{
			"started":   sm.MetricStarted(nil),
			"succeeded": sm.MetricSucceeded(nil),
			"failed":    sm.MetricFailed(nil),
			"timedOut":  sm.MetricTimedOut(nil),
			"aborted":   sm.MetricAborted(nil),
		},
		Label: jsii.String("In flight (approximate)"),
	})
}
