package config

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
)

var profileNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// profileClaims remembers which profile first claimed a selector, so a second
// profile claiming the same one is reported as an ambiguous tie.
type profileClaims struct {
	names       map[string]string // profile name -> path of the profile that has it
	accounts    map[string]string // account id -> path of the profile whose select.accounts has it
	ous         map[string]string // OU glob -> path of the profile that has it
	tags        map[string]string // canonical tag selector -> path of the profile that has it
	defaultPath string            // path of the default profile
}

func (v *validator) validateProfiles() {
	if len(v.cfg.Profiles) == 0 {
		v.errorf("profiles", "required: at least one profile; a profile with default: true baselines every account no other profile selects")
		return
	}
	claims := profileClaims{names: map[string]string{}, accounts: map[string]string{}, ous: map[string]string{}, tags: map[string]string{}}
	for i := range v.cfg.Profiles {
		p := &v.cfg.Profiles[i]
		pp := fmt.Sprintf("profiles[%d]", i)
		v.validateProfileName(pp, p, &claims)
		v.validateSelector(pp, p, &claims)
		v.validateProfileRegions(pp, p)
		v.validateItems(pp+".items", &p.Items)
	}
}

func (v *validator) validateProfileName(pp string, p *Profile, claims *profileClaims) {
	if !v.required(pp+".name", p.Name, "a profile name, e.g. workloads") {
		return
	}
	if !profileNamePattern.MatchString(p.Name) {
		v.errorf(pp+".name", "%q is not a valid profile name; use lowercase letters, digits and hyphens, starting with a letter or digit, at most 64 characters", p.Name)
	}
	if first, dup := claims.names[p.Name]; dup {
		v.errorf(pp+".name", "duplicate profile name %q; it is already used on line %d", p.Name, v.at(first).Line)
		return
	}
	claims.names[p.Name] = pp + ".name"
}

// validateSelector checks one profile's select and default keys, and reports
// ties with earlier profiles that SelectProfile could not break.
func (v *validator) validateSelector(pp string, p *Profile, claims *profileClaims) {
	sel := p.Select
	if len(sel.OUs) == 0 && len(sel.Tags) == 0 && len(sel.Accounts) == 0 && !p.Default {
		v.errorf(pp+".select", "profile %q selects no accounts; add select.ous, select.tags or select.accounts, or set default: true", p.Name)
	}
	if p.Default {
		if claims.defaultPath != "" {
			v.errorf(pp+".default", "only one profile can be the default; %s is already the default (line %d)", v.profileLabel(claims.defaultPath), v.at(claims.defaultPath).Line)
		} else {
			claims.defaultPath = pp + ".default"
		}
	}
	for i, glob := range sel.OUs {
		item := fmt.Sprintf("%s.select.ous[%d]", pp, i)
		if msg := checkOUGlob(glob); msg != "" {
			v.errorf(item, "%s", msg)
			continue
		}
		v.claim(claims.ous, glob, item, fmt.Sprintf("OU glob %q", glob))
	}
	for key := range sel.Tags {
		v.check(pp+".select.tags."+key, checkTagKey(key))
	}
	if len(sel.Tags) > 0 {
		// Key by the quoted pairs (fmt sorts map keys): the display text
		// could make different selectors look equal ({a: "b, c=d"} and
		// {a: b, c: d}).
		key := fmt.Sprintf("%q", sel.Tags)
		v.claim(claims.tags, key, pp+".select.tags", "tag selector "+formatTags(sel.Tags))
	}
	v.uniqueAccountIDs(pp+".select.accounts", sel.Accounts)
	for i, id := range sel.Accounts {
		item := fmt.Sprintf("%s.select.accounts[%d]", pp, i)
		if slices.Contains(v.cfg.ExcludedAccounts, id) {
			v.errorf(item, "account %s is also in excludedAccounts, which wins; remove it from one of the two lists", id)
		}
		v.claim(claims.accounts, id, item, "account "+id)
	}
}

// claim records that the profile at path selects by key, or reports the tie
// when an earlier profile already does.
func (v *validator) claim(claimed map[string]string, key, path, what string) {
	if first, ok := claimed[key]; ok {
		if profileOf(first) != profileOf(path) {
			v.errorf(path, "%s is also used by %s (line %d); the two profiles would tie, so a selector may appear in one profile only", what, v.profileLabel(first), v.at(first).Line)
		}
		return
	}
	claimed[key] = path
}

// profileLabel names the profile a field path belongs to, for messages.
func (v *validator) profileLabel(fieldPath string) string {
	var i int
	if _, err := fmt.Sscanf(profileOf(fieldPath), "profiles[%d]", &i); err == nil && i < len(v.cfg.Profiles) && v.cfg.Profiles[i].Name != "" {
		return fmt.Sprintf("profile %q", v.cfg.Profiles[i].Name)
	}
	return profileOf(fieldPath)
}

// profileOf returns the "profiles[i]" prefix of a field path.
func profileOf(fieldPath string) string {
	p, _, _ := strings.Cut(fieldPath, ".")
	return p
}

// formatTags renders a tag selector as "k1=v1, k2=v2" sorted by key, so that
// equal selectors render equally whatever the map order.
func formatTags(tags map[string]string) string {
	pairs := make([]string, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		pairs = append(pairs, k+"="+tags[k])
	}
	return strings.Join(pairs, ", ")
}

// checkOUGlob checks an OU path glob: "/Root" followed by "/"-separated
// segments, each a path.Match pattern, with "**" allowed only as the last
// segment.
func checkOUGlob(glob string) string {
	const help = `; write OU paths from the root, e.g. "/Root/Workloads/*" (one level) or "/Root/Workloads/**" (the OU and everything below)`
	if glob != "/Root" && !strings.HasPrefix(glob, "/Root/") {
		return fmt.Sprintf("%q does not start with /Root%s", glob, help)
	}
	segments := strings.Split(strings.TrimPrefix(glob, "/Root"), "/")[1:]
	for i, seg := range segments {
		if seg == "**" && i == len(segments)-1 {
			continue
		}
		if seg == "" || strings.Contains(seg, "**") {
			return fmt.Sprintf("%q has an empty or misplaced segment%s", glob, help)
		}
		if _, err := path.Match(seg, ""); err != nil {
			return fmt.Sprintf("%q has a malformed pattern in segment %q%s", glob, seg, help)
		}
	}
	return ""
}

func (v *validator) validateProfileRegions(pp string, p *Profile) {
	governed := v.cfg.Organization.GovernedRegions
	seen := map[string]bool{}
	for i, r := range p.Regions {
		item := fmt.Sprintf("%s.regions[%d]", pp, i)
		switch {
		case seen[r]:
			v.errorf(item, "region %s is listed twice", r)
		case checkRegion(r) != "":
			v.check(item, checkRegion(r))
		case !slices.Contains(governed, r):
			v.errorf(item, "region %s is not governed; use one of organization.governedRegions (%s) or add it there", r, strings.Join(governed, ", "))
		}
		seen[r] = true
	}
}
