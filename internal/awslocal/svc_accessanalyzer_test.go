package awslocal

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aat "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
)

func TestAccessAnalyzerAnalyzers(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	member := newMember(t, s, u, clk, "workload")
	aa := accessanalyzer.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))

	created, err := aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("landfall-org"),
		Type: aat.TypeOrganization, Tags: map[string]string{"owner": "landfall"}})
	mustNoErr(t, err)
	arn := "arn:aws:access-analyzer:us-east-1:" + mgmt + ":analyzer/landfall-org"
	if aws.ToString(created.Arn) != arn {
		t.Fatalf("arn = %s", aws.ToString(created.Arn))
	}
	for i := range 6 {
		_, err := aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String(fmt.Sprintf("acct-%d", i)), Type: aat.TypeAccount})
		mustNoErr(t, err)
	}

	memberCfg, err := assume(t, s, u, member, "OrganizationAccountAccessRole")
	mustNoErr(t, err)
	errs := []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate name", func() error {
			_, err := aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("landfall-org"), Type: aat.TypeAccount})
			return err
		}, "ConflictException"},
		{"bad name", func() error {
			_, err := aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("1bad name"), Type: aat.TypeAccount})
			return err
		}, "ValidationException"},
		{"bad type", func() error {
			_, err := aa.CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("x"), Type: "GLOBAL"})
			return err
		}, "ValidationException"},
		{"organization analyzer from a member", func() error {
			_, err := accessanalyzer.NewFromConfig(memberCfg).CreateAnalyzer(ctx, &accessanalyzer.CreateAnalyzerInput{AnalyzerName: aws.String("org"), Type: aat.TypeOrganization})
			return err
		}, "ValidationException"},
		{"get missing", func() error {
			_, err := aa.GetAnalyzer(ctx, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("missing")})
			return err
		}, "ResourceNotFoundException"},
		{"get from another account", func() error {
			_, err := accessanalyzer.NewFromConfig(memberCfg).GetAnalyzer(ctx, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("landfall-org")})
			return err
		}, "ResourceNotFoundException"},
		{"delete missing", func() error {
			_, err := aa.DeleteAnalyzer(ctx, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("missing")})
			return err
		}, "ResourceNotFoundException"},
		{"tags of missing", func() error {
			_, err := aa.ListTagsForResource(ctx, &accessanalyzer.ListTagsForResourceInput{ResourceArn: aws.String(arn + "-nope")})
			return err
		}, "ResourceNotFoundException"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.code) })
	}

	got, err := aa.GetAnalyzer(ctx, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("landfall-org")})
	mustNoErr(t, err)
	if got.Analyzer.Type != aat.TypeOrganization || got.Analyzer.Status != aat.AnalyzerStatusActive || got.Analyzer.CreatedAt == nil || got.Analyzer.Tags["owner"] != "landfall" {
		t.Fatalf("analyzer = %+v", got.Analyzer)
	}

	lists := []struct {
		typ  aat.Type
		want int
	}{{"", 7}, {aat.TypeAccount, 6}, {aat.TypeOrganization, 1}}
	for _, tc := range lists {
		t.Run("list "+string(tc.typ), func(t *testing.T) {
			n, pages := 0, 0
			for p := accessanalyzer.NewListAnalyzersPaginator(aa, &accessanalyzer.ListAnalyzersInput{Type: tc.typ}); p.HasMorePages(); pages++ {
				out, err := p.NextPage(ctx)
				mustNoErr(t, err)
				n += len(out.Analyzers)
			}
			if n != tc.want || (tc.want > 5 && pages < 2) {
				t.Fatalf("listed %d in %d pages, want %d", n, pages, tc.want)
			}
		})
	}

	_, err = aa.TagResource(ctx, &accessanalyzer.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"cost": "sec"}})
	mustNoErr(t, err)
	tags, err := aa.ListTagsForResource(ctx, &accessanalyzer.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	mustNoErr(t, err)
	if len(tags.Tags) != 2 || tags.Tags["cost"] != "sec" {
		t.Fatalf("tags = %v", tags.Tags)
	}

	_, err = aa.DeleteAnalyzer(ctx, &accessanalyzer.DeleteAnalyzerInput{AnalyzerName: aws.String("landfall-org")})
	mustNoErr(t, err)
	_, err = aa.GetAnalyzer(ctx, &accessanalyzer.GetAnalyzerInput{AnalyzerName: aws.String("landfall-org")})
	wantCode(t, err, "ResourceNotFoundException")
}
