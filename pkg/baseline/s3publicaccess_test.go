package baseline

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
)

func TestS3PublicAccessBlock(t *testing.T) {
	f := newFixture(t)
	e := itemEngine("s3-public-access-block")
	mustApplyGlobal(t, f, e, f.cfg)

	ctx := context.Background()
	client := s3control.NewFromConfig(f.cfg)
	got, err := client.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(f.member)})
	if err != nil {
		t.Fatal(err)
	}
	if have := flattenPublicAccessBlock(got.PublicAccessBlockConfiguration); have != desiredPublicAccessBlock(f.spec) {
		t.Fatalf("after apply: %+v", have)
	}

	// Drift: someone allows public bucket policies again.
	loosened := expandPublicAccessBlock(desiredPublicAccessBlock(f.spec))
	loosened.BlockPublicPolicy = aws.Bool(false)
	if _, err := client.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(f.member), PublicAccessBlockConfiguration: loosened}); err != nil {
		t.Fatal(err)
	}
	plan, err := e.Plan(ctx, f.spec, f.cfg, ScopeGlobal)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 || plan.Changes[0].Action != Update || len(plan.Changes[0].Diffs) != 1 ||
		plan.Changes[0].Diffs[0] != (Diff{Field: "BlockPublicPolicy", Have: "false", Want: "true"}) {
		t.Fatalf("after loosening:\n%s", plan)
	}
	if _, err := e.Apply(ctx, f.spec, f.cfg, ScopeGlobal); err != nil {
		t.Fatal(err)
	}
	got, err = client.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(f.member)})
	if err != nil || !aws.ToBool(got.PublicAccessBlockConfiguration.BlockPublicPolicy) {
		t.Fatalf("after repair: %v %+v", err, got)
	}
}

func TestDiffPublicAccessBlock(t *testing.T) {
	all := publicAccessBlock{true, true, true, true}
	tests := []struct {
		name   string
		have   publicAccessBlock
		fields []string
	}{
		{"all on", all, nil},
		{"none", publicAccessBlock{}, []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}},
		{"acls ignored only", publicAccessBlock{IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}, []string{"BlockPublicAcls"}},
		{"buckets unrestricted", publicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true}, []string{"RestrictPublicBuckets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range diffPublicAccessBlock(tt.have, all) {
				got = append(got, d.Field)
			}
			if len(got) != len(tt.fields) {
				t.Fatalf("fields = %v, want %v", got, tt.fields)
			}
			for i := range got {
				if got[i] != tt.fields[i] {
					t.Fatalf("fields = %v, want %v", got, tt.fields)
				}
			}
		})
	}
	if flattenPublicAccessBlock(&s3ctypes.PublicAccessBlockConfiguration{}) != (publicAccessBlock{}) {
		t.Fatal("unset members should read as false")
	}
}
