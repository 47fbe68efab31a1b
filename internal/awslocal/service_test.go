package awslocal

import (
	"strings"
	"testing"
)

// TestRegisterRefusesASecondServiceOfOneName: two services with one signing
// name would leave one unreachable, whichever the list names last.
func TestRegisterRefusesASecondServiceOfOneName(t *testing.T) {
	s := New(Options{Seed: 1})
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, `service "iam" registered twice`) {
			t.Fatalf("recovered %q, want a panic naming iam", msg)
		}
	}()
	registerIAM(s)
	t.Fatal("registering iam twice did not panic")
}

// TestEveryServiceIsRegistered: the endpoint answers each service's signing
// name, so a register function left out of the list shows here.
func TestEveryServiceIsRegistered(t *testing.T) {
	s := New(Options{Seed: 1})
	if len(s.services) != len(services) {
		t.Fatalf("%d services registered from a list of %d", len(s.services), len(services))
	}
	for _, name := range []string{"access-analyzer", "account", "budgets", "cloudtrail", "monitoring", "config", "dynamodb", "ec2",
		"events", "guardduty", "iam", "kms", "lambda", "logs", "organizations", "s3", "s3-control", "secretsmanager",
		"securityhub", "states", "sns", "sqs", "sts"} {
		if s.services[name] == nil {
			t.Errorf("no service for signing name %q", name)
		}
	}
}
