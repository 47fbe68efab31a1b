package config

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Account is what profile selection needs to know about an account, as AWS
// Organizations reports it.
type Account struct {
	// ID is the 12-digit account id.
	ID string
	// Name is the account name.
	Name string
	// Email is the account's root email address.
	Email string
	// OUPath is the path of OU names from the root, e.g. "/Root/Workloads/Prod";
	// "/Root" for an account directly under the root.
	OUPath string
	// Tags are the account's tags in Organizations.
	Tags map[string]string
	// Status is the Organizations account status (ACTIVE, SUSPENDED,
	// PENDING_CLOSURE ...). Empty means unknown and is treated as active.
	Status string
}

// MatchKind says which selector chose a profile, strongest first.
type MatchKind string

// The ways a profile can select an account, in precedence order.
const (
	MatchAccount MatchKind = "account"
	MatchTag     MatchKind = "tag"
	MatchOU      MatchKind = "ou"
	MatchDefault MatchKind = "default"
)

// SkipReason says why an account gets no baseline.
type SkipReason string

// The reasons an account is skipped.
const (
	// SkipExcluded: the account is listed in excludedAccounts.
	SkipExcluded SkipReason = "excluded"
	// SkipInactive: the account is suspended or closing.
	SkipInactive SkipReason = "inactive"
	// SkipQuarantined: the account is in the suspended OU (or below it),
	// whose deny-all SCP lets no role act in it.
	SkipQuarantined SkipReason = "quarantined"
	// SkipManagementAccount: the management account is baselined only when a
	// profile lists its id in select.accounts.
	SkipManagementAccount SkipReason = "management-account"
	// SkipNoProfile: no profile selects the account and there is no default.
	SkipNoProfile SkipReason = "no-profile"
)

// Selection is the outcome of SelectProfile: either a profile and how it was
// chosen, or a skip reason.
type Selection struct {
	// Profile is the chosen profile, or nil when the account is skipped.
	Profile *Profile
	// MatchedBy says which selector chose Profile; empty when skipped.
	MatchedBy MatchKind
	// Skip says why the account is skipped; empty when Profile is set.
	Skip SkipReason
	// Reason is one human-readable sentence for logs, the ledger and plans.
	Reason string
}

// inactiveStatuses are the Organizations account statuses that cannot be
// baselined: roles cannot be assumed in a suspended or closing account.
var inactiveStatuses = []string{"SUSPENDED", "PENDING_CLOSURE", "CLOSED"}

// ProfileNamed returns the profile with the name, or nil when the config
// has none; validation keeps the names unique.
func (c *Config) ProfileNamed(name string) *Profile {
	for i := range c.Profiles {
		if c.Profiles[i].Name == name {
			return &c.Profiles[i]
		}
	}
	return nil
}

// SelectProfile decides which profile baselines account a, or why none does.
//
// An account is skipped, in this order, when it is in excludedAccounts, when
// its status is SUSPENDED, PENDING_CLOSURE or CLOSED, when it is in the
// suspended OU or an OU below it (quarantined: every run would fail there,
// so none is started), or when it is the management account and no profile
// lists its id in select.accounts. SCPs never restrict the management
// account, so it is never quarantined.
//
// A profile matches when any of its selectors does. When several profiles
// match, the strongest match wins: an explicit account id, then a tag selector
// (all its tags present with equal values), then the longest matching OU glob
// (by characters), then the default profile. Validation rejects the ties it
// can see (the same account id, OU glob or tag selector in two profiles, two
// defaults); any remaining tie (say, two different tag selectors that both
// match) goes to the profile that comes first in the file.
func (c *Config) SelectProfile(a Account) (Selection, error) {
	if !accountIDPattern.MatchString(a.ID) {
		return Selection{}, fmt.Errorf("selecting profile for account (%s): the id is not 12 digits", a.ID)
	}
	if slices.Contains(c.ExcludedAccounts, a.ID) {
		return Selection{Skip: SkipExcluded, Reason: "account is listed in excludedAccounts"}, nil
	}
	if slices.Contains(inactiveStatuses, strings.ToUpper(a.Status)) {
		return Selection{Skip: SkipInactive, Reason: fmt.Sprintf("account status is %s", a.Status)}, nil
	}
	isManagement := a.ID == c.Organization.ManagementAccountID
	if q := c.Organization.SuspendedOU; q != "" && !isManagement && (a.OUPath == q || strings.HasPrefix(a.OUPath, q+"/")) {
		return Selection{Skip: SkipQuarantined, Reason: fmt.Sprintf("account is in the suspended OU %s, whose deny-all SCP lets no role act in it", q)}, nil
	}
	var best *profileMatch
	for i := range c.Profiles {
		m, ok := matchProfile(&c.Profiles[i], a)
		if ok && (best == nil || m.beats(best)) {
			best = &m
		}
	}
	switch {
	case isManagement && (best == nil || best.kind != MatchAccount):
		return Selection{Skip: SkipManagementAccount, Reason: "the management account is baselined only when a profile lists its id in select.accounts"}, nil
	case best == nil:
		return Selection{Skip: SkipNoProfile, Reason: fmt.Sprintf("no profile selects OU %s or the account's tags, and no profile is the default", a.OUPath)}, nil
	}
	return Selection{Profile: best.profile, MatchedBy: best.kind, Reason: fmt.Sprintf("profile %q %s", best.profile.Name, best.detail)}, nil
}

// profileMatch is one profile's strongest match for an account.
type profileMatch struct {
	profile *Profile
	kind    MatchKind
	// ouLength is the length of the matching OU glob, for MatchOU.
	ouLength int
	detail   string
}

// rank orders match kinds; higher wins.
func (k MatchKind) rank() int {
	switch k {
	case MatchAccount:
		return 3
	case MatchTag:
		return 2
	case MatchOU:
		return 1
	}
	return 0
}

// beats reports whether m is strictly stronger than other, so that on a tie
// the earlier profile is kept.
func (m profileMatch) beats(other *profileMatch) bool {
	if m.kind.rank() != other.kind.rank() {
		return m.kind.rank() > other.kind.rank()
	}
	return m.kind == MatchOU && m.ouLength > other.ouLength
}

// matchProfile returns the strongest way p selects a.
func matchProfile(p *Profile, a Account) (profileMatch, bool) {
	sel := p.Select
	if slices.Contains(sel.Accounts, a.ID) {
		return profileMatch{profile: p, kind: MatchAccount, detail: "selects the account by id"}, true
	}
	if len(sel.Tags) > 0 && tagsMatch(sel.Tags, a.Tags) {
		return profileMatch{profile: p, kind: MatchTag, detail: fmt.Sprintf("selects the account's tags %s", formatTags(sel.Tags))}, true
	}
	longest := ""
	for _, glob := range sel.OUs {
		if len(glob) > len(longest) && ouGlobMatch(glob, a.OUPath) {
			longest = glob
		}
	}
	if longest != "" {
		return profileMatch{profile: p, kind: MatchOU, ouLength: len(longest), detail: fmt.Sprintf("selects OU %s by %q", a.OUPath, longest)}, true
	}
	if p.Default {
		return profileMatch{profile: p, kind: MatchDefault, detail: "is the default profile"}, true
	}
	return profileMatch{}, false
}

func tagsMatch(want, have map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// ouGlobMatch matches an OU path against a glob checked by checkOUGlob: each
// segment with path.Match, and a final "**" matching any remaining depth,
// including none.
func ouGlobMatch(glob, ouPath string) bool {
	gs := strings.Split(strings.TrimPrefix(glob, "/"), "/")
	ps := strings.Split(strings.TrimPrefix(ouPath, "/"), "/")
	if gs[len(gs)-1] == "**" {
		gs = gs[:len(gs)-1]
		if len(ps) < len(gs) {
			return false
		}
		ps = ps[:len(gs)]
	}
	if len(gs) != len(ps) {
		return false
	}
	for i := range gs {
		if ok, err := path.Match(gs[i], ps[i]); err != nil || !ok {
			return false
		}
	}
	return true
}
