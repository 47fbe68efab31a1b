package baseline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestIAMFindings(t *testing.T) {
	tests := []struct {
		name          string
		rootMFA       bool
		rootKeys      int
		consoleUsers  []string // users with a console password
		keyUsers      []string // users with access keys only
		allowIAMUsers bool
		bootstrap     string
		want          []string // resources reported as findings
	}{
		{name: "clean account", rootMFA: true, want: nil},
		{name: "root without MFA", want: []string{"root/mfa"}},
		{name: "root access keys", rootMFA: true, rootKeys: 1, want: []string{"root/access-keys"}},
		{name: "console users reported, key-only users not", rootMFA: true, consoleUsers: []string{"alice", "bob"}, keyUsers: []string{"ci"},
			want: []string{"user/alice", "user/bob"}},
		{name: "more users than one page", rootMFA: true, consoleUsers: userNames(101), want: resourcesOf("user/", userNames(101))},
		{name: "console users allowed", rootMFA: true, consoleUsers: []string{"alice"}, allowIAMUsers: true, want: nil},
		{name: "bootstrap user not reported", rootMFA: true, consoleUsers: []string{"alice", "setup"}, bootstrap: "setup", want: []string{"user/alice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.SetRootSecurity(f.member, tt.rootMFA, tt.rootKeys)
			f.spec.Profile.Items.Findings.AllowIAMUsers = tt.allowIAMUsers
			f.spec.Profile.Items.Findings.BootstrapUser = tt.bootstrap
			for _, u := range tt.consoleUsers {
				iamUser(t, f.cfg, u, true)
			}
			for _, u := range tt.keyUsers {
				iamUser(t, f.cfg, u, false)
			}
			e := itemEngine("iam-findings")
			first := mustPlanGlobal(t, f, e, f.cfg)
			if got := findingResources(first); !slices.Equal(got, tt.want) {
				t.Fatalf("findings = %v, want %v\n%s", got, tt.want, first)
			}
			// Findings are not changes: applying writes nothing, and the
			// next run reports the same findings.
			f.srv.ResetCalls()
			mustApplyGlobal(t, f, e, f.cfg)
			for _, w := range countedWrites(f, "") {
				t.Errorf("apply wrote %s", w)
			}
			if again := mustPlanGlobal(t, f, e, f.cfg); again.HasChanges() || !slices.Equal(findingResources(again), tt.want) {
				t.Fatalf("second run:\n%s", again)
			}
		})
	}
}

// The bootstrap user is planned for deletion only when the config says so.
func TestIAMFindingsBootstrapUserDeletion(t *testing.T) {
	tests := []struct {
		name       string
		deleteUser bool
		wantDelete bool
	}{
		{"kept by default", false, false},
		{"deleted when configured", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.SetRootSecurity(f.member, true, 0)
			iamUser(t, f.cfg, "setup", true)
			f.spec.Profile.Items.Findings.BootstrapUser = "setup"
			f.spec.Profile.Items.Findings.DeleteBootstrapUser = tt.deleteUser
			p := mustPlanGlobal(t, f, itemEngine("iam-findings"), f.cfg)
			if p.HasChanges() != tt.wantDelete || len(findingResources(p)) != 0 {
				t.Fatalf("plan:\n%s", p)
			}
			if tt.wantDelete {
				if c := planEntry(t, p, "iam-findings", "user/setup"); c.Action != Delete || c.Apply == nil || !strings.Contains(c.Detail, "findings.deleteBootstrapUser") {
					t.Fatalf("deletion entry: %s", c)
				}
				// The user holds what IAM refuses to delete a user with; apply
				// removes all of it and then the user.
				ctx := context.Background()
				client := iam.NewFromConfig(f.cfg)
				_, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("setup"), PolicyName: aws.String("bootstrap"),
					PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := client.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("setup"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
					t.Fatal(err)
				}
				if _, err := itemEngine("iam-findings").Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
					t.Fatalf("deleting the bootstrap user: %v", err)
				}
				if _, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("setup")}); !awsx.IsCode(err, "NoSuchEntity") {
					t.Fatalf("the bootstrap user is still there: %v", err)
				}
			}
		})
	}
}

func findingResources(p Plan) []string {
	set := map[string]bool{}
	for _, c := range p.Changes {
		if c.Action == Finding {
			set[c.Resource] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// iamUser creates a user with a console password or with an access key.
func iamUser(t *testing.T, cfg aws.Config, name string, console bool) {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(cfg)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	var err error
	if console {
		_, err = client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String("Correct-Horse-9-Battery")})
	} else {
		_, err = client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// userNames returns n user names that sort in creation order.
func userNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user-%03d", i)
	}
	return out
}

func resourcesOf(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}
