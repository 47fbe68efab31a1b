package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/landfall/landfall/internal/cli"
	"github.com/landfall/landfall/pkg/ledger"
)

// fakePipeline stands in for the deployed pipeline: once an account named
// name is active in the organization, it records outcome in the ledger.
// It stops when the test ends.
func fakePipeline(t *testing.T, f *orgFixture, name string, outcome ledger.Row) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		org := organizations.NewFromConfig(f.admin)
		_ = pollUntil(ctx, time.Millisecond, func() (bool, error) {
			p := organizations.NewListAccountsPaginator(org, &organizations.ListAccountsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return false, nil // the test may be over
				}
				for _, a := range page.Accounts {
					if aws.ToString(a.Name) == name && a.Status == "ACTIVE" {
						outcome.AccountID, outcome.AccountName = aws.ToString(a.Id), name
						// After the test ends the context is canceled mid-write;
						// only a failure while it runs matters.
						if err := f.ledger.Put(ctx, outcome); err != nil && ctx.Err() == nil {
							t.Errorf("recording the fake baseline: %v", err)
						}
						return true, nil
					}
				}
			}
			return false, nil
		})
	}()
}

// createOUs makes /Root/Workloads/Prod behind a full page of other OUs, so
// resolving the path has to follow ListOrganizationalUnitsForParent's pages.
func createOUs(t *testing.T, f *orgFixture) (prodID string) {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(f.admin)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(parent, name string) string {
		out, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.OrganizationalUnit.Id)
	}
	root := aws.ToString(roots.Roots[0].Id)
	for i := range 5 {
		mk(root, fmt.Sprintf("Team%d", i))
	}
	return mk(mk(root, "Workloads"), "Prod")
}

func TestVend(t *testing.T) {
	succeeded := ledger.Row{Status: ledger.StatusSucceeded, Profile: "workloads", Version: "1", DurationMs: 42_000, Created: 31,
		Findings: []string{"iam-findings: root user has no MFA"}}
	tests := []struct {
		name       string
		args       []string
		outcome    *ledger.Row // what the fake pipeline records; nil: it never runs
		takenEmail bool        // another account already uses the email
		wantCode   int
		wantStdout []string
		wantStderr string
		wantOU     bool // the account must be in /Root/Workloads/Prod with the tags
		// wantCreated: a "payments" account exists afterwards.
		wantCreated bool
	}{
		{
			name: "baselined in its OU", args: []string{"--name", "payments", "--email", "pay@acme.example", "--ou", "/Root/Workloads/Prod", "--tag", "env=prod", "--tag", "team=payments"},
			outcome: &succeeded, wantCode: cli.ExitOK, wantOU: true, wantCreated: true,
			wantStdout: []string{"creating account: SUCCEEDED\n", "created account ", "moved ", " to /Root/Workloads/Prod\n",
				"baselining: SUCCEEDED\n", "with profile workloads, version 1 in 42s: 31 created, 0 updated, 0 deleted, 1 findings\n", "  finding: iam-findings: root user has no MFA\n"},
		},
		{
			name: "baseline failed", args: []string{"--name", "payments", "--email", "pay@acme.example"},
			outcome:  &ledger.Row{Status: ledger.StatusFailed, LastError: "applying cloudtrail: AccessDenied"},
			wantCode: cli.ExitFail, wantStderr: "landfall vend: baselining account ", wantCreated: true,
			wantStdout: []string{"created account "},
		},
		{
			name: "skipped by the config", args: []string{"--name", "payments", "--email", "pay@acme.example"},
			outcome:  &ledger.Row{Status: ledger.StatusSkipped, Reason: "excluded"},
			wantCode: cli.ExitOK, wantStdout: []string{"gets no baseline: excluded\n"}, wantCreated: true,
		},
		{
			name: "creation failed", args: []string{"--name", "payments", "--email", "taken@acme.example"}, takenEmail: true,
			wantCode: cli.ExitFail, wantStderr: "landfall vend: creating account (payments): FAILED: EMAIL_ALREADY_EXISTS\n",
		},
		{
			name: "unknown OU creates nothing", args: []string{"--name", "payments", "--email", "pay@acme.example", "--ou", "/Root/Workloads/Dev"},
			wantCode: cli.ExitFail, wantStderr: "landfall vend: finding OU (/Root/Workloads/Dev): no OU \"Dev\" under /Root/Workloads\n",
		},
		{
			name: "timeout while the pipeline is silent", args: []string{"--name", "payments", "--email", "pay@acme.example", "--timeout", "1s"},
			wantCode: cli.ExitFail, wantStderr: "landfall vend: timed out after 1s waiting for the pipeline to baseline the account; account ", wantCreated: true,
		},
		{name: "no name", args: []string{"--email", "pay@acme.example"}, wantCode: cli.ExitUsage, wantStderr: "--name must be 1 to 50 characters"},
		{name: "bad email", args: []string{"--name", "payments", "--email", "payments"}, wantCode: cli.ExitUsage, wantStderr: "--email must be an email address"},
		{name: "bad tag", args: []string{"--name", "payments", "--email", "pay@acme.example", "--tag", "env"}, wantCode: cli.ExitUsage, wantStderr: `want key=value, got "env"`},
		{name: "relative OU", args: []string{"--name", "payments", "--email", "pay@acme.example", "--ou", "Workloads"}, wantCode: cli.ExitUsage, wantStderr: "--ou must be an OU path from the root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every call moves the endpoint's clock, so the creation's
			// three seconds pass after a few polls.
			f := newOrg(t, 250*time.Millisecond)
			prod := createOUs(t, f)
			if tt.takenEmail {
				if _, err := organizations.NewFromConfig(f.admin).CreateAccount(context.Background(), &organizations.CreateAccountInput{
					AccountName: aws.String("first"), Email: aws.String("taken@acme.example")}); err != nil {
					t.Fatal(err)
				}
				f.clock.Add(time.Minute)
			}
			if tt.outcome != nil {
				fakePipeline(t, f, "payments", *tt.outcome)
			}
			before := accountNames(t, f)
			var stdout, stderr bytes.Buffer
			e := cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return map[string]string{cli.ConfigEnvVar: testConfigPath}[k] }}
			code := vend(context.Background(), e, tt.args, time.Millisecond, newProgress(&stdout))
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, &stdout, &stderr)
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, &stdout)
				}
			}
			after := accountNames(t, f)
			if created := after["payments"] != "" && before["payments"] == ""; created != tt.wantCreated {
				t.Errorf("payments account created = %t, want %t; accounts before %v, after %v", created, tt.wantCreated, before, after)
			}
			if tt.wantOU {
				checkPlacement(t, f, after["payments"], prod, map[string]string{"env": "prod", "team": "payments"})
			}
		})
	}
}

// accountNames maps the organization's account names to their ids.
func accountNames(t *testing.T, f *orgFixture) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(f.admin), &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.Accounts {
			out[aws.ToString(a.Name)] = aws.ToString(a.Id)
		}
	}
	return out
}

func checkPlacement(t *testing.T, f *orgFixture, id, ou string, tags map[string]string) {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(f.admin)
	parents, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(id)})
	if err != nil || len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != ou {
		t.Errorf("parents of %s = %+v, %v; want %s", id, parents, err, ou)
	}
	got, err := org.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, tag := range got.Tags {
		have[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	for k, v := range tags {
		if have[k] != v {
			t.Errorf("tag %s = %q, want %q (tags %v)", k, have[k], v, have)
		}
	}
}

func TestProgress(t *testing.T) {
	type step struct {
		show, note string
		elapsed    time.Duration
	}
	steps := []step{{show: "creating account: IN_PROGRESS", elapsed: time.Second}, {show: "creating account: IN_PROGRESS", elapsed: 2 * time.Second},
		{show: "creating account: SUCCEEDED", elapsed: 3 * time.Second}, {note: "created account 123456789012 (payments)"}, {show: "baselining: waiting for the pipeline", elapsed: 4 * time.Second}}
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{name: "terminal: one line rewritten in place", tty: true,
			want: "\r\033[Kcreating account: IN_PROGRESS (1s)\r\033[Kcreating account: IN_PROGRESS (2s)\r\033[Kcreating account: SUCCEEDED (3s)\n" +
				"created account 123456789012 (payments)\n\r\033[Kbaselining: waiting for the pipeline (4s)\n"},
		{name: "log: a line per change", tty: false,
			want: "creating account: IN_PROGRESS\ncreating account: SUCCEEDED\ncreated account 123456789012 (payments)\nbaselining: waiting for the pipeline\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			p := &progress{w: &b, tty: tt.tty}
			for _, s := range steps {
				if s.note != "" {
					p.note(s.note)
				} else {
					p.show(s.show, s.elapsed)
				}
			}
			p.done()
			if b.String() != tt.want {
				t.Errorf("output = %q, want %q", b.String(), tt.want)
			}
		})
	}
}
