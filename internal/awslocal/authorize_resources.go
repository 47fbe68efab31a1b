package awslocal

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// The resources a request acts on, for the authorizer: for each service
// whose requests the endpoint can authorize, the ARN of every resource the
// request names (none for an action that takes no resource), the account
// that owns it, and its resource-based policy. Every resource must allow
// the request: an Organizations AttachPolicy acts on the policy and on the
// target, a KMS CreateAlias on the alias and on the key. The resource types
// of each action are those of the Service Authorization Reference
// ("Actions, resources, and condition keys for AWS services").

// errNoSuchResource says that the resource that would decide the request
// does not exist: a KMS key, whose key policy decides every request to it
// ("Key policies in AWS KMS"), a handshake Organizations does not know, or
// a name so malformed that no resource can have it. The operation answers
// NotFound or its validation error, as AWS does before it authorizes.
var errNoSuchResource = errors.New("no such resource")

// authResource is one resource a request acts on.
type authResource struct {
	ARN, Owner string
	Policy     string              // its resource-based policy, "" for none
	Tags       map[string]string   // its tags, which policies read as aws:ResourceTag/<key>
	Keys       map[string][]string // its service's condition keys that describe it (kms:ResourceAliases)
}

// byARN is the resource arn names, owned by the account in it.
func byARN(arn string) authResource { return authResource{ARN: arn, Owner: arnAccount(arn)} }

// policyJSON is the resource's policy for the simulator, nil for none.
func (r authResource) policyJSON() json.RawMessage {
	if r.Policy == "" {
		return nil
	}
	return json.RawMessage(r.Policy)
}

// resourceContextLocked is ctx with the keys that describe r: its tags as
// aws:ResourceTag/<key>, and, for a named resource, its owner as
// aws:ResourceAccount and, when the owner belongs to the organization,
// aws:ResourceOrgID and aws:ResourceOrgPaths ("AWS global condition
// context keys", IAM User Guide; the few actions that page says lack them
// are not modelled). ctx itself is left alone.
func (s *Server) resourceContextLocked(r authResource, ctx map[string][]string) map[string][]string {
	out := maps.Clone(ctx)
	for k, v := range r.Tags {
		out["aws:ResourceTag/"+k] = []string{v}
	}
	maps.Copy(out, r.Keys)
	if r.ARN == "" {
		return out
	}
	out["aws:ResourceAccount"] = []string{r.Owner}
	s.addOrgKeysLocked(out, "aws:Resource", r.Owner)
	return out
}

// resourceOf resolves, per signing name, the resources of a request, or
// says why it cannot. Every service the endpoint serves has one (register
// refuses a service without).
var resourceOf = map[string]func(c *call) ([]authResource, error){
	"iam":             iamResources,
	"sts":             stsResources,
	"organizations":   organizationsResources,
	"sns":             snsResources,
	"kms":             kmsResources,
	"events":          eventsResources,
	"monitoring":      cloudwatchResources,
	"sqs":             sqsResources,
	"s3":              s3Resources,
	"s3-control":      accountResources,
	"logs":            logsResources,
	"cloudtrail":      cloudTrailResources,
	"budgets":         budgetsResources,
	"config":          configResources,
	"account":         accountContactResources,
	"ec2":             ec2Resources,
	"guardduty":       guardDutyResources,
	"securityhub":     securityHubResources,
	"access-analyzer": accessAnalyzerResources,
	"dynamodb":        dynamoDBResources,
	"states":          stepFunctionsResources,
	"lambda":          lambdaResources,
	"secretsmanager":  secretsManagerResources,
}

// iamCallerUserOps act on the caller's own user when UserName is absent
// (IAM API Reference: "If you do not specify a user name, IAM determines
// the user name implicitly based on the AWS access key ID signing the
// request").
var iamCallerUserOps = map[string]bool{"CreateAccessKey": true, "ListAccessKeys": true, "DeleteAccessKey": true, "GetUser": true}

// iamResources are the role, user or managed policy an IAM request names;
// account-level requests (password policy, aliases, listing) take no
// resource.
func iamResources(c *call) ([]authResource, error) {
	// A malformed path fails validation before IAM authorizes anything.
	if err := checkIAMPath(strOr(c.in, "Path", "/")); err != nil {
		return nil, err
	}
	r := iamResource(c)
	if r.ARN == "" {
		return nil, nil
	}
	return []authResource{r}, nil
}

func iamResource(c *call) authResource {
	acct := c.account.ID
	st := iamOf(c.account)
	r := authResource{Owner: acct}
	switch {
	case has(c.in, "RoleName"):
		name, path := str(c.in, "RoleName"), strOr(c.in, "Path", "/")
		if role, ok := st.roles[name]; ok {
			path, r.Tags = role.Path, role.Tags
		}
		r.ARN = "arn:aws:iam::" + acct + ":role" + path + name
	case has(c.in, "UserName"):
		name, path := str(c.in, "UserName"), strOr(c.in, "Path", "/")
		if u, ok := st.users[name]; ok {
			path, r.Tags = u.Path, u.Tags
		}
		r.ARN = "arn:aws:iam::" + acct + ":user" + path + name
	case has(c.in, "PolicyArn"):
		r.ARN = str(c.in, "PolicyArn")
	case has(c.in, "SAMLProviderArn"):
		r.ARN = str(c.in, "SAMLProviderArn")
	case c.op == "CreateSAMLProvider":
		r.ARN = samlProviderARN(acct, str(c.in, "Name"))
	case c.op == "CreatePolicy":
		r.ARN = "arn:aws:iam::" + acct + ":policy" + strOr(c.in, "Path", "/") + str(c.in, "PolicyName")
	case iamCallerUserOps[c.op]:
		r.ARN = c.principal.ARN
	}
	return r
}

// stsResources is the role AssumeRole asks for, in its own account, with
// its trust policy.
func stsResources(c *call) ([]authResource, error) {
	arn := str(c.in, "RoleArn")
	if arn == "" {
		return nil, nil
	}
	acct, _, _, _ := splitIAMARN(arn)
	r := authResource{ARN: arn, Owner: acct}
	if role := c.srv.roleByARNLocked(arn); role != nil {
		r.Policy, r.Tags = role.Trust, role.Tags
	}
	return []authResource{r}, nil
}

// organizationsResources are the policy, account, OU, root or handshake an
// Organizations request names, by id, in the management account
// ("Resource types defined by AWS Organizations", Service Authorization
// Reference). CreatePolicy acts on a policy that has no id yet; the
// endpoint names it p-00000000, so that a statement on all the type's
// policies (.../service_control_policy/*) matches it and one naming another
// policy does not. Requests about the organization itself take no resource.
func organizationsResources(c *call) ([]authResource, error) {
	mgmt := c.srv.opts.ManagementAccountID
	org := c.srv.org
	if org == nil {
		return nil, nil
	}
	prefix := "arn:aws:organizations::" + mgmt + ":"
	if c.op == "CreatePolicy" {
		return []authResource{{ARN: prefix + "policy/" + org.ID + "/service_control_policy/p-00000000", Owner: mgmt}}, nil
	}
	var out []authResource
	// InviteAccountToOrganization names the invited account as its Target;
	// the account resource is then the one it acts on.
	if t := obj(c.in, "Target"); t != nil && str(t, "Type") == "ACCOUNT" {
		out = append(out, authResource{ARN: prefix + "account/" + org.ID + "/" + str(t, "Id"), Owner: mgmt})
	}
	for _, key := range []string{"PolicyId", "TargetId", "AccountId", "OrganizationalUnitId", "ChildId", "ParentId",
		"SourceParentId", "DestinationParentId", "RootId", "ResourceId", "HandshakeId"} {
		id := str(c.in, key)
		if id == "" {
			continue
		}
		var arn string
		switch {
		case strings.HasPrefix(id, "p-"):
			arn = prefix + "policy/" + org.ID + "/service_control_policy/" + id
		case strings.HasPrefix(id, "ou-"):
			arn = prefix + "ou/" + org.ID + "/" + id
		case strings.HasPrefix(id, "r-"):
			arn = prefix + "root/" + org.ID + "/" + id
		case strings.HasPrefix(id, "h-"):
			// Either party acts on a handshake with its own identity
			// policies alone: Organizations has no resource-based policy
			// for handshakes, and an invited account is not yet in the
			// organization that names it.
			h := org.handshakes[id]
			if h == nil {
				return nil, errNoSuchResource // HandshakeNotFoundException
			}
			out = append(out, authResource{ARN: str(h, "Arn"), Owner: c.account.ID})
			continue
		default:
			arn = prefix + "account/" + org.ID + "/" + id
		}
		out = append(out, authResource{ARN: arn, Owner: mgmt})
	}
	return out, nil
}

// snsResources is the topic an SNS request names (by TopicArn, by the
// subscription's ARN, which begins with it, or for CreateTopic by Name),
// with its policy; listing takes no resource.
func snsResources(c *call) ([]authResource, error) {
	arn := str(c.in, "TopicArn")
	switch {
	case arn != "":
	case c.op == "CreateTopic":
		arn = "arn:aws:sns:" + c.region + ":" + c.account.ID + ":" + str(c.in, "Name")
	case has(c.in, "SubscriptionArn"):
		sub := str(c.in, "SubscriptionArn")
		arn = sub[:max(strings.LastIndex(sub, ":"), 0)]
	case has(c.in, "ResourceArn"):
		arn = str(c.in, "ResourceArn")
	case c.op == "ListTopics" || c.op == "ListSubscriptions":
		return nil, nil
	default:
		return nil, fmt.Errorf("the endpoint does not know the topic of sns:%s", c.op)
	}
	p, ok := parseARNParts(arn)
	if !ok {
		return nil, fmt.Errorf("%q is not a topic ARN", arn)
	}
	r := authResource{ARN: arn, Owner: p.account}
	if _, t := c.srv.topicByARN(arn); t != nil {
		r.Policy, r.Tags = t.effectivePolicy(), t.Tags
	}
	return []authResource{r}, nil
}

// kmsResources is the key a KMS request names (by key id, key ARN, alias
// name or alias ARN), with its key policy, which KMS always reads ("Key
// policies in AWS KMS"), and its aliases as kms:ResourceAliases ("Use
// aliases to control access to KMS keys"; a key without aliases has no
// such key); CreateAlias and UpdateAlias also act on the alias.
// CreateKey, ListAliases and ListKeys take no resource.
func kmsResources(c *call) ([]authResource, error) {
	if c.op == "CreateKey" || c.op == "ListAliases" || c.op == "ListKeys" {
		return nil, nil
	}
	var out []authResource
	if name := str(c.in, "AliasName"); name != "" {
		if !strings.HasPrefix(name, "alias/") || strings.HasPrefix(name, "alias/aws/") {
			return nil, errNoSuchResource // the operation's validation answers
		}
		out = append(out, authResource{ARN: "arn:aws:kms:" + c.region + ":" + c.account.ID + ":" + name, Owner: c.account.ID})
	}
	ref := str(c.in, "KeyId")
	if ref == "" {
		ref = str(c.in, "TargetKeyId")
	}
	if ref == "" {
		return nil, fmt.Errorf("the endpoint does not know the key of kms:%s", c.op)
	}
	k := c.srv.kmsKeyLocked(c.account.ID, c.region, ref)
	if k == nil {
		return nil, errNoSuchResource
	}
	key := authResource{ARN: k.ARN, Owner: k.Account, Policy: k.Policy, Tags: k.Tags}
	if aliases := c.srv.kmsAliasesLocked(k); len(aliases) > 0 {
		key.Keys = map[string][]string{"kms:ResourceAliases": aliases}
	}
	return append(out, key), nil
}

// eventsResources is the rule an EventBridge request names, on the default
// bus (the only one the endpoint models), by name or for tags by ARN, or
// the bus PutEvents sends to or DescribeEventBus reads (a bus not the
// default one the operation refuses); listing rules, testing a pattern and the
// bus's permissions take none.
func eventsResources(c *call) ([]authResource, error) {
	switch {
	case c.op == "PutEvents", c.op == "DescribeEventBus":
		return []authResource{{ARN: busARN(c.region, c.account.ID), Owner: c.account.ID}}, nil
	case has(c.in, "ResourceARN"):
		return []authResource{byARN(str(c.in, "ResourceARN"))}, nil
	case has(c.in, "Rule"):
		return []authResource{{ARN: ruleARN(c.region, c.account.ID, str(c.in, "Rule")), Owner: c.account.ID}}, nil
	case has(c.in, "Name"):
		return []authResource{{ARN: ruleARN(c.region, c.account.ID, str(c.in, "Name")), Owner: c.account.ID}}, nil
	case c.op == "ListRules", c.op == "TestEventPattern", c.op == "PutPermission":
		// The Service Authorization Reference gives these no resource type.
		return nil, nil
	}
	return nil, fmt.Errorf("the endpoint does not know the resource of events:%s", c.op)
}

// cloudwatchResources are the alarms a CloudWatch request names (AlarmName,
// AlarmNames, or a ResourceARN); PutMetricData takes none. DescribeAlarms
// without names acts on every alarm whose name begins with AlarmNamePrefix:
// the endpoint asks for the ARN ending in the prefix, which a statement
// allows only if it allows every name the prefix begins. Without a prefix
// it reads every alarm, and is authorized on each alarm of the account in
// the region, as DescribeMetricFilters is on each log group (with none
// there is nothing to read). The Service Authorization Reference does not
// say which ARN AWS evaluates; these are the stricter readings.
func cloudwatchResources(c *call) ([]authResource, error) {
	if c.op == "PutMetricData" {
		return nil, nil
	}
	if arn := str(c.in, "ResourceARN"); arn != "" {
		return []authResource{{ARN: arn, Owner: c.account.ID}}, nil
	}
	names := strs(c.in, "AlarmNames")
	if name := str(c.in, "AlarmName"); name != "" {
		names = append(names, name)
	}
	alarm := func(name string) string { return alarmARN(c.account.ID, c.region, name) }
	if len(names) == 0 && c.op == "DescribeAlarms" {
		if prefix := str(c.in, "AlarmNamePrefix"); prefix != "" {
			names = []string{prefix}
		} else {
			return named(c.account.ID, sortedKeys(cwIn(c.account, c.region).alarms), alarm)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("the endpoint does not know the alarms of cloudwatch:%s without alarm names", c.op)
	}
	return named(c.account.ID, names, alarm)
}

// named is a resource of owner for each name, the ARN arnOf gives it. With
// no names there is nothing to authorize (errNoSuchResource): a request
// that reads every resource of a kind reads none.
func named(owner string, names []string, arnOf func(name string) string) ([]authResource, error) {
	if len(names) == 0 {
		return nil, errNoSuchResource
	}
	out := make([]authResource, len(names))
	for i, n := range names {
		out[i] = authResource{ARN: arnOf(n), Owner: owner}
	}
	return out, nil
}

// sqsResources is the queue an SQS request names: by QueueUrl (whose path
// is the owner account and the queue name), by QueueName for CreateQueue
// and GetQueueUrl (in QueueOwnerAWSAccountId's account when given), with
// its queue policy; ListQueues takes no resource.
func sqsResources(c *call) ([]authResource, error) {
	account, name := c.account.ID, str(c.in, "QueueName")
	switch {
	case c.op == "ListQueues":
		return nil, nil
	case has(c.in, "QueueUrl"):
		var ok bool
		if account, name, ok = queueURLParts(str(c.in, "QueueUrl")); !ok {
			return nil, errNoSuchResource
		}
	case c.op == "GetQueueUrl" && has(c.in, "QueueOwnerAWSAccountId"):
		account = str(c.in, "QueueOwnerAWSAccountId")
	case name == "":
		return nil, fmt.Errorf("the endpoint does not know the queue of sqs:%s", c.op)
	case !sqsQueueName.MatchString(name):
		return nil, errNoSuchResource
	}
	r := authResource{ARN: "arn:aws:sqs:" + c.region + ":" + account + ":" + name, Owner: account}
	if a := c.srv.accounts[account]; a != nil {
		if q := sqsOf(a, c.region).queues[name]; q != nil {
			r.Policy = q.Attrs["Policy"]
		}
	}
	return []authResource{r}, nil
}

// s3Resources is the bucket an S3 request names, or for PutObject the
// object, with the bucket policy; ListBuckets takes no resource. Bucket
// names are global, so the bucket's owner is whoever has it.
func s3Resources(c *call) ([]authResource, error) {
	name := str(c.in, "Bucket")
	if c.op == "ListBuckets" {
		return nil, nil
	}
	if name == "" {
		return nil, fmt.Errorf("the endpoint does not know the bucket of s3:%s", c.op)
	}
	r := authResource{ARN: "arn:aws:s3:::" + name, Owner: c.account.ID}
	// CreateBucket acts on the caller's bucket to be: a name another
	// account holds is answered BucketAlreadyExists, not judged under that
	// account's bucket policy.
	if b := c.srv.findBucket(name); b != nil && c.op != "CreateBucket" {
		r.Owner, r.Policy = b.Owner, b.Policy
	}
	if c.op == "PutObject" {
		r.ARN += "/" + str(c.in, "Key")
	}
	return []authResource{r}, nil
}

// accountResources is for services whose every action acts on the account
// itself (the S3 account-level public access block): no resource.
func accountResources(*call) ([]authResource, error) { return nil, nil }

// logsResources is the log group a CloudWatch Logs request names (by
// logGroupName, or by resourceArn for tagging), or for CreateLogStream and
// PutLogEvents its stream; DescribeLogGroups takes no resource.
// DescribeMetricFilters may name no group and then reads every group's
// filters; the Service Authorization Reference gives it only the log-group
// resource, and no page says which ARN such a request is authorized on, so
// the endpoint takes the stricter reading: it is authorized on every group
// of the account in the region, and so needs a grant on each. (The
// simulator decides one ARN at a time, never a wildcard.) With no groups
// there is nothing to read, and nothing to authorize.
func logsResources(c *call) ([]authResource, error) {
	if c.op == "DescribeLogGroups" {
		return nil, nil
	}
	if c.op == "DescribeMetricFilters" && str(c.in, "logGroupName") == "" {
		return named(c.account.ID, sortedKeys(logsIn(c.account, c.region).groups), func(n string) string { return logGroupARN(c.account.ID, c.region, n) })
	}
	arn := strings.TrimSuffix(str(c.in, "resourceArn"), ":*")
	if group := str(c.in, "logGroupName"); group != "" {
		arn = logGroupARN(c.account.ID, c.region, group)
		if stream := str(c.in, "logStreamName"); stream != "" {
			arn += ":log-stream:" + stream
		}
	}
	if arn == "" {
		return nil, fmt.Errorf("the endpoint does not know the log group of logs:%s", c.op)
	}
	return []authResource{{ARN: arn, Owner: c.account.ID}}, nil
}

// cloudTrailResources is the trail a CloudTrail request names, by name or
// ARN (Name, TrailName, or ResourceId and ResourceIdList for tags);
// DescribeTrails takes none.
func cloudTrailResources(c *call) ([]authResource, error) {
	if c.op == "DescribeTrails" {
		return nil, nil
	}
	ids := strs(c.in, "ResourceIdList")
	for _, key := range []string{"Name", "TrailName", "ResourceId"} {
		if id := str(c.in, key); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("the endpoint does not know the trail of cloudtrail:%s", c.op)
	}
	out := make([]authResource, len(ids))
	for i, id := range ids {
		if !strings.HasPrefix(id, "arn:") {
			id = trailARN(c.region, c.account.ID, id)
		}
		out[i] = byARN(id)
	}
	return out, nil
}

// budgetsResources is the budget a Budgets request names, in the account
// its AccountId names (by ResourceARN for tagging; CreateBudget and
// UpdateBudget name it inside the budget). DescribeBudgets reads every
// budget of the account, and is authorized on each, as DescribeAlarms
// without names is (the Service Authorization Reference gives
// budgets:ViewBudget only the budget resource); with none, or for an
// account not the caller's, which the operation refuses itself, there is
// nothing to authorize.
func budgetsResources(c *call) ([]authResource, error) {
	if arn := str(c.in, "ResourceARN"); arn != "" {
		return []authResource{byARN(arn)}, nil
	}
	account, name := str(c.in, "AccountId"), str(c.in, "BudgetName")
	if c.op == "DescribeBudgets" {
		if account != c.account.ID {
			return nil, errNoSuchResource
		}
		return named(account, sortedKeys(budgetsOf(c.account).budgets), func(n string) string { return budgetARN(account, n) })
	}
	switch c.op {
	case "CreateBudget":
		name = str(obj(c.in, "Budget"), "BudgetName")
	case "UpdateBudget":
		name = str(obj(c.in, "NewBudget"), "BudgetName")
	}
	if account == "" || name == "" {
		return nil, fmt.Errorf("the endpoint does not know the budget of budgets:%s", c.op)
	}
	return []authResource{{ARN: budgetARN(account, name), Owner: account}}, nil
}

// configResources is the configuration recorder a Config request names, or
// the region's recorder (there is at most one), or the one PutConfiguration
// Recorder would create: a recorder is named "default" unless the request
// says otherwise (PutConfigurationRecorder API Reference). Delivery channel
// requests take no resource.
func configResources(c *call) ([]authResource, error) {
	if strings.Contains(c.op, "DeliveryChannel") {
		return nil, nil
	}
	name := str(c.in, "ConfigurationRecorderName") + str(obj(c.in, "ConfigurationRecorder"), "name")
	if n := strs(c.in, "ConfigurationRecorderNames"); len(n) == 1 {
		name = n[0]
	} else if len(n) > 1 {
		return nil, fmt.Errorf("the endpoint does not know the recorders of config:%s for %d names", c.op, len(n))
	}
	if r := cfgOf(c).recorder; name == "" && r != nil {
		name = str(r.def, "name")
	}
	if name == "" {
		name = "default"
	}
	return []authResource{{ARN: cfgRecorderARN(c, name), Owner: c.account.ID}}, nil
}

// accountContactResources is the account an Account Management request acts
// on: the caller's own (account), or with AccountId a member, named under
// the management account and the organization (accountInOrganization).
func accountContactResources(c *call) ([]authResource, error) {
	id := str(c.in, "AccountId")
	if id != "" && !accountIDPattern.MatchString(id) {
		return nil, errNoSuchResource
	}
	if id == "" || id == c.account.ID {
		return []authResource{{ARN: "arn:aws:account::" + c.account.ID + ":account", Owner: c.account.ID}}, nil
	}
	mgmt := c.srv.opts.ManagementAccountID
	return []authResource{{ARN: "arn:aws:account::" + mgmt + ":account/" + c.srv.orgIDOf(mgmt) + "/" + id, Owner: mgmt}}, nil
}

// ec2Types are the resource types of EC2 ids, by prefix, for the requests
// the endpoint serves that act on resources.
var ec2Types = map[string]string{"vpc": "vpc", "subnet": "subnet", "igw": "internet-gateway"}

// ec2Resources are the VPC, subnet and internet gateway a delete or detach
// names, or the resources CreateTags tags; the describes and the EBS
// default encryption settings take none.
func ec2Resources(c *call) ([]authResource, error) {
	ids := strs(c.in, "ResourceId") // CreateTags
	if c.op == "CreateTags" && len(ids) == 0 {
		return nil, errNoSuchResource // the operation answers MissingParameter
	}
	for _, key := range []string{"InternetGatewayId", "SubnetId", "VpcId"} {
		if id := str(c.in, key); id != "" {
			ids = append(ids, id)
		}
	}
	out := make([]authResource, 0, len(ids))
	for _, id := range ids {
		prefix, _, _ := strings.Cut(id, "-")
		typ, ok := ec2Types[prefix]
		if !ok {
			return nil, errNoSuchResource // no resource the endpoint has: InvalidID
		}
		out = append(out, authResource{ARN: "arn:aws:ec2:" + c.region + ":" + c.account.ID + ":" + typ + "/" + id, Owner: c.account.ID})
	}
	return out, nil
}

// guardDutyResources is the detector a GuardDuty request names (or, for
// tags, the resource ARN); creating and listing detectors and the
// organization's administration take none.
func guardDutyResources(c *call) ([]authResource, error) {
	if arn := str(c.in, "resourceArn"); arn != "" {
		return []authResource{byARN(arn)}, nil
	}
	if id := str(c.in, "detectorId"); id != "" && c.op != "GetAdministratorAccount" && c.op != "CreateMembers" {
		return []authResource{{ARN: detectorARN(c.account.ID, c.region, id), Owner: c.account.ID}}, nil
	}
	return nil, nil
}

// securityHubResources is the account's hub, which every Security Hub
// request the endpoint serves acts on (or, for tags, the resource ARN). A
// hub is always named "default" (the Service Authorization Reference's hub
// resource type): another name is no hub, and the operation answers it.
func securityHubResources(c *call) ([]authResource, error) {
	arn := str(c.in, "ResourceArn")
	if strings.Contains(arn, ":hub/") && !strings.HasSuffix(arn, ":hub/default") {
		return nil, errNoSuchResource
	}
	if arn == "" {
		arn = hubARN(c)
	}
	return []authResource{byARN(arn)}, nil
}

// accessAnalyzerResources is the analyzer an Access Analyzer request names
// (or, for tags, the resource ARN); listing takes none.
func accessAnalyzerResources(c *call) ([]authResource, error) {
	if arn := str(c.in, "resourceArn"); arn != "" {
		return []authResource{byARN(arn)}, nil
	}
	if name := str(c.in, "analyzerName"); name != "" {
		return []authResource{{ARN: analyzerARN(c, name), Owner: c.account.ID}}, nil
	}
	return nil, nil
}
