// Command infra is landfall's CDK app: it reads the config file named by the context key landfall:config
// and synthesizes the pipeline stack (and, when the home region is not us-east-1, the stack that forwards
// Organizations events from us-east-1; with notifications.centralAlerts: security, the alert fan-in stack
// in the security account). Synthesis needs no AWS credentials: account and region come from
// the config file, and nothing is looked up.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/config"
)

// Context keys (cdk.json or `cdk synth -c key=value`).
const (
	contextConfig         = "landfall:config"
	contextOrganizationID = "landfall:organizationId"
	contextBuildDir       = "landfall:buildDir"
	contextLogLevel       = "landfall:logLevel"
)

// Defaults for context keys that cdk.json does not set.
const (
	defaultConfigPath = "infra/landfall.yaml"
	defaultBuildDir   = "build/functions"
	defaultLogLevel   = "INFO"
	stackName         = "landfall"
	forwarderName     = "landfall-events-forwarder"
	centralAlertsName = "landfall-central-alerts"
)

func main() {
	app := awscdk.NewApp(nil)
	if err := buildApp(app); err != nil {
		// Printed as is, not through a log handler: the joined asset errors are one per line, and the
		// CDK CLI shows the app's stderr to the user verbatim.
		fmt.Fprintf(os.Stderr, "synthesizing landfall: %v\n", err)
		os.Exit(1)
	}
	app.Synth(nil)
}

// buildApp reads the context and the config file and adds landfall's stacks to app.
func buildApp(app awscdk.App) error {
	path := contextString(app, contextConfig, defaultConfigPath)
	cfg, err := config.Load(path)
	if err != nil {
		return fmt.Errorf("loading config (%s): %w", path, err)
	}
	buildDir := contextString(app, contextBuildDir, defaultBuildDir)
	props, err := propsFromConfig(cfg, deploySettings{
		OrganizationID: contextString(app, contextOrganizationID, ""),
		BuildDir:       buildDir,
		LogLevel:       contextString(app, contextLogLevel, defaultLogLevel),
	})
	if err != nil {
		return err
	}
	if err := checkFunctionAssets(buildDir, path); err != nil {
		return err
	}
	addStacks(app, props)
	ignoreRoleDependencyWarnings(app)
	return nil
}

// deploySettings are the inputs that come from CDK context rather than the config file.
type deploySettings struct {
	OrganizationID string
	BuildDir       string
	LogLevel       string
}

// propsFromConfig is the one place where the config file is mapped onto the stack's props.
func propsFromConfig(cfg *config.Config, s deploySettings) (*LandfallStackProps, error) {
	if err := config.CheckOrganizationID(s.OrganizationID); err != nil {
		return nil, fmt.Errorf("reading context (%s): %w", contextOrganizationID, err)
	}
	organization, err := organizationSetupFromConfig(cfg, s.OrganizationID)
	if err != nil {
		return nil, err
	}
	management, err := managementBaseline(cfg, s.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("selecting the management account's profile: %w", err)
	}
	tags := map[string]*string{"landfall:managed": jsii.String("true")}
	for k, v := range cfg.Tags {
		tags[k] = jsii.String(v)
	}
	var bridge *AlertsBridgeProps
	if cfg.Notifications.CentralAlerts == config.CentralAlertsSecurity {
		bridge = &AlertsBridgeProps{
			RoleName:           cfg.AlertsBridgeRoleName(),
			FormatterAccountID: cfg.Organization.SecurityAccountID,
		}
	}
	return &LandfallStackProps{
		StackProps: awscdk.StackProps{
			Env: &awscdk.Environment{
				Account: jsii.String(cfg.Organization.ManagementAccountID),
				Region:  jsii.String(cfg.Organization.HomeRegion),
			},
			Description: jsii.String("landfall: baselines every account of the organization as it appears"),
			Tags:        &tags,
		},
		OrganizationID:           s.OrganizationID,
		EntryRoleName:            cfg.Organization.EntryRoleName,
		ExecutionRoleName:        cfg.Organization.ExecutionRoleName,
		PipelineRoleName:         cfg.PipelineRoleName(),
		AlertsReaderRoleName:     cfg.AlertsReaderRoleName(),
		AlertFanInQueueName:      cfg.AlertFanInQueueName(),
		FormatterRoleName:        cfg.AlertFormatterRoleName(),
		FormatterRolePath:        cfg.AlertFormatterRolePath(),
		CentralAlerts:            cfg.Notifications.CentralAlerts,
		MemberAlertsTopicName:    cfg.AlertsTopicName(),
		AlertsBridge:             bridge,
		ChatSecretNames:          cfg.ChatSecretNames(),
		LedgerTableName:          cfg.LedgerTableName(),
		BaselineStateMachineName: cfg.BaselineStateMachineName(),
		SweepStateMachineName:    cfg.SweepStateMachineName(),
		OperationsEmails:         cfg.Notifications.OperationsEmails,
		AlertEmails:              cfg.Notifications.AlertEmails,
		SweepSchedule:            cfg.Pipeline.SweepSchedule,
		MaxConcurrentAccounts:    cfg.Pipeline.MaxConcurrentAccounts,
		MaxConcurrentRegions:     cfg.Pipeline.MaxConcurrentRegions,
		ReadinessTimeout:         time.Duration(cfg.Pipeline.ReadinessTimeout),
		BuildDir:                 s.BuildDir,
		LogLevel:                 s.LogLevel,
		Organization:             organization,
		ManagementBaseline:       management,
	}, nil
}

// addStacks adds the pipeline stack and, when needed, the security account's central alerts stack and the
// us-east-1 events forwarder.
func addStacks(app awscdk.App, props *LandfallStackProps) {
	landfall := NewLandfallStack(app, stackName, props)
	home := *props.Env.Region
	if b := props.AlertsBridge; b != nil {
		alerts := NewCentralAlertsStack(app, centralAlertsName, &CentralAlertsStackProps{
			StackProps: awscdk.StackProps{
				Env:         &awscdk.Environment{Account: jsii.String(b.FormatterAccountID), Region: props.Env.Region},
				Description: jsii.String("landfall: fans every account's alerts in, formats them and sends them to people"),
				Tags:        props.Tags,
			},
			QueueName:             props.AlertFanInQueueName,
			AlertEmails:           props.AlertEmails,
			OperationsEmails:      props.OperationsEmails,
			ChatSecretNames:       props.ChatSecretNames,
			MemberAlertsTopicName: props.MemberAlertsTopicName,
			FormatterRoleName:     props.FormatterRoleName,
			FormatterRolePath:     props.FormatterRolePath,
			ManagementAccountID:   *props.Env.Account,
			BridgeRoleName:        b.RoleName,
			OrganizationID:        props.OrganizationID,
			AlertsReaderRoleName:  props.AlertsReaderRoleName,
			LedgerTableName:       props.LedgerTableName,
			BuildDir:              props.BuildDir,
			LogLevel:              props.LogLevel,
		})
		// Deployed after the management account's stack: until its bridge role exists the formatter delivers
		// alerts without the account name, and records no receipts.
		alerts.AddStackDependency(landfall, jsii.String("the formatter works through the management account's alerts bridge role"))
	}
	if home == organizationsEventsRegion {
		return
	}
	NewEventsForwarderStack(app, forwarderName, &EventsForwarderStackProps{
		StackProps: awscdk.StackProps{
			Env:         &awscdk.Environment{Account: props.Env.Account, Region: jsii.String(organizationsEventsRegion)},
			Description: jsii.String("landfall: forwards AWS Organizations events from us-east-1 to " + home),
			Tags:        props.Tags,
		},
		HomeRegion:       home,
		OperationsEmails: props.OperationsEmails,
	})
}

func contextString(app awscdk.App, key, fallback string) string {
	v, ok := app.Node().TryGetContext(jsii.String(key)).(string)
	if !ok || v == "" {
		return fallback
	}
	return v
}
