package awslocal

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
)

// AWSCLI runs the AWS CLI (aws on the PATH) against the endpoint at
// endpointURL with the given credentials and region, and returns what it
// printed. The CLI reads no config or credentials file of the machine's and
// prints JSON. Like SDKConfig, it reaches the endpoint through itself as an
// HTTP proxy, for S3 and S3 Control's host names. err is the CLI's exit
// status, or that it could not be started.
func AWSCLI(ctx context.Context, endpointURL string, creds Credentials, region string, args ...string) (stdout, stderr string, err error) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		return "", "", fmt.Errorf("the AWS CLI is not on the PATH (install aws-cli): %w", err)
	}
	u, err := url.Parse(endpointURL)
	if err != nil {
		return "", "", err
	}
	home, err := os.MkdirTemp("", "landfall-aws-cli")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(home)
	cmd := exec.CommandContext(ctx, bin, append(args, "--output", "json")...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ACCESS_KEY_ID=" + creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY=" + creds.SecretAccessKey,
		"AWS_SESSION_TOKEN=" + creds.SessionToken, "AWS_DEFAULT_REGION=" + region, "AWS_ENDPOINT_URL=" + endpointURL,
		"HTTP_PROXY=http://" + u.Host, "NO_PROXY="}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}
