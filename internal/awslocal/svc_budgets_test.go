package awslocal

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

func costBudget(name, amount string) *types.Budget {
	return &types.Budget{
		BudgetName: aws.String(name), BudgetType: types.BudgetTypeCost, TimeUnit: types.TimeUnitMonthly,
		BudgetLimit: &types.Spend{Amount: aws.String(amount), Unit: aws.String("USD")},
	}
}

func at80Percent(kind types.NotificationType) *types.Notification {
	return &types.Notification{NotificationType: kind, ComparisonOperator: types.ComparisonOperatorGreaterThan,
		Threshold: 80, ThresholdType: types.ThresholdTypePercentage}
}

func TestBudgetsCreateAndDescribe(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := budgets.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	for _, tc := range []struct {
		name    string
		account string
		budget  *types.Budget
		code    string
	}{
		{"another account", foreignAccount, costBudget("monthly", "100"), "AccessDeniedException"},
		{"no limit", mgmt, &types.Budget{BudgetName: aws.String("x"), BudgetType: types.BudgetTypeCost, TimeUnit: types.TimeUnitMonthly}, "InvalidParameterException"},
		{"amount not a number", mgmt, costBudget("x", "lots"), "InvalidParameterException"},
		{"colon in name", mgmt, costBudget("a:b", "1"), "InvalidParameterException"},
		{"valid", mgmt, costBudget("monthly", "100"), ""},
		{"duplicate", mgmt, costBudget("monthly", "200"), "DuplicateRecordException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(tc.account), Budget: tc.budget})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}

	got, err := c.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String("monthly")})
	mustNoErr(t, err)
	b := got.Budget
	if aws.ToString(b.BudgetLimit.Amount) != "100" || b.TimeUnit != types.TimeUnitMonthly ||
		b.TimePeriod == nil || b.TimePeriod.End.Year() != 2087 || aws.ToString(b.CalculatedSpend.ActualSpend.Amount) != "0" {
		t.Fatalf("budget = %+v", b)
	}
	_, err = c.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String("nope")})
	wantCode(t, err, "NotFoundException")

	_, err = c.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(mgmt), NewBudget: costBudget("monthly", "250")})
	mustNoErr(t, err)
	got, err = c.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String("monthly")})
	mustNoErr(t, err)
	if aws.ToString(got.Budget.BudgetLimit.Amount) != "250" {
		t.Fatalf("limit after update = %s", aws.ToString(got.Budget.BudgetLimit.Amount))
	}
	_, err = c.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(mgmt), NewBudget: costBudget("nope", "1")})
	wantCode(t, err, "NotFoundException")

	_, err = c.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String("monthly")})
	mustNoErr(t, err)
	_, err = c.DeleteBudget(ctx, &budgets.DeleteBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String("monthly")})
	wantCode(t, err, "NotFoundException")
}

func TestBudgetsDescribeBudgetsPaging(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := budgets.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	for i := range 7 {
		_, err := c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(mgmt), Budget: costBudget(fmt.Sprintf("b%d", i), "10")})
		mustNoErr(t, err)
	}
	var names []string
	pages := 0
	p := budgets.NewDescribeBudgetsPaginator(c, &budgets.DescribeBudgetsInput{AccountId: aws.String(mgmt)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		pages++
		for _, b := range out.Budgets {
			names = append(names, aws.ToString(b.BudgetName))
		}
	}
	if pages != 2 || strings.Join(names, ",") != "b0,b1,b2,b3,b4,b5,b6" {
		t.Fatalf("DescribeBudgets: %d pages, %v", pages, names)
	}
	_, err := c.DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: aws.String(mgmt), NextToken: aws.String("bogus")})
	wantCode(t, err, "InvalidNextTokenException")
	remove := s.InjectFault(Fault{Kind: Throttle, Service: "budgets", FirstN: 1})
	_, err = c.DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: aws.String(mgmt)})
	wantCode(t, err, "ThrottlingException")
	remove()

	// Another account has its own (empty) set of budgets.
	other, err := budgets.NewFromConfig(sdkConfig(t, s, u, foreignAccount, "us-east-1")).DescribeBudgets(ctx, &budgets.DescribeBudgetsInput{AccountId: aws.String(foreignAccount)})
	mustNoErr(t, err)
	if len(other.Budgets) != 0 {
		t.Fatalf("other account sees %d budgets", len(other.Budgets))
	}
}

func TestBudgetsNotificationsAndSubscribers(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := budgets.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	acct, name := aws.String(mgmt), aws.String("monthly")
	email := func(addr string) types.Subscriber {
		return types.Subscriber{SubscriptionType: types.SubscriptionTypeEmail, Address: aws.String(addr)}
	}
	emailRef := func(addr string) *types.Subscriber { s := email(addr); return &s }
	_, err := c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: costBudget("monthly", "100"),
		NotificationsWithSubscribers: []types.NotificationWithSubscribers{{Notification: at80Percent(types.NotificationTypeActual), Subscribers: []types.Subscriber{email("ops@example.com")}}}})
	mustNoErr(t, err)

	for _, tc := range []struct {
		name string
		n    *types.Notification
		subs []types.Subscriber
		code string
	}{
		{"duplicate", at80Percent(types.NotificationTypeActual), []types.Subscriber{email("a@example.com")}, "DuplicateRecordException"},
		{"bad email", at80Percent(types.NotificationTypeForecasted), []types.Subscriber{email("nobody")}, "InvalidParameterException"},
		{"two topics", at80Percent(types.NotificationTypeForecasted), []types.Subscriber{
			{SubscriptionType: types.SubscriptionTypeSns, Address: aws.String("arn:aws:sns:us-east-1:111111111111:a")},
			{SubscriptionType: types.SubscriptionTypeSns, Address: aws.String("arn:aws:sns:us-east-1:111111111111:b")}}, "InvalidParameterException"},
		{"forecast", at80Percent(types.NotificationTypeForecasted), []types.Subscriber{email("finance@example.com")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateNotification(ctx, &budgets.CreateNotificationInput{AccountId: acct, BudgetName: name, Notification: tc.n, Subscribers: tc.subs})
			if tc.code == "" {
				mustNoErr(t, err)
				return
			}
			wantCode(t, err, tc.code)
		})
	}
	ns, err := c.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: name})
	mustNoErr(t, err)
	if len(ns.Notifications) != 2 || ns.Notifications[0].NotificationState != types.NotificationStateOk {
		t.Fatalf("notifications = %+v", ns.Notifications)
	}

	actual := at80Percent(types.NotificationTypeActual)
	for i := range 6 {
		_, err := c.CreateSubscriber(ctx, &budgets.CreateSubscriberInput{AccountId: acct, BudgetName: name, Notification: actual, Subscriber: emailRef(fmt.Sprintf("s%d@example.com", i))})
		mustNoErr(t, err)
	}
	_, err = c.CreateSubscriber(ctx, &budgets.CreateSubscriberInput{AccountId: acct, BudgetName: name, Notification: actual, Subscriber: emailRef("s0@example.com")})
	wantCode(t, err, "DuplicateRecordException")
	n := 0
	p := budgets.NewDescribeSubscribersForNotificationPaginator(c, &budgets.DescribeSubscribersForNotificationInput{AccountId: acct, BudgetName: name, Notification: actual})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		mustNoErr(t, err)
		n += len(out.Subscribers)
	}
	if n != 7 {
		t.Fatalf("subscribers = %d, want 7", n)
	}
	_, err = c.DeleteSubscriber(ctx, &budgets.DeleteSubscriberInput{AccountId: acct, BudgetName: name, Notification: actual, Subscriber: emailRef("s5@example.com")})
	mustNoErr(t, err)
	_, err = c.DeleteSubscriber(ctx, &budgets.DeleteSubscriberInput{AccountId: acct, BudgetName: name, Notification: actual, Subscriber: emailRef("s5@example.com")})
	wantCode(t, err, "NotFoundException")

	_, err = c.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: acct, BudgetName: name, Notification: at80Percent(types.NotificationTypeForecasted)})
	mustNoErr(t, err)
	_, err = c.DeleteNotification(ctx, &budgets.DeleteNotificationInput{AccountId: acct, BudgetName: name, Notification: at80Percent(types.NotificationTypeForecasted)})
	wantCode(t, err, "NotFoundException")
	_, err = c.DescribeNotificationsForBudget(ctx, &budgets.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: aws.String("nope")})
	wantCode(t, err, "NotFoundException")
}

func TestBudgetsTags(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := budgets.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	_, err := c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(mgmt), Budget: costBudget("monthly", "100"),
		ResourceTags: []types.ResourceTag{{Key: aws.String("landfall"), Value: aws.String("baseline")}}})
	mustNoErr(t, err)
	arn := aws.String("arn:aws:budgets::" + mgmt + ":budget/monthly")
	_, err = c.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: arn, ResourceTags: []types.ResourceTag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	mustNoErr(t, err)
	tags, err := c.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: arn})
	mustNoErr(t, err)
	if len(tags.ResourceTags) != 2 || aws.ToString(tags.ResourceTags[0].Key) != "landfall" || aws.ToString(tags.ResourceTags[1].Value) != "platform" {
		t.Fatalf("tags = %+v", tags.ResourceTags)
	}
	_, err = c.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:budgets::" + mgmt + ":budget/nope")})
	wantCode(t, err, "NotFoundException")

	// Past 200 tags the request is refused whole.
	many := make([]types.ResourceTag, 199)
	for i := range many {
		many[i] = types.ResourceTag{Key: aws.String(fmt.Sprintf("k%03d", i)), Value: aws.String("v")}
	}
	_, err = c.TagResource(ctx, &budgets.TagResourceInput{ResourceARN: arn, ResourceTags: many})
	wantCode(t, err, "ServiceQuotaExceededException")
	if tags, err := c.ListTagsForResource(ctx, &budgets.ListTagsForResourceInput{ResourceARN: arn}); err != nil || len(tags.ResourceTags) != 2 {
		t.Fatalf("tags after a refused TagResource: %v, %d tags, want the 2 from before", err, len(tags.ResourceTags))
	}
}

// budgetAlertTopic creates an SNS topic with an email subscription that is
// confirmed through the link in its confirmation email, and returns its ARN.
func budgetAlertTopic(t *testing.T, s *Server, u string) string {
	t.Helper()
	ctx := context.Background()
	c := sns.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	topic, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("budget-alerts")})
	mustNoErr(t, err)
	_, err = c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("email"), Endpoint: aws.String("oncall@example.com")})
	mustNoErr(t, err)
	outbox := s.Outbox()
	link := regexp.MustCompile(`https?://\S+Token=\S+`).FindString(outbox[len(outbox)-1].Body)
	if link == "" {
		t.Fatalf("no confirmation link in %q", outbox[len(outbox)-1].Body)
	}
	resp, err := http.Get(link)
	mustNoErr(t, err)
	resp.Body.Close()
	return aws.ToString(topic.TopicArn)
}

// allowBudgets sets the topic policy AWS Budgets needs to publish.
func allowBudgets(t *testing.T, s *Server, u, topic string) {
	t.Helper()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"budgets.amazonaws.com"},"Action":"SNS:Publish","Resource":"` + topic + `"}]}`
	_, err := sns.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).SetTopicAttributes(context.Background(), &sns.SetTopicAttributesInput{
		TopicArn: aws.String(topic), AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)})
	mustNoErr(t, err)
}

// alerts returns the notifications in the outbox: the Budgets emails (no
// topic) and the SNS deliveries from the topic.
func alerts(s *Server, topic string) (direct, viaSNS []Email) {
	for _, e := range s.Outbox() {
		switch {
		case e.Kind != "notification":
		case e.TopicARN == topic:
			viaSNS = append(viaSNS, e)
		default:
			direct = append(direct, e)
		}
	}
	return direct, viaSNS
}

func TestBudgetsSetSpendDeliversAlerts(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	topic := budgetAlertTopic(t, s, u)
	c := budgets.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	subs := []types.Subscriber{{SubscriptionType: types.SubscriptionTypeSns, Address: aws.String(topic)}, {SubscriptionType: types.SubscriptionTypeEmail, Address: aws.String("ops@example.com")}}
	_, err := c.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(mgmt), Budget: costBudget("monthly", "100"),
		NotificationsWithSubscribers: []types.NotificationWithSubscribers{
			{Notification: at80Percent(types.NotificationTypeActual), Subscribers: subs},
			{Notification: &types.Notification{NotificationType: types.NotificationTypeForecasted, ComparisonOperator: types.ComparisonOperatorGreaterThan, Threshold: 150, ThresholdType: types.ThresholdTypeAbsoluteValue}, Subscribers: subs[1:]},
		}})
	mustNoErr(t, err)

	for _, tc := range []struct {
		name                string
		actual, forecast    float64
		allowBudgets        bool
		wantDirect, wantSNS int // cumulative deliveries
	}{
		{"below both thresholds", 50, 120, false, 0, 0},
		{"actual crosses 80%, topic policy refuses Budgets", 85, 120, false, 1, 0},
		{"back under", 10, 120, true, 1, 0},
		{"actual crosses 80% again", 85, 120, false, 2, 1},
		{"still in alarm: no repeat", 90, 130, false, 2, 1},
		{"forecast crosses $150", 90, 160, false, 3, 1},
	} {
		if tc.allowBudgets {
			allowBudgets(t, s, u, topic)
		}
		mustNoErr(t, s.SetBudgetSpend(mgmt, "monthly", tc.actual, tc.forecast))
		direct, viaSNS := alerts(s, topic)
		if len(direct) != tc.wantDirect || len(viaSNS) != tc.wantSNS {
			t.Fatalf("%s: %d emails, %d SNS deliveries; want %d, %d", tc.name, len(direct), len(viaSNS), tc.wantDirect, tc.wantSNS)
		}
	}
	direct, viaSNS := alerts(s, topic)
	msg := viaSNS[0]
	if msg.Subject != "AWS Budgets: monthly has exceeded your alert threshold" ||
		!strings.Contains(msg.Body, "Alert Threshold: > $80.00") || !strings.Contains(msg.Body, "ACTUAL Amount: $85.00") {
		t.Fatalf("SNS alert = %+v", msg)
	}
	if e := direct[2]; e.To != "ops@example.com" || !strings.Contains(e.Subject, "forecasted") || !strings.Contains(e.Body, "FORECASTED Amount: $160.00") {
		t.Fatalf("forecast email = %+v", e)
	}
	got, err := c.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String("monthly")})
	mustNoErr(t, err)
	if aws.ToString(got.Budget.CalculatedSpend.ActualSpend.Amount) != "90" {
		t.Fatalf("actual spend = %s", aws.ToString(got.Budget.CalculatedSpend.ActualSpend.Amount))
	}
	if err := s.SetBudgetSpend(mgmt, "nope", 1, 1); err == nil {
		t.Fatal("SetBudgetSpend accepted an unknown budget")
	}
}

// Budgets requests act on the budget they name: a role that may view one
// budget cannot view another, nor change the one it sees.
func TestAuthorizeBudgetRequests(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	admin := budgets.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	for _, name := range []string{"monthly", "other"} {
		_, err := admin.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(mgmt), Budget: costBudget(name, "100")})
		mustNoErr(t, err)
	}
	view := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"budgets:ViewBudget","Resource":"arn:aws:budgets::` + mgmt + `:budget/monthly"}]}`
	viewer := budgets.NewFromConfig(roleSession(t, s, u, mgmt, "viewer", map[string]string{"view": view}))
	describe := func(name string) error {
		_, err := viewer.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String(name)})
		return err
	}
	mustNoErr(t, describe("monthly"))
	wantDeniedAs(t, describe("other"), "AccessDeniedException", "budgets:ViewBudget on resource: arn:aws:budgets::"+mgmt+":budget/other")
	_, err := viewer.UpdateBudget(ctx, &budgets.UpdateBudgetInput{AccountId: aws.String(mgmt), NewBudget: costBudget("monthly", "1")})
	wantDeniedAs(t, err, "AccessDeniedException", "budgets:ModifyBudget on resource: arn:aws:budgets::"+mgmt+":budget/monthly")

	// Creating a budget with tags takes budgets:TagResource as well.
	modify := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"budgets:ModifyBudget","Resource":"*"}]}`
	modifier := budgets.NewFromConfig(roleSession(t, s, u, mgmt, "modifier", map[string]string{"modify": modify}))
	create := func(name string, tags []types.ResourceTag) error {
		_, err := modifier.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: aws.String(mgmt), Budget: costBudget(name, "100"), ResourceTags: tags})
		return err
	}
	mustNoErr(t, create("untagged", nil))
	wantDeniedAs(t, create("tagged", []types.ResourceTag{{Key: aws.String("team"), Value: aws.String("platform")}}),
		"AccessDeniedException", "budgets:TagResource on resource: arn:aws:budgets::"+mgmt+":budget/tagged")
	if _, err := admin.DescribeBudget(ctx, &budgets.DescribeBudgetInput{AccountId: aws.String(mgmt), BudgetName: aws.String("tagged")}); err == nil {
		t.Fatal("the refused CreateBudget created the budget")
	}
}
