package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/awsx"
	"github.com/landfall/landfall/pkg/baseline"
)

func TestRestoreTrust(t *testing.T) {
	f := newOrg(t, 0)
	ctx := context.Background()
	member := f.createAccount(t, "workload")
	entry := iam.NewFromConfig(awsx.AssumeRole(f.admin, awsx.RoleARN(member, f.cfg.Organization.EntryRoleName), "test"))
	role := aws.String(f.cfg.Organization.EntryRoleName)
	trust := func() string {
		t.Helper()
		out, err := entry.GetRole(ctx, &iam.GetRoleInput{RoleName: role})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	tagged := func() bool {
		t.Helper()
		out, err := entry.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: role})
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range out.Tags {
			if aws.ToString(tag.Key) == baseline.TagManagedTrust {
				return true
			}
		}
		return false
	}
	// Configs: the test's (the entry role tightened by default), one that
	// no longer tightens it, and one that also deploys the SCPs.
	raw, err := os.ReadFile(testConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	writeConfig := func(name, from, to string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(strings.Replace(string(raw)+"    items:\n      entryRole:\n        requireMfa: false\n", from, to, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	untightened := writeConfig("untightened.yaml", "", "")
	managed := writeConfig("managed.yaml", "organization:\n", "organization:\n  manage: true\n")

	code, out, errOut := f.run(runRestoreTrust, "--account", member, "--config", untightened)
	if code != cli.ExitOK || !strings.Contains(out, "it never tightened it. Nothing to restore.") {
		t.Fatalf("before any tightening: exit %d\n%s%s", code, out, errOut)
	}

	// What the entry-role item does: save the trust as found, then tighten it.
	original := trust()
	if err := f.ledger.SaveEntryTrust(ctx, member, *role, original); err != nil {
		t.Fatal(err)
	}
	const tightened = `{"Version":"2012-10-17","Statement":[{"Sid":"LandfallManagementAccountWithMFA","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + mgmtID + `:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`
	if _, err := entry.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: role, PolicyDocument: aws.String(tightened)}); err != nil {
		t.Fatal(err)
	}
	if _, err := entry.TagRole(ctx, &iam.TagRoleInput{RoleName: role, Tags: []iamtypes.Tag{{Key: aws.String(baseline.TagManagedTrust), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}

	refused := []struct {
		name, config string
		stdin        string
		want         string
	}{
		{"while the profile tightens it", testConfigPath, "yes\n", "profile workloads tightens the entry role on every run (items.entryRole.requireMfa)"},
		{"under the protect-baseline SCP", managed, "yes\n", "the acme-protect-baseline SCP (organization.scps.protectBaseline) lets only acme-execution change the entry role"},
		{"answered no", untightened, "no\n", "cancelled: not approved"},
		{"no answer", untightened, "", "cancelled: not approved"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := f.runWithInput(strings.NewReader(tt.stdin), runRestoreTrust, "--account", member, "--config", tt.config)
			if code != cli.ExitFail || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q\n%s", code, errOut, tt.want, out)
			}
			if got := trust(); got != tightened || !tagged() {
				t.Fatalf("the entry role changed: %s", got)
			}
		})
	}

	code, out, errOut = f.runWithInput(strings.NewReader("yes\n"), runRestoreTrust, "--account", member, "--config", untightened)
	if code != cli.ExitOK || !strings.Contains(out, "MultiFactorAuthPresent") || !strings.Contains(out, "Only 'yes' will be accepted") || !strings.Contains(out, "Restored: ") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	if got := trust(); got != original || tagged() {
		t.Fatalf("after restore the trust is %s (tagged %t), want %s", got, tagged(), original)
	}
	code, out, errOut = f.run(runRestoreTrust, "--account", member, "--config", untightened, "--auto-approve")
	if code != cli.ExitOK || !strings.Contains(out, "has the trust policy landfall found") || strings.Contains(out, "Only 'yes'") {
		t.Fatalf("second restore: exit %d\n%s%s", code, out, errOut)
	}

	// Tightened again: --auto-approve restores without asking.
	if _, err := entry.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: role, PolicyDocument: aws.String(tightened)}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = f.run(runRestoreTrust, "--account", member, "--config", untightened, "--auto-approve")
	if code != cli.ExitOK || strings.Contains(out, "Only 'yes'") || trust() != original {
		t.Fatalf("restore with --auto-approve: exit %d\n%s%s", code, out, errOut)
	}

	if code, _, errOut := f.run(runRestoreTrust, "--account", "12345"); code != cli.ExitUsage || !strings.Contains(errOut, "12-digit") {
		t.Fatalf("bad account: exit %d: %s", code, errOut)
	}
}
