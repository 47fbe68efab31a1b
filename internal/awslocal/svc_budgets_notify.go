package awslocal

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Budgets notifications and subscribers, and the alerts they deliver when
// SetBudgetSpend crosses a threshold (see the operation list in
// svc_budgets.go).

var (
	notificationTypes   = []string{"ACTUAL", "FORECASTED"}
	comparisonOperators = []string{"GREATER_THAN", "LESS_THAN", "EQUAL_TO"}
	thresholdTypes      = []string{"PERCENTAGE", "ABSOLUTE_VALUE"}
	subscriberEmail     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// validNotification checks a Notification and returns it normalized:
// ThresholdType defaults to PERCENTAGE and a new notification is OK.
func validNotification(in doc) (doc, error) {
	if in == nil {
		return nil, budgetParam("Notification is required")
	}
	n := doc{
		"NotificationType": str(in, "NotificationType"), "ComparisonOperator": str(in, "ComparisonOperator"),
		"ThresholdType": str(in, "ThresholdType"), "NotificationState": "OK",
	}
	if n["ThresholdType"] == "" {
		n["ThresholdType"] = "PERCENTAGE"
	}
	threshold, ok := num(in, "Threshold")
	switch {
	case !slices.Contains(notificationTypes, str(n, "NotificationType")):
		return nil, budgetParam("NotificationType must be ACTUAL or FORECASTED")
	case !slices.Contains(comparisonOperators, str(n, "ComparisonOperator")):
		return nil, budgetParam("ComparisonOperator must be GREATER_THAN, LESS_THAN or EQUAL_TO")
	case !slices.Contains(thresholdTypes, str(n, "ThresholdType")):
		return nil, budgetParam("ThresholdType must be PERCENTAGE or ABSOLUTE_VALUE")
	case !ok || threshold < 0 || threshold > 15000000000000:
		return nil, budgetParam("Threshold must be between 0 and 15000000000000")
	}
	n["Threshold"] = threshold
	return n, nil
}

// sameNotification compares the members that identify a notification.
func sameNotification(a, b doc) bool {
	for _, k := range []string{"NotificationType", "ComparisonOperator", "ThresholdType"} {
		if str(a, k) != str(b, k) {
			return false
		}
	}
	x, _ := num(a, "Threshold")
	y, _ := num(b, "Threshold")
	return x == y
}

func (b *budget) notification(n doc) *budgetNotification {
	for _, bn := range b.notifications {
		if sameNotification(bn.def, n) {
			return bn
		}
	}
	return nil
}

// validSubscribers checks subscribers: an SNS topic ARN or an email address,
// at most one SNS and ten email subscribers per notification, no duplicates.
func validSubscribers(in []doc) ([]doc, error) {
	if len(in) == 0 {
		return nil, budgetParam("A notification needs at least one subscriber")
	}
	var out []doc
	count := map[string]int{}
	for _, s := range in {
		sub, err := validSubscriber(s)
		if err != nil {
			return nil, err
		}
		for _, prev := range out {
			if str(prev, "Address") == str(sub, "Address") && str(prev, "SubscriptionType") == str(sub, "SubscriptionType") {
				return nil, errorf("DuplicateRecordException", "Error creating subscriber: the subscriber already exists.")
			}
		}
		count[str(sub, "SubscriptionType")]++
		out = append(out, sub)
	}
	if count["SNS"] > 1 || count["EMAIL"] > 10 {
		return nil, budgetParam("A notification can have at most one SNS subscriber and ten email subscribers")
	}
	return out, nil
}

func validSubscriber(in doc) (doc, error) {
	typ, addr := str(in, "SubscriptionType"), str(in, "Address")
	switch {
	case typ == "SNS" && strings.HasPrefix(addr, "arn:aws:sns:"):
	case typ == "EMAIL" && subscriberEmail.MatchString(addr):
	case typ != "SNS" && typ != "EMAIL":
		return nil, budgetParam("SubscriptionType must be SNS or EMAIL")
	default:
		return nil, budgetParam("Address %q is not valid for a %s subscriber", addr, typ)
	}
	return doc{"SubscriptionType": typ, "Address": addr}, nil
}

// notificationNamed finds the request's Notification on its budget.
func (c *call) notificationNamed() (*budget, *budgetNotification, error) {
	b, err := c.budgetNamed()
	if err != nil {
		return nil, nil, err
	}
	n, err := validNotification(obj(c.in, "Notification"))
	if err != nil {
		return nil, nil, err
	}
	bn := b.notification(n)
	if bn == nil {
		return nil, nil, budgetNotFound("Unable to find notification for budget: %s", str(b.def, "BudgetName"))
	}
	return b, bn, nil
}

func budgetsDescribeNotifications(c *call) (doc, error) {
	b, err := c.budgetNamed()
	if err != nil {
		return nil, err
	}
	page, next, err := budgetsPage(c, b.notifications)
	if err != nil {
		return nil, err
	}
	out := doc{"Notifications": anyList(page, func(n *budgetNotification) any { return n.def })}
	return withToken(out, "NextToken", next), nil
}

func budgetsCreateNotification(c *call) (doc, error) {
	b, err := c.budgetNamed()
	if err != nil {
		return nil, err
	}
	n, err := validNotification(obj(c.in, "Notification"))
	if err != nil {
		return nil, err
	}
	if b.notification(n) != nil {
		return nil, errorf("DuplicateRecordException", "Error creating notification: the notification already exists.")
	}
	subs, err := validSubscribers(list(c.in, "Subscribers"))
	if err != nil {
		return nil, err
	}
	b.notifications = append(b.notifications, &budgetNotification{def: n, subscribers: subs})
	return doc{}, nil
}

func budgetsDeleteNotification(c *call) (doc, error) {
	b, bn, err := c.notificationNamed()
	if err != nil {
		return nil, err
	}
	for i, x := range b.notifications {
		if x == bn {
			b.notifications = append(b.notifications[:i], b.notifications[i+1:]...)
			break
		}
	}
	return doc{}, nil
}

func budgetsDescribeSubscribers(c *call) (doc, error) {
	_, bn, err := c.notificationNamed()
	if err != nil {
		return nil, err
	}
	page, next, err := budgetsPage(c, bn.subscribers)
	if err != nil {
		return nil, err
	}
	out := doc{"Subscribers": anyList(page, func(s doc) any { return s })}
	return withToken(out, "NextToken", next), nil
}

func budgetsCreateSubscriber(c *call) (doc, error) {
	_, bn, err := c.notificationNamed()
	if err != nil {
		return nil, err
	}
	subs, err := validSubscribers(append(append([]doc(nil), bn.subscribers...), obj(c.in, "Subscriber")))
	if err != nil {
		return nil, err
	}
	bn.subscribers = subs
	return doc{}, nil
}

func budgetsDeleteSubscriber(c *call) (doc, error) {
	_, bn, err := c.notificationNamed()
	if err != nil {
		return nil, err
	}
	sub, err := validSubscriber(obj(c.in, "Subscriber"))
	if err != nil {
		return nil, err
	}
	for i, s := range bn.subscribers {
		if str(s, "Address") == str(sub, "Address") && str(s, "SubscriptionType") == str(sub, "SubscriptionType") {
			bn.subscribers = append(bn.subscribers[:i], bn.subscribers[i+1:]...)
			return doc{}, nil
		}
	}
	return nil, budgetNotFound("Unable to find subscriber %s", str(sub, "Address"))
}

// SetBudgetSpend sets a budget's actual and forecasted spend, as AWS's
// billing pipeline would, and evaluates its notifications: one that goes
// from OK to ALARM sends the Budgets alert to its subscribers (SNS topics
// as budgets.amazonaws.com, email addresses into the outbox); one whose
// condition no longer holds returns to OK.
func (s *Server) SetBudgetSpend(account, budgetName string, actual, forecast float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return fmt.Errorf("setting budget spend (account %s): no such account", account)
	}
	b, ok := budgetsOf(a).budgets[budgetName]
	if !ok {
		return fmt.Errorf("setting budget spend (budget %s in %s): no such budget", budgetName, account)
	}
	unit := str(obj(b.def, "BudgetLimit"), "Unit")
	b.def["CalculatedSpend"] = doc{
		"ActualSpend":     doc{"Amount": strconv.FormatFloat(actual, 'f', -1, 64), "Unit": unit},
		"ForecastedSpend": doc{"Amount": strconv.FormatFloat(forecast, 'f', -1, 64), "Unit": unit},
	}
	limit, _ := strconv.ParseFloat(str(obj(b.def, "BudgetLimit"), "Amount"), 64)
	for _, bn := range b.notifications {
		spend := actual
		if str(bn.def, "NotificationType") == "FORECASTED" {
			spend = forecast
		}
		threshold, _ := num(bn.def, "Threshold")
		if str(bn.def, "ThresholdType") == "PERCENTAGE" {
			threshold = limit * threshold / 100
		}
		var fires bool
		switch str(bn.def, "ComparisonOperator") {
		case "GREATER_THAN":
			fires = spend > threshold
		case "LESS_THAN":
			fires = spend < threshold
		default:
			fires = spend == threshold
		}
		switch {
		case !fires:
			bn.def["NotificationState"] = "OK"
		case str(bn.def, "NotificationState") == "OK":
			bn.def["NotificationState"] = "ALARM"
			s.deliverBudgetAlert(account, b, bn, limit, spend, threshold)
		}
	}
	return nil
}

// deliverBudgetAlert sends one alert in the shape of AWS Budgets' alert
// email. Callers hold s.mu.
func (s *Server) deliverBudgetAlert(account string, b *budget, bn *budgetNotification, limit, spend, threshold float64) {
	name, kind := str(b.def, "BudgetName"), str(bn.def, "NotificationType")
	unit := str(obj(b.def, "BudgetLimit"), "Unit")
	money := func(v float64) string {
		if unit == "USD" {
			return fmt.Sprintf("$%.2f", v)
		}
		return fmt.Sprintf("%.2f %s", v, unit)
	}
	op := map[string]string{"GREATER_THAN": ">", "LESS_THAN": "<", "EQUAL_TO": "="}[str(bn.def, "ComparisonOperator")]
	words := map[string]string{"GREATER_THAN": "greater than", "LESS_THAN": "less than", "EQUAL_TO": "equal to"}[str(bn.def, "ComparisonOperator")]
	subject := fmt.Sprintf("AWS Budgets: %s has exceeded your alert threshold", name)
	if kind == "FORECASTED" {
		subject = fmt.Sprintf("AWS Budgets: %s is forecasted to exceed your alert threshold", name)
	}
	body := fmt.Sprintf(`AWS Budget Notification %s
AWS Account %s

Dear AWS Customer,

You requested that we alert you when the %s Cost associated with your %s budget is %s %s for the current %s. The %s Cost associated with this budget is %s. You can find additional details below and by accessing the AWS Budgets dashboard [1].

Budget Name: %s
Budget Type: %s
Budgeted Amount: %s
Alert Type: %s
Alert Threshold: %s %s
%s Amount: %s

[1] https://console.aws.amazon.com/billing/home#/budgets
`, s.now().Format("January 2, 2006"), account,
		kind, name, words, money(threshold), budgetPeriodWord(str(b.def, "TimeUnit")), kind, money(spend),
		name, titleWord(str(b.def, "BudgetType")), money(limit), kind, op, money(threshold), kind, money(spend))
	for _, sub := range bn.subscribers {
		addr := str(sub, "Address")
		if str(sub, "SubscriptionType") == "EMAIL" {
			s.outbox = append(s.outbox, Email{To: addr, Subject: subject, Body: body, Kind: "notification", Time: s.now()})
			continue
		}
		// Budgets publishes as its service principal, so the topic policy
		// must allow budgets.amazonaws.com; AWS drops the alert otherwise.
		if err := s.publishAs("budgets.amazonaws.com", account, budgetARN(account, name), addr, subject, body); err != nil {
			s.log.Warn("budget alert not delivered", "budget", name, "topic", addr, "err", err)
		}
	}
}

func budgetPeriodWord(timeUnit string) string {
	return map[string]string{"DAILY": "day", "MONTHLY": "month", "QUARTERLY": "quarter", "ANNUALLY": "year"}[timeUnit]
}

// titleWord turns COST into Cost, as the alert names the budget type.
func titleWord(s string) string {
	if s == "" {
		return s
	}
	return s[:1] + strings.ToLower(s[1:])
}
