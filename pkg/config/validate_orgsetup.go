package config

import (
	"fmt"
	"strings"
)

// Organizations limits an OU path must respect: an OU name is at most 128
// characters, and OUs nest at most 5 levels below the root.
const (
	maxOUNameLength = 128
	maxOUDepth      = 5
)

// validateOrganizationSetup checks the keys organization.manage acts on. They
// are checked even when manage is false, so turning it on later cannot reveal
// old mistakes in the middle of a deployment.
func (v *validator) validateOrganizationSetup() {
	org := &v.cfg.Organization
	const p = "organization"
	// created holds the OU paths that will exist, the root included, so
	// that each OU's parent can be checked to come first.
	created := map[string]bool{"/Root": true}
	for i, ou := range org.OUs {
		path := fmt.Sprintf("%s.ous[%d]", p, i)
		if msg := checkOUPath(ou); msg != "" {
			v.check(path, msg)
			continue
		}
		if created[ou] {
			v.errorf(path, "OU %s is listed twice", ou)
			continue
		}
		if parent := parentOU(ou); !created[parent] {
			v.errorf(path, "the parent of %s, %s, must be listed before it", ou, parent)
		}
		created[ou] = true
	}
	if s := org.SuspendedOU; s != "" {
		if msg := checkOUPath(s); msg != "" {
			v.check(p+".suspendedOu", msg)
		} else if parent := parentOU(s); !created[parent] {
			v.errorf(p+".suspendedOu", "the parent of %s, %s, must be the root or listed in organization.ous", s, parent)
		}
	}

	allowed := org.SCPs.AllowedRegions
	seen := map[string]bool{}
	for i, r := range allowed {
		path := fmt.Sprintf("%s.scps.allowedRegions[%d]", p, i)
		if seen[r] {
			v.errorf(path, "region %s is listed twice", r)
		}
		seen[r] = true
		v.check(path, checkRegion(r))
	}
	if len(allowed) > 0 {
		// The home region is governed (validateOrganization checks that), so
		// this also keeps landfall's own region open.
		for _, r := range org.GovernedRegions {
			if !seen[r] {
				v.errorf(p+".scps.allowedRegions", "must include every governed region; %s is governed but not allowed, so its baseline would be denied", r)
			}
		}
	}

	if org.DelegatedAdmin != nil && *org.DelegatedAdmin && org.SecurityAccountID == "" {
		v.errorf(p+".delegatedAdmin", "needs organization.securityAccountId, the account that administers GuardDuty and Security Hub")
	}
}

// checkOUPath checks an OU path to create: "/Root/" then 1 to 5 OU names,
// none empty, none with a glob character (profiles select OUs by glob, so a
// literal "*" in a name could never be selected on its own).
func checkOUPath(ou string) string {
	const help = `; write the path from the root, e.g. "/Root/Workloads/Prod"`
	rest, ok := strings.CutPrefix(ou, "/Root/")
	if !ok {
		return fmt.Sprintf("%q does not start with /Root/%s", ou, help)
	}
	names := strings.Split(rest, "/")
	if len(names) > maxOUDepth {
		return fmt.Sprintf("%q is %d levels deep; AWS Organizations nests OUs at most %d levels below the root", ou, len(names), maxOUDepth)
	}
	for _, name := range names {
		switch {
		case name == "" || strings.TrimSpace(name) != name:
			return fmt.Sprintf("%q has an empty OU name or one with surrounding spaces%s", ou, help)
		case len(name) > maxOUNameLength:
			return fmt.Sprintf("%q has an OU name of %d characters; AWS allows at most %d", ou, len(name), maxOUNameLength)
		case strings.ContainsAny(name, `*?[]\`):
			return fmt.Sprintf("%q has an OU name with one of *?[]\\, which profile globs would read as a pattern", ou)
		}
	}
	return ""
}

// parentOU returns the path of the OU that contains ou ("/Root" for a
// top-level OU).
func parentOU(ou string) string {
	return ou[:strings.LastIndex(ou, "/")]
}
