package config

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func mustParse(t *testing.T, data string) *Config {
	t.Helper()
	cfg, err := Parse("landfall.yaml", []byte(data))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return cfg
}

func TestSelectProfileOnExample(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	workloadsTag := map[string]string{"landfall:profile": "workloads"}
	tests := []struct {
		name        string
		account     Account
		wantProfile string
		wantMatch   MatchKind
		wantSkip    SkipReason
	}{
		{"management account listed by id", Account{ID: "111111111111", OUPath: "/Root", Status: "ACTIVE"}, "management", MatchAccount, ""},
		{"security account by OU", Account{ID: "222222222222", OUPath: "/Root/Security", Status: "ACTIVE"}, "security", MatchOU, ""},
		{"log archive by OU", Account{ID: "333333333333", OUPath: "/Root/Security"}, "security", MatchOU, ""},
		{"prod workload by one-level glob", Account{ID: "444444444444", OUPath: "/Root/Workloads/Prod"}, "workloads", MatchOU, ""},
		{"dev workload by one-level glob", Account{ID: "555555555555", OUPath: "/Root/Workloads/Dev"}, "workloads", MatchOU, ""},
		{"tag beats OU", Account{ID: "666666666666", OUPath: "/Root/Sandbox", Tags: workloadsTag}, "workloads", MatchTag, ""},
		{"sandbox by OU", Account{ID: "777777777777", OUPath: "/Root/Sandbox"}, "sandbox", MatchOU, ""},
		{"deeper than the glob falls to default", Account{ID: "888888888888", OUPath: "/Root/Workloads/Prod/Team"}, "sandbox", MatchDefault, ""},
		{"active account in the suspended OU skipped", Account{ID: "121212121212", OUPath: "/Root/Suspended", Status: "ACTIVE"}, "", "", SkipQuarantined},
		{"account below the suspended OU skipped", Account{ID: "161616161616", OUPath: "/Root/Suspended/Forensics", Status: "ACTIVE"}, "", "", SkipQuarantined},
		{"quarantine beats a selection by tag", Account{ID: "171717171717", OUPath: "/Root/Suspended", Tags: workloadsTag}, "", "", SkipQuarantined},
		{"an OU named like the suspended OU is not it", Account{ID: "181818181818", OUPath: "/Root/SuspendedTeam"}, "sandbox", MatchDefault, ""},
		{"the management account in the suspended OU is not quarantined", Account{ID: "111111111111", OUPath: "/Root/Suspended"}, "management", MatchAccount, ""},
		{"suspended account skipped", Account{ID: "131313131313", OUPath: "/Root/Suspended", Status: "SUSPENDED"}, "", "", SkipInactive},
		{"closing account skipped", Account{ID: "141414141414", OUPath: "/Root/Sandbox", Status: "PENDING_CLOSURE"}, "", "", SkipInactive},
		{"excluded account skipped even if selected", Account{ID: "999999999999", OUPath: "/Root/Sandbox", Tags: workloadsTag}, "", "", SkipExcluded},
		{"tag value must be equal", Account{ID: "151515151515", OUPath: "/Root/Sandbox", Tags: map[string]string{"landfall:profile": "other"}}, "sandbox", MatchOU, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := cfg.SelectProfile(tt.account)
			if err != nil {
				t.Fatal(err)
			}
			checkSelection(t, sel, tt.wantProfile, tt.wantMatch, tt.wantSkip)
		})
	}
}

func checkSelection(t *testing.T, sel Selection, wantProfile string, wantMatch MatchKind, wantSkip SkipReason) {
	t.Helper()
	gotProfile := ""
	if sel.Profile != nil {
		gotProfile = sel.Profile.Name
	}
	if gotProfile != wantProfile || sel.MatchedBy != wantMatch || sel.Skip != wantSkip {
		t.Errorf("selection = profile %q by %q, skip %q (%s); want profile %q by %q, skip %q",
			gotProfile, sel.MatchedBy, sel.Skip, sel.Reason, wantProfile, wantMatch, wantSkip)
	}
	if sel.Reason == "" {
		t.Errorf("selection has no reason")
	}
}

// precedenceYAML has overlapping selectors to exercise the precedence rules.
const precedenceYAML = `version: 1
organization:
  managementAccountId: "111111111111"
  homeRegion: us-east-1
  identity: { accountId: "222222222222" }
profiles:
  - name: everything
    select: { ous: ["/Root/**"] }
  - name: workloads
    select: { ous: ["/Root/Workloads/**"] }
  - name: team-a
    select: { tags: { team: a } }
  - name: pci
    select: { tags: { pci: "yes" } }
  - name: pinned
    select: { accounts: ["444444444444"] }
`

func TestSelectProfilePrecedence(t *testing.T) {
	cfg := mustParse(t, precedenceYAML)
	tests := []struct {
		name        string
		account     Account
		wantProfile string
		wantMatch   MatchKind
		wantSkip    SkipReason
	}{
		{"root-level account matches /Root/**", Account{ID: "333333333333", OUPath: "/Root"}, "everything", MatchOU, ""},
		{"longer glob wins", Account{ID: "333333333333", OUPath: "/Root/Workloads/Prod/Team"}, "workloads", MatchOU, ""},
		{"tag beats longer glob", Account{ID: "333333333333", OUPath: "/Root/Workloads/Prod", Tags: map[string]string{"team": "a"}}, "team-a", MatchTag, ""},
		{"tie between tag selectors goes to file order", Account{ID: "333333333333", OUPath: "/Root", Tags: map[string]string{"pci": "yes", "team": "a"}}, "team-a", MatchTag, ""},
		{"account id beats everything", Account{ID: "444444444444", OUPath: "/Root/Workloads", Tags: map[string]string{"team": "a"}}, "pinned", MatchAccount, ""},
		{"management account needs an explicit id", Account{ID: "111111111111", OUPath: "/Root/Workloads", Tags: map[string]string{"team": "a"}}, "", "", SkipManagementAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := cfg.SelectProfile(tt.account)
			if err != nil {
				t.Fatal(err)
			}
			checkSelection(t, sel, tt.wantProfile, tt.wantMatch, tt.wantSkip)
		})
	}
}

func TestSelectProfileNoMatch(t *testing.T) {
	cfg := mustParse(t, strings.Replace(precedenceYAML, `["/Root/**"]`, `["/Root/Sandbox"]`, 1))
	sel, err := cfg.SelectProfile(Account{ID: "333333333333", OUPath: "/Root/Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	checkSelection(t, sel, "", "", SkipNoProfile)
}

func TestSelectProfileQuarantine(t *testing.T) {
	tests := []struct {
		name, suspendedOU, ouPath string
		wantSkip                  SkipReason
	}{
		{"the default suspended OU", "", "/Root/Suspended", SkipQuarantined},
		{"another suspended OU", "suspendedOu: /Root/Quarantine", "/Root/Quarantine", SkipQuarantined},
		{"the default's name is then an OU like any other", "suspendedOu: /Root/Quarantine", "/Root/Suspended", ""},
		{"no suspended OU", `suspendedOu: ""`, "/Root/Suspended", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustParse(t, strings.Replace(precedenceYAML, "  identity:", "  "+tt.suspendedOU+"\n  identity:", 1))
			sel, err := cfg.SelectProfile(Account{ID: "333333333333", OUPath: tt.ouPath, Status: "ACTIVE"})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantSkip != "" {
				checkSelection(t, sel, "", "", tt.wantSkip)
				if !strings.Contains(sel.Reason, "suspended OU "+tt.ouPath) {
					t.Errorf("reason %q does not name the suspended OU", sel.Reason)
				}
				return
			}
			checkSelection(t, sel, "everything", MatchOU, "")
		})
	}
}

func TestSelectProfileRejectsBadAccountID(t *testing.T) {
	cfg := mustParse(t, precedenceYAML)
	_, err := cfg.SelectProfile(Account{ID: "12345", OUPath: "/Root"})
	if err == nil || err.Error() != "selecting profile for account (12345): the id is not 12 digits" {
		t.Errorf("SelectProfile(bad id) error = %v", err)
	}
}

func TestOUGlobMatch(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"/Root/Workloads/*", "/Root/Workloads/Prod", true},
		{"/Root/Workloads/*", "/Root/Workloads", false},
		{"/Root/Workloads/*", "/Root/Workloads/Prod/Team", false},
		{"/Root/Workloads/**", "/Root/Workloads", true},
		{"/Root/Workloads/**", "/Root/Workloads/Prod/Team", true},
		{"/Root/Workloads/**", "/Root/WorkloadsX", false},
		{"/Root/Work*", "/Root/Workloads", true},
		{"/Root/Sandbox", "/Root/sandbox", false},
		{"/Root", "/Root", true},
	}
	for _, tt := range tests {
		if got := ouGlobMatch(tt.glob, tt.path); got != tt.want {
			t.Errorf("ouGlobMatch(%q, %q) = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}

// ProfileNamed hands out the config's own profile, so an edit through it
// is the config's, and nil for a name the config does not have.
func TestProfileNamed(t *testing.T) {
	cfg, err := Load(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	name := cfg.Profiles[len(cfg.Profiles)-1].Name
	p := cfg.ProfileNamed(name)
	if p == nil || p != &cfg.Profiles[len(cfg.Profiles)-1] {
		t.Fatalf("ProfileNamed(%q) = %p, want the config's own profile", name, p)
	}
	if p := cfg.ProfileNamed("no-such-profile"); p != nil {
		t.Fatalf("ProfileNamed of an unknown name = %+v, want nil", p)
	}
}

// The digest follows the settings, not the file's layout.
func TestDigest(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	example := string(data)
	cfg := mustParse(t, example)
	digest := cfg.Digest()
	if len(digest) != 24 || mustParse(t, example).Digest() != digest {
		t.Fatalf("two parses of one file: %q and %q", digest, mustParse(t, example).Digest())
	}
	// Tags written in the other order, and a comment.
	tags := "tags: # default: none; added to every resource next to landfall:managed and landfall:version\n"
	i := strings.Index(example, tags)
	if i < 0 {
		t.Fatal("the example has no tags")
	}
	next := i + len(tags)
	end := strings.Index(example[next:], "\n\n")
	lines := strings.Split(example[next:next+end], "\n")
	slices.Reverse(lines)
	relaid := example[:next] + "  # the same tags, the other way round\n" + strings.Join(lines, "\n") + example[next+end:]
	if len(lines) < 2 || relaid == example || mustParse(t, relaid).Digest() != digest {
		t.Fatalf("the same settings laid out differently (%d tags) changed the digest", len(lines))
	}
	cfg.Profiles[0].Name += "-renamed"
	if cfg.Digest() == digest {
		t.Fatal("renaming a profile left the digest unchanged")
	}
}
