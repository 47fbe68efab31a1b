package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Kinds of landfall's own pipeline messages (the "kind" member).
const (
	PipelineKindBaseline              = "landfall.baseline"
	PipelineKindAccountCreationFailed = "landfall.account-creation-failed"
)

// Baseline run statuses.
const (
	BaselineSucceeded = "SUCCEEDED"
	BaselineFailed    = "FAILED"
	BaselineSkipped   = "SKIPPED"
)

// BaselineResult is the message the baseline pipeline publishes when a run
// for one account ends.
type BaselineResult struct {
	Kind        string `json:"kind"`
	Status      string `json:"status"`
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName,omitempty"`
	Profile     string `json:"profile,omitempty"`
	Version     string `json:"version,omitempty"`
	// Region is the account's home region for the run, used for links.
	Region     string `json:"region,omitempty"`
	DurationMs int64  `json:"durationMs"`
	// Created, Updated and Deleted count the resources the run changed.
	Created int `json:"created"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
	// Findings are problems found while verifying, e.g. drift that could
	// not be repaired.
	Findings []BaselineFinding `json:"findings,omitempty"`
	// Error is the failure reason when Status is FAILED, or why the account
	// was skipped.
	Error string `json:"error,omitempty"`
	// Terminal says the failure is one running again cannot mend: the
	// sweep will not retry it until the configuration or the baseline
	// version changes.
	Terminal     bool   `json:"terminal,omitempty"`
	ExecutionARN string `json:"executionArn,omitempty"`
	Time         string `json:"time,omitempty"`
}

// BaselineFinding is one verification problem on a baseline item.
type BaselineFinding struct {
	Item   string `json:"item"`
	Detail string `json:"detail"`
}

// AccountCreationFailed is published when Organizations reports a failed
// CreateAccount request. FailureReason is the CreateAccountStatus
// FailureReason code, e.g. EMAIL_ALREADY_EXISTS.
type AccountCreationFailed struct {
	Kind          string `json:"kind"`
	AccountName   string `json:"accountName"`
	Email         string `json:"email,omitempty"`
	RequestID     string `json:"requestId,omitempty"`
	FailureReason string `json:"failureReason"`
	Time          string `json:"time,omitempty"`
}

func formatBaseline(r BaselineResult, ctx Context) Message {
	name := firstNonEmpty(ctx.accountName(r.AccountID), r.AccountName)
	account := accountLabel(r.AccountID, name)
	sev := baselineSeverity(r)
	var links []Link
	if r.ExecutionARN != "" {
		region := firstNonEmpty(arnRegion(r.ExecutionARN), r.Region)
		links = append(links, Link{Label: "Step Functions execution", URL: ctx.console(region).stepFunctionsExecution(r.ExecutionARN)})
	}

	var w body
	w.para(baselineHeadline(r, account))
	w.field("Account", account)
	w.field("Region", r.Region)
	w.field("Time", displayTime(r.Time))
	w.field("Severity", sev)
	w.field("Profile", r.Profile)
	w.field("Version", r.Version)
	if r.DurationMs > 0 {
		w.field("Duration", (time.Duration(r.DurationMs) * time.Millisecond).String())
	}
	if r.Status != BaselineSkipped {
		w.field("Changes", fmt.Sprintf("%d created, %d updated, %d deleted", r.Created, r.Updated, r.Deleted))
	}
	w.field("Error", r.Error)
	w.end()
	var findings []string
	for _, f := range r.Findings {
		findings = append(findings, oneLine(f.Item)+": "+oneLine(f.Detail))
	}
	w.section("Findings:", findings)
	w.section("What to do next:", baselineAdvice(r))
	w.links(links)

	return Message{
		Kind:      KindPipeline,
		Severity:  sev,
		Subject:   subject(sev, fmt.Sprintf("landfall baseline %s for %s", r.Status, account)),
		Text:      w.String(),
		AccountID: r.AccountID,
		Region:    r.Region,
		Links:     links,
	}
}

func baselineSeverity(r BaselineResult) string {
	switch {
	case r.Status == BaselineFailed:
		return SeverityHigh
	case len(r.Findings) > 0:
		return SeverityMedium
	}
	return SeverityInfo
}

func baselineHeadline(r BaselineResult, account string) string {
	switch r.Status {
	case BaselineSucceeded:
		return fmt.Sprintf("landfall applied baseline %s to %s.", orUnknown(r.Version), account)
	case BaselineFailed:
		return fmt.Sprintf("landfall could not apply baseline %s to %s.", orUnknown(r.Version), account)
	case BaselineSkipped:
		return fmt.Sprintf("landfall skipped %s.", account)
	}
	return fmt.Sprintf("landfall baseline run for %s ended with status %s.", account, orUnknown(oneLine(r.Status)))
}

func baselineAdvice(r BaselineResult) []string {
	switch {
	case r.Status == BaselineFailed && r.Terminal:
		return []string{
			"Running again cannot mend this failure, so landfall will not retry it by itself: the sweep leaves the account alone until the configuration or the baseline version changes.",
			"Fix the cause named in the error, then run `landfall rerun --account " + r.AccountID + "`.",
		}
	case r.Status == BaselineFailed:
		return []string{
			"Read the error above and the Step Functions execution; fix the cause (role trust, permissions, configuration).",
			"Re-run the baseline for this account; runs are idempotent.",
		}
	case len(r.Findings) > 0:
		return []string{"Review the findings; drift that keeps coming back usually means something else manages that resource."}
	case r.Status == BaselineSkipped:
		return []string{"No action needed unless this account should be baselined; check its OU, tags and exclusions in the configuration."}
	}
	return []string{"No action needed."}
}

func formatAccountCreationFailed(a AccountCreationFailed, ctx Context) Message {
	const sev = SeverityHigh
	var w body
	w.para(fmt.Sprintf("AWS Organizations could not create account %q: %s.", oneLine(a.AccountName), oneLine(orUnknown(a.FailureReason))))
	w.field("Account", a.AccountName)
	w.field("Email", a.Email)
	w.field("Request", a.RequestID)
	w.field("Time", displayTime(a.Time))
	w.field("Severity", sev)
	w.end()
	w.section("What to do next:", []string{creationFailureAdvice(a.FailureReason), "Then request the account again."})
	return Message{
		Kind:     KindPipeline,
		Severity: sev,
		Subject:  subject(sev, fmt.Sprintf("landfall account creation FAILED for %s: %s", a.AccountName, a.FailureReason)),
		Text:     w.String(),
	}
}

// creationFailureAdvice explains the common CreateAccountStatus failure
// reasons in terms of what to change.
func creationFailureAdvice(reason string) string {
	switch strings.TrimSpace(reason) {
	case "EMAIL_ALREADY_EXISTS":
		return "The root email address is already used by another AWS account; choose a unique address (plus-addressing works)."
	case "ACCOUNT_LIMIT_EXCEEDED":
		return "The organization has reached its account quota; request an increase in Service Quotas (Organizations)."
	case "INVALID_EMAIL", "INVALID_ADDRESS":
		return "The email address or contact address is invalid; correct it in the account request."
	case "CONCURRENT_ACCOUNT_MODIFICATION":
		return "Another account operation was in progress; wait a few minutes."
	case "MISSING_PAYMENT_INSTRUMENT", "INVALID_PAYMENT_INSTRUMENT":
		return "The management account needs a valid payment method."
	}
	return "Check the failure reason in the Organizations console or with DescribeCreateAccountStatus."
}

// pipelineKind returns the landfall kind of a decoded object, or "".
func pipelineKind(obj map[string]json.RawMessage) string {
	switch k := str(obj, "kind"); k {
	case PipelineKindBaseline, PipelineKindAccountCreationFailed:
		return k
	}
	return ""
}
