package baseline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	budgetstypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestBudget(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("alerts-topic", "budget")
	mustApplyGlobal(t, f, e, f.cfg)

	ctx := context.Background()
	client := budgets.NewFromConfig(awsx.InRegion(f.cfg, budgetsRegion))
	acct := aws.String(f.member)
	name := aws.String("acme-monthly")
	b, err := client.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: acct, BudgetName: name})
	if err != nil || b.Budget.TimeUnit != budgetstypes.TimeUnitMonthly || aws.ToString(b.Budget.BudgetLimit.Unit) != "USD" {
		t.Fatalf("budget after apply: %v %+v", err, b)
	}
	notes, err := findBudgetNotifications(ctx, client, f.member, "acme-monthly")
	if err != nil || len(notes) != 3 {
		t.Fatalf("notifications after apply: %v %+v", err, notes)
	}
	subs, err := findBudgetSubscribers(ctx, client, f.member, "acme-monthly", notes[0])
	if err != nil || len(subs) != 2 {
		t.Fatalf("subscribers after apply: %v %+v", err, subs)
	}

	// Drift: the limit is raised and the forecast alert removed.
	raised := expandBudget(desiredBudget(f.spec))
	raised.BudgetLimit.Amount = aws.String("5000")
	if _, err := client.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: acct, NewBudget: raised}); err != nil {
		t.Fatal(err)
	}
	forecast := expandNotification(budgetNotification{budgetstypes.NotificationTypeForecasted, 100})
	if _, err := client.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: acct, BudgetName: name, Notification: forecast}); err != nil {
		t.Fatal(err)
	}
	plan, err := itemEngine("budget").Plan(ctx, f.spec, f.cfg, ScopeGlobal)
	if err != nil {
		t.Fatal(err)
	}
	got := actions(plan)
	if got["budget budget/acme-monthly"] != Update || got["budget budget/acme-monthly/notification/FORECASTED>100%"] != Create ||
		got["budget budget/acme-monthly/notification/ACTUAL>80%"] != Unchanged || plan.Count()[Update]+plan.Count()[Create] != 2 {
		t.Fatalf("after drift:\n%s", plan)
	}
	if d := plan.Changes[0].Diffs; len(d) != 1 || d[0].Field != "BudgetLimit.Amount" || d[0].Want != "100" {
		t.Fatalf("budget diffs = %+v", d)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if again, err := e.Plan(ctx, f.spec, f.cfg, ScopeGlobal); err != nil || again.HasChanges() {
		t.Fatalf("after repair: %v\n%s", err, again)
	}

	// The profile drops the forecast alert: landfall deletes it.
	p := *f.spec.Profile
	p.Items.Budget.Thresholds.ForecastPercent = nil
	f.spec.Profile = &p
	dropped, err := e.Plan(ctx, f.spec, f.cfg, ScopeGlobal)
	if n := dropped.Count(); err != nil || actions(dropped)["budget budget/acme-monthly/notification/FORECASTED>100%"] != Delete || n[Delete] != 1 || n[Create]+n[Update] != 0 {
		t.Fatalf("after dropping the forecast alert: %v\n%s", err, dropped)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	if notes, err := findBudgetNotifications(ctx, client, f.member, "acme-monthly"); err != nil || len(notes) != len(desiredBudget(f.spec).Notifications) {
		t.Fatalf("notifications after deleting one: %v %+v", err, notes)
	}
}

func TestFlattenNotification(t *testing.T) {
	tests := []struct {
		name string
		in   budgetstypes.Notification
		want budgetNotification
		ok   bool
	}{
		{"actual percent", budgetstypes.Notification{NotificationType: budgetstypes.NotificationTypeActual, ComparisonOperator: budgetstypes.ComparisonOperatorGreaterThan, Threshold: 80, ThresholdType: budgetstypes.ThresholdTypePercentage},
			budgetNotification{budgetstypes.NotificationTypeActual, 80}, true},
		{"absolute threshold", budgetstypes.Notification{NotificationType: budgetstypes.NotificationTypeActual, ComparisonOperator: budgetstypes.ComparisonOperatorGreaterThan, Threshold: 80, ThresholdType: budgetstypes.ThresholdTypeAbsoluteValue},
			budgetNotification{budgetstypes.NotificationTypeActual, 80}, false},
		{"less than", budgetstypes.Notification{NotificationType: budgetstypes.NotificationTypeForecasted, ComparisonOperator: budgetstypes.ComparisonOperatorLessThan, Threshold: 100, ThresholdType: budgetstypes.ThresholdTypePercentage},
			budgetNotification{budgetstypes.NotificationTypeForecasted, 100}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := flattenNotification(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("got %+v %v, want %+v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestBudgetOfSomeoneElse covers a budget with landfall's name that
// landfall did not make: it is left alone, notifications included, unless
// the profile adopts it.
func TestBudgetOfSomeoneElse(t *testing.T) {
	tests := []struct {
		name  string
		adopt bool
		want  Action
		after Action // the budget's action in the plan after applying
	}{
		{"not landfall's", false, Conflict, Conflict},
		{"adopted", true, Update, Unchanged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			f.spec.Profile.Adopt = tt.adopt
			client := budgets.NewFromConfig(awsx.InRegion(f.cfg, budgetsRegion))
			acct, name := aws.String(f.member), aws.String("acme-monthly")
			theirs := expandBudget(desiredBudget(f.spec))
			theirs.BudgetLimit.Amount = aws.String("5000")
			if _, err := client.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: theirs,
				ResourceTags: []budgetstypes.ResourceTag{{Key: aws.String("team"), Value: aws.String("finance")}}}); err != nil {
				t.Fatal(err)
			}
			e := itemEngine("alerts-topic", "budget")
			plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeGlobal)
			if err != nil || actions(plan)["budget budget/acme-monthly"] != tt.want {
				t.Fatalf("plan: %v\n%s", err, plan)
			}
			entries := 0
			for _, c := range plan.Changes {
				if c.Item == "budget" {
					entries++
				}
			}
			if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
				t.Fatal(err)
			}
			b, err := client.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: acct, BudgetName: name})
			if err != nil {
				t.Fatal(err)
			}
			notes, err := findBudgetNotifications(ctx, client, f.member, "acme-monthly")
			if err != nil {
				t.Fatal(err)
			}
			have, err := findBudgetTags(ctx, client, budgetARN(f.member, "acme-monthly"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.adopt {
				if aws.ToString(b.Budget.BudgetLimit.Amount) != "100" || len(notes) != 3 || have[TagManaged] != "true" || have["team"] != "finance" {
					t.Fatalf("adopted budget: limit %s, %d notifications, tags %v", aws.ToString(b.Budget.BudgetLimit.Amount), len(notes), have)
				}
			} else if aws.ToString(b.Budget.BudgetLimit.Amount) != "5000" || len(notes) != 0 || len(have) != 1 {
				t.Fatalf("someone else's budget was changed: limit %s, %d notifications, tags %v", aws.ToString(b.Budget.BudgetLimit.Amount), len(notes), have)
			} else if entries != 1 {
				t.Fatalf("someone else's budget got %d plan entries, want only the conflict:\n%s", entries, plan)
			}
			plan, err = e.Plan(ctx, f.spec, f.cfg, ScopeGlobal)
			if err != nil || actions(plan)["budget budget/acme-monthly"] != tt.after {
				t.Fatalf("plan after apply: %v\n%s", err, plan)
			}
		})
	}
}
