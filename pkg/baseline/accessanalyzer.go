package baseline

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"

	"github.com/landfall/landfall/pkg/awsx"
)

var accessAnalyzerItem = Item{
	Name:     "access-analyzer",
	Regional: true,
	Enabled:  func(s *Spec) bool { return s.Profile.Items.AccessAnalyzer },
	Plan:     planAccessAnalyzer,
	Permissions: func(*Spec) []iamStatement {
		return []iamStatement{
			serviceLinkedRole("access-analyzer.amazonaws.com"),
			allow("AccessAnalyzer", anyResource, "access-analyzer:ListAnalyzers", "access-analyzer:CreateAnalyzer", "access-analyzer:TagResource"),
		}
	},
}

// The IAM Access Analyzer of one region, with the account as its zone of
// trust. IAM Access Analyzer allows one account-level analyzer per analyzer
// type per account and region (the quota cannot be raised; see
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-quotas.html),
// so an account analyzer someone else created already gives the coverage
// the baseline wants: it is reported as unchanged with a note, never
// replaced, and no second one is attempted.

// accountAnalyzer is the analyzer landfall creates.
type accountAnalyzer struct {
	Name string
}

func desiredAccountAnalyzer(s *Spec) accountAnalyzer {
	return accountAnalyzer{Name: s.Name("analyzer")}
}

func planAccessAnalyzer(ctx context.Context, env *Env) ([]Change, error) {
	client := accessanalyzer.NewFromConfig(env.AWS)
	spec := env.Spec
	want := desiredAccountAnalyzer(spec)
	analyzers, err := findAccountAnalyzers(ctx, client, env.Region)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(analyzers, func(a aatypes.AnalyzerSummary) bool { return aws.ToString(a.Name) == want.Name })
	if i < 0 && len(analyzers) > 0 {
		other := aws.ToString(analyzers[0].Name)
		return []Change{{Resource: "analyzer/" + other, Action: Unchanged, Detail: fmt.Sprintf(
			"the account analyzer %s already covers %s, and AWS allows only one per account and region, so landfall does not create %s",
			other, env.Region, want.Name)}}, nil
	}
	// Only its tags can drift: an analyzer's name and type are fixed.
	c, _, err := planOwned(ctx, spec, owned[aatypes.AnalyzerSummary]{
		Kind: "IAM Access Analyzer analyzer", Name: want.Name, Resource: "analyzer/" + want.Name,
		Find: func(context.Context) (aatypes.AnalyzerSummary, error) {
			if i < 0 {
				return aatypes.AnalyzerSummary{}, &awsx.NotFoundError{What: "IAM Access Analyzer analyzer (" + want.Name + ")"}
			}
			return analyzers[i], nil
		},
		Tags: func(_ context.Context, a aatypes.AnalyzerSummary) (map[string]string, error) { return a.Tags, nil },
		Tag: func(ctx context.Context, a aatypes.AnalyzerSummary, missing, _ map[string]string) error {
			_, err := client.TagResource(ctx, &accessanalyzer.TagResourceInput{ResourceArn: a.Arn, Tags: missing})
			return err
		},
		Create: func(ctx context.Context) error {
			_, err := client.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{
				AnalyzerName: aws.String(want.Name), Type: aatypes.TypeAccount, Tags: spec.Tags,
			})
			if err != nil {
				return fmt.Errorf("creating IAM Access Analyzer analyzer (%s): %w", want.Name, err)
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return []Change{c}, nil
}

// findAccountAnalyzers lists the region's account analyzers (zone of trust:
// the account).
func findAccountAnalyzers(ctx context.Context, client *accessanalyzer.Client, region string) ([]aatypes.AnalyzerSummary, error) {
	var out []aatypes.AnalyzerSummary
	pages := accessanalyzer.NewListAnalyzersPaginator(client, &accessanalyzer.ListAnalyzersInput{Type: aatypes.TypeAccount})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing IAM Access Analyzer analyzers (%s): %w", region, err)
		}
		out = append(out, page.Analyzers...)
	}
	return out, nil
}
