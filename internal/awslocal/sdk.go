package awslocal

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// SDKConfig loads an aws.Config that talks to the endpoint at endpointURL
// with the given credentials and region, through the SDK's standard loader.
//
// Every request is also routed through the endpoint as an HTTP proxy:
// S3 addresses buckets as <bucket>.<host> and S3 Control as
// <account-id>.<host>, names that do not resolve on a developer machine;
// the proxy hop delivers them to the endpoint unchanged, Host header and
// signature included. The standalone server gets the same effect from the
// standard HTTP_PROXY variable.
func SDKConfig(ctx context.Context, endpointURL string, creds Credentials, region string, optFns ...func(*config.LoadOptions) error) (aws.Config, error) {
	proxy, err := url.Parse(endpointURL)
	if err != nil {
		return aws.Config{}, err
	}
	client := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.Proxy = http.ProxyURL(proxy)
	})
	opts := append([]func(*config.LoadOptions) error{
		config.WithRegion(region),
		config.WithBaseEndpoint(endpointURL),
		config.WithHTTPClient(client),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)),
	}, optFns...)
	return config.LoadDefaultConfig(ctx, opts...)
}

// JoinByInvitation brings an existing account into the organization the
// way its owner does: the management account invites it
// (InviteAccountToOrganization, with management's credentials) and the
// account accepts (AcceptHandshake, with its own). An account the endpoint
// does not have yet is added, as AdminCredentials adds it.
func (s *Server) JoinByInvitation(ctx context.Context, management aws.Config, endpointURL, accountID string) error {
	owner, err := SDKConfig(ctx, endpointURL, s.AdminCredentials(accountID), management.Region)
	if err != nil {
		return err
	}
	h, err := organizations.NewFromConfig(management).InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Id: aws.String(accountID), Type: orgtypes.HandshakePartyTypeAccount}})
	if err != nil {
		return fmt.Errorf("inviting %s: %w", accountID, err)
	}
	if _, err := organizations.NewFromConfig(owner).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Handshake.Id}); err != nil {
		return fmt.Errorf("accepting the invitation of %s: %w", accountID, err)
	}
	return nil
}
