package baseline

import (
	"github.com/landfall/landfall/pkg/alarms"
	"github.com/landfall/landfall/pkg/config"
)

// The alert path of an account is what turns its activity into a message
// to people: the trail, its log group and its metric filters, the alarms,
// the alerts topic with its subscriptions (the central fan-in's among
// them) and its dead-letter queue, the findings rule, and the keys of the
// trail and the topic.
// Stopping or rewiring any of them silences the account. AlertPathDenials
// is what no one but landfall may do to it: the SCP denies it to every
// principal but the execution role, and the operator and developer roles
// carry it as their own guard, which holds even where landfall does not
// manage the organization's SCPs (a developer granted cloudtrail may not
// stop the trail).

// Denial is one Deny statement of a policy, without the exemptions each
// policy adds.
type Denial struct {
	Sid       string
	Actions   []string
	Resources []string
	Condition map[string]map[string][]string
}

// AlertPathDenials are the changes to the alert path of cfg's accounts
// that only landfall may make. Every resource of the path has a fixed name
// (config's naming), so the statements name each one rather than
// "<prefix>-*": with the default prefix, "landfall-*" would also take in the
// central alerts stack's own topics and alarms in the security account,
// which CloudFormation must go on updating. For the same reason keys are
// named by their aliases (kms:ResourceAliases), not by the landfall:managed
// tag, which that stack's key carries too; and the aliases themselves are
// protected, since moving one would lift the protection. Metric filters
// cannot be named in a policy: they are protected through their log group.
// Actions that only add to the path (CreateLogStream and PutLogEvents for
// CloudTrail, Subscribe and ConfirmSubscription for people and the
// formatter, SetAlarmState for `landfall alerts test`) stay allowed.
func AlertPathDenials(cfg *config.Config) []Denial {
	// anyARN is resource of service in every region and account.
	anyARN := func(service, resource string) string { return "arn:aws:" + service + ":*:*:" + resource }
	var alarmARNs []string
	for _, a := range alarms.All() {
		alarmARNs = append(alarmARNs, anyARN("cloudwatch", "alarm:"+cfg.AlarmName(a.Key)))
	}
	alarmARNs = append(alarmARNs, anyARN("cloudwatch", "alarm:"+cfg.AlarmName(deadLettersAlarmKey)))
	aliases := []string{cfg.AlertsKeyAlias(), cfg.TrailKeyAlias()}
	// One statement for every named resource keeps the SCP within its
	// 5,120 characters; an action never matches another service's ARN.
	return []Denial{
		{
			Sid: "ProtectLandfallAlertPath",
			Actions: []string{
				"cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail",
				"cloudwatch:DeleteAlarms", "cloudwatch:DisableAlarmActions", "cloudwatch:PutMetricAlarm",
				"events:DeleteRule", "events:DisableRule", "events:PutRule", "events:PutTargets", "events:RemoveTargets",
				"kms:DeleteAlias", "kms:UpdateAlias",
				"logs:AssociateKmsKey", "logs:DeleteLogGroup", "logs:DeleteMetricFilter", "logs:DeleteRetentionPolicy",
				"logs:DisassociateKmsKey", "logs:PutMetricFilter", "logs:PutRetentionPolicy",
				"sns:AddPermission", "sns:DeleteTopic", "sns:RemovePermission", "sns:SetSubscriptionAttributes", "sns:SetTopicAttributes",
				"sns:Unsubscribe",
				"sqs:DeleteQueue", "sqs:PurgeQueue", "sqs:SetQueueAttributes",
			},
			Resources: append(alarmARNs,
				anyARN("cloudtrail", "trail/"+cfg.TrailName()),
				anyARN("events", "rule/"+cfg.FindingsRuleName()),
				anyARN("kms", aliases[0]), anyARN("kms", aliases[1]),
				// Logs is documented with and without ":*" after a group's
				// name (the ARN DescribeLogGroups returns ends in it); the
				// trailing "*" takes both.
				anyARN("logs", "log-group:"+cfg.TrailLogGroupName()+"*"),
				anyARN("sns", cfg.AlertsTopicName()),
				anyARN("sqs", cfg.AlertsDeadLetterQueueName()), anyARN("sqs", cfg.FindingsDeadLetterQueueName()),
			),
		},
		{
			Sid:       "ProtectLandfallKeys",
			Actions:   []string{"kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"},
			Resources: []string{"*"},
			Condition: map[string]map[string][]string{"ForAnyValue:StringEquals": {"kms:ResourceAliases": aliases}},
		},
	}
}

// guardStatements are denials as statements of a role's own policy.
func guardStatements(denials []Denial) []iamStatement {
	out := make([]iamStatement, len(denials))
	for i, d := range denials {
		out[i] = iamStatement{Sid: d.Sid, Effect: "Deny", Action: d.Actions, Resource: d.Resources, Condition: d.Condition}
	}
	return out
}
