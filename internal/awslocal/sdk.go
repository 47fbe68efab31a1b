package awslocal

import (
	"context"
	"net/http"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
