package notify

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Alert types of a budget notification.
const (
	budgetActual     = "ACTUAL"
	budgetForecasted = "FORECASTED"
)

// BudgetNotification is what AWS Budgets says in the plain-text message it
// publishes to SNS, e.g.
//
//	AWS Budget Notification March 05, 2023
//	AWS Account 111122223333
//	...
//	Budget Name: killswitch
//	Budget Type: Cost
//	Budgeted Amount: $5.00
//	Alert Type: ACTUAL
//	Alert Threshold: > $0.75
//	ACTUAL Amount: $1.70
//
// Amounts keep the text AWS wrote, currency symbol included.
type BudgetNotification struct {
	AccountID      string
	Date           string
	BudgetName     string
	BudgetType     string
	BudgetedAmount string
	AlertType      string
	AlertThreshold string
	Amount         string
	// Period is the evaluation window from the prose, e.g. "for the current
	// month" or "per day"; empty when the prose has a different shape.
	Period string
}

// budgetPeriodPattern finds the window in "…budget is greater than $8.00 for
// the current month." The comparison words follow the API's
// GREATER_THAN | LESS_THAN | EQUAL_TO.
var budgetPeriodPattern = regexp.MustCompile(`budget is (?:greater than|less than|equal to) \S+ ([^.]+)\.`)

// parseBudget reads a Budgets notification. It requires the "Budget Name"
// and "Alert Type" lines, which every shape seen so far carries.
func parseBudget(text string) (BudgetNotification, bool) {
	var b BudgetNotification
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(line, "AWS Budget Notification "); ok {
			b.Date = rest
			continue
		}
		if rest, ok := strings.CutPrefix(line, "AWS Account "); ok {
			b.AccountID = strings.TrimSpace(rest)
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "Budget Name":
			b.BudgetName = value
		case "Budget Type":
			b.BudgetType = value
		case "Budgeted Amount":
			b.BudgetedAmount = value
		case "Alert Type":
			b.AlertType = value
		case "Alert Threshold":
			b.AlertThreshold = value
		default:
			// The amount line is named after the alert type: "ACTUAL Amount".
			if strings.HasSuffix(key, " Amount") && strings.TrimSuffix(key, " Amount") != "Budgeted" {
				b.Amount = value
			}
		}
	}
	if m := budgetPeriodPattern.FindStringSubmatch(strings.Join(strings.Fields(text), " ")); m != nil {
		b.Period = m[1]
	}
	return b, b.BudgetName != "" && b.AlertType != ""
}

func formatBudget(b BudgetNotification, ctx Context, from origin) Message {
	account := accountLabel(b.AccountID, ctx.accountName(b.AccountID))
	sev := b.severity()
	links := []Link{{Label: "Budgets", URL: ctx.console("").budgets()}}
	spend := "Actual"
	if b.AlertType == budgetForecasted {
		spend = "Forecasted"
	}
	period := ""
	if b.Period != "" {
		period = " " + oneLine(b.Period)
	}

	var w body
	w.para(fmt.Sprintf("%s spend for budget %q in %s is %s%s, past the alert threshold (%s; budgeted %s).",
		spend, oneLine(b.BudgetName), account, oneLine(orUnknown(b.Amount)), period,
		oneLine(orUnknown(b.AlertThreshold)), oneLine(orUnknown(b.BudgetedAmount))))
	w.field("Account", account)
	w.field("Region", "global (AWS Budgets)")
	w.field("Time", firstNonEmpty(displayTime(from.timestamp), b.Date))
	w.field("Severity", sev)
	w.field("Budget", fmt.Sprintf("%s (%s)", b.BudgetName, orUnknown(b.BudgetType)))
	w.field("Alert", b.AlertType)
	w.field("Threshold", b.AlertThreshold)
	w.field(spend, b.Amount)
	w.field("Budgeted", b.BudgetedAmount)
	w.end()
	w.section("What to do next:", budgetAdvice(b.AlertType))
	w.links(links)

	return Message{
		Kind:     KindBudget,
		Severity: sev,
		Subject: subject(sev, fmt.Sprintf("Budget in %s: %s %s %s (threshold %s)",
			account, b.BudgetName, strings.ToLower(spend), b.Amount, b.AlertThreshold)),
		Text:      w.String(),
		AccountID: b.AccountID,
		Links:     links,
	}
}

// severity: actual spend at or above the whole budget is high; any other
// crossing (an early threshold, or a forecast) is medium.
func (b BudgetNotification) severity() string {
	amount, okA := parseAmount(b.Amount)
	budgeted, okB := parseAmount(b.BudgetedAmount)
	if b.AlertType == budgetActual && okA && okB && amount >= budgeted {
		return SeverityHigh
	}
	return SeverityMedium
}

// parseAmount reads the number in "$1,234.50" or "1234.5 USD".
func parseAmount(s string) (float64, bool) {
	var digits strings.Builder
	for _, r := range s {
		if (r >= '0' && r <= '9') || r == '.' || r == '-' {
			digits.WriteRune(r)
		}
	}
	v, err := strconv.ParseFloat(digits.String(), 64)
	return v, err == nil
}

func budgetAdvice(alertType string) []string {
	first := "Open Cost Explorer for this account, grouped by service, to see what is spending; stop or right-size anything unexpected."
	if alertType == budgetForecasted {
		first = "Spend is on track to pass the threshold before the period ends; check Cost Explorer's daily trend for new or growing services."
	}
	return []string{first, "If the spend is expected, raise the budget amount in landfall's configuration."}
}
