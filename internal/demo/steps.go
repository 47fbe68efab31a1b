package demo

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3control"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/ledger"
)

func (r *run) ledger() *ledger.Ledger { return ledger.New(r.admin, r.dep.ledgerTable) }

// printLedger prints every account's row.
func (r *run) printLedger(ctx context.Context) []ledger.Row {
	rows, err := r.ledger().List(ctx)
	if err != nil {
		r.check("ledger readable", false, "%v", err)
		return nil
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].AccountID < rows[j].AccountID })
	r.printf("  %-14s %-12s %-11s %-10s %8s %7s %7s %7s %5s %8s  %s\n", "account", "id", "profile", "status", "duration", "created", "updated", "deleted", "drift", "findings", "last error")
	for _, row := range rows {
		name := row.AccountName
		if name == "" {
			name = r.nameOf(row.AccountID)
		}
		r.printf("  %-14s %-12s %-11s %-10s %7.1fs %7d %7d %7d %5d %8d  %s\n", trunc(name, 14), trunc(row.AccountID, 12), row.Profile, row.Status,
			float64(row.DurationMs)/1000, row.Created, row.Updated, row.Deleted, row.Drift, len(row.Findings), trunc(row.LastError, 60))
	}
	r.rep.Ledger = rows
	return rows
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// checkBaselined asserts that every new account holds the baseline, read
// back from the accounts themselves.
func (r *run) checkBaselined(ctx context.Context) {
	rows := map[string]ledger.Row{}
	for _, row := range r.rep.Ledger {
		rows[row.AccountID] = row
	}
	for _, name := range []string{"payments-prod", "analytics-dev", "sandbox-alice", "legacy-shop"} {
		id := r.rep.Accounts[name]
		row := rows[id]
		r.check("baselined "+name, row.Status == ledger.StatusSucceeded && row.Created > 0,
			"ledger %s, %d created, profile %s", row.Status, row.Created, row.Profile)
	}
	invited := r.executionFor("legacy-shop")
	r.mu.Lock()
	checks := r.invitationChecks[r.rep.Accounts["legacy-shop"]]
	r.mu.Unlock()
	r.check("invited account waited for", checks > 0 && invited.Status == "SUCCEEDED",
		"legacy-shop's run retried Describe %d times while the invitation was open, and %s once the owner accepted", checks, invited.Status)
	slow := r.executionFor("sandbox-alice")
	r.check("slow account waited for", strings.Contains(strings.Join(slow.States, ","), "WaitReady") && slow.Status == "SUCCEEDED",
		"sandbox-alice refused AssumeRole for %s; its run %s after WaitReady retried", slowAccountDelay, slow.Status)
	// Read back from the account: the trail logs, the root alarm exists.
	pay := r.adminOf(ctx, r.rep.Accounts["payments-prod"])
	n := 0
	var err error
	p := cloudwatch.NewDescribeAlarmsPaginator(cloudwatch.NewFromConfig(pay), &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(r.cfg.Naming.Prefix + "-")})
	for p.HasMorePages() && err == nil {
		var page *cloudwatch.DescribeAlarmsOutput
		if page, err = p.NextPage(ctx); err == nil {
			n += len(page.MetricAlarms)
		}
	}
	r.check("alarms in payments-prod", err == nil && n >= 15, "%d alarms read back from the account", n)
}

func (r *run) executionFor(name string) Execution {
	id := r.rep.Accounts[name]
	var last Execution
	for _, e := range r.executions(r.dep.baseline.Name) {
		if e.Account == id {
			last = e
		}
	}
	return last
}

// alert replays a root console sign-in into payments-prod's trail. The
// metric filter matches, the alarm fires, the account's alerts topic fans
// in to the central queue, and the formatter's email reaches the outbox.
func (r *run) alert(ctx context.Context) {
	id := r.rep.Accounts["payments-prod"]
	raw, err := os.ReadFile(filepath.Join(r.opts.ModuleDir, "events", "cloudtrail", "root-usage.match.console-login.json"))
	if err != nil {
		r.check("root sign-in replayed", false, "%v", err)
		return
	}
	record := strings.ReplaceAll(string(raw), "444455556666", id)
	record = replaceEventTime(record, time.Now().UTC())
	sent := time.Now()
	if err := r.srv.RecordCloudTrailEvent(id, []byte(record)); err != nil {
		r.check("root sign-in replayed", false, "%v", err)
		return
	}
	r.printf("  replayed events/cloudtrail/root-usage.match.console-login.json into %s's trail log group\n", id)
	email := r.waitEmail(ctx, "secops@acme.example", "root", sent, 30*time.Second)
	if email == nil {
		r.check("alert delivered", false, "no formatted email for secops@acme.example within 30s")
		return
	}
	r.rep.AlertEmail = email
	where := "the management account"
	if r.dep.alerts != nil {
		where = "the security account"
	}
	r.check("alert delivered", strings.Contains(email.Body, id), "metric filter -> alarm -> SNS -> central fan-in in %s -> formatter -> email in %.1fs",
		where, time.Since(sent).Seconds())
	r.checkReceipt(ctx, id, r.cfg.Naming.Prefix+"-root-usage")
	r.check("alert says who", strings.Contains(email.Body, "ConsoleLogin by root user") && strings.Contains(email.Body, "from 198.51.100.23"),
		"the formatter found the CloudTrail record behind the alarm: principal, source IP, MFA")
	r.printf("\n  To: %s\n  Subject: %s\n\n%s\n", email.To, email.Subject, indent(email.Body, "  | "))
}

// checkReceipt waits for the receipt the formatter writes to the ledger
// after it delivered an alarm's alert; from the security account it writes
// through the management account's alerts bridge role.
func (r *run) checkReceipt(ctx context.Context, account, alarm string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		receipt, err := r.ledger().GetReceipt(ctx, account, alarm)
		if err == nil && receipt.State == "ALARM" {
			r.check("delivery recorded", true, "the formatter wrote the receipt for %s to the ledger in the management account", alarm)
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			r.check("delivery recorded", false, "no ALARM receipt for %s in the ledger within 10s: %v", alarm, err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func replaceEventTime(record string, t time.Time) string {
	i := strings.Index(record, `"eventTime"`)
	if i < 0 {
		return record
	}
	j := strings.Index(record[i:], ",")
	return record[:i] + `"eventTime": "` + t.Format(time.RFC3339) + `"` + record[i+j:]
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// waitEmail waits for a notification to an address whose subject mentions
// word, sent after since.
func (r *run) waitEmail(ctx context.Context, to, word string, since time.Time, limit time.Duration) *awslocal.Email {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		for _, e := range r.srv.Outbox() {
			if e.To == to && e.Kind == "notification" && !e.Time.Before(since.Add(-time.Second)) &&
				strings.Contains(strings.ToLower(e.Subject+e.Body), strings.ToLower(word)) && strings.Contains(e.Subject, "[") {
				return &e
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// drift has an administrator of payments-prod try to delete an alarm,
// which the protect-baseline SCP refuses, then turn off the account's S3
// public access block and loosen the password policy, which it allows; it
// lets a day pass for the ledger, runs the Sweep state machine, and checks
// it repaired exactly that.
func (r *run) drift(ctx context.Context) {
	id := r.rep.Accounts["payments-prod"]
	prefix := r.cfg.Naming.Prefix
	// People enter through the human roles, signed in to the identity
	// account with MFA.
	person := r.adminOf(ctx, r.cfg.Organization.Identity.AccountID)
	operator := awsx.AssumeRole(person, awsx.RoleARN(id, prefix+"-operator"), "bob")
	_, err := cloudtrail.NewFromConfig(operator).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(r.cfg.TrailName())})
	r.check("operator kept off the trail", awsx.IsCode(err, "AccessDeniedException"),
		"bob, through %s-operator in payments-prod, tries to stop the trail: %s", prefix, trunc(awsx.ErrorCode(err), 40))
	admin := awsx.AssumeRole(person, awsx.RoleARN(id, prefix+"-admin"), "alice")
	alarm := r.cfg.AlarmName("root-usage")
	_, err = cloudwatch.NewFromConfig(admin).DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{alarm}})
	r.check("administrator kept off the alert path", awsx.IsCode(err, "AccessDenied"),
		"alice, through %s-admin in payments-prod, tries to delete alarm %s: %s", prefix, alarm, trunc(awsx.ErrorCode(err), 40))
	if _, err := s3control.NewFromConfig(admin).DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(id)}); err != nil {
		r.check("drift caused", false, "%v", err)
		return
	}
	if _, err := iam.NewFromConfig(admin).UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(8)}); err != nil {
		r.check("drift caused", false, "%v", err)
		return
	}
	r.printf("  alice, through %s-admin, turns off the account's S3 public access block and sets the password length to 8 in payments-prod\n", prefix)
	r.rep.DriftBefore = r.plan(ctx, "payments-prod")
	r.printf("  landfall plan --account %s:\n%s", id, indent(strings.Join(r.rep.DriftBefore, "\n"), "    ")+"\n")
	r.ageLedger(ctx, 25*time.Hour)
	r.printf("  a day passes (ledger rows aged by 25h, so the daily drift check is due), and the sweep runs:\n")
	sweep := r.execute(ctx, r.dep.sweep.ARN, []byte(`{"version":"0","id":"demo-sweep","detail-type":"Scheduled Event","source":"aws.events","account":"`+r.mgmt+`","time":"`+time.Now().UTC().Format(time.RFC3339)+`","region":"`+r.home+`","resources":[],"detail":{}}`))
	r.rep.DriftAfter = r.plan(ctx, "payments-prod")
	rows := r.printLedger(ctx)
	drift := -1
	for _, row := range rows {
		if row.AccountID == id {
			drift = row.Drift
		}
	}
	r.check("drift found and repaired", sweep.Status == "SUCCEEDED" && len(r.rep.DriftBefore) == 2 && len(r.rep.DriftAfter) == 0 && drift == 2,
		"plan listed %d changes before the sweep and %d after; ledger drift = %d", len(r.rep.DriftBefore), len(r.rep.DriftAfter), drift)
}

// plan lists the changes landfall would make to an account, as
// `landfall plan` shows them.
func (r *run) plan(ctx context.Context, name string) []string {
	id := r.rep.Accounts[name]
	acct, err := accounts.Describe(ctx, organizationsClient(r.admin), id)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	sel, err := r.cfg.SelectProfile(acct)
	if err != nil || sel.Profile == nil {
		return []string{fmt.Sprintf("error: no profile (%v)", err)}
	}
	spec, err := baseline.NewSpec(r.cfg, sel.Profile, acct, r.orgID)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	if spec.IdentityAccountStatus, err = accounts.IdentityStatus(ctx, organizationsClient(r.admin), r.cfg); err != nil {
		return []string{"error: " + err.Error()}
	}
	// The operator's own credentials, as `landfall plan` uses them.
	in, _, err := accounts.Enter(ctx, r.admin, r.cfg, id, discardLog)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	p, err := engine.Plan(ctx, spec, in, baseline.ScopeAll)
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, c := range p.Changes {
		if c.Changing() {
			out = append(out, c.String())
		}
	}
	return out
}

// ageLedger moves every row's last run back, as if time had passed.
func (r *run) ageLedger(ctx context.Context, by time.Duration) {
	rows, err := r.ledger().List(ctx)
	if err != nil {
		return
	}
	db := dynamodb.NewFromConfig(r.admin)
	for _, row := range rows {
		_, _ = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(r.dep.ledgerTable),
			Key:                       map[string]ddbtypes.AttributeValue{"accountId": &ddbtypes.AttributeValueMemberS{Value: row.AccountID}},
			UpdateExpression:          aws.String("SET lastRun = :t"),
			ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":t": &ddbtypes.AttributeValueMemberS{Value: row.LastRun.Add(-by).Format(time.RFC3339)}}})
	}
}

// failures shows a failed account creation and an account that never
// becomes reachable, both ending in a FAILED ledger row and an operations
// email.
func (r *run) failures(ctx context.Context) {
	since := time.Now()
	// An email address that is already taken makes CreateAccount fail.
	_, reason, err := r.vend(ctx, "duplicate", "payments-prod@acme.example", nil)
	r.check("creation fails", err == nil && reason == "EMAIL_ALREADY_EXISTS", "CreateAccountResult FAILED: %s", reason)
	r.srv.DelayNextAccount(-1)
	id, _, err := r.vend(ctx, "blackhole", "blackhole@acme.example", nil)
	if err != nil {
		r.check("unreachable account", false, "%v", err)
		return
	}
	r.printf("  vended blackhole (%s), whose entry role never becomes assumable\n", id)
	r.waitExecutions()
	rows := r.printLedger(ctx)
	var dup, hole ledger.Row
	for _, row := range rows {
		switch {
		case row.AccountID == id:
			hole = row
		case strings.HasPrefix(row.AccountID, "creation-failed/"):
			dup = row
		}
	}
	r.check("failed creation recorded", dup.Status == ledger.StatusFailed && strings.Contains(dup.LastError, "EMAIL_ALREADY_EXISTS"), "ledger %s: %s", dup.AccountID, dup.LastError)
	r.check("unreachable account recorded", hole.Status == ledger.StatusFailed && strings.Contains(hole.LastError, "AccountNotReady"), "ledger: %s", trunc(hole.LastError, 90))
	ops := 0
	for _, e := range r.srv.Outbox() {
		if e.To == "platform@acme.example" && e.Kind == "notification" && !e.Time.Before(since.Add(-time.Second)) && strings.Contains(strings.ToLower(e.Subject), "fail") {
			ops++
		}
	}
	r.check("operations notified", ops >= 2, "%d failure emails to platform@acme.example", ops)
}

// summary prints the totals.
func (r *run) summary(ctx context.Context) {
	// A request the endpoint could not decide was refused with an
	// InternalFailure, which a function may have retried or logged away:
	// the story holds only if IAM's rules decided every request.
	faults := r.srv.AuthorizationFaults()
	r.check("every request decided by IAM's rules", len(faults) == 0, "%d undecided%s", len(faults), firstOf(faults))
	r.rep.Wall = time.Since(r.start)
	for k, n := range r.srv.Calls() {
		r.rep.Calls += n
		if k.Write() {
			r.rep.Writes += n
		}
	}
	r.rep.Emails = r.srv.Outbox()
	items := 0
	for _, row := range r.rep.Ledger {
		items += row.Created
	}
	alerts := 0
	for _, e := range r.rep.Emails {
		if e.Kind == "notification" && e.To == "secops@acme.example" {
			alerts++
		}
	}
	passed := 0
	for _, s := range r.rep.Steps {
		if s.OK {
			passed++
		}
	}
	r.heading("Summary")
	r.printf("  accounts %d, resources created %d, API calls %d (%d writes), executions %d, alert emails %d, wall time %s\n",
		len(r.rep.Accounts), items, r.rep.Calls, r.rep.Writes, len(r.rep.Executions), alerts, r.rep.Wall.Round(time.Second))
	r.printf("  %d of %d checks held\n", passed, len(r.rep.Steps))
}

var discardLog = slog.New(slog.DiscardHandler)

func organizationsClient(cfg aws.Config) *organizations.Client {
	return organizations.NewFromConfig(cfg)
}

// firstOf names the first of faults, for a check's detail.
func firstOf(faults []string) string {
	if len(faults) == 0 {
		return ""
	}
	return "; the first: " + faults[0]
}
