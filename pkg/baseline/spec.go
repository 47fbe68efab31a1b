package baseline

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/landfall/landfall/pkg/config"
)

// Version is the baseline version recorded on every resource and in the
// ledger. Bump it when what the baseline creates changes, so the sweep
// re-applies accounts that hold an older one.
const Version = "3"

// Tag keys landfall puts on what it creates.
const (
	TagManaged = "landfall:managed"
	TagVersion = "landfall:version"
)

// Spec is the desired baseline of one account: the config's profile
// resolved against the account's name, tags and OU.
type Spec struct {
	Config  *config.Config
	Profile *config.Profile
	Account config.Account
	Version string

	// Prefix starts every resource name.
	Prefix string
	// Tags go on every resource: the config's tags plus landfall's own.
	Tags map[string]string
	// Regions are the regions this account's regional items run in.
	Regions []string
	// AlertEmails subscribe to the account's alerts topic: the config's
	// alert emails plus the account tag's.
	AlertEmails []string
	// BudgetAmount is the profile's amount, or the account tag's override.
	BudgetAmount float64
	// AlarmThresholds are per-alarm threshold overrides from account tags.
	AlarmThresholds map[string]float64
	// PipelineRoleARN is the role landfall's Lambdas run as in the management
	// account; landfall's execution role in each account trusts only it.
	PipelineRoleARN string
	// OrganizationID is the organization the account belongs to (o-...), used
	// in aws:PrincipalOrgID conditions.
	OrganizationID string
	// IdentityAccountStatus is organization.identity.accountId's status in
	// the organization (Organizations' ACTIVE, SUSPENDED, ...; "" for no
	// member), read by the caller in the management account, since a member
	// account cannot read the organization. The human roles trust the
	// identity account only while it is ACTIVE (see humanroles.go).
	IdentityAccountStatus string
	// TrustArchive keeps the entry role's trust policy as it was before
	// landfall first tightens it (the pipeline's ledger). Nil: there is
	// nowhere to keep it, and the trust is not tightened.
	TrustArchive TrustArchive
}

// NewSpec resolves a profile for an account. The account's tags may add
// alert emails, override the budget amount and alarm thresholds; a
// malformed tag value is an error naming the tag, because silently ignoring
// it would leave an account less protected than its owner asked.
func NewSpec(cfg *config.Config, p *config.Profile, acct config.Account, orgID string) (*Spec, error) {
	s := &Spec{
		Config: cfg, Profile: p, Account: acct, Version: Version,
		Prefix:          cfg.Naming.Prefix,
		Regions:         cfg.Regions(p),
		BudgetAmount:    p.Items.Budget.Amount,
		AlarmThresholds: map[string]float64{},
		OrganizationID:  orgID,
		PipelineRoleARN: "arn:aws:iam::" + cfg.Organization.ManagementAccountID + ":role/" + cfg.PipelineRoleName(),
	}
	s.Tags = map[string]string{}
	for k, v := range cfg.Tags {
		s.Tags[k] = v
	}
	s.Tags[TagManaged] = "true"
	s.Tags[TagVersion] = Version

	s.AlertEmails = slices.Clone(cfg.Notifications.AlertEmails)
	if tag := p.Items.AlertsTopic.EmailsFromTag; tag != "" && acct.Tags[tag] != "" {
		for _, e := range strings.FieldsFunc(acct.Tags[tag], func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			if !emailLike.MatchString(e) {
				return nil, fmt.Errorf("reading account tag %s of %s: %q is not an email address", tag, acct.ID, e)
			}
			if !slices.Contains(s.AlertEmails, e) {
				s.AlertEmails = append(s.AlertEmails, e)
			}
		}
	}
	if tag := p.Items.Budget.AmountTag; tag != "" && acct.Tags[tag] != "" {
		v, err := strconv.ParseFloat(acct.Tags[tag], 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("reading account tag %s of %s: %q is not a positive amount", tag, acct.ID, acct.Tags[tag])
		}
		s.BudgetAmount = v
	}
	if prefix := p.Items.Alarms.ThresholdTagPrefix; prefix != "" {
		for k, v := range acct.Tags {
			id, ok := strings.CutPrefix(k, prefix)
			if !ok {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return nil, fmt.Errorf("reading account tag %s of %s: %q is not a positive threshold", k, acct.ID, v)
			}
			s.AlarmThresholds[id] = f
		}
	}
	return s, nil
}

var emailLike = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

// Name builds a resource name from the prefix: Name("alerts") is
// "<prefix>-alerts".
func (s *Spec) Name(suffix string) string { return s.Prefix + "-" + suffix }

// ExecutionRoleName is landfall's own role in the account.
func (s *Spec) ExecutionRoleName() string { return s.Config.Organization.ExecutionRoleName }

// EntryRoleName is the role landfall first enters a new account through.
func (s *Spec) EntryRoleName() string { return s.Config.Organization.EntryRoleName }

// InManagementAccount reports whether the account is the organization's
// management account, which landfall runs in.
func (s *Spec) InManagementAccount() bool {
	return s.Account.ID == s.Config.Organization.ManagementAccountID
}

// HomeRegion is where account-wide resources that need a region live (the
// trail, the alerts topic, the log group).
func (s *Spec) HomeRegion() string { return s.Config.Organization.HomeRegion }

// Owned reports whether tags mark a resource as landfall's.
func Owned(tags map[string]string) bool { return tags[TagManaged] == "true" }
