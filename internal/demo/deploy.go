package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

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
	if d.tpl, err = r.deployStack(ctx, r.mgmtTemplate, r.mgmt); err != nil {
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
		if d.alerts, err = r.deployStack(ctx, alerts, security); err != nil {
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

// deployStack deploys one synthesized template, its references resolved
// in account, into that account, and returns it.
func (r *run) deployStack(ctx context.Context, tpl *localrun.Template, account string) (*localrun.Template, error) {
	dep, err := tpl.Deploy(ctx, r.adminOf(ctx, account))
	if err != nil {
		return nil, err
	}
	if len(dep.Tables) > 0 {
		r.dep.ledgerTable = dep.Tables[0]
	}
	if q, ok := dep.Queues[r.cfg.AlertFanInQueueName()]; ok {
		r.dep.fanInQueueURL, r.dep.fanInQueueARN = q.URL, q.ARN
	}
	return tpl, nil
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
