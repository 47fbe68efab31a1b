package awslocal

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AWS Budgets (JSON 1.1, global in us-east-1), following the AWS Billing and
// Cost Management API Reference
// (https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/):
//
//   - CreateBudget, DescribeBudget, DescribeBudgets, UpdateBudget, DeleteBudget:
//     API_budgets_CreateBudget.html (and the other API_budgets_* pages)
//   - DescribeNotificationsForBudget, CreateNotification, DeleteNotification:
//     API_budgets_DescribeNotificationsForBudget.html, API_budgets_CreateNotification.html,
//     API_budgets_DeleteNotification.html
//   - DescribeSubscribersForNotification, CreateSubscriber, DeleteSubscriber:
//     API_budgets_DescribeSubscribersForNotification.html, API_budgets_CreateSubscriber.html,
//     API_budgets_DeleteSubscriber.html
//   - TagResource, ListTagsForResource: API_budgets_TagResource.html, API_budgets_ListTagsForResource.html
//   - alerts: https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
//
// Known differences from AWS:
//   - Spend never accrues by itself: tests and the demo set it with
//     SetBudgetSpend, which evaluates the notifications at once.
//   - The alert text follows the shape of AWS's budget alert emails but is
//     not byte-identical. An alert the topic policy refuses is logged and
//     dropped.
//   - Budget actions, auto-adjusting and planned limits, billing views and
//     quotas other than subscribers per notification are absent.

func registerBudgets(s *Server) {
	s.register(&service{
		name: "budgets", protocol: jsonProtocol{version: "1.1"},
		throttle:  *statusErrorf(http.StatusBadRequest, "ThrottlingException", "Rate exceeded"),
		unknownOp: "UnknownOperationException",
		ops: map[string]handler{
			"CreateBudget":                       budgetsCreateBudget,
			"DescribeBudget":                     budgetsDescribeBudget,
			"DescribeBudgets":                    budgetsDescribeBudgets,
			"UpdateBudget":                       budgetsUpdateBudget,
			"DeleteBudget":                       budgetsDeleteBudget,
			"DescribeNotificationsForBudget":     budgetsDescribeNotifications,
			"CreateNotification":                 budgetsCreateNotification,
			"DeleteNotification":                 budgetsDeleteNotification,
			"DescribeSubscribersForNotification": budgetsDescribeSubscribers,
			"CreateSubscriber":                   budgetsCreateSubscriber,
			"DeleteSubscriber":                   budgetsDeleteSubscriber,
			"TagResource":                        budgetsTagResource,
			"ListTagsForResource":                budgetsListTagsForResource,
		},
	})
}

// budgetsState is an account's budgets, by name.
type budgetsState struct {
	budgets map[string]*budget
}

type budget struct {
	def           doc // the Budget as stored, CalculatedSpend included
	notifications []*budgetNotification
	tags          map[string]string
}

type budgetNotification struct {
	def         doc // NotificationType, ComparisonOperator, Threshold, ThresholdType, NotificationState
	subscribers []doc
}

func budgetsOf(a *account) *budgetsState {
	return state(a, "budgets", func() *budgetsState { return &budgetsState{budgets: map[string]*budget{}} })
}

// budgetARN is the ARN of account's budget name.
func budgetARN(account, name string) string { return "arn:aws:budgets::" + account + ":budget/" + name }

func budgetParam(format string, args ...any) *APIError {
	return errorf("InvalidParameterException", format, args...)
}

func budgetNotFound(format string, args ...any) *APIError {
	return errorf("NotFoundException", format, args...)
}

// budgetsAccount checks AccountId: required, and the caller's own account.
func (c *call) budgetsAccount() (*budgetsState, error) {
	id := str(c.in, "AccountId")
	if !accountIDPattern.MatchString(id) {
		return nil, budgetParam("Account ID must be a 12-digit number")
	}
	if id != c.principal.AccountID {
		return nil, statusErrorf(http.StatusBadRequest, "AccessDeniedException", "User: %s is not authorized to perform: budgets:%s on resource: arn:aws:budgets::%s:budget/*", c.principal.ARN, c.op, id)
	}
	return budgetsOf(c.account), nil
}

// budgetNamed finds the request's BudgetName.
func (c *call) budgetNamed() (*budget, error) {
	st, err := c.budgetsAccount()
	if err != nil {
		return nil, err
	}
	name := str(c.in, "BudgetName")
	b, ok := st.budgets[name]
	if !ok {
		return nil, budgetNotFound("Unable to get budget: %s - the budget doesn't exist.", name)
	}
	return b, nil
}

var (
	budgetTimeUnits = []string{"DAILY", "MONTHLY", "QUARTERLY", "ANNUALLY"}
	budgetTypes     = []string{"USAGE", "COST", "RI_UTILIZATION", "RI_COVERAGE", "SAVINGS_PLANS_UTILIZATION", "SAVINGS_PLANS_COVERAGE"}
)

// budgetFarEnd is the end AWS gives a budget without one: 2087-06-15.
var budgetFarEnd = time.Date(2087, 6, 15, 0, 0, 0, 0, time.UTC)

// validBudget checks a Budget structure and returns it with AWS's
// defaults filled in (time period, zero spend).
func (s *Server) validBudget(in doc) (doc, error) {
	if in == nil {
		return nil, budgetParam("Budget is required")
	}
	b := doc{}
	for k, v := range in {
		b[k] = v
	}
	name := str(b, "BudgetName")
	if len(name) < 1 || len(name) > 100 || strings.ContainsAny(name, `:\`) {
		return nil, budgetParam("Budget name must be 1-100 characters and may not contain ':' or '\\'")
	}
	if !slices.Contains(budgetTimeUnits, str(b, "TimeUnit")) {
		return nil, budgetParam("TimeUnit must be one of %s", strings.Join(budgetTimeUnits, ", "))
	}
	if !slices.Contains(budgetTypes, str(b, "BudgetType")) {
		return nil, budgetParam("BudgetType must be one of %s", strings.Join(budgetTypes, ", "))
	}
	limit := obj(b, "BudgetLimit")
	if limit == nil {
		return nil, budgetParam("A budget limit is required for a %s budget", str(b, "BudgetType"))
	}
	amount, err := strconv.ParseFloat(str(limit, "Amount"), 64)
	if err != nil || amount < 0 || str(limit, "Unit") == "" {
		return nil, budgetParam("BudgetLimit needs a non-negative decimal Amount and a Unit")
	}
	if obj(b, "TimePeriod") == nil {
		now := s.now()
		b["TimePeriod"] = doc{"Start": time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC), "End": budgetFarEnd}
	}
	unit := str(limit, "Unit")
	b["CalculatedSpend"] = doc{"ActualSpend": doc{"Amount": "0", "Unit": unit}, "ForecastedSpend": doc{"Amount": "0", "Unit": unit}}
	b["LastUpdatedTime"] = s.now()
	return b, nil
}

func budgetsCreateBudget(c *call) (doc, error) {
	st, err := c.budgetsAccount()
	if err != nil {
		return nil, err
	}
	def, err := c.srv.validBudget(obj(c.in, "Budget"))
	if err != nil {
		return nil, err
	}
	name := str(def, "BudgetName")
	if _, dup := st.budgets[name]; dup {
		return nil, errorf("DuplicateRecordException", "Error creating budget: %s - the budget already exists.", name)
	}
	b := &budget{def: def, tags: tagList(c.in, "ResourceTags")}
	for _, nws := range list(c.in, "NotificationsWithSubscribers") {
		n, err := validNotification(obj(nws, "Notification"))
		if err != nil {
			return nil, err
		}
		if b.notification(n) != nil {
			return nil, errorf("DuplicateRecordException", "Error creating notification: the notification already exists.")
		}
		subs, err := validSubscribers(list(nws, "Subscribers"))
		if err != nil {
			return nil, err
		}
		b.notifications = append(b.notifications, &budgetNotification{def: n, subscribers: subs})
	}
	st.budgets[name] = b
	return doc{}, nil
}

func budgetsDescribeBudget(c *call) (doc, error) {
	b, err := c.budgetNamed()
	if err != nil {
		return nil, err
	}
	return doc{"Budget": b.def}, nil
}

func budgetsDescribeBudgets(c *call) (doc, error) {
	st, err := c.budgetsAccount()
	if err != nil {
		return nil, err
	}
	names := sortedKeys(st.budgets)
	page, next, err := budgetsPage(c, names)
	if err != nil {
		return nil, err
	}
	out := doc{"Budgets": anyList(page, func(n string) any { return st.budgets[n].def })}
	return withToken(out, "NextToken", next), nil
}

// budgetsPage pages a Describe* list with MaxResults (1-1000) and NextToken.
func budgetsPage[T any](c *call, items []T) ([]T, string, error) {
	limit := intOr(c.in, "MaxResults", 0)
	if has(c.in, "MaxResults") && (limit < 1 || limit > 1000) {
		return nil, "", budgetParam("MaxResults must be between 1 and 1000")
	}
	return page(c.srv, items, str(c.in, "NextToken"), limit, func() error {
		return errorf("InvalidNextTokenException", "The next token is invalid")
	})
}

// UpdateBudget replaces the definition and keeps the spend AWS has
// calculated so far.
func budgetsUpdateBudget(c *call) (doc, error) {
	st, err := c.budgetsAccount()
	if err != nil {
		return nil, err
	}
	def, err := c.srv.validBudget(obj(c.in, "NewBudget"))
	if err != nil {
		return nil, err
	}
	b, ok := st.budgets[str(def, "BudgetName")]
	if !ok {
		return nil, budgetNotFound("Unable to update budget: %s - the budget doesn't exist.", str(def, "BudgetName"))
	}
	def["CalculatedSpend"] = b.def["CalculatedSpend"]
	b.def = def
	return doc{}, nil
}

func budgetsDeleteBudget(c *call) (doc, error) {
	b, err := c.budgetNamed()
	if err != nil {
		return nil, err
	}
	delete(budgetsOf(c.account).budgets, str(b.def, "BudgetName"))
	return doc{}, nil
}

// budgetByARN resolves arn:aws:budgets::<account>:budget/<name>.
func (c *call) budgetByARN() (*budget, error) {
	arn := str(c.in, "ResourceARN")
	prefix := "arn:aws:budgets::" + c.principal.AccountID + ":budget/"
	if !strings.HasPrefix(arn, "arn:aws:budgets::") {
		return nil, budgetParam("ResourceARN %s is not a budget ARN", arn)
	}
	b, ok := budgetsOf(c.account).budgets[strings.TrimPrefix(arn, prefix)]
	if !strings.HasPrefix(arn, prefix) || !ok {
		return nil, budgetNotFound("Resource %s not found", arn)
	}
	return b, nil
}

func budgetsTagResource(c *call) (doc, error) {
	b, err := c.budgetByARN()
	if err != nil {
		return nil, err
	}
	tags := tagList(c.in, "ResourceTags")
	for k := range tags {
		if strings.HasPrefix(k, "aws:") {
			return nil, budgetParam("Tag keys may not start with aws:")
		}
	}
	// A refused request changes nothing.
	all := copyTags(b.tags)
	maps.Copy(all, tags)
	if len(all) > 200 {
		return nil, errorf("ServiceQuotaExceededException", "A budget can have at most 200 tags")
	}
	b.tags = all
	return doc{}, nil
}

func budgetsListTagsForResource(c *call) (doc, error) {
	b, err := c.budgetByARN()
	if err != nil {
		return nil, err
	}
	return doc{"ResourceTags": tagsOut(b.tags)}, nil
}
