package baseline

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/landfall/landfall/internal/awslocal"
)

// sdkInput finds every request the code builds: each operation's input
// struct, by SDK package and operation ("sns.SubscribeInput{").
var sdkInput = regexp.MustCompile(`\b([a-z0-9]+)\.([A-Z][A-Za-z0-9]*)Input\{`)

// signingNames maps an SDK package to its service's signing name, by which
// the local endpoint names the operation's IAM action.
var signingNames = map[string]string{
	"accessanalyzer": "access-analyzer", "account": "account", "budgets": "budgets", "cloudtrail": "cloudtrail",
	"cloudwatch": "monitoring", "cloudwatchlogs": "logs", "configservice": "config", "ec2": "ec2",
	"eventbridge": "events", "guardduty": "guardduty", "iam": "iam", "kms": "kms", "s3": "s3", "s3control": "s3-control",
	"securityhub": "securityhub", "sns": "sns", "sqs": "sqs", "sts": "sts",
}

// notAsExecutionRole are the calls of those files made with other
// credentials.
var notAsExecutionRole = map[string]string{
	"sts.AssumeRole": "executionrole.go proves the new role can be assumed, as the pipeline role (infra/functions.go grants it)",
	// The boundary and the execution role itself are written through the
	// entry role (Engine.Bootstrap); the execution role only reads them.
	"iam.CreatePolicy":                  "boundary.go, through the entry role",
	"iam.CreatePolicyVersion":           "boundary.go, through the entry role",
	"iam.DeletePolicyVersion":           "boundary.go, through the entry role",
	"iam.ListPolicyVersions":            "boundary.go, through the entry role",
	"iam.TagPolicy":                     "boundary.go, through the entry role",
	"iam.DeleteRolePermissionsBoundary": "ownedrole.go, only for the execution role, which has none, through the entry role",
}

// memberAccountCalls are the files whose AWS calls run inside member
// accounts as the execution role: the whole engine, entering an account,
// the pipeline's readiness check and the formatter's "who did it" search.
func memberAccountCalls(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// entryrestore.go is run by the operator, through the entry role.
	files = slices.DeleteFunc(files, func(f string) bool { return strings.HasSuffix(f, "_test.go") || f == "entryrestore.go" })
	return append(files, "../accounts/enter.go", "../pipeline/enter.go", "../formatter/enrich.go")
}

// TestExecutionPolicyAllowsEveryCall checks that the execution role's
// policy names the IAM action of every operation the engine can call.
// TestExecutionRoleAppliesTheBaseline proves, resources and conditions
// included, the calls a run makes on a fresh account; this covers the
// calls only drift, conflicts or cleanup make, by action only.
func TestExecutionPolicyAllowsEveryCall(t *testing.T) {
	f := newFixture(t)
	// Every optional item on, so the statements only some profiles get are
	// there too.
	p := *f.spec.Profile
	p.Items.Findings.BootstrapUser, p.Items.Findings.DeleteBootstrapUser = "bootstrap", true
	p.Items.DefaultVPCs.Remove = true
	f.spec.Profile = &p
	policy := executionPolicy(f.spec, Catalogue())

	actions := map[string][]string{} // IAM action -> where
	for _, file := range memberAccountCalls(t) {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sdkInput.FindAllStringSubmatch(string(src), -1) {
			pkg, op := m[1], m[2]
			if _, ok := notAsExecutionRole[pkg+"."+op]; ok {
				continue
			}
			service, ok := signingNames[pkg]
			if !ok {
				t.Errorf("%s: %s.%sInput: no signing name for SDK package %q; add it to signingNames", file, pkg, op, pkg)
				continue
			}
			action, authorized := awslocal.IAMAction(service, op)
			if !authorized {
				continue
			}
			actions[action] = append(actions[action], filepath.Base(file))
		}
	}
	if len(actions) < 80 {
		t.Fatalf("found only %d actions; the scan of the engine's calls is broken", len(actions))
	}
	names := make([]string, 0, len(actions))
	for a := range actions {
		names = append(names, a)
	}
	sort.Strings(names)
	for _, a := range names {
		if !policyAllowsAction(policy, a) {
			t.Errorf("the execution policy does not allow %s (called in %s)", a, strings.Join(slices.Compact(actions[a]), ", "))
		}
	}
}

// policyAllowsAction reports whether an Allow statement names the action,
// IAM's case-insensitive wildcard match.
func policyAllowsAction(p iamPolicy, action string) bool {
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			continue
		}
		for _, pattern := range s.Action {
			re := "^" + strings.ReplaceAll(regexp.QuoteMeta(strings.ToLower(pattern)), `\*`, ".*") + "$"
			if regexp.MustCompile(re).MatchString(strings.ToLower(action)) {
				return true
			}
		}
	}
	return false
}
