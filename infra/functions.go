package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/lambdaenv"
	"github.com/landfall/landfall/pkg/ledger"
	"github.com/landfall/landfall/pkg/pipeline"
)

// Every function asset directory holds the binary and a copy of the config file. The copy is how the config
// reaches the Lambdas: an environment variable is capped at 4 KB for all variables together (the commented
// example config alone is larger), and an SSM parameter would add a network call and an IAM grant to every
// cold start. Shipping the file inside the asset also makes CDK's asset hash cover it, so a config change
// redeploys the functions together with the stack that was synthesized from the same file.
const (
	bootstrapFile   = "bootstrap"
	assetConfigFile = "landfall.yaml"
	// lambdaTaskRoot is where Lambda unpacks the asset (LAMBDA_TASK_ROOT) for provided.al2023.
	lambdaTaskRoot = "/var/task"
)

// functionLogRetention keeps pipeline logs long enough to investigate a failed baseline reported in a
// quarterly review, without paying for them forever.
const functionLogRetention = awslogs.RetentionDays_THREE_MONTHS

// Function names: the directory under functions/ and under the build directory.
const (
	fnDescribe  = "describe"
	fnWaitReady = "waitready"
	fnApply     = "apply"
	fnRecord    = "record"
	fnSweep     = "sweep"
	fnFormatter = "formatter"
)

// ledgerAccess is what a function may do with the ledger table.
type ledgerAccess int

const (
	ledgerNone ledgerAccess = iota
	ledgerRead
	ledgerReadWrite
	// ledgerSaveEntryTrust puts only the rows that keep entry roles'
	// trust policies as landfall found them.
	ledgerSaveEntryTrust
	// ledgerPutReceipts puts only alert delivery receipts.
	ledgerPutReceipts
)

// functionSpec describes one Lambda and exactly the access it needs; permissions and environment variables
// are both derived from it, so a function never sees a table or topic it is not allowed to use.
type functionSpec struct {
	name           string
	constructID    string
	description    string
	memoryMiB      float64
	timeoutSeconds float64
	ledger         ledgerAccess
	assumeRole     bool
	// organizationsRead are the Organizations actions the function calls.
	organizationsRead []string
	publishOperations bool
	publishAlerts     bool
}

// functionSpecs lists the pipeline's functions. Memory stays small: the work is waiting on AWS APIs, and
// arm64 at 128–256 MB is enough for that; apply gets more because it fans out over many baseline items.
func functionSpecs() []functionSpec {
	return []functionSpec{
		{name: fnDescribe, constructID: "Describe", description: "Decodes the trigger, describes the account, chooses the profile and takes the ledger lock.",
			memoryMiB: 256, timeoutSeconds: 30, ledger: ledgerReadWrite, organizationsRead: readTrigger},
		{name: fnWaitReady, constructID: "WaitReady", description: "Assumes the role into the account and makes a cheap read; throws AccountNotReady until it works.",
			memoryMiB: 128, timeoutSeconds: 30, assumeRole: true},
		{name: fnApply, constructID: "Apply", description: "Applies the global baseline items or one region's items.",
			memoryMiB: 512, timeoutSeconds: pipeline.ApplyTimeout.Seconds(), assumeRole: true, ledger: ledgerSaveEntryTrust},
		{name: fnRecord, constructID: "Record", description: "Verifies the baseline, writes the ledger row, releases the lock and notifies operations.",
			memoryMiB: 256, timeoutSeconds: 60, ledger: ledgerReadWrite, assumeRole: true, publishOperations: true},
		{name: fnSweep, constructID: "Sweep", description: "Lists the organization's accounts, compares them with the ledger and returns those to baseline.",
			memoryMiB: 256, timeoutSeconds: 60, ledger: ledgerRead, organizationsRead: readAccountList},
		formatterSpec(),
	}
}

// formatterSpec is the formatter as the management account's stack deploys it. It enters no account: it
// reads the CloudTrail records behind an alarm (who did it) through the alarm's account's alerts reader
// role, which may read the trail's log group and nothing else.
func formatterSpec() functionSpec {
	return functionSpec{name: fnFormatter, constructID: "Formatter", description: "Turns alerts from every account into readable messages on the central alerts topic.",
		memoryMiB: 128, timeoutSeconds: 30, ledger: ledgerPutReceipts, organizationsRead: readAccounts, publishAlerts: true}
}

// FunctionsProps configures NewFunctions.
type FunctionsProps struct {
	// BuildDir holds one directory per function (bootstrap + landfall.yaml), made by `make build`.
	BuildDir        string
	Ledger          awsdynamodb.ITable
	OperationsTopic awssns.ITopic
	// AlertsTopic is the central alerts topic when the alert fan-in is in this stack; nil leaves the
	// formatter out (central alerts in the security account, or off).
	AlertsTopic awssns.ITopic
	// AlertsBridge, when set, creates the role a formatter in the security account works through here.
	AlertsBridge *AlertsBridgeProps
	// OrganizationID restricts role assumption to accounts of this organization (aws:ResourceOrgID).
	OrganizationID    string
	EntryRoleName     string
	ExecutionRoleName string
	// FormatterRoleName and FormatterRolePath name the formatter's role, wherever it runs: every account's
	// alerts topic lets exactly this role confirm the fan-in queue's subscription
	// ((*config.Config).AlertFormatterRoleARN), and the alerts bridge trusts it.
	FormatterRoleName string
	FormatterRolePath string
	// PipelineRoleName is the fixed name of the role shared by the functions that enter member accounts:
	// each member's execution role trusts exactly this name ((*config.Config).PipelineRoleName).
	PipelineRoleName string
	// AlertsReaderRoleName is the role in every account the formatter may assume to read an alarm's trail
	// ((*config.Config).AlertsReaderRoleName).
	AlertsReaderRoleName string
	// ChatSecretNames are the Secrets Manager secrets holding chat webhook URLs the formatter posts to.
	ChatSecretNames []string
	// MemberAlertsTopicName is every member account's alerts topic ((*config.Config).AlertsTopicName),
	// whose subscriptions to the fan-in queue the formatter confirms.
	MemberAlertsTopicName string
	LogLevel              string
	// ManagementBaseline, when set, creates the execution role in the management account for it.
	ManagementBaseline *baseline.Spec
}

// Functions holds the pipeline's Lambda functions.
type Functions struct {
	Describe, WaitReady, Apply, Record, Sweep awslambda.Function
	// Formatter is nil when the alert fan-in is not in this stack.
	Formatter awslambda.Function
}

// All returns the functions in a stable order, for alarms and dashboards.
func (f *Functions) All() []awslambda.Function {
	all := []awslambda.Function{f.Describe, f.WaitReady, f.Apply, f.Record, f.Sweep}
	if f.Formatter != nil {
		all = append(all, f.Formatter)
	}
	return all
}

// deployedSpecs are the functions this stack deploys: the formatter only with the alert fan-in.
func deployedSpecs(props *FunctionsProps) []functionSpec {
	var specs []functionSpec
	for _, spec := range functionSpecs() {
		if spec.name == fnFormatter && props.AlertsTopic == nil {
			continue
		}
		specs = append(specs, spec)
	}
	return specs
}

// NewFunctions deploys every pipeline Lambda from its prebuilt asset directory.
func NewFunctions(scope constructs.Construct, id *string, props *FunctionsProps) *Functions {
	if props == nil {
		panic("NewFunctions: props are required")
	}
	construct := constructs.NewConstruct(scope, id)
	// Member accounts' execution roles trust one principal with a fixed name: the pipeline role. The
	// functions that enter accounts keep their own least-privilege roles and reach member accounts by
	// chaining through it, so a function holds only the grants its job needs and the member trust
	// policies stay one short, stable statement.
	specs := deployedSpecs(props)
	roles := make(map[string]awsiam.Role)
	var entering []awsiam.IPrincipal
	for _, spec := range specs {
		roleProps := &awsiam.RoleProps{
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
			Description: jsii.String("Runs the landfall " + spec.name + " function"),
		}
		if spec.name == fnFormatter {
			roleProps.RoleName, roleProps.Path = jsii.String(props.FormatterRoleName), jsii.String(props.FormatterRolePath)
		}
		roles[spec.name] = awsiam.NewRole(construct, jsii.String(spec.constructID+"Role"), roleProps)
		if spec.assumeRole {
			entering = append(entering, roles[spec.name])
		}
	}
	if props.AlertsBridge != nil {
		newAlertsBridgeRole(construct, props.AlertsBridge, props.FormatterRolePath, props.FormatterRoleName, props.OrganizationID, props.Ledger)
	}
	pipelineRole := awsiam.NewRole(construct, jsii.String("PipelineRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(props.PipelineRoleName),
		AssumedBy:   awsiam.NewCompositePrincipal(entering...),
		Description: jsii.String("Enters member accounts for landfall; assumed only by landfall's functions that enter accounts"),
	})
	// The pipeline role enters accounts by landfall's two roles there.
	enter := []string{props.ExecutionRoleName, props.EntryRoleName}
	pipelineRole.AddToPolicy(assumeInOrganizationStatement(construct, props.OrganizationID, enter...))
	acknowledgeNag(pipelineRole, assumeInOrganizationAcks(pipelineRole, enter...)...)
	if props.ManagementBaseline != nil {
		newManagementExecutionRole(construct, *props.ManagementBaseline, pipelineRole)
	}
	built := make(map[string]awslambda.Function)
	for _, spec := range specs {
		fn := newFunction(construct, spec, props, roles[spec.name])
		if spec.assumeRole {
			fn.AddToRolePolicy(assumeRoleOnStatement(pipelineRole.RoleArn()))
			fn.AddEnvironment(jsii.String(lambdaenv.PipelineRole), pipelineRole.RoleArn(), nil)
		}
		built[spec.name] = fn
	}
	return &Functions{
		Describe:  built[fnDescribe],
		WaitReady: built[fnWaitReady],
		Apply:     built[fnApply],
		Record:    built[fnRecord],
		Sweep:     built[fnSweep],
		Formatter: built[fnFormatter],
	}
}

func newFunction(scope constructs.Construct, spec functionSpec, props *FunctionsProps, role awsiam.Role) awslambda.Function {
	logGroup := awslogs.NewLogGroup(scope, jsii.String(spec.constructID+"Logs"), &awslogs.LogGroupProps{
		Retention: functionLogRetention,
	})
	env := map[string]*string{
		lambdaenv.ConfigFile: jsii.String(lambdaTaskRoot + "/" + assetConfigFile),
		lambdaenv.LogLevel:   jsii.String(props.LogLevel),
	}
	if spec.ledger != ledgerNone {
		env[lambdaenv.LedgerTable] = props.Ledger.TableName()
	}
	if spec.publishOperations {
		env[lambdaenv.OperationsTopic] = props.OperationsTopic.TopicArn()
	}
	if spec.publishAlerts {
		env[lambdaenv.AlertsTopic] = props.AlertsTopic.TopicArn()
	}
	// An explicit role instead of the default one: the default attaches the AWSLambdaBasicExecutionRole
	// managed policy, which may write to every log group in the account; this role may only write to
	// the function's own log group.
	logGroup.GrantWrite(role)
	fn := awslambda.NewFunction(scope, jsii.String(spec.constructID), &awslambda.FunctionProps{
		Role:         role,
		Description:  jsii.String(spec.description),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String(bootstrapFile),
		Code:         awslambda.Code_FromAsset(jsii.String(filepath.Join(props.BuildDir, spec.name)), nil),
		MemorySize:   jsii.Number(spec.memoryMiB),
		Timeout:      awscdk.Duration_Seconds(jsii.Number(spec.timeoutSeconds)),
		Environment:  &env,
		LogGroup:     logGroup,
		Tracing:      awslambda.Tracing_ACTIVE,
	})
	grantAccess(fn, spec, props)
	acks := functionNagAcks(fn, spec, props)
	acknowledgeNag(role, acks...)
	acknowledgeNag(fn, acks...)
	return fn
}

func grantAccess(fn awslambda.Function, spec functionSpec, props *FunctionsProps) {
	switch spec.ledger {
	case ledgerRead:
		props.Ledger.GrantReadData(fn)
	case ledgerReadWrite:
		props.Ledger.GrantReadWriteData(fn)
	case ledgerSaveEntryTrust:
		fn.AddToRolePolicy(ledgerPutRowsStatement(props.Ledger, ledger.EntryTrusts))
	case ledgerPutReceipts:
		fn.AddToRolePolicy(ledgerPutRowsStatement(props.Ledger, ledger.Receipts))
	}
	if spec.publishOperations {
		props.OperationsTopic.GrantPublish(fn)
	}
	if spec.publishAlerts {
		props.AlertsTopic.GrantPublish(fn)
	}
	for _, s := range organizationsReadStatements(fn, props.OrganizationID, spec.organizationsRead) {
		fn.AddToRolePolicy(s)
	}
	if spec.publishAlerts && len(props.ChatSecretNames) > 0 {
		fn.AddToRolePolicy(chatSecretsStatement(fn, props.ChatSecretNames))
	}
	if spec.publishAlerts {
		fn.AddToRolePolicy(confirmSubscriptionsStatement(fn, props.MemberAlertsTopicName))
		// The formatter reads the trail behind an alarm through the account's alerts reader role.
		fn.AddToRolePolicy(assumeInOrganizationStatement(fn, props.OrganizationID, props.AlertsReaderRoleName))
	}
}

// confirmSubscriptionsStatement lets the formatter confirm member accounts' alerts topics' subscriptions to
// the fan-in queue. It confirms with a signed call, so that only the topic's and the queue's owners may
// unsubscribe, and a signed call needs the action. Accounts appear after deployment, so account and
// region are wildcards; the topic name is landfall's.
func confirmSubscriptionsStatement(scope constructs.Construct, topicName string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sns:ConfirmSubscription"),
		Resources: &[]*string{memberTopicsPattern(scope, topicName)},
	})
}

// chatSecretsStatement lets the formatter read the chat webhook URLs, and
// only those secrets: Secrets Manager appends six random characters to a
// secret's name in its ARN, hence the "-??????".
func chatSecretsStatement(scope constructs.Construct, names []string) awsiam.PolicyStatement {
	stack := awscdk.Stack_Of(scope)
	var arns []*string
	for _, n := range names {
		arns = append(arns, awscdk.Fn_Join(jsii.String(""), jsii.Strings("arn:", *stack.Partition(), ":secretsmanager:",
			*stack.Region(), ":", *stack.Account(), ":secret:", n, "-??????")))
	}
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &arns,
	})
}

// assumeInOrganizationStatement allows assuming only landfall's role names, in any account, and only when
// the account belongs to our organization: the account id is not known at deploy time (accounts appear
// later), so the aws:ResourceOrgID condition is what keeps the wildcard account from reaching outside.
func assumeInOrganizationStatement(scope constructs.Construct, organizationID string, roleNames ...string) awsiam.PolicyStatement {
	var arns []*string
	for _, name := range roleNames {
		arns = append(arns, roleARN(scope, "*", name))
	}
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sts:AssumeRole"),
		Resources: &arns,
		Conditions: &map[string]interface{}{
			"StringEquals": map[string]interface{}{"aws:ResourceOrgID": organizationID},
		},
	})
}

// assumeRoleOnStatement lets a principal assume one role: the functions that enter accounts chain through
// the pipeline role into member accounts, and the security account's formatter works through the bridge.
func assumeRoleOnStatement(roleARN *string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sts:AssumeRole"),
		Resources: &[]*string{roleARN},
	})
}

// roleARN is the ARN of a role by name, for roles of other stacks and accounts, which cannot be referenced;
// account may be "*". landfall's roles live at the root path, except the security account's formatter,
// whose name is then given with its path without the leading slash ("acme/acme-alert-formatter").
func roleARN(scope constructs.Construct, account, name string) *string {
	return awscdk.Fn_Join(jsii.String(""), jsii.Strings("arn:", *awscdk.Stack_Of(scope).Partition(), ":iam::", account, ":role/", name))
}

// checkFunctionAssets verifies, before anything is synthesized, that every function was built and carries
// the same config file the stack is synthesized from; a stale copy would make the Lambdas run with
// different settings than the state machines (concurrency, readiness timeout) were built for.
func checkFunctionAssets(buildDir, configPath string) error {
	want, err := os.ReadFile(configPath)
	if err != nil {
		return fmt.Errorf("reading config (%s): %w", configPath, err)
	}
	var errs []error
	for _, spec := range functionSpecs() {
		dir := filepath.Join(buildDir, spec.name)
		if err := checkFunctionAsset(dir, want); err != nil {
			errs = append(errs, fmt.Errorf("checking function asset (%s): %w; run `make build` first", dir, err))
		}
	}
	return errors.Join(errs...)
}

func checkFunctionAsset(dir string, wantConfig []byte) error {
	info, err := os.Stat(filepath.Join(dir, bootstrapFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no %s binary", bootstrapFile)
		}
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", bootstrapFile)
	}
	got, err := os.ReadFile(filepath.Join(dir, assetConfigFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no %s copy of the config", assetConfigFile)
		}
		return err
	}
	if !bytes.Equal(got, wantConfig) {
		return fmt.Errorf("%s differs from the config being synthesized", assetConfigFile)
	}
	return nil
}
