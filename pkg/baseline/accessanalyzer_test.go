package baseline

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/landfall/landfall/pkg/awsx"
)

func TestAccessAnalyzer(t *testing.T) {
	f := newFixture(t)
	mustApply(t, f, itemEngine("access-analyzer"), f.cfg, ScopeAll)
	for _, region := range f.spec.Regions {
		got := listAccountAnalyzers(t, accessanalyzer.NewFromConfig(awsx.InRegion(f.cfg, region)))
		if len(got) != 1 || aws.ToString(got[0].Name) != "acme-analyzer" || got[0].Type != aatypes.TypeAccount || got[0].Tags[TagManaged] != "true" {
			t.Errorf("%s: analyzers = %+v", region, got)
		}
	}
}

// TestAccessAnalyzerExisting covers analyzers that exist before landfall
// runs: AWS allows one account analyzer per region.
func TestAccessAnalyzerExisting(t *testing.T) {
	tests := []struct {
		name       string
		existing   string // name of the account analyzer someone made, untagged
		adopt      bool
		want       Action
		wantDetail string
		after      Action // the action of the plan after applying
		wantTagged bool   // the analyzer carries landfall's tags after applying
	}{
		{name: "another account analyzer", existing: "security-team", want: Unchanged, wantDetail: "already covers", after: Unchanged},
		{name: "same name, not landfall's", existing: "acme-analyzer", want: Conflict, wantDetail: "not tagged landfall:managed=true", after: Conflict},
		{name: "same name, adopted", existing: "acme-analyzer", adopt: true, want: Update, after: Unchanged, wantTagged: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t)
			f.spec.Profile.Adopt = tt.adopt
			cfg := awsx.InRegion(f.cfg, "eu-west-1")
			client := accessanalyzer.NewFromConfig(cfg)
			if _, err := client.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String(tt.existing), Type: aatypes.TypeAccount,
				Tags: map[string]string{"team": "security"}}); err != nil {
				t.Fatal(err)
			}
			e := itemEngine("access-analyzer")
			scope := ScopeRegion("eu-west-1")
			rep, err := e.Apply(ctx, f.spec, f.cfg, scope)
			if err != nil {
				t.Fatal(err)
			}
			c := rep.Items[0].Changes[0]
			if c.Action != tt.want || !strings.Contains(c.Detail, tt.wantDetail) {
				t.Fatalf("change = %s %s %q, want %s containing %q", c.Action, c.Resource, c.Detail, tt.want, tt.wantDetail)
			}
			got := listAccountAnalyzers(t, client)
			if len(got) != 1 || aws.ToString(got[0].Name) != tt.existing || got[0].Tags["team"] != "security" {
				t.Fatalf("analyzers after apply = %+v, want only %s with its own tags", got, tt.existing)
			}
			if tagged := got[0].Tags[TagManaged] == "true"; tagged != tt.wantTagged {
				t.Fatalf("tagged = %v, want %v", tagged, tt.wantTagged)
			}
			plan, err := e.Plan(ctx, f.spec, f.cfg, scope)
			if err != nil {
				t.Fatal(err)
			}
			if plan.Changes[0].Action != tt.after {
				t.Fatalf("plan after apply:\n%s", plan)
			}
		})
	}
}

func listAccountAnalyzers(t *testing.T, client *accessanalyzer.Client) []aatypes.AnalyzerSummary {
	t.Helper()
	out, err := client.ListAnalyzers(context.Background(), &accessanalyzer.ListAnalyzersInput{Type: aatypes.TypeAccount})
	if err != nil {
		t.Fatal(err)
	}
	return out.Analyzers
}
