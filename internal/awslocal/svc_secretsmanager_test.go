package awslocal

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func TestSecretsManager(t *testing.T) {
	s, u, clk := newTestServer(t)
	ctx := context.Background()
	c := secretsmanager.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	out, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("landfall/slack"), SecretString: aws.String("https://hooks.example/x")})
	mustNoErr(t, err)
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("landfall/slack"), SecretString: aws.String("y")})
	wantCode(t, err, "ResourceExistsException")
	for _, id := range []string{"landfall/slack", aws.ToString(out.ARN)} {
		got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id)})
		mustNoErr(t, err)
		if aws.ToString(got.SecretString) != "https://hooks.example/x" {
			t.Fatalf("secret by %s = %q", id, aws.ToString(got.SecretString))
		}
	}
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	wantCode(t, err, "ResourceNotFoundException")
	// Another account or region does not see it.
	member := newMember(t, s, u, clk, "workload")
	_, err = secretsmanager.NewFromConfig(sdkConfig(t, s, u, member, "us-east-1")).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("landfall/slack")})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = secretsmanager.NewFromConfig(sdkConfig(t, s, u, mgmt, "eu-west-1")).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("landfall/slack")})
	wantCode(t, err, "ResourceNotFoundException")
}
