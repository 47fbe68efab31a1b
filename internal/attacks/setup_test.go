package attacks

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/landfall/landfall/internal/awslocal"
	"github.com/landfall/landfall/internal/iamsim"
	"github.com/landfall/landfall/internal/localrun"
	"github.com/landfall/landfall/pkg/accounts"
	"github.com/landfall/landfall/pkg/baseline"
	"github.com/landfall/landfall/pkg/config"
)

// organization is the example organization (infra/landfall.yaml) on an
// endpoint that decides every request as IAM does, with landfall's
// synthesized stacks' roles deployed as CloudFormation would deploy them,
// and one member account made by Organizations.
type organization struct {
	srv    *awslocal.Server
	url    string
	cfg    *config.Config
	orgID  string
	admin  aws.Config // the management account's administrator
	member string
	root   orgtypes.Root
	// management is the management account's synthesized template, alerts
	// the security account's (notifications.centralAlerts: security).
	management, alerts *localrun.Template
}

func newOrganization(t *testing.T) *organization {
	t.Helper()
	ctx := context.Background()
	root, err := localrun.FindModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(root, "infra", "landfall.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	orgID, err := localrun.SynthesizedOrganizationID(root)
	if err != nil {
		t.Fatal(err)
	}
	simulator, err := iamsim.Shared(root)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	mgmt := cfg.Organization.ManagementAccountID
	srv := awslocal.New(awslocal.Options{ManagementAccountID: mgmt, OrganizationID: orgID, Authorizer: simulator,
		Clock: func() time.Time { return now }})
	o := &organization{srv: srv, url: srv.Start(t), cfg: cfg, orgID: orgID}
	o.admin = o.adminOf(t, mgmt)

	org := organizations.NewFromConfig(o.admin)
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	o.root = roots.Roots[0]
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("workload"), Email: aws.String("workload@acme.example")})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(awslocal.AccountCreationDelay)
	st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: created.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.AccountId == nil {
		t.Fatalf("account creation: %v %+v", err, st)
	}
	o.member = aws.ToString(st.CreateAccountStatus.AccountId)
	// The security account, which is also the identity account, joined by invitation.
	o.invite(t, cfg.Organization.SecurityAccountID)
	if id := cfg.Organization.Identity.AccountID; id != cfg.Organization.SecurityAccountID {
		t.Fatalf("the example config's identity account %s is no longer the security account", id)
	}

	o.management = o.deploy(t, filepath.Join(root, "cdk.out", "landfall.template.json"), mgmt)
	if cfg.Notifications.CentralAlerts == config.CentralAlertsSecurity {
		o.alerts = o.deploy(t, filepath.Join(root, "cdk.out", "landfall-central-alerts.template.json"), cfg.Organization.SecurityAccountID)
	}
	return o
}

// deploy creates a synthesized template's roles, with every policy the
// template gives them, tables, topics and queues in account
// (localrun.Template.Deploy), and returns the template.
func (o *organization) deploy(t *testing.T, path, account string) *localrun.Template {
	t.Helper()
	tpl, err := localrun.ReadTemplate(path, localrun.TemplateOptions{Region: o.cfg.Organization.HomeRegion, Account: account})
	if err != nil {
		t.Fatalf("%v (run make synth)", err)
	}
	// The organization setup's custom resources name the root, which
	// only the organization knows; the demo makes the calls, the test
	// only answers the one that lists the root, for every custom resource.
	for _, id := range tpl.LogicalIDs("Custom::AWS") {
		tpl.SetAttribute(id, "Roots.0.Id", aws.ToString(o.root.Id))
		tpl.SetAttribute(id, "Roots.0.Arn", aws.ToString(o.root.Arn))
	}
	if _, err := tpl.Deploy(context.Background(), o.adminOf(t, account)); err != nil {
		t.Fatal(err)
	}
	return tpl
}

// applySCPs deploys the management template's OUs and SCPs
// (organization.manage), which then decide every request of the member
// accounts.
func (o *organization) applySCPs(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(o.admin)
	// As the template's ScpPolicyType custom resource does.
	if _, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: o.root.Id, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.management.DeployOUs(ctx, org, aws.ToString(o.root.Id)); err != nil {
		t.Fatal(err)
	}
	if _, err := o.management.DeploySCPs(ctx, org); err != nil {
		t.Fatal(err)
	}
}

// invite brings an account into the organization by invitation, without
// the entry role Organizations creates only in the accounts it creates.
func (o *organization) invite(t *testing.T, id string) {
	t.Helper()
	if err := o.srv.JoinByInvitation(context.Background(), o.admin, o.url, id); err != nil {
		t.Fatal(err)
	}
}

// baseline applies landfall's baseline to account with its administrator's
// credentials, before any SCP is attached: the account as landfall leaves
// it.
func (o *organization) baseline(t *testing.T, account string) {
	t.Helper()
	if err := o.apply(t, *o.cfg, account); err != nil {
		t.Fatalf("baselining %s: %v", account, err)
	}
}

// apply applies cfg's baseline to account with its administrator's
// credentials, reading the organization as the pipeline does. Without a
// log archive each account's trail delivers to a bucket of its own, which
// spares the tests the archive account's bucket.
func (o *organization) apply(t *testing.T, cfg config.Config, account string) error {
	t.Helper()
	ctx := context.Background()
	cfg.Organization.LogArchive = config.LogArchive{}
	org := organizations.NewFromConfig(o.admin)
	acct, err := accounts.Describe(ctx, org, account)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := cfg.SelectProfile(acct)
	if err != nil || sel.Profile == nil {
		t.Fatalf("no profile for %s: %v %+v", account, err, sel)
	}
	spec, err := baseline.NewSpec(&cfg, sel.Profile, acct, o.orgID)
	if err != nil {
		t.Fatal(err)
	}
	if spec.IdentityAccountStatus, err = accounts.IdentityStatus(ctx, org, &cfg); err != nil {
		t.Fatal(err)
	}
	engine, err := baseline.NewEngine(baseline.Catalogue())
	if err != nil {
		t.Fatal(err)
	}
	_, err = engine.Apply(ctx, spec, o.adminOf(t, account), baseline.ScopeAll)
	return err
}

func (o *organization) adminOf(t *testing.T, account string) aws.Config {
	t.Helper()
	return o.config(t, o.srv.AdminCredentials(account))
}

func (o *organization) config(t *testing.T, creds awslocal.Credentials) aws.Config {
	t.Helper()
	cfg, err := awslocal.SDKConfig(context.Background(), o.url, creds, o.cfg.Organization.HomeRegion)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// templateFunction is tpl's Go function whose package path ends in suffix
// ("/apply").
func templateFunction(t *testing.T, tpl *localrun.Template, suffix string) localrun.TemplateFunction {
	t.Helper()
	for _, f := range tpl.Functions {
		if strings.HasSuffix(f.Package, suffix) {
			return f
		}
	}
	t.Fatalf("the template has no function of a package ending in %s", suffix)
	return localrun.TemplateFunction{}
}

// asFunction is the session Lambda starts for a function's role: what code
// running as that function holds.
func (o *organization) asFunction(t *testing.T, roleARN string) aws.Config {
	t.Helper()
	creds, err := o.srv.ServiceCredentials("lambda.amazonaws.com", roleARN, "attacker")
	if err != nil {
		t.Fatal(err)
	}
	return o.config(t, creds)
}
