package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/ledger"
)

const (
	// receiptPoll is how often `alerts test` reads an alarm's receipt. The
	// path (SNS, SQS, the formatter's batch window) takes seconds.
	receiptPoll = 2 * time.Second
	// alertTestConcurrency bounds the alarms under test at once: a broken
	// path then costs one timeout per batch, not per alarm, and
	// SetAlarmState stays far below its request quota.
	alertTestConcurrency = 4
	// restoreTimeout bounds restoring an alarm, which happens even after
	// the operator interrupts the test: an alarm must not be left in ALARM.
	restoreTimeout = 30 * time.Second
	// alertTestReason starts the state reason of every test transition, so
	// the alarm history shows who moved the alarm and why.
	alertTestReason = "landfall alerts test"
)

// runAlerts implements `landfall alerts test --account ID`.
func runAlerts(ctx context.Context, e cli.Env, args []string) int {
	return alerts(ctx, e, args, receiptPoll)
}

// alerts is runAlerts with the receipt poll interval as a parameter, for
// tests.
func alerts(ctx context.Context, e cli.Env, args []string, poll time.Duration) int {
	if len(args) == 0 || args[0] != "test" {
		w := e.Stderr
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			w = e.Stdout
		}
		fmt.Fprint(w, "Usage: landfall alerts test --account ID [--timeout 2m]\n\n"+
			"Prove that every landfall alarm of an account reaches the central fan-in: set\n"+
			"each to ALARM, wait for the formatter's receipt in the ledger, restore it.\n")
		if w == e.Stdout {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	fs := flag.NewFlagSet("alerts test", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	account := fs.String("account", "", accountFlagUsage)
	timeout := fs.Duration("timeout", 2*time.Minute, "how long to wait for each alarm's receipt")
	configFlag := fs.String("config", "", configFlagUsage)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: landfall alerts test --account ID [--timeout 2m]\n\n"+
			"For each of the account's landfall alarms: remember its state, set it to ALARM\n"+
			"with SetAlarmState, wait until the formatter has written the alarm's delivery\n"+
			"receipt to the ledger (alerts topic -> central fan-in queue -> formatter), then\n"+
			"restore the state. Prints a pass/fail table; exit status 1 if any alarm failed.\n"+
			"People subscribed to the central alerts topic receive the test alerts.\n\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if !validAccountID(*account) {
		fmt.Fprintf(e.Stderr, "landfall alerts test: %v\n", accountFlagError(*account))
		return cli.ExitUsage
	}
	if *timeout <= 0 {
		fmt.Fprintf(e.Stderr, "landfall alerts test: --timeout must be positive, got %s\n", *timeout)
		return cli.ExitUsage
	}
	op, err := connect(ctx, e, *configFlag)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall alerts test: %v\n", err)
		return cli.ExitFail
	}
	if op.cfg.AlertFanInAccountID() == "" {
		fmt.Fprintln(e.Stderr, "landfall alerts test: central alerts are off (notifications.centralAlerts: none), so there is no fan-in to test")
		return cli.ExitFail
	}
	member, _, err := accounts.Enter(ctx, op.aws, op.cfg, *account, slog.New(slog.DiscardHandler))
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall alerts test: %v\n", err)
		return cli.ExitFail
	}
	member.Region = op.cfg.Organization.HomeRegion // the account-wide alarms live in the home region
	cw := cloudwatch.NewFromConfig(member)
	prefix := op.cfg.Naming.Prefix + "-"
	alarms, err := findAlarmsByPrefix(ctx, cw, prefix)
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall alerts test: %v\n", err)
		return cli.ExitFail
	}
	if len(alarms) == 0 {
		fmt.Fprintf(e.Stderr, "landfall alerts test: account %s has no landfall alarms (%s*): has the baseline run?\n", *account, prefix)
		return cli.ExitFail
	}
	nonce, err := newNonce()
	if err != nil {
		fmt.Fprintf(e.Stderr, "landfall alerts test: %v\n", err)
		return cli.ExitFail
	}
	t := alarmTester{cw: cw, ledger: op.ledger(), account: *account, reason: alertTestReason + " " + nonce, timeout: *timeout, poll: poll}
	fmt.Fprintf(e.Stdout, "testing %d alarms of %s (reason %q)\n", len(alarms), *account, t.reason)
	results := make([]alarmResult, len(alarms))
	sem := make(chan struct{}, alertTestConcurrency)
	var wg sync.WaitGroup
	for i, a := range alarms {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = t.test(ctx, a)
		})
	}
	wg.Wait()
	return printAlarmResults(e, results)
}

// findAlarmsByPrefix lists the metric alarms whose names start with prefix,
// following DescribeAlarms' pages.
func findAlarmsByPrefix(ctx context.Context, cw *cloudwatch.Client, prefix string) ([]cwtypes.MetricAlarm, error) {
	var out []cwtypes.MetricAlarm
	p := cloudwatch.NewDescribeAlarmsPaginator(cw, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing CloudWatch alarms (%s*): %w", prefix, err)
		}
		out = append(out, page.MetricAlarms...)
	}
	return out, nil
}

// newNonce makes this run's receipts tell apart from earlier deliveries.
func newNonce() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a test nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// alarmTester drives alarms through the alert path and reads the receipts.
type alarmTester struct {
	cw      *cloudwatch.Client
	ledger  *ledger.Ledger
	account string
	// reason is the state reason of the test transition; it carries the
	// nonce, which the formatter copies into the receipt.
	reason  string
	timeout time.Duration
	poll    time.Duration
}

// alarmResult is one row of the table.
type alarmResult struct {
	alarm     string
	delivered time.Duration
	err       error // nil: delivered and restored
}

// test moves one alarm to ALARM, waits for its receipt and restores it.
func (t alarmTester) test(ctx context.Context, a cwtypes.MetricAlarm) alarmResult {
	name := aws.ToString(a.AlarmName)
	res := alarmResult{alarm: name}
	was := a.StateValue
	// CloudWatch runs actions only on a change of state, so an alarm
	// already in ALARM goes through OK first.
	if was == cwtypes.StateValueAlarm {
		if res.err = t.set(ctx, name, cwtypes.StateValueOk, t.reason+": leaving ALARM so the test is a change of state"); res.err != nil {
			return res
		}
	}
	start := time.Now()
	if res.err = t.set(ctx, name, cwtypes.StateValueAlarm, t.reason); res.err != nil {
		return res
	}
	res.err = t.waitReceipt(ctx, name)
	res.delivered = time.Since(start)
	if was == "" {
		was = cwtypes.StateValueOk
	}
	restore, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	if err := t.set(restore, name, was, t.reason+": restoring "+string(was)); err != nil {
		res.err = errors.Join(res.err, err)
	}
	return res
}

func (t alarmTester) set(ctx context.Context, name string, state cwtypes.StateValue, reason string) error {
	_, err := t.cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String(name), StateValue: state, StateReason: aws.String(reason)})
	if err != nil {
		return fmt.Errorf("setting CloudWatch alarm (%s) to %s: %w", name, state, err)
	}
	return nil
}

// waitReceipt waits until the alarm's receipt carries this run's reason.
func (t alarmTester) waitReceipt(ctx context.Context, name string) error {
	wait, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	err := pollUntil(wait, t.poll, func() (bool, error) {
		r, err := t.ledger.GetReceipt(wait, t.account, name)
		if awsx.NotFound(err) {
			return false, nil
		}
		return err == nil && r.State == string(cwtypes.StateValueAlarm) && r.Reason == t.reason, err
	})
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return fmt.Errorf("no receipt after %s", t.timeout)
	}
	return err
}

func printAlarmResults(e cli.Env, results []alarmResult) int {
	tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ALARM\tRESULT")
	failed := 0
	for _, r := range results {
		switch {
		case r.err != nil:
			failed++
			fmt.Fprintf(tw, "%s\tFAIL: %s\n", r.alarm, strings.ReplaceAll(r.err.Error(), "\n", "; "))
		default:
			fmt.Fprintf(tw, "%s\tdelivered in %.1fs\n", r.alarm, r.delivered.Seconds())
		}
	}
	_ = tw.Flush()
	if failed > 0 {
		fmt.Fprintf(e.Stdout, "%d of %d alarms failed: their alerts may reach nobody\n", failed, len(results))
		return cli.ExitFail
	}
	fmt.Fprintf(e.Stdout, "all %d alarms delivered to the central fan-in\n", len(results))
	return cli.ExitOK
}
