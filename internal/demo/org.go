package demo

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/landfall/landfall/pkg/baseline"
)

// organization creates the organization, sets it up from the template
// (organization.manage: its OUs and SCPs), and brings in the security and
// log-archive accounts, which join by invitation before landfall's pipeline
// is deployed (so their first baseline comes from the sweep).
func (r *run) organization(ctx context.Context) error {
	org := organizations.NewFromConfig(r.admin)
	o, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		return fmt.Errorf("creating the organization: %w", err)
	}
	r.orgID = aws.ToString(o.Organization.Id)
	ids, err := r.organizationSetup(ctx, r.opts.TemplatePath)
	if err != nil {
		return err
	}
	for _, a := range []struct{ id, name string }{
		{r.cfg.Organization.SecurityAccountID, "security"}, {r.cfg.Organization.LogArchive.AccountID, "log-archive"},
	} {
		if err := r.invite(ctx, a.id, a.name, false); err != nil {
			return err
		}
		if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(a.id),
			SourceParentId: aws.String(ids["/Root"]), DestinationParentId: aws.String(ids["/Root/Security"])}); err != nil {
			return fmt.Errorf("moving %s: %w", a.name, err)
		}
	}
	// The log-archive bucket the trails deliver to (landfall does not own it).
	if err := r.logArchiveBucket(ctx); err != nil {
		return err
	}
	if err := r.managementTrail(ctx); err != nil {
		return err
	}
	r.printf("organization %s: security %s and log-archive %s in /Root/Security; trail org-audit records the management account's calls\n",
		r.orgID, r.cfg.Organization.SecurityAccountID, r.cfg.Organization.LogArchive.AccountID)
	return nil
}

// invite brings an existing account into the organization: its owner
// creates the entry role the management account will use (Organizations
// only creates it for accounts it creates) and accepts the invitation.
// Once the pipeline is deployed, the owner answers only after the run the
// invitation started has found it open, so the demo shows the wait.
func (r *run) invite(ctx context.Context, id, name string, deployed bool) error {
	if err := r.srv.AddAccount(id, name, name+"@acme.example"); err != nil {
		return err
	}
	r.rep.Accounts[name] = id
	owner := r.adminOf(ctx, id)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + r.mgmt + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := iam.NewFromConfig(owner).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.cfg.Organization.EntryRoleName), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		return fmt.Errorf("creating the entry role in %s: %w", name, err)
	}
	if _, err := iam.NewFromConfig(owner).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.cfg.Organization.EntryRoleName), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		return err
	}
	h, err := organizations.NewFromConfig(r.admin).InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Id: aws.String(id), Type: orgtypes.HandshakePartyTypeAccount}})
	if err != nil {
		return fmt.Errorf("inviting %s: %w", name, err)
	}
	if deployed {
		if err := r.waitInvitationChecked(ctx, id); err != nil {
			return err
		}
		r.printf("  invited %s (%s); its run waits, then its owner accepts\n", name, id)
	}
	_, err = organizations.NewFromConfig(owner).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Handshake.Id})
	return err
}

// waitInvitationChecked waits until a baseline run found the account's
// invitation still open.
func (r *run) waitInvitationChecked(ctx context.Context, id string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		r.mu.Lock()
		checked := r.invitationChecks[id] > 0
		r.mu.Unlock()
		switch {
		case checked:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("no baseline run followed the invitation of %s within 30 s: the InviteAccountToOrganization event did not start one", id)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// vend creates an account through Organizations, as `landfall vend` does,
// and waits for the asynchronous creation to finish.
func (r *run) vend(ctx context.Context, name, email string, tags map[string]string) (string, string, error) {
	org := organizations.NewFromConfig(r.admin)
	in := &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)}
	for k, v := range tags {
		in.Tags = append(in.Tags, orgtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	out, err := org.CreateAccount(ctx, in)
	if err != nil {
		return "", "", fmt.Errorf("vending %s: %w", name, err)
	}
	for {
		st, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: out.CreateAccountStatus.Id})
		if err != nil {
			return "", "", err
		}
		switch st.CreateAccountStatus.State {
		case orgtypes.CreateAccountStateSucceeded:
			id := aws.ToString(st.CreateAccountStatus.AccountId)
			r.rep.Accounts[name] = id
			return id, "", nil
		case orgtypes.CreateAccountStateFailed:
			return "", string(st.CreateAccountStatus.FailureReason), nil
		}
		select {
		case <-ctx.Done():
			return "", "", ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// newAccounts vends three accounts and invites one; every CreateAccountResult
// and InviteAccountToOrganization event reaches the synthesized rules on
// its own, and the invited account's run waits until its owner accepts.
func (r *run) newAccounts(ctx context.Context) error {
	for _, a := range []struct {
		name string
		tags map[string]string
		slow bool
	}{
		{"payments-prod", map[string]string{"landfall:profile": "workloads", "landfall:alert-emails": "payments-oncall@acme.example"}, false},
		{"analytics-dev", map[string]string{"landfall:profile": "workloads", "landfall:budget": "250"}, false},
		{"sandbox-alice", nil, true},
	} {
		if a.slow {
			// Roles of a new account take a while to be assumable; this one
			// takes a few seconds, so WaitReady retries.
			r.srv.DelayNextAccount(slowAccountDelay)
		}
		id, failure, err := r.vend(ctx, a.name, a.name+"@acme.example", a.tags)
		if err != nil || failure != "" {
			return fmt.Errorf("vending %s: %v %s", a.name, err, failure)
		}
		r.printf("  vended %s (%s)\n", a.name, id)
	}
	return r.invite(ctx, "444444444444", "legacy-shop", true)
}

// confirmSubscriptions follows the confirmation link in each address's
// email, as its recipient would.
func (r *run) confirmSubscriptions(ctx context.Context, addresses ...string) int {
	confirmed := 0
	link := regexp.MustCompile(`https?://\S+/_landfall/confirm\?\S+`)
	for _, e := range r.srv.Outbox() {
		if e.Kind != "confirmation" || !contains(addresses, e.To) {
			continue
		}
		u := link.FindString(e.Body)
		if u == "" {
			continue
		}
		u = strings.Replace(u, "https://", "http://", 1)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				confirmed++
			}
		}
	}
	if confirmed > 0 {
		r.printf("  %d email subscriptions confirmed by their recipients (%s)\n", confirmed, strings.Join(addresses, ", "))
	}
	return confirmed
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// managementTrail is the trail the deploy's prerequisites ask for in the
// management account: without a trail recording them, Organizations calls
// (MoveAccount, CloseAccount ...) never reach EventBridge.
func (r *run) managementTrail(ctx context.Context) error {
	bucket := r.cfg.Organization.LogArchive.Bucket
	if bucket == "" {
		return fmt.Errorf("the demo's management trail delivers to the log archive, but organization.logArchive.bucket is not set")
	}
	ct := cloudtrail.NewFromConfig(r.admin)
	name := aws.String("org-audit")
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: name, S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(true)}); err != nil {
		return fmt.Errorf("creating the management account's trail: %w", err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: name}); err != nil {
		return fmt.Errorf("starting the management account's trail: %w", err)
	}
	return nil
}

// logArchiveBucket creates the central CloudTrail bucket in the log-archive
// account, with the policy the README asks for, as the log-archive
// account's owners would before deploying landfall.
func (r *run) logArchiveBucket(ctx context.Context) error {
	la := r.cfg.Organization.LogArchive
	if la.Bucket == "" {
		return nil
	}
	s3c := s3.NewFromConfig(r.adminOf(ctx, la.AccountID))
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(la.Bucket)}); err != nil {
		return fmt.Errorf("creating the log-archive bucket: %w", err)
	}
	policy := baseline.LogArchiveBucketPolicy(la.Bucket, r.orgID)
	_, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(la.Bucket), Policy: aws.String(policy)})
	return err
}
