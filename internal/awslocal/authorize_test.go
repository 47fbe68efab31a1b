package awslocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	acct "github.com/aws/aws-sdk-go-v2/service/account"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/landfall/landfall/internal/iamsim"
)

// roleSession creates a role in account that the account's root trusts,
// with the given inline and managed policies, and returns a session of it
// started by the account's operator.
func roleSession(t *testing.T, s *Server, u, account, name string, inline map[string]string, managed ...string) aws.Config {
	t.Helper()
	ctx := context.Background()
	admin := iam.NewFromConfig(sdkConfig(t, s, u, account, "us-east-1"))
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	mustNoErr(t, err)
	for n, d := range inline {
		_, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(n), PolicyDocument: aws.String(d)})
		mustNoErr(t, err)
	}
	for _, arn := range managed {
		_, err := admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(arn)})
		mustNoErr(t, err)
	}
	return sessionOf(t, u, sdkConfig(t, s, u, account, "us-east-1"), "arn:aws:iam::"+account+":role/"+name)
}

// sessionOf assumes roleARN with from's credentials.
func sessionOf(t *testing.T, u string, from aws.Config, roleARN string) aws.Config {
	t.Helper()
	cfg, err := trySessionOf(u, from, roleARN)
	mustNoErr(t, err)
	return cfg
}

func trySessionOf(u string, from aws.Config, roleARN string) (aws.Config, error) {
	out, err := sts.NewFromConfig(from).AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("probe")})
	if err != nil {
		return aws.Config{}, err
	}
	cfg, err := SDKConfig(context.Background(), u, Credentials{aws.ToString(out.Credentials.AccessKeyId), aws.ToString(out.Credentials.SecretAccessKey), aws.ToString(out.Credentials.SessionToken)}, "us-east-1")
	cfg.RetryMaxAttempts = 1
	return cfg, err
}

// wantDenied fails unless err is AccessDenied with a message containing want.
func wantDenied(t *testing.T, err error, want string) {
	t.Helper()
	wantDeniedAs(t, err, "AccessDenied", want)
}

// wantDeniedAs wants the denial a service reports with its own code.
func wantDeniedAs(t *testing.T, err error, code, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), want) {
		t.Fatalf("want %s containing %q, got %v", code, want, err)
	}
}

const (
	allowCreateUser = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::111111111111:user/*"}]}`
	denyCreateUser  = `{"Version":"2012-10-17","Statement":[{"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`
	administrator   = "arn:aws:iam::aws:policy/AdministratorAccess"
)

func createUser(cfg aws.Config, name string) error {
	_, err := iam.NewFromConfig(cfg).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)})
	return err
}

// A role may do what its policies allow and nothing else; an explicit deny
// wins over AdministratorAccess.
func TestAuthorizeIdentityPolicies(t *testing.T) {
	s, u, _ := newTestServer(t)
	nothing := roleSession(t, s, u, mgmt, "nothing", nil)
	wantDenied(t, createUser(nothing, "by-nothing"),
		"User: arn:aws:sts::111111111111:assumed-role/nothing/probe is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/by-nothing because no identity-based policy allows the iam:CreateUser action")

	creator := roleSession(t, s, u, mgmt, "creator", map[string]string{"users": allowCreateUser})
	mustNoErr(t, createUser(creator, "by-creator"))
	// The grant is iam:CreateUser on users, nothing more.
	_, err := iam.NewFromConfig(creator).CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("escalate"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`)})
	wantDenied(t, err, "iam:CreateRole on resource: arn:aws:iam::111111111111:role/escalate")

	admin := roleSession(t, s, u, mgmt, "admin", nil, administrator)
	mustNoErr(t, createUser(admin, "by-admin"))

	fenced := roleSession(t, s, u, mgmt, "fenced", map[string]string{"no-users": denyCreateUser}, administrator)
	wantDenied(t, createUser(fenced, "by-fenced"), "with an explicit deny in an identity-based policy")

	// GetCallerIdentity needs no permission at all (STS API Reference).
	if _, err := sts.NewFromConfig(nothing).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity with no policies: %v", err)
	}
}

// Without an authorizer the endpoint admits any authenticated request, which
// is why the test above needs one: a role with no policies creates a user.
func TestWithoutAnAuthorizerEveryRequestIsAdmitted(t *testing.T) {
	s := New(Options{Seed: 1})
	u := s.Start(t)
	mustNoErr(t, createUser(roleSession(t, s, u, mgmt, "nothing", nil), "by-nothing"))
}

// A trust policy conditioned on aws:PrincipalOrgID admits the organization's
// accounts and refuses one outside it, whatever that account's own
// policies say.
func TestAuthorizeTrustPrincipalOrgID(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")
	org, err := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	mustNoErr(t, err)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + aws.ToString(org.Organization.Id) + `"}}}]}`
	_, err = iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1")).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("org-only"), AssumeRolePolicyDocument: aws.String(trust)})
	mustNoErr(t, err)
	target := "arn:aws:iam::" + mgmt + ":role/org-only"

	memberAdmin := sessionOf(t, u, sdkConfig(t, s, u, mgmt, "us-east-1"), "arn:aws:iam::"+member+":role/OrganizationAccountAccessRole")
	if _, err := trySessionOf(u, memberAdmin, target); err != nil {
		t.Fatalf("a member's administrator: %v", err)
	}
	const outsider = "999999999999"
	mustNoErr(t, s.AddAccount(outsider, "outsider", "outsider@example.com"))
	_, err = trySessionOf(u, sdkConfig(t, s, u, outsider, "us-east-1"), target)
	wantDenied(t, err, "sts:AssumeRole on resource: "+target)
}

// A grant conditioned on the resource's organization (aws:ResourceOrgID)
// or its place in it (aws:ResourceOrgPaths) reaches the roles of that
// organization or OU and no others, even where the other account's trust
// admits the caller: landfall's pipeline role enters accounts this way.
func TestAuthorizeResourceOrganization(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")
	orgs := organizations.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	org, err := orgs.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	mustNoErr(t, err)
	roots, err := orgs.ListRoots(ctx, &organizations.ListRootsInput{})
	mustNoErr(t, err)
	root := aws.ToString(roots.Roots[0].Id)
	ou, err := orgs.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("workloads")})
	mustNoErr(t, err)
	_, err = orgs.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(member), SourceParentId: aws.String(root), DestinationParentId: ou.OrganizationalUnit.Id})
	mustNoErr(t, err)

	const outsider = "999999999999"
	mustNoErr(t, s.AddAccount(outsider, "outsider", "outsider@example.com"))
	trustsMgmt := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, account := range []string{outsider, mgmt} {
		_, err := iam.NewFromConfig(sdkConfig(t, s, u, account, "us-east-1")).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: aws.String(trustsMgmt)})
		mustNoErr(t, err)
	}
	enter := func(condition string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/*","Condition":` + condition + `}]}`
	}
	inOrg := roleSession(t, s, u, mgmt, "in-org", map[string]string{"enter": enter(`{"StringEquals":{"aws:ResourceOrgID":"` + aws.ToString(org.Organization.Id) + `"}}`)})
	inOU := roleSession(t, s, u, mgmt, "in-ou", map[string]string{"enter": enter(`{"ForAnyValue:StringLike":{"aws:ResourceOrgPaths":"` +
		aws.ToString(org.Organization.Id) + "/" + root + "/" + aws.ToString(ou.OrganizationalUnit.Id) + `/*"}}`)})

	memberRole := "arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"
	mgmtRole := "arn:aws:iam::" + mgmt + ":role/target"
	outsiderRole := "arn:aws:iam::" + outsider + ":role/target"
	for _, c := range []struct {
		name    string
		from    aws.Config
		role    string
		allowed bool
	}{
		{"org grant, member", inOrg, memberRole, true},
		{"org grant, management account", inOrg, mgmtRole, true},
		{"org grant, outsider", inOrg, outsiderRole, false},
		{"OU grant, member in the OU", inOU, memberRole, true},
		{"OU grant, management account at the root", inOU, mgmtRole, false},
		{"OU grant, outsider", inOU, outsiderRole, false},
	} {
		_, err := trySessionOf(u, c.from, c.role)
		if c.allowed && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.allowed {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" || !strings.Contains(ae.ErrorMessage(), "no identity-based policy allows") {
				t.Errorf("%s: want AccessDenied by the caller's policy, got %v", c.name, err)
			}
		}
	}
}

// Nothing unknown is allowed: a request the endpoint cannot describe to the
// simulator fails, saying what is missing, instead of being admitted. Every
// operation the endpoint serves maps to an action IAM has, so this asks the
// authorizer directly about one IAM does not have. The request is listed in
// AuthorizationFaults, so a test that made it fails even if the caller
// swallowed the error (Start fails it at the end; this test makes its own
// server to look at the list).
func TestAuthorizeRefusesWhatItCannotDecide(t *testing.T) {
	worker, err := iamsim.Shared("../..")
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Seed: 1, Authorizer: worker})
	s.AdminCredentials(mgmt)
	s.mu.Lock()
	err = s.decideLocked(rootOf(mgmt), "iam:FrobnicateRole", map[string][]string{}, []authResource{{ARN: "arn:aws:iam::" + mgmt + ":role/r", Owner: mgmt}})
	s.mu.Unlock()
	const want = "cannot authorize iam:FrobnicateRole: IAM simulator: iam:FrobnicateRole is not an IAM action"
	if !isFault(err) || !strings.Contains(err.Error(), want) {
		t.Fatalf("want InternalFailure containing %q, got %v", want, err)
	}
	if f := s.AuthorizationFaults(); len(f) != 1 || !strings.Contains(f[0], want) {
		t.Fatalf("authorization faults = %q, want the one request", f)
	}
}

// A permissions boundary caps what a role's policies grant: an
// administrator bounded to reading IAM can read IAM and nothing more. A
// role allowed to create roles only under that boundary (iam:PermissionsBoundary)
// cannot create an unbounded one.
func TestAuthorizePermissionsBoundary(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	p, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("iam-read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:CreateRole"],"Resource":"*"}]}`)})
	mustNoErr(t, err)
	boundary := aws.ToString(p.Policy.Arn)

	capped := roleSession(t, s, u, mgmt, "capped", nil, administrator)
	_, err = admin.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("capped"), PermissionsBoundary: aws.String(boundary)})
	mustNoErr(t, err)
	wantDenied(t, createUser(capped, "by-capped"), "because no permissions boundary allows the iam:CreateUser action")
	if _, err := iam.NewFromConfig(capped).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("capped")}); err != nil {
		t.Fatalf("GetRole within the boundary: %v", err)
	}

	// Delegated role creation: only roles that carry the boundary.
	creator := roleSession(t, s, u, mgmt, "creator", map[string]string{"bounded-roles": `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"` + boundary + `"}}}]}`})
	create := func(name, boundary string) error {
		in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trustMgmt)}
		if boundary != "" {
			in.PermissionsBoundary = aws.String(boundary)
		}
		_, err := iam.NewFromConfig(creator).CreateRole(ctx, in)
		return err
	}
	wantDenied(t, create("unbounded", ""), "iam:CreateRole on resource: arn:aws:iam::111111111111:role/unbounded")
	mustNoErr(t, create("bounded", boundary))
}

// An SCP on the OU path is a ceiling no identity policy lifts: its deny
// wins over AdministratorAccess in the member account, its ArnNotLike
// exemption lets landfall's own role through, and an allow list without
// the action denies it implicitly. The management account is not bound.
func TestAuthorizeServiceControlPolicies(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	org, root, ou, member := orgWithSCPs(t, s, u, clk)
	deny := createSCP(t, org, "no-users", `{"Version":"2012-10-17","Statement":[{"Sid":"NoUsers","Effect":"Deny","Action":"iam:CreateUser","Resource":"*",`+
		`"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/landfall-*"}}}]}`)
	for _, target := range []string{ou, root} {
		_, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(deny), TargetId: aws.String(target)})
		mustNoErr(t, err)
	}

	memberAdmin := roleSession(t, s, u, member, "admin", nil, administrator)
	wantDenied(t, createUser(memberAdmin, "by-member-admin"), "with an explicit deny in a service control policy")
	landfall := roleSession(t, s, u, member, "landfall-execution", nil, administrator)
	mustNoErr(t, createUser(landfall, "by-landfall"))
	mustNoErr(t, createUser(roleSession(t, s, u, mgmt, "admin", nil, administrator), "by-management-admin"))

	// An allow list on the OU: once FullAWSAccess is gone from it, what
	// the list leaves out is denied even to landfall's role.
	allowS3 := createSCP(t, org, "only-s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	_, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(allowS3), TargetId: aws.String(ou)})
	mustNoErr(t, err)
	_, err = org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(fullAWSAccessID), TargetId: aws.String(ou)})
	mustNoErr(t, err)
	wantDenied(t, createUser(landfall, "by-landfall-2"), "because no service control policy allows the iam:CreateUser action")
}

// EventBridge publishes to an encrypted topic only if the key policy lets
// events.amazonaws.com use the key; a condition on aws:SourceAccount, which
// EventBridge is not documented to send to KMS, keeps it out too. A publish
// that is refused is dropped and counted as a FailedInvocation of the rule.
func TestAuthorizeEventBridgePublishToEncryptedTopic(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	kc := kms.NewFromConfig(cfg)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	keyID := key.KeyMetadata.KeyId
	const rule = "arn:aws:events:us-east-1:" + mgmt + ":rule/findings"
	topic := "arn:aws:sns:us-east-1:" + mgmt + ":findings"
	topicPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish",` +
		`"Resource":"` + topic + `","Condition":{"StringEquals":{"aws:SourceAccount":"` + mgmt + `"},"ArnEquals":{"aws:SourceArn":"` + rule + `"}}}]}`
	c := sns.NewFromConfig(cfg)
	mustNoErr(t, errOf(c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("findings"),
		Attributes: map[string]string{"KmsMasterKeyId": aws.ToString(keyID), "Policy": topicPolicy}})))
	mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("email"), Endpoint: aws.String("secops@example.com")})))
	resp, err := http.Get(confirmLink.FindStringSubmatch(s.Outbox()[0].Body)[1])
	mustNoErr(t, err)
	resp.Body.Close()

	eb := eventbridge.NewFromConfig(cfg)
	mustNoErr(t, errOf(eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("findings"), EventPattern: aws.String(`{"source":["app"]}`)})))
	mustNoErr(t, errOf(eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("findings"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String(topic)}}})))
	notifications := func() int {
		n := 0
		for _, e := range s.Outbox() {
			if e.Kind == "notification" {
				n++
			}
		}
		return n
	}
	attempt := func(keyPolicy string) {
		t.Helper()
		mustNoErr(t, errOf(kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: keyID, Policy: aws.String(keyPolicy)})))
		mustNoErr(t, errOf(eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("app"), DetailType: aws.String("finding"), Detail: aws.String("{}")}}})))
	}
	root := `{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"}`
	events := `{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"%s}`

	// An alarm on the rule's FailedInvocations sees the refusals.
	cw := cloudwatch.NewFromConfig(cfg)
	mustNoErr(t, errOf(cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("failed-deliveries"),
		Namespace: aws.String("AWS/Events"), MetricName: aws.String("FailedInvocations"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("RuleName"), Value: aws.String("findings")}},
		Statistic:  cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(2),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching")})))
	attempt(`{"Version":"2012-10-17","Statement":[` + root + `]}`)
	attempt(`{"Version":"2012-10-17","Statement":[` + root + `,` + fmt.Sprintf(events, `,"Condition":{"StringEquals":{"aws:SourceAccount":"`+mgmt+`"}}`) + `]}`)
	if n := notifications(); n != 0 {
		t.Fatalf("%d notifications went through a key that does not admit EventBridge", n)
	}
	delivered := s.DeliveredEvents(mgmt)
	if len(delivered) != 2 || !strings.Contains(delivered[0].Error, "kms:GenerateDataKey") {
		t.Fatalf("deliveries = %+v, want two refused by the key policy", delivered)
	}
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"failed-deliveries"}})
	mustNoErr(t, err)
	if len(alarms.MetricAlarms) != 1 || alarms.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("the alarm on FailedInvocations = %+v, want ALARM", alarms.MetricAlarms)
	}

	attempt(`{"Version":"2012-10-17","Statement":[` + root + `,` + fmt.Sprintf(events, "") + `]}`)
	if n := notifications(); n != 1 {
		t.Fatalf("%d notifications once the key admits EventBridge, want 1", n)
	}
}

// SNS delivers a member account's topic to an encrypted queue in another
// account only as far as the queue policy and the queue's key policy admit
// sns.amazonaws.com with the keys SNS sends: aws:SourceArn reaches the
// queue, aws:SourceOrgID does not, and nothing reaches KMS. A refused
// delivery is dropped and counted in the topic's NumberOfNotificationsFailed.
func TestAuthorizeSNSDeliveryToEncryptedQueue(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")
	mgmtCfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	orgOut, err := organizations.NewFromConfig(mgmtCfg).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	mustNoErr(t, err)
	orgID := aws.ToString(orgOut.Organization.Id)

	kc := kms.NewFromConfig(mgmtCfg)
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	root := `{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"kms:*","Resource":"*"}`
	snsUse := `,{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}`
	setKeyPolicy := func(extra string) {
		t.Helper()
		mustNoErr(t, errOf(kc.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: key.KeyMetadata.KeyId,
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[` + root + extra + `]}`)})))
	}
	setKeyPolicy(snsUse)
	const queueARN = "arn:aws:sqs:us-east-1:" + mgmt + ":fanin"
	queuePolicy := func(condition string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage",` +
			`"Resource":"` + queueARN + `","Condition":` + condition + `}]}`
	}
	bySourceArn := queuePolicy(`{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:alerts"}}`)
	q := sqs.NewFromConfig(mgmtCfg)
	queueURL, _ := mustQueue(t, q, "fanin", map[string]string{"Policy": bySourceArn, "KmsMasterKeyId": aws.ToString(key.KeyMetadata.KeyId)})

	// The member's baseline subscribes the queue; the confirmation is the
	// first delivery, and visiting its SubscribeURL confirms.
	c := snsClient(t, s, u, member)
	topic := mustTopic(t, c, "alerts", nil)
	mustNoErr(t, errOf(c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)})))
	got := s.ReceiveAll(queueARN)
	if len(got) != 1 {
		t.Fatalf("queue got %d messages, want the subscription confirmation", len(got))
	}
	var confirm snsMessage
	mustNoErr(t, json.Unmarshal([]byte(got[0]), &confirm))
	resp, err := http.Get(confirm.SubscribeURL)
	mustNoErr(t, err)
	resp.Body.Close()

	cw := cloudwatch.NewFromConfig(sdkConfig(t, s, u, member, "us-east-1"))
	mustNoErr(t, errOf(cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("failed-notifications"),
		Namespace: aws.String("AWS/SNS"), MetricName: aws.String("NumberOfNotificationsFailed"),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("TopicName"), Value: aws.String("alerts")}},
		Statistic:  cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(2),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching")})))
	publish := func(message string) []string {
		t.Helper()
		mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(message)})))
		return s.ReceiveAll(queueARN)
	}
	if got := publish("admitted"); len(got) != 1 || !strings.Contains(got[0], `"Message":"admitted"`) {
		t.Fatalf("queue got %v, want the notification", got)
	}

	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		Attributes: map[string]string{"Policy": queuePolicy(`{"StringEquals":{"aws:SourceOrgID":"` + orgID + `"}}`)}})))
	if got := publish("by organization"); len(got) != 0 {
		t.Fatalf("a queue policy on aws:SourceOrgID admitted SNS: %v", got)
	}
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		Attributes: map[string]string{"Policy": bySourceArn}})))
	setKeyPolicy(strings.Replace(snsUse, `"Resource":"*"`, `"Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:alerts"}}`, 1))
	if got := publish("key conditioned"); len(got) != 0 {
		t.Fatalf("a key policy on aws:SourceArn admitted SNS: %v", got)
	}
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"failed-notifications"}})
	mustNoErr(t, err)
	if len(alarms.MetricAlarms) != 1 || alarms.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm {
		t.Fatalf("the alarm on NumberOfNotificationsFailed = %+v, want ALARM", alarms.MetricAlarms)
	}

	setKeyPolicy(snsUse)
	if got := publish("admitted again"); len(got) != 1 {
		t.Fatalf("queue got %v once the key admits SNS again", got)
	}
}

// A request is decided on the resource the Service Authorization Reference
// names for its action: a role with no policies is refused, and the denial
// names that resource's ARN.
func TestAuthorizeNamesTheResource(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	nothing := roleSession(t, s, u, mgmt, "nothing", nil)
	admin := sdkConfig(t, s, u, mgmt, "us-east-1")
	_, err := cloudwatchlogs.NewFromConfig(admin).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("acme-trail")})
	mustNoErr(t, err)
	queue, err := sqs.NewFromConfig(admin).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("fanin")})
	mustNoErr(t, err)
	queueURL := aws.ToString(queue.QueueUrl)
	key, err := kms.NewFromConfig(admin).CreateKey(ctx, &kms.CreateKeyInput{})
	mustNoErr(t, err)
	_, err = cloudwatch.NewFromConfig(admin).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("acme-root"), Namespace: aws.String("CIS"),
		MetricName: aws.String("RootUsage"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold})
	mustNoErr(t, err)
	for _, tc := range []struct {
		name string
		call func() error
		// want is in the message; code is the service's own for a denial.
		want, code string
	}{
		{"EC2 DeleteVpc", func() error {
			return errOf(ec2.NewFromConfig(nothing).DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String("vpc-0abc")}))
		}, "ec2:DeleteVpc on resource: arn:aws:ec2:us-east-1:" + mgmt + ":vpc/vpc-0abc", "UnauthorizedOperation"},
		{"EC2 DetachInternetGateway", func() error {
			return errOf(ec2.NewFromConfig(nothing).DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String("igw-0abc"), VpcId: aws.String("vpc-0abc")}))
		}, "ec2:DetachInternetGateway on resource: arn:aws:ec2:us-east-1:" + mgmt + ":internet-gateway/igw-0abc", "UnauthorizedOperation"},
		{"EC2 CreateTags", func() error {
			return errOf(ec2.NewFromConfig(nothing).CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{"subnet-0abc"}, Tags: []ec2types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
		}, "ec2:CreateTags on resource: arn:aws:ec2:us-east-1:" + mgmt + ":subnet/subnet-0abc", "UnauthorizedOperation"},
		{"GuardDuty GetDetector", func() error {
			return errOf(guardduty.NewFromConfig(nothing).GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String("d1")}))
		}, "guardduty:GetDetector on resource: arn:aws:guardduty:us-east-1:" + mgmt + ":detector/d1", "AccessDeniedException"},
		{"Security Hub DescribeHub", func() error {
			return errOf(securityhub.NewFromConfig(nothing).DescribeHub(ctx, &securityhub.DescribeHubInput{}))
		}, "securityhub:DescribeHub on resource: arn:aws:securityhub:us-east-1:" + mgmt + ":hub/default", "AccessDeniedException"},
		{"Access Analyzer CreateAnalyzer", func() error {
			return errOf(accessanalyzer.NewFromConfig(nothing).CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("acme"), Type: "ACCOUNT"}))
		}, "access-analyzer:CreateAnalyzer on resource: arn:aws:access-analyzer:us-east-1:" + mgmt + ":analyzer/acme", "AccessDeniedException"},
		{"Account GetAlternateContact", func() error {
			return errOf(acct.NewFromConfig(nothing).GetAlternateContact(ctx, &acct.GetAlternateContactInput{AlternateContactType: "SECURITY"}))
		}, "account:GetAlternateContact on resource: arn:aws:account::" + mgmt + ":account", "AccessDeniedException"},
		{"CloudWatch DescribeAlarms by prefix", func() error {
			return errOf(cloudwatch.NewFromConfig(nothing).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("acme-")}))
		}, "cloudwatch:DescribeAlarms on resource: arn:aws:cloudwatch:us-east-1:" + mgmt + ":alarm:acme-", "AccessDenied"},
		{"CloudWatch DescribeAlarms of every alarm", func() error {
			return errOf(cloudwatch.NewFromConfig(nothing).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{}))
		}, "cloudwatch:DescribeAlarms on resource: arn:aws:cloudwatch:us-east-1:" + mgmt + ":alarm:acme-root because", "AccessDenied"},
		{"Config PutConfigurationRecorder", func() error {
			return errOf(configservice.NewFromConfig(nothing).PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{
				ConfigurationRecorder: &cfgtypes.ConfigurationRecorder{Name: aws.String("default"), RoleARN: aws.String("arn:aws:iam::" + mgmt + ":role/nothing")}}))
		}, "config:PutConfigurationRecorder on resource: arn:aws:config:us-east-1:" + mgmt + ":configuration-recorder/default/", "AccessDeniedException"},
		{"DynamoDB PutItem", func() error {
			return errOf(dynamodb.NewFromConfig(nothing).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"),
				Item: map[string]ddbtypes.AttributeValue{"accountId": &ddbtypes.AttributeValueMemberS{Value: "1"}}}))
		}, "dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:" + mgmt + ":table/ledger", "AccessDeniedException"},
		{"DynamoDB Query on an index", func() error {
			return errOf(dynamodb.NewFromConfig(nothing).Query(ctx, &dynamodb.QueryInput{TableName: aws.String("ledger"), IndexName: aws.String("by-status"),
				KeyConditionExpression: aws.String("st = :s"), ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":s": &ddbtypes.AttributeValueMemberS{Value: "x"}}}))
		}, "dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:" + mgmt + ":table/ledger/index/by-status", "AccessDeniedException"},
		{"Step Functions StartExecution", func() error {
			return errOf(sfn.NewFromConfig(nothing).StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:" + mgmt + ":stateMachine:baseline")}))
		}, "states:StartExecution on resource: arn:aws:states:us-east-1:" + mgmt + ":stateMachine:baseline", "AccessDeniedException"},
		{"Step Functions DescribeExecution", func() error {
			return errOf(sfn.NewFromConfig(nothing).DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:" + mgmt + ":execution:baseline:e1")}))
		}, "states:DescribeExecution on resource: arn:aws:states:us-east-1:" + mgmt + ":execution:baseline:e1", "AccessDeniedException"},
		{"Lambda Invoke by name", func() error {
			return errOf(lambda.NewFromConfig(nothing).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("step")}))
		}, "lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:" + mgmt + ":function:step", "AccessDeniedException"},
		{"Lambda Invoke of a version in another region", func() error {
			return errOf(lambda.NewFromConfig(nothing).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:eu-west-1:" + mgmt + ":function:step"), Qualifier: aws.String("3")}))
		}, "lambda:InvokeFunction on resource: arn:aws:lambda:eu-west-1:" + mgmt + ":function:step:3", "AccessDeniedException"},
		{"CloudWatch Logs DescribeMetricFilters of every group", func() error {
			return errOf(cloudwatchlogs.NewFromConfig(nothing).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{
				MetricName: aws.String("RootUsage"), MetricNamespace: aws.String("CIS")}))
		}, "logs:DescribeMetricFilters on resource: arn:aws:logs:us-east-1:" + mgmt + ":log-group:acme-trail because", "AccessDeniedException"},
		{"SNS Publish", func() error {
			return errOf(sns.NewFromConfig(nothing).Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:" + mgmt + ":alerts"), Message: aws.String("m")}))
		}, "sns:Publish on resource: arn:aws:sns:us-east-1:" + mgmt + ":alerts", "AuthorizationError"},
		{"SQS SendMessage", func() error {
			return errOf(sqs.NewFromConfig(nothing).SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("m")}))
		}, "sqs:SendMessage on resource: arn:aws:sqs:us-east-1:" + mgmt + ":fanin", "AccessDenied"},
		{"KMS DescribeKey", func() error {
			return errOf(kms.NewFromConfig(nothing).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.Arn}))
		}, "kms:DescribeKey on resource: " + aws.ToString(key.KeyMetadata.Arn), "AccessDeniedException"},
		{"EventBridge PutRule", func() error {
			return errOf(eventbridge.NewFromConfig(nothing).PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("acme-rule"), EventPattern: aws.String(`{"source":["x"]}`)}))
		}, "events:PutRule on resource: arn:aws:events:us-east-1:" + mgmt + ":rule/acme-rule", "AccessDeniedException"},
		{"CloudTrail GetTrail", func() error {
			return errOf(cloudtrail.NewFromConfig(nothing).GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("acme-trail")}))
		}, "cloudtrail:GetTrail on resource: arn:aws:cloudtrail:us-east-1:" + mgmt + ":trail/acme-trail", "AccessDeniedException"},
		{"S3 GetBucketPolicy", func() error {
			return errOf(s3.NewFromConfig(nothing).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("acme-logs")}))
		}, "s3:GetBucketPolicy on resource: arn:aws:s3:::acme-logs", "AccessDenied"},
		{"Organizations DescribeOrganization", func() error {
			return errOf(organizations.NewFromConfig(nothing).DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}))
		}, "organizations:DescribeOrganization", "AccessDeniedException"},
		{"Secrets Manager GetSecretValue of a secret that does not exist", func() error {
			return errOf(secretsmanager.NewFromConfig(nothing).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("chat")}))
		}, "secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:" + mgmt + ":secret:chat because", "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantDeniedAs(t, tc.call(), tc.code, tc.want) })
	}
}

// What landfall's functions do at run time is allowed by grants on exactly
// the resources they name: a secret is created and read under a grant on
// its name and the random suffix, and a grant on the unqualified function
// does not reach a version of it.
func TestAuthorizeRuntimeGrants(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	grants := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":["secretsmanager:CreateSecret","secretsmanager:GetSecretValue"],"Resource":"arn:aws:secretsmanager:us-east-1:` + mgmt + `:secret:chat-??????"},` +
		`{"Effect":"Allow","Action":["dynamodb:CreateTable","dynamodb:PutItem","dynamodb:GetItem"],"Resource":"arn:aws:dynamodb:us-east-1:` + mgmt + `:table/ledger"},` +
		`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:` + mgmt + `:function:step"}]}`
	fn := roleSession(t, s, u, mgmt, "function", map[string]string{"grants": grants})

	sm := secretsmanager.NewFromConfig(fn)
	created, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("chat"), SecretString: aws.String("https://hooks.example/1")})
	mustNoErr(t, err)
	got, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: created.ARN})
	mustNoErr(t, err)
	if aws.ToString(got.SecretString) != "https://hooks.example/1" {
		t.Errorf("secret = %q", aws.ToString(got.SecretString))
	}
	_, err = sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("chat-other"), SecretString: aws.String("x")})
	wantDeniedAs(t, err, "AccessDeniedException", "secretsmanager:CreateSecret on resource: arn:aws:secretsmanager:us-east-1:"+mgmt+":secret:chat-other-")

	db := dynamodb.NewFromConfig(fn)
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("ledger"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("accountId"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("accountId"), KeyType: ddbtypes.KeyTypeHash}}})
	mustNoErr(t, err)
	key := map[string]ddbtypes.AttributeValue{"accountId": &ddbtypes.AttributeValueMemberS{Value: "222222222222"}}
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ledger"), Item: key})
	mustNoErr(t, err)
	_, err = db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("ledger"), Key: key})
	mustNoErr(t, err)
	_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("ledger"), Key: key})
	wantDeniedAs(t, err, "AccessDeniedException", "dynamodb:DeleteItem on resource: arn:aws:dynamodb:us-east-1:"+mgmt+":table/ledger")

	mustNoErr(t, s.RegisterFunction("arn:aws:lambda:us-east-1:"+mgmt+":function:step", func(context.Context, []byte) ([]byte, string, string, error) { return []byte(`{}`), "", "", nil }))
	l := lambda.NewFromConfig(fn)
	_, err = l.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("step")})
	mustNoErr(t, err)
	_, err = l.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("step"), Qualifier: aws.String("$LATEST")})
	wantDeniedAs(t, err, "AccessDeniedException", "lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:"+mgmt+":function:step:$LATEST")
}

// A service acts as a role only where the role's trust admits the service
// principal, and then as that role's session, with its policies alone.
func TestAuthorizeServiceCredentials(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	trusting := func(service string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
	}
	for name, trust := range map[string]string{
		"for-lambda":       trusting("lambda.amazonaws.com"),
		"for-ec2":          trusting("ec2.amazonaws.com"),
		"for-this-account": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + mgmt + `"}}}]}`,
	} {
		_, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
		mustNoErr(t, err)
	}
	_, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("for-lambda"), PolicyName: aws.String("users"), PolicyDocument: aws.String(allowCreateUser)})
	mustNoErr(t, err)

	creds, err := s.ServiceCredentials("lambda.amazonaws.com", "arn:aws:iam::"+mgmt+":role/for-lambda", "describe")
	mustNoErr(t, err)
	fn, err := SDKConfig(ctx, u, creds, "us-east-1")
	mustNoErr(t, err)
	who, err := sts.NewFromConfig(fn).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	mustNoErr(t, err)
	if got, want := aws.ToString(who.Arn), "arn:aws:sts::"+mgmt+":assumed-role/for-lambda/describe"; got != want {
		t.Errorf("the function acts as %s, want %s", got, want)
	}
	mustNoErr(t, createUser(fn, "by-function"))
	_, err = iam.NewFromConfig(fn).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("escalate"), AssumeRolePolicyDocument: aws.String(trusting("lambda.amazonaws.com"))})
	wantDenied(t, err, "assumed-role/for-lambda/describe is not authorized to perform: iam:CreateRole")

	for role, why := range map[string]string{
		"for-ec2":          "the trust admits another service",
		"for-this-account": "Lambda is not documented to send aws:SourceAccount",
		"missing":          "the role does not exist",
	} {
		if _, err := s.ServiceCredentials("lambda.amazonaws.com", "arn:aws:iam::"+mgmt+":role/"+role, "describe"); err == nil {
			t.Errorf("Lambda assumed %s, though %s", role, why)
		}
	}
	if _, err := s.ServiceCredentials("lambda.amazonaws.com", "arn:aws:iam::"+mgmt+":role/for-lambda", "a b"); err == nil {
		t.Error("a session name with a space was accepted")
	}
	if f := s.AuthorizationFaults(); len(f) != 0 {
		t.Errorf("undecided: %v", f)
	}
}

// An invitation acts on the invited account, and the invited account
// accepts it with its own identity policies alone: a grant on one account
// invites that account only, and only a principal the invitee's policies
// allow accepts.
func TestAuthorizeInvitation(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	newMember(t, s, u, clk, "first") // creates the organization
	const invited, other = "444444444444", "555555555555"
	for _, id := range []string{invited, other} {
		mustNoErr(t, s.AddAccount(id, "outside-"+id, id+"@example.com"))
	}
	inviter := roleSession(t, s, u, mgmt, "inviter", map[string]string{"invite": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"organizations:InviteAccountToOrganization","Resource":"arn:aws:organizations::` + mgmt + `:account/o-*/` + invited + `"}]}`})
	invite := func(account string) (*organizations.InviteAccountToOrganizationOutput, error) {
		return organizations.NewFromConfig(inviter).InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &orgtypes.HandshakeParty{Id: aws.String(account), Type: orgtypes.HandshakePartyTypeAccount}})
	}
	_, err := invite(other)
	wantDeniedAs(t, err, "AccessDeniedException", "organizations:InviteAccountToOrganization on resource: arn:aws:organizations::"+mgmt+":account/o-")
	out, err := invite(invited)
	mustNoErr(t, err)

	accept := func(cfg aws.Config) error {
		_, err := organizations.NewFromConfig(cfg).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: out.Handshake.Id})
		return err
	}
	wantDeniedAs(t, accept(roleSession(t, s, u, invited, "nothing", nil)), "AccessDeniedException", "organizations:AcceptHandshake on resource: arn:aws:organizations::"+mgmt+":handshake/o-")
	mustNoErr(t, accept(sdkConfig(t, s, u, invited, "us-east-1")))
}

// EventBridge starts a state machine target only as the target's role: the
// role must trust events.amazonaws.com and be allowed states:StartExecution
// on that machine; otherwise the delivery fails and is counted.
func TestAuthorizeEventBridgeStartsStateMachineAsTargetRole(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	cfg := sdkConfig(t, s, u, mgmt, "us-east-1")
	machine := "arn:aws:states:us-east-1:" + mgmt + ":stateMachine:baseline"
	start := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"states:StartExecution","Resource":"` + machine + `"}]}`
	for name, role := range map[string]struct{ service, policy string }{
		"granted":   {"events.amazonaws.com", start},
		"ungranted": {"events.amazonaws.com", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"states:StartExecution","Resource":"` + machine + `-other"}]}`},
		"for-ec2":   {"ec2.amazonaws.com", start},
	} {
		serviceRole(t, cfg, name, role.service, role.policy)
	}
	var started []string
	s.OnTarget(func(arn string, input []byte) { started = append(started, arn) })
	eb := eventbridge.NewFromConfig(cfg)
	for _, role := range []string{"granted", "ungranted", "for-ec2", "missing"} {
		t.Run(role, func(t *testing.T) {
			started = nil
			rule := "start-as-" + role
			mustNoErr(t, errOf(eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), EventPattern: aws.String(`{"source":["landfall.test"],"detail-type":["` + rule + `"]}`)})))
			mustNoErr(t, errOf(eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule), Targets: []ebtypes.Target{
				{Id: aws.String("machine"), Arn: aws.String(machine), RoleArn: aws.String("arn:aws:iam::" + mgmt + ":role/" + role)}}})))
			mustNoErr(t, errOf(eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
				{Source: aws.String("landfall.test"), DetailType: aws.String(rule), Detail: aws.String(`{}`)}}})))
			var failed []string
			for _, d := range s.DeliveredEvents(mgmt) {
				if strings.HasSuffix(d.Rule, "/"+rule) && d.Error != "" {
					failed = append(failed, d.Error)
				}
			}
			if want := role == "granted"; (len(started) == 1) != want || (len(failed) == 0) != want {
				t.Fatalf("started %v, failed %v; want started %v", started, failed, want)
			}
		})
	}
	if f := s.AuthorizationFaults(); len(f) != 0 {
		t.Errorf("undecided: %v", f)
	}
}

// Every service the endpoint speaks has its own denial code: one without
// would answer a denial with no code and no HTTP status.
func TestEveryServiceHasItsDenialCode(t *testing.T) {
	for key, svc := range New(Options{}).services {
		if d, ok := deniedAs[svc.name]; !ok || d.code == "" || d.status < 400 {
			t.Errorf("service %s (%s) has no denial code in deniedAs", svc.name, key)
		}
	}
}

// A subscription's dead-letter queue takes what SNS could not deliver, as
// far as that queue's policy admits sns.amazonaws.com for the topic; it must
// be an SQS queue of the subscription's account and region.
func TestAuthorizeSNSSubscriptionDeadLetterQueue(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	c := snsClient(t, s, u, mgmt)
	topic := mustTopic(t, c, "alerts", nil)
	q := sqs.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	admitting := func(queue, sourceARN string) string {
		return snsQueuePolicy("arn:aws:sqs:us-east-1:"+mgmt+":"+queue, sourceARN)
	}
	// The endpoint's policy admits another topic only, so every delivery fails.
	_, endpoint := mustQueue(t, q, "endpoint", map[string]string{"Policy": admitting("endpoint", topic+"-other")})
	dlqURL, dlq := mustQueue(t, q, "alerts-dlq", map[string]string{"Policy": admitting("alerts-dlq", topic)})
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"), Endpoint: aws.String(endpoint)})
	mustNoErr(t, err)
	sub := aws.ToString(out.SubscriptionArn)
	redrive := func(queueARN string) *string { return aws.String(`{"deadLetterTargetArn":"` + queueARN + `"}`) }
	set := func(value *string) error {
		return errOf(c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub),
			AttributeName: aws.String("RedrivePolicy"), AttributeValue: value}))
	}
	for name, value := range map[string]*string{
		"a queue of another region":  redrive("arn:aws:sqs:eu-west-1:" + mgmt + ":alerts-dlq"),
		"a queue of another account": redrive("arn:aws:sqs:us-east-1:" + peerAccount + ":alerts-dlq"),
		"a topic":                    redrive(topic),
		"no JSON":                    aws.String("alerts-dlq"),
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, set(value), "InvalidParameter") })
	}
	wantCode(t, errOf(c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub),
		AttributeName: aws.String("DeadLetterQueue"), AttributeValue: redrive(dlq)})), "InvalidParameter")

	publish := func(message string) {
		t.Helper()
		mustNoErr(t, errOf(c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(message)})))
	}
	publish("lost")
	if got := s.ReceiveAll(dlq); len(got) != 0 {
		t.Fatalf("the dead-letter queue got %v before the subscription named it", got)
	}
	mustNoErr(t, set(redrive(dlq)))
	attrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	mustNoErr(t, err)
	if attrs.Attributes["RedrivePolicy"] != aws.ToString(redrive(dlq)) {
		t.Errorf("RedrivePolicy = %q", attrs.Attributes["RedrivePolicy"])
	}
	publish("kept")
	if got := s.ReceiveAll(endpoint); len(got) != 0 {
		t.Fatalf("the endpoint that refuses SNS got %v", got)
	}
	got := s.ReceiveAll(dlq)
	if len(got) != 1 || !strings.Contains(got[0], `"Message":"kept"`) || !strings.Contains(got[0], `"TopicArn":"`+topic+`"`) {
		t.Fatalf("the dead-letter queue got %v, want the undelivered notification", got)
	}

	// A dead-letter queue whose policy does not admit SNS for the topic
	// keeps nothing either; SNS counts what it could not redrive.
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(dlqURL),
		Attributes: map[string]string{"Policy": admitting("alerts-dlq", topic+"-other")}})))
	publish("refused twice")
	if got := s.ReceiveAll(dlq); len(got) != 0 {
		t.Fatalf("a dead-letter queue that refuses SNS got %v", got)
	}
	s.mu.Lock()
	series := cwIn(s.accounts[mgmt], "us-east-1").series
	counted := func(metric string) int {
		n := 0
		if ser := series[seriesKey("AWS/SNS", metric, map[string]string{"TopicName": "alerts"})]; ser != nil {
			n = len(ser.Points)
		}
		return n
	}
	redriven, notRedriven, failed := counted("NumberOfNotificationsRedrivenToDlq"), counted("NumberOfNotificationsFailedToRedriveToDlq"), counted("NumberOfNotificationsFailed")
	s.mu.Unlock()
	if redriven != 1 || notRedriven != 1 || failed != 3 {
		t.Errorf("redriven %d, failed to redrive %d, failed %d; want 1, 1, 3", redriven, notRedriven, failed)
	}

	// An empty policy removes the dead-letter queue.
	mustNoErr(t, set(aws.String("")))
	attrs, err = c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(sub)})
	mustNoErr(t, err)
	if v, ok := attrs.Attributes["RedrivePolicy"]; ok {
		t.Errorf("RedrivePolicy = %q after removing it", v)
	}
}

// TestAuthorizeEventBridgeTargetDeadLetterQueue: an event a rule could not
// deliver waits in its target's dead-letter queue, a standard queue of the
// rule's account and region whose policy admits EventBridge for the rule.
func TestAuthorizeEventBridgeTargetDeadLetterQueue(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	away := sdkConfig(t, s, u, mgmt, "eu-west-1")
	eb, q := eventbridge.NewFromConfig(away), sqs.NewFromConfig(away)
	ruleARN := "arn:aws:events:eu-west-1:" + mgmt + ":rule/forward"
	dlqURL, dlq := mustQueue(t, q, "findings-dlq", map[string]string{"Policy": serviceQueuePolicy("events.amazonaws.com", "arn:aws:sqs:eu-west-1:"+mgmt+":findings-dlq", ruleARN)})
	// The forwarder may put events on another bus only, so every delivery fails.
	homeBus := busARN("us-east-1", mgmt)
	forwarder := serviceRole(t, away, "forward", "events.amazonaws.com",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"`+busARN("us-west-2", mgmt)+`"}]}`)
	mustNoErr(t, errOf(eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("forward"), EventPattern: aws.String(rootLoginPattern)})))
	target := func(dlq string) error {
		return errOf(eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("forward"), Targets: []ebtypes.Target{{
			Id: aws.String("home"), Arn: aws.String(homeBus), RoleArn: aws.String(forwarder), DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(dlq)}}}}))
	}
	for name, arn := range map[string]string{
		"a queue of another region":  "arn:aws:sqs:us-east-1:" + mgmt + ":findings-dlq",
		"a queue of another account": "arn:aws:sqs:eu-west-1:" + peerAccount + ":findings-dlq",
		"a FIFO queue":               "arn:aws:sqs:eu-west-1:" + mgmt + ":findings-dlq.fifo",
		"a topic":                    "arn:aws:sns:eu-west-1:" + mgmt + ":findings",
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, target(arn), "ValidationException") })
	}
	mustNoErr(t, target(dlq))
	send := func() {
		t.Helper()
		mustNoErr(t, errOf(eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("landfall.test"), DetailType: aws.String("Root login"), Detail: aws.String(`{"severity":9}`)}}})))
	}
	send()
	if got := s.ReceiveAll(dlq); len(got) != 1 || !strings.Contains(got[0], `"severity":9`) {
		t.Fatalf("dead-letter queue got %v, want the undelivered event", got)
	}

	// A queue whose policy admits another rule keeps nothing.
	mustNoErr(t, errOf(q.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(dlqURL),
		Attributes: map[string]string{"Policy": serviceQueuePolicy("events.amazonaws.com", dlq, ruleARN+"-other")}})))
	send()
	if got := s.ReceiveAll(dlq); len(got) != 0 {
		t.Fatalf("a dead-letter queue that refuses the rule got %v", got)
	}
	s.mu.Lock()
	series := cwIn(s.accounts[mgmt], "eu-west-1").series
	counted := func(metric string) int {
		if ser := series[seriesKey("AWS/Events", metric, map[string]string{"RuleName": "forward"})]; ser != nil {
			return len(ser.Points)
		}
		return 0
	}
	sent, notSent, failed := counted("InvocationsSentToDLQ"), counted("InvocationsFailedToBeSentToDLQ"), counted("FailedInvocations")
	s.mu.Unlock()
	if sent != 1 || notSent != 1 || failed != 2 {
		t.Errorf("sent to DLQ %d, failed to send %d, failed invocations %d; want 1, 1, 2", sent, notSent, failed)
	}
}
