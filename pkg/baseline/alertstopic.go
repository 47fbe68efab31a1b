package baseline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/landfall/landfall/pkg/awsx"
)

var alertsTopicItem = Item{
	Name:    "alerts-topic",
	Enabled: func(*Spec) bool { return true },
	Plan:    planAlertsTopic,
	Permissions: func(s *Spec) []iamStatement {
		return append(ownedKeyPermissions(s.Config.AlertsKeyAlias()),
			allow("SNS", []string{"arn:aws:sns:*:*:" + s.Prefix + "-*"},
				"sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
				"sns:ListSubscriptionsByTopic", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes",
				"sns:TagResource", "sns:ListTagsForResource"),
			deadLetterQueuePermissions(s))
	},
}

// The account's alerts topic in the home region: a customer managed KMS key,
// the SNS topic encrypted with it, the email subscriptions and the central
// fan-in subscription. Alarms, budgets and the GuardDuty rule publish to it.
//
// Subscriptions cannot be tagged. The topic is landfall's, so its email
// subscriptions are too: they come from the config and the account's email
// tag, and one that neither names any more is removed. Other protocols
// (https, lambda, sqs queues other than the fan-in) are someone's own
// integration and are left alone.

// alertPublishers are the services of the account that publish alerts:
// alarms, EventBridge rules (GuardDuty findings) and budgets.
var alertPublishers = []string{"cloudwatch.amazonaws.com", "events.amazonaws.com", "budgets.amazonaws.com"}

// snsPendingConfirmation is what SNS shows instead of a subscription ARN
// until the endpoint confirms; such a subscription cannot be unsubscribed.
const snsPendingConfirmation = "PendingConfirmation"

type alertsTopic struct {
	Name     string
	ARN      string
	KeyAlias string
	Policy   iamPolicy
	Emails   []string
	// FanIn is the central fan-in queue's ARN; "" when central alerts are off.
	FanIn string
	// FanInQueue is the fan-in queue's name, which the CDK app fixes
	// (config.AlertFanInQueueName) so every account can subscribe it.
	FanInQueue string
	// DeadLetters keeps what the topic could not deliver to the fan-in.
	DeadLetters deadLetterQueue
}

// alertsTopicARN is the home region's alerts topic of the spec's account.
// Topic ARNs follow from the name, so later items need no lookup.
func alertsTopicARN(spec *Spec, region string) string {
	return "arn:aws:sns:" + region + ":" + spec.Account.ID + ":" + spec.Config.AlertsTopicName()
}

func desiredAlertsTopic(s *Spec, region string) alertsTopic {
	t := alertsTopic{Name: s.Config.AlertsTopicName(), ARN: alertsTopicARN(s, region), KeyAlias: s.Config.AlertsKeyAlias(), Emails: s.AlertEmails,
		FanInQueue: s.Config.AlertFanInQueueName(), DeadLetters: desiredAlertsDeadLetterQueue(s)}
	account := s.Account.ID
	owner := []string{"SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
		"SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"}
	t.Policy = newIAMPolicy(
		iamStatement{Sid: "OwnerAccountFullAccess", Effect: "Allow", Principal: accountPrincipal(account),
			Action: owner, Resource: []string{t.ARN}},
		iamStatement{Sid: "AccountServicesPublish", Effect: "Allow", Principal: map[string][]string{"Service": alertPublishers},
			Action: []string{"SNS:Publish"}, Resource: []string{t.ARN},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {account}}}},
		iamStatement{Sid: "DenyInsecureTransport", Effect: "Deny", Principal: map[string][]string{"AWS": {"*"}},
			Action: owner, Resource: []string{t.ARN},
			Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}}},
	)
	if central := s.Config.AlertFanInAccountID(); central != "" {
		t.FanIn = "arn:aws:sqs:" + s.HomeRegion() + ":" + central + ":" + t.FanInQueue
		// The subscription to the fan-in queue stays pending until the
		// queue's owner confirms it: the formatter does, with a signed call
		// (so that only the topic's and the queue's owners may unsubscribe),
		// and a signed call from another account needs the topic's policy.
		// The principal is the account, narrowed to the role by
		// aws:PrincipalArn, so the policy stays valid while the role is
		// being replaced.
		t.Policy.Statement = append(t.Policy.Statement, iamStatement{Sid: "FanInConfirmsSubscription", Effect: "Allow",
			Principal: accountPrincipal(central),
			Action:    []string{"SNS:ConfirmSubscription"}, Resource: []string{t.ARN},
			Condition: map[string]map[string][]string{"ArnEquals": {"aws:PrincipalArn": {s.Config.AlertFormatterRoleARN()}}}})
	}
	return t
}

// alertsKey encrypts the topic and its dead-letter queue. The publishing
// services need to create data keys for the messages they send ("Enable
// compatibility between event sources from AWS services and encrypted
// topics", SNS Developer Guide), and SNS for the dead letters it writes
// ("Amazon SNS dead-letter queues"). The statement has no condition: none
// of these services is documented to send aws:SourceAccount or
// aws:SourceArn to KMS, and a condition on an absent key would drop every
// alert. The topic's and the queue's policies, which do receive them, are
// what keep other accounts' services out.
func alertsKey(s *Spec) ownedKey {
	return ownedKey{Alias: s.Config.AlertsKeyAlias(), Description: "landfall: encrypts the account's alerts topic and its dead letters",
		Policy: ownedKeyPolicy(s,
			iamStatement{Sid: "AlertPublishersUseKey", Effect: "Allow", Principal: map[string][]string{"Service": slices.Concat(alertPublishers, []string{"sns.amazonaws.com"})},
				Action: []string{"kms:GenerateDataKey*", "kms:Decrypt"}, Resource: []string{"*"}}),
	}
}

func planAlertsTopic(ctx context.Context, env *Env) ([]Change, error) {
	key, err := planOwnedKey(ctx, kms.NewFromConfig(env.AWS), env.Spec, alertsKey(env.Spec))
	if err != nil {
		return nil, err
	}
	client := sns.NewFromConfig(env.AWS)
	want := desiredAlertsTopic(env.Spec, env.Region)
	topic, attrs, err := planOwned(ctx, env.Spec, owned[map[string]string]{
		Kind: "SNS topic", Name: want.Name, Resource: "topic/" + want.Name,
		Find: func(ctx context.Context) (map[string]string, error) {
			return findTopicAttributesByARN(ctx, client, want.ARN)
		},
		Tags: func(ctx context.Context, _ map[string]string) (map[string]string, error) {
			return findTopicTags(ctx, client, want.ARN)
		},
		Tag: func(ctx context.Context, _ map[string]string, missing, _ map[string]string) error {
			_, err := client.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(want.ARN), Tags: tagList(missing, newSNSTag)})
			return err
		},
		Create: func(ctx context.Context) error { return createAlertsTopic(ctx, client, env.Spec, want) },
		Edits: func(_ context.Context, attrs map[string]string) ([]edit, error) {
			return diffAlertsTopic(client, want, attrs), nil
		},
	})
	switch {
	case err != nil:
		return nil, err
	case topic.Action == Conflict:
		return []Change{key, topic}, nil
	case topic.Action == Create:
		return planTopicDeliveries(ctx, env, client, want, []Change{key, topic}, nil)
	}
	subs, err := findSubscriptionsByTopic(ctx, client, want.ARN)
	if err != nil {
		return nil, err
	}
	changes := []Change{key, topic}
	if attrs["SubscriptionsConfirmed"] == "0" {
		changes = append(changes, Change{Resource: topic.Resource, Action: Finding, Detail: fmt.Sprintf(
			"SNS topic %s has no confirmed subscriber, so alerts reach nobody: confirm a subscription or add alert emails to the config", want.Name)})
	}
	return planTopicDeliveries(ctx, env, client, want, changes, subs)
}

// planTopicDeliveries follows the topic's changes with those of what it
// delivers to: the dead-letter queue before the subscription that names
// it, then the subscriptions, then the alarm on the queue, which acts on
// the topic.
func planTopicDeliveries(ctx context.Context, env *Env, client *sns.Client, want alertsTopic, changes []Change, subs []snstypes.Subscription) ([]Change, error) {
	queue, err := planDeadLetterQueue(ctx, sqs.NewFromConfig(env.AWS), env.Spec, want.DeadLetters)
	if err != nil {
		return nil, err
	}
	changes = append(changes, queue...)
	owned := queue[0].Action != Conflict
	if !owned {
		// Someone else's queue of that name gets no alerts from landfall.
		want.DeadLetters = deadLetterQueue{}
	}
	sc, err := planSubscriptions(ctx, client, want, subs)
	if err != nil {
		return nil, err
	}
	changes = append(changes, sc...)
	if !owned {
		return changes, nil
	}
	cw := cloudwatch.NewFromConfig(env.AWS)
	a := deadLettersAlarm(want.DeadLetters)
	name := env.Spec.Config.AlarmName(a.Key)
	existing, err := findAlarmsByPrefix(ctx, cw, name)
	if err != nil {
		return nil, err
	}
	alarm, err := planAlarm(ctx, cw, env.Spec, name, a, want.ARN, existing[name])
	if err != nil {
		return nil, err
	}
	return append(changes, alarm), nil
}

func diffAlertsTopic(client *sns.Client, want alertsTopic, attrs map[string]string) []edit {
	var edits []edit
	set := func(name, value string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := client.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(want.ARN), AttributeName: aws.String(name), AttributeValue: aws.String(value)})
			if err != nil {
				return fmt.Errorf("setting %s of SNS topic (%s): %w", name, want.Name, err)
			}
			return nil
		}
	}
	if have := attrs["Policy"]; !iamPoliciesEquivalent(have, want.Policy.JSON()) {
		edits = append(edits, edit{[]Diff{{"Policy", displayIAMPolicy(have), want.Policy.JSON()}}, set("Policy", want.Policy.JSON())})
	}
	if have := attrs["KmsMasterKeyId"]; have != want.KeyAlias {
		edits = append(edits, edit{[]Diff{{"KmsMasterKeyId", have, want.KeyAlias}}, set("KmsMasterKeyId", want.KeyAlias)})
	}
	return edits
}

// planSubscriptions plans the managed subscriptions: every wanted email and
// the fan-in queue present (pending counts: SNS already sent the
// confirmation), the fan-in's with the dead-letter queue, and confirmed
// managed ones nobody wants any more removed.
func planSubscriptions(ctx context.Context, client *sns.Client, want alertsTopic, have []snstypes.Subscription) ([]Change, error) {
	wanted := map[string]string{} // endpoint -> protocol
	for _, e := range want.Emails {
		wanted[e] = "email"
	}
	if want.FanIn != "" {
		wanted[want.FanIn] = "sqs"
	}
	present := map[string]bool{}
	var changes []Change
	for _, s := range have {
		proto, endpoint, arn := aws.ToString(s.Protocol), aws.ToString(s.Endpoint), aws.ToString(s.SubscriptionArn)
		if !managedSubscription(want, proto, endpoint) {
			continue
		}
		resource := "subscription/" + proto + ":" + endpoint
		pending := arn == snsPendingConfirmation
		switch {
		case wanted[endpoint] == proto && pending:
			present[endpoint] = true
			changes = append(changes, Change{Resource: resource, Action: Finding, Detail: fmt.Sprintf(
				"the subscription of %s to %s is not confirmed: confirm the subscription email sent to %s", endpoint, want.Name, endpoint)})
		case wanted[endpoint] == proto && proto == "sqs":
			present[endpoint] = true
			c, err := planRedrive(ctx, client, want, resource, arn)
			if err != nil {
				return nil, err
			}
			changes = append(changes, c)
		case wanted[endpoint] == proto:
			present[endpoint] = true
			changes = append(changes, Change{Resource: resource, Action: Unchanged})
		case !pending:
			changes = append(changes, Change{Resource: resource, Action: Delete, Detail: "the subscription is landfall's, and the config no longer lists " + endpoint,
				Apply: func(ctx context.Context) error {
					if _, err := client.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(arn)}); err != nil {
						return fmt.Errorf("unsubscribing %s from SNS topic (%s): %w", endpoint, want.Name, err)
					}
					return nil
				}})
		}
	}
	for _, endpoint := range slices.Sorted(maps.Keys(wanted)) {
		if present[endpoint] {
			continue
		}
		proto := wanted[endpoint]
		var attrs map[string]string
		if proto == "sqs" && want.DeadLetters.ARN != "" {
			attrs = map[string]string{"RedrivePolicy": want.DeadLetters.redrivePolicy()}
		}
		changes = append(changes, Change{Resource: "subscription/" + proto + ":" + endpoint, Action: Create, Apply: func(ctx context.Context) error {
			_, err := client.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(want.ARN), Protocol: aws.String(proto), Endpoint: aws.String(endpoint),
				Attributes: attrs})
			if err != nil {
				return fmt.Errorf("subscribing %s to SNS topic (%s): %w", endpoint, want.Name, err)
			}
			return nil
		}})
	}
	return changes, nil
}

// planRedrive keeps the fan-in subscription's dead-letter queue. A
// subscription still pending has no ARN to set it by; it gets its queue on
// the first run after it is confirmed.
func planRedrive(ctx context.Context, client *sns.Client, want alertsTopic, resource, arn string) (Change, error) {
	if want.DeadLetters.ARN == "" {
		return Change{Resource: resource, Action: Unchanged}, nil
	}
	out, err := client.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn)})
	if err != nil {
		return Change{}, fmt.Errorf("reading SNS subscription (%s): %w", arn, err)
	}
	have, policy := out.Attributes["RedrivePolicy"], want.DeadLetters.redrivePolicy()
	if jsonEquivalent(have, policy) {
		return Change{Resource: resource, Action: Unchanged}, nil
	}
	return Change{Resource: resource, Action: Update, Diffs: []Diff{{"RedrivePolicy", have, policy}}, Apply: func(ctx context.Context) error {
		_, err := client.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(arn),
			AttributeName: aws.String("RedrivePolicy"), AttributeValue: aws.String(policy)})
		if err != nil {
			return fmt.Errorf("setting the dead-letter queue of SNS subscription (%s): %w", arn, err)
		}
		return nil
	}}, nil
}

// managedSubscription says whether landfall manages a subscription: every
// email one, and an sqs one to a fan-in queue of any account (the central
// account can change from the management to the security account).
func managedSubscription(want alertsTopic, proto, endpoint string) bool {
	return proto == "email" || (proto == "sqs" && strings.HasSuffix(endpoint, ":"+want.FanInQueue))
}

func createAlertsTopic(ctx context.Context, client *sns.Client, spec *Spec, want alertsTopic) error {
	_, err := client.CreateTopic(ctx, &sns.CreateTopicInput{
		Name:       aws.String(want.Name),
		Attributes: map[string]string{"Policy": want.Policy.JSON(), "KmsMasterKeyId": want.KeyAlias},
		Tags:       tagList(spec.Tags, newSNSTag),
	})
	if err != nil {
		return fmt.Errorf("creating SNS topic (%s): %w", want.Name, err)
	}
	return nil
}

func findTopicAttributesByARN(ctx context.Context, client *sns.Client, arn string) (map[string]string, error) {
	out, err := client.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("reading SNS topic (%s): %w", arn, awsx.AsNotFound(err, "SNS topic ("+arn+")", "NotFound"))
	}
	return out.Attributes, nil
}

func findTopicTags(ctx context.Context, client *sns.Client, arn string) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("listing tags of SNS topic (%s): %w", arn, err)
	}
	return tagMap(out.Tags, func(t snstypes.Tag) (k, v *string) { return t.Key, t.Value }), nil
}

func findSubscriptionsByTopic(ctx context.Context, client *sns.Client, arn string) ([]snstypes.Subscription, error) {
	var subs []snstypes.Subscription
	pages := sns.NewListSubscriptionsByTopicPaginator(client, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing subscriptions of SNS topic (%s): %w", arn, err)
		}
		subs = append(subs, page.Subscriptions...)
	}
	return subs, nil
}

func newSNSTag(k, v *string) snstypes.Tag { return snstypes.Tag{Key: k, Value: v} }
