package awslocal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// awsCLI runs the AWS CLI against the endpoint as account's administrator.
func awsCLI(t *testing.T, s *Server, endpoint, account string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return AWSCLI(context.Background(), endpoint, s.AdminCredentials(account), "us-east-1", args...)
}

// CloudWatch answers each of the protocols its API takes in the protocol of
// the request: Smithy RPC v2 CBOR (the Go SDK), AWS JSON 1.0 (the AWS CLI,
// botocore 1.43) and query (a form), reading and writing the same alarms,
// with errors each client can read.
func TestCloudWatchSpeaksEveryProtocol(t *testing.T) {
	s, u, _ := newTestServer(t)
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(sdkConfig(t, s, u, mgmt, "us-east-1"))
	mustNoErr(t, errOf(cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("from-sdk"), Namespace: aws.String("landfall"), MetricName: aws.String("Runs"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
	})))

	// AWS JSON 1.0, from the AWS CLI.
	if _, stderr, err := awsCLI(t, s, u, mgmt, "cloudwatch", "put-metric-alarm", "--alarm-name", "from-cli",
		"--namespace", "landfall", "--metric-name", "Runs", "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1",
		"--threshold", "2", "--comparison-operator", "GreaterThanThreshold", "--dimensions", "Name=Account,Value=1"); err != nil {
		t.Fatalf("aws cloudwatch put-metric-alarm: %v: %s", err, stderr)
	}
	stdout, stderr, err := awsCLI(t, s, u, mgmt, "cloudwatch", "describe-alarms")
	if err != nil {
		t.Fatalf("aws cloudwatch describe-alarms: %v: %s", err, stderr)
	}
	var described struct {
		MetricAlarms []struct {
			AlarmName  string
			Threshold  float64
			Dimensions []struct{ Name, Value string }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &described); err != nil || len(described.MetricAlarms) != 2 ||
		described.MetricAlarms[0].AlarmName != "from-cli" || described.MetricAlarms[0].Threshold != 2 ||
		len(described.MetricAlarms[0].Dimensions) != 1 || described.MetricAlarms[1].AlarmName != "from-sdk" {
		t.Fatalf("aws cloudwatch describe-alarms (%v): %s", err, stdout)
	}
	if _, stderr, err := awsCLI(t, s, u, mgmt, "cloudwatch", "set-alarm-state", "--alarm-name", "missing",
		"--state-value", "ALARM", "--state-reason", "test"); err == nil || !strings.Contains(stderr, "(ResourceNotFound)") {
		t.Fatalf("aws cloudwatch set-alarm-state on a missing alarm: %v: %s", err, stderr)
	}

	// Query, as a signed form.
	body := query(t, s, u, url.Values{"Action": {"DescribeAlarms"}, "Version": {"2010-08-01"}, "AlarmNames.member.1": {"from-cli"}}, http.StatusOK)
	for _, want := range []string{`<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">`,
		"<AlarmName>from-cli</AlarmName>", "<Dimensions><member><Name>Account</Name><Value>1</Value></member></Dimensions>"} {
		if !strings.Contains(body, want) {
			t.Errorf("query DescribeAlarms has no %s: %s", want, body)
		}
	}
	if strings.Contains(body, "from-sdk") {
		t.Errorf("query DescribeAlarms ignored AlarmNames: %s", body)
	}
	body = query(t, s, u, url.Values{"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {"landfall"},
		"MetricData.member.1.MetricName": {"Runs"}, "MetricData.member.1.Value": {"1"},
		"MetricData.member.1.Timestamp": {"yesterday"}}, http.StatusBadRequest)
	if !strings.Contains(body, "<Code>InvalidParameterValue</Code>") || !strings.Contains(body, "MetricData.member.1.Timestamp") {
		t.Errorf("query PutMetricData with a malformed timestamp: %s", body)
	}
	body = query(t, s, u, url.Values{"Action": {"SetAlarmState"}, "Version": {"2010-08-01"}, "AlarmName": {"missing"},
		"StateValue": {"ALARM"}, "StateReason": {"test"}}, http.StatusNotFound)
	if !strings.Contains(body, "<Code>ResourceNotFound</Code>") {
		t.Errorf("query SetAlarmState on a missing alarm: %s", body)
	}
}

// query sends a form to CloudWatch's query protocol, signed as the
// management account's administrator, and returns the response body after
// checking its status.
func query(t *testing.T, s *Server, endpoint string, form url.Values, wantStatus int) string {
	t.Helper()
	payload := form.Encode()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(payload))
	mustNoErr(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(payload))
	creds := s.AdminCredentials(mgmt)
	mustNoErr(t, v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), "monitoring", "us-east-1", s.now()))
	resp, err := http.DefaultClient.Do(req)
	mustNoErr(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	mustNoErr(t, err)
	if resp.StatusCode != wantStatus {
		t.Fatalf("query %s: status %d, want %d: %s", form.Get("Action"), resp.StatusCode, wantStatus, out)
	}
	return string(out)
}

// The AWS CLI names a JSON operation with the model's full target prefix
// (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails),
// where the Go SDK sends CloudTrail_20131101.DescribeTrails.
func TestAWSCLITargetPrefix(t *testing.T) {
	s, u, _ := newTestServer(t)
	stdout, stderr, err := awsCLI(t, s, u, mgmt, "cloudtrail", "describe-trails")
	if err != nil || strings.TrimSpace(stdout) != "{\n    \"trailList\": []\n}" {
		t.Fatalf("aws cloudtrail describe-trails: %v: %s%s", err, stdout, stderr)
	}
}
