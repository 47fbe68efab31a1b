package baseline

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgetstypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var budgetItem = Item{
	Name: "budget",
	Needs: []Need{{&alertsTopicItem,
		"the budget's notifications name the alerts topic as a subscriber, and Budgets checks the topic policy when it is added"}},
	Enabled: func(*Spec) bool { return true },
	Plan:    planBudget,
	Permissions: func(s *Spec) []iamStatement {
		// Creating a budget with tags takes budgets:TagResource too.
		return []iamStatement{allow("Budgets", []string{"arn:aws:budgets::*:budget/" + s.Prefix + "-*"},
			"budgets:ViewBudget", "budgets:ModifyBudget", "budgets:ListTagsForResource", "budgets:TagResource")}
	},
}

// The account's monthly cost budget and its alert notifications. The budget
// is an owned resource like any other: a same-named budget without
// landfall's tags is someone else's, and landfall leaves it alone,
// notifications included, unless the profile adopts it. Everything on a
// budget that is landfall's is landfall's too, so its notifications and
// subscribers are repaired without tags of their own (Budgets tags only
// budgets and budget actions).

// budgetsRegion is where the Budgets API lives: it is a global service with
// one endpoint.
const budgetsRegion = "us-east-1"

type budget struct {
	Name          string
	Amount        float64
	Currency      string
	Notifications []budgetNotification
	Subscribers   []budgetstypes.Subscriber
}

// budgetNotification identifies a notification: Budgets has no ids, a
// notification is its type, comparison and threshold.
type budgetNotification struct {
	Type      budgetstypes.NotificationType
	Threshold float64 // percent of the amount
}

func (n budgetNotification) String() string {
	return string(n.Type) + ">" + strconv.FormatFloat(n.Threshold, 'f', -1, 64) + "%"
}

func desiredBudget(s *Spec) budget {
	b := s.Profile.Items.Budget
	out := budget{Name: s.Name("monthly"), Amount: s.BudgetAmount, Currency: b.Currency,
		Subscribers: []budgetstypes.Subscriber{{SubscriptionType: budgetstypes.SubscriptionTypeSns, Address: aws.String(alertsTopicARN(s, s.HomeRegion()))}}}
	for _, p := range b.Thresholds.ActualPercent {
		out.Notifications = append(out.Notifications, budgetNotification{budgetstypes.NotificationTypeActual, p})
	}
	for _, p := range b.Thresholds.ForecastPercent {
		out.Notifications = append(out.Notifications, budgetNotification{budgetstypes.NotificationTypeForecasted, p})
	}
	for _, e := range s.AlertEmails {
		out.Subscribers = append(out.Subscribers, budgetstypes.Subscriber{SubscriptionType: budgetstypes.SubscriptionTypeEmail, Address: aws.String(e)})
	}
	return out
}

func planBudget(ctx context.Context, env *Env) ([]Change, error) {
	client := budgets.NewFromConfig(awsx.InRegion(env.AWS, budgetsRegion))
	spec := env.Spec
	account := spec.Account.ID
	want := desiredBudget(spec)
	arn := budgetARN(account, want.Name)
	c, _, err := planOwned(ctx, spec, owned[*budgetstypes.Budget]{
		Kind: "budget", Name: want.Name, Resource: "budget/" + want.Name,
		Find: func(ctx context.Context) (*budgetstypes.Budget, error) {
			return findBudgetByName(ctx, client, account, want.Name)
		},
		Tags: func(ctx context.Context, _ *budgetstypes.Budget) (map[string]string, error) {
			return findBudgetTags(ctx, client, arn)
		},
		Tag: func(ctx context.Context, _ *budgetstypes.Budget, missing, _ map[string]string) error {
			_, err := client.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: aws.String(arn), ResourceTags: tagList(missing, newBudgetTag)})
			return err
		},
		Create: func(ctx context.Context) error {
			_, err := client.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(account), Budget: expandBudget(want),
				NotificationsWithSubscribers: expandNotifications(want), ResourceTags: tagList(spec.Tags, newBudgetTag)})
			if err != nil {
				return fmt.Errorf("creating budget (%s): %w", want.Name, err)
			}
			return nil
		},
		Edits: func(_ context.Context, have *budgetstypes.Budget) ([]edit, error) {
			diffs := diffBudget(have, want)
			if len(diffs) == 0 {
				return nil, nil
			}
			return []edit{{diffs, func(ctx context.Context) error {
				if _, err := client.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(account), NewBudget: expandBudget(want)}); err != nil {
					return fmt.Errorf("updating budget (%s): %w", want.Name, err)
				}
				return nil
			}}}, nil
		},
	})
	if err != nil {
		return nil, err
	}
	// A new budget is created with its notifications, and someone else's
	// keeps its own.
	if c.Action == Create || c.Action == Conflict {
		return []Change{c}, nil
	}
	notes, err := planBudgetNotifications(ctx, client, account, want)
	if err != nil {
		return nil, err
	}
	return append([]Change{c}, notes...), nil
}

// budgetARN is the ARN of the named budget ("Resource types defined by AWS
// Budget Service", Service Authorization Reference), which its tags are
// read and written by.
func budgetARN(account, name string) string { return "arn:aws:budgets::" + account + ":budget/" + name }

func diffBudget(have *budgetstypes.Budget, want budget) []Diff {
	var d []Diff
	amount, unit := "", ""
	if have.BudgetLimit != nil {
		amount, unit = aws.ToString(have.BudgetLimit.Amount), aws.ToString(have.BudgetLimit.Unit)
	}
	// Budgets returns amounts in its own format ("100.0"): compare numbers.
	if v, err := strconv.ParseFloat(amount, 64); err != nil || v != want.Amount {
		d = append(d, Diff{Field: "BudgetLimit.Amount", Have: amount, Want: formatAmount(want.Amount)})
	}
	diffField(&d, "BudgetLimit.Unit", unit, want.Currency)
	diffField(&d, "BudgetType", have.BudgetType, budgetstypes.BudgetTypeCost)
	diffField(&d, "TimeUnit", have.TimeUnit, budgetstypes.TimeUnitMonthly)
	return d
}

// planBudgetNotifications adds the missing notifications, removes the ones
// the profile no longer lists, and repairs the subscribers of the others.
// The budget is landfall's, so everything on it is too.
func planBudgetNotifications(ctx context.Context, client *budgets.Client, account string, want budget) ([]Change, error) {
	have, err := findBudgetNotifications(ctx, client, account, want.Name)
	if err != nil {
		return nil, err
	}
	var changes []Change
	for _, n := range have {
		key, ok := flattenNotification(n)
		resource := "budget/" + want.Name + "/notification/" + key.String()
		if !ok || !slices.Contains(want.Notifications, key) {
			changes = append(changes, Change{Resource: resource, Action: Delete, Detail: "the notification is on landfall's budget, and the profile no longer lists it", Apply: func(ctx context.Context) error {
				_, err := client.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: aws.String(account), BudgetName: aws.String(want.Name), Notification: &n})
				if err != nil {
					return fmt.Errorf("deleting notification %s of budget (%s): %w", key, want.Name, err)
				}
				return nil
			}})
			continue
		}
		c, err := planBudgetSubscribers(ctx, client, account, want, n, resource)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	for _, key := range want.Notifications {
		if slices.ContainsFunc(have, func(n budgetstypes.Notification) bool { k, ok := flattenNotification(n); return ok && k == key }) {
			continue
		}
		changes = append(changes, Change{Resource: "budget/" + want.Name + "/notification/" + key.String(), Action: Create, Apply: func(ctx context.Context) error {
			_, err := client.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: aws.String(account), BudgetName: aws.String(want.Name),
				Notification: expandNotification(key), Subscribers: want.Subscribers})
			if err != nil {
				return fmt.Errorf("creating notification %s of budget (%s): %w", key, want.Name, err)
			}
			return nil
		}})
	}
	return changes, nil
}

func planBudgetSubscribers(ctx context.Context, client *budgets.Client, account string, want budget, n budgetstypes.Notification, resource string) (Change, error) {
	have, err := findBudgetSubscribers(ctx, client, account, want.Name, n)
	if err != nil {
		return Change{}, err
	}
	var edits []edit
	for _, s := range want.Subscribers {
		if !slices.ContainsFunc(have, sameSubscriber(s)) {
			edits = append(edits, edit{[]Diff{{"Subscriber " + string(s.SubscriptionType), "", aws.ToString(s.Address)}}, func(ctx context.Context) error {
				_, err := client.CreateSubscriber(ctx, &budgets.CreateSubscriberInput{AccountId: aws.String(account), BudgetName: aws.String(want.Name), Notification: &n, Subscriber: &s})
				if err != nil {
					return fmt.Errorf("adding subscriber %s to budget (%s): %w", aws.ToString(s.Address), want.Name, err)
				}
				return nil
			}})
		}
	}
	for _, s := range have {
		if !slices.ContainsFunc(want.Subscribers, sameSubscriber(s)) {
			edits = append(edits, edit{[]Diff{{"Subscriber " + string(s.SubscriptionType), aws.ToString(s.Address), ""}}, func(ctx context.Context) error {
				_, err := client.DeleteSubscriber(ctx, &budgets.DeleteSubscriberInput{AccountId: aws.String(account), BudgetName: aws.String(want.Name), Notification: &n, Subscriber: &s})
				if err != nil {
					return fmt.Errorf("removing subscriber %s from budget (%s): %w", aws.ToString(s.Address), want.Name, err)
				}
				return nil
			}})
		}
	}
	return editsChange(resource, edits), nil
}

func sameSubscriber(a budgetstypes.Subscriber) func(budgetstypes.Subscriber) bool {
	return func(b budgetstypes.Subscriber) bool {
		return a.SubscriptionType == b.SubscriptionType && aws.ToString(a.Address) == aws.ToString(b.Address)
	}
}

func findBudgetByName(ctx context.Context, client *budgets.Client, account, name string) (*budgetstypes.Budget, error) {
	out, err := client.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(account), BudgetName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("reading budget (%s): %w", name, awsx.AsNotFound(err, "budget ("+name+")", "NotFoundException"))
	}
	return out.Budget, nil
}

func findBudgetTags(ctx context.Context, client *budgets.Client, arn string) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("listing tags of budget (%s): %w", arn, err)
	}
	return tagMap(out.ResourceTags, func(t budgetstypes.ResourceTag) (k, v *string) { return t.Key, t.Value }), nil
}

func findBudgetNotifications(ctx context.Context, client *budgets.Client, account, name string) ([]budgetstypes.Notification, error) {
	var out []budgetstypes.Notification
	pages := budgets.NewDescribeNotificationsForBudgetPaginator(client, &budgets.DescribeNotificationsForBudgetInput{AccountId: aws.String(account), BudgetName: aws.String(name)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing notifications of budget (%s): %w", name, err)
		}
		out = append(out, page.Notifications...)
	}
	return out, nil
}

func findBudgetSubscribers(ctx context.Context, client *budgets.Client, account, name string, n budgetstypes.Notification) ([]budgetstypes.Subscriber, error) {
	var out []budgetstypes.Subscriber
	pages := budgets.NewDescribeSubscribersForNotificationPaginator(client, &budgets.DescribeSubscribersForNotificationInput{
		AccountId: aws.String(account), BudgetName: aws.String(name), Notification: &n})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing subscribers of budget (%s): %w", name, err)
		}
		out = append(out, page.Subscribers...)
	}
	return out, nil
}

func formatAmount(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func expandBudget(b budget) *budgetstypes.Budget {
	return &budgetstypes.Budget{BudgetName: aws.String(b.Name), BudgetType: budgetstypes.BudgetTypeCost, TimeUnit: budgetstypes.TimeUnitMonthly,
		BudgetLimit: &budgetstypes.Spend{Amount: aws.String(formatAmount(b.Amount)), Unit: aws.String(b.Currency)}}
}

func expandNotification(n budgetNotification) *budgetstypes.Notification {
	return &budgetstypes.Notification{NotificationType: n.Type, ComparisonOperator: budgetstypes.ComparisonOperatorGreaterThan,
		Threshold: n.Threshold, ThresholdType: budgetstypes.ThresholdTypePercentage}
}

func expandNotifications(b budget) []budgetstypes.NotificationWithSubscribers {
	out := make([]budgetstypes.NotificationWithSubscribers, 0, len(b.Notifications))
	for _, n := range b.Notifications {
		out = append(out, budgetstypes.NotificationWithSubscribers{Notification: expandNotification(n), Subscribers: b.Subscribers})
	}
	return out
}

// flattenNotification maps a notification to its key; ok is false for one
// landfall never creates (another comparison or an absolute threshold),
// which is then removed.
func flattenNotification(n budgetstypes.Notification) (budgetNotification, bool) {
	ok := n.ComparisonOperator == budgetstypes.ComparisonOperatorGreaterThan &&
		(n.ThresholdType == budgetstypes.ThresholdTypePercentage || n.ThresholdType == "")
	return budgetNotification{Type: n.NotificationType, Threshold: n.Threshold}, ok
}

func newBudgetTag(k, v *string) budgetstypes.ResourceTag {
	return budgetstypes.ResourceTag{Key: k, Value: v}
}
