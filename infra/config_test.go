package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/landfall/landfall/pkg/config"
)

func loadTestConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "landfall.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("loading test config: %v", err)
	}
	return cfg
}

func TestPropsFromConfig(t *testing.T) {
	// GIVEN the test config
	cfg := loadTestConfig(t, testConfig)
	// WHEN it is mapped onto the stack props
	props, err := propsFromConfig(cfg, deploySettings{OrganizationID: testOrganizationID, BuildDir: "b", LogLevel: "DEBUG"})
	if err != nil {
		t.Fatalf("propsFromConfig() = %v", err)
	}
	// THEN every value comes from the file or the context
	tests := []struct {
		field     string
		got, want any
	}{
		{"account", *props.Env.Account, "111111111111"},
		{"region", *props.Env.Region, "eu-west-1"},
		{"organization", props.OrganizationID, testOrganizationID},
		{"entry role", props.EntryRoleName, config.DefaultEntryRoleName},
		{"execution role", props.ExecutionRoleName, "acme-execution"},
		{"operations emails", strings.Join(props.OperationsEmails, ","), "platform@acme.example,oncall@acme.example"},
		{"alert emails", strings.Join(props.AlertEmails, ","), "secops@acme.example"},
		{"sweep schedule", props.SweepSchedule, "rate(12 hours)"},
		{"accounts", props.MaxConcurrentAccounts, 7},
		{"regions", props.MaxConcurrentRegions, 3},
		{"readiness", props.ReadinessTimeout, 15 * time.Minute},
		{"build dir", props.BuildDir, "b"},
		{"log level", props.LogLevel, "DEBUG"},
		{"config tag", *(*props.Tags)["org"], "acme"},
		{"managed tag", *(*props.Tags)["landfall:managed"], "true"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.field, tt.got, tt.want)
		}
	}
}

func TestPropsFromConfigRejectsOrganizationID(t *testing.T) {
	cfg := loadTestConfig(t, testConfig)
	for _, id := range []string{"", "o-", "o-short", "o-UPPERCASE123", "r-exampleorgid", "o-exampleorgid "} {
		t.Run(id, func(t *testing.T) {
			_, err := propsFromConfig(cfg, deploySettings{OrganizationID: id})
			if err == nil || !strings.Contains(err.Error(), contextOrganizationID) {
				t.Fatalf("propsFromConfig(%q) error = %v, want one naming %s", id, err, contextOrganizationID)
			}
		})
	}
}

func TestNoForwarderInUSEast1(t *testing.T) {
	// GIVEN a home region of us-east-1, where Organizations events arrive directly
	// WHEN the stacks are added
	stacks := constructStacks(t, strings.Replace(testConfig, "homeRegion: eu-west-1", "homeRegion: us-east-1", 1))
	// THEN there is only the pipeline stack
	if len(stacks) != 1 || *stacks[0].Node().Id() != stackName {
		t.Fatalf("stacks = %v, want only %s", stackIDs(stacks), stackName)
	}
}

func TestAlertFanInPlacement(t *testing.T) {
	tests := []struct {
		centralAlerts string
		// wantStacks are the app's stacks; the forwarder is there because the home region is eu-west-1.
		wantStacks []string
		// fanInIn is the stack holding the queue and the formatter, "" for none.
		fanInIn string
	}{
		{config.CentralAlertsManagement, []string{stackName, forwarderName}, stackName},
		{config.CentralAlertsSecurity, []string{stackName, centralAlertsName, forwarderName}, centralAlertsName},
		{config.CentralAlertsNone, []string{stackName, forwarderName}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.centralAlerts, func(t *testing.T) {
			// GIVEN the config with a security account and notifications.centralAlerts set
			// WHEN the stacks are added
			stacks := constructStacks(t, strings.Replace(securityConfig, "centralAlerts: security", "centralAlerts: "+tt.centralAlerts, 1))
			// THEN the fan-in and the formatter are in exactly one stack, or none
			if got := stackIDs(stacks); !slices.Equal(got, tt.wantStacks) {
				t.Errorf("stacks = %v, want %v", got, tt.wantStacks)
			}
			for _, st := range stacks {
				hasFanIn := st.Node().TryFindChild(jsii.String("AlertFanIn")) != nil
				hasFormatter := st.Node().TryFindChild(jsii.String("Formatter")) != nil ||
					(st.Node().TryFindChild(jsii.String("Functions")) != nil &&
						st.Node().FindChild(jsii.String("Functions")).Node().TryFindChild(jsii.String("Formatter")) != nil)
				want := *st.Node().Id() == tt.fanInIn
				if hasFanIn != want || hasFormatter != want {
					t.Errorf("stack %s: fan-in %t, formatter %t, want %t", *st.Node().Id(), hasFanIn, hasFormatter, want)
				}
			}
		})
	}
}

// constructStacks maps a config onto the app's stacks, in order, without synthesizing them (constructing
// is enough for what the callers check, and much faster).
func constructStacks(t *testing.T, yaml string) []awscdk.Stack {
	t.Helper()
	_, buildDir, err := writeFixtures(t.TempDir(), testConfig)
	if err != nil {
		t.Fatal(err)
	}
	props, err := propsFromConfig(loadTestConfig(t, yaml), deploySettings{OrganizationID: testOrganizationID, BuildDir: buildDir})
	if err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(nil)
	addStacks(app, props)
	var stacks []awscdk.Stack
	for _, c := range *app.Node().Children() {
		if *awscdk.Stack_IsStack(c) {
			stacks = append(stacks, c.(awscdk.Stack))
		}
	}
	return stacks
}

func stackIDs(stacks []awscdk.Stack) []string {
	var ids []string
	for _, st := range stacks {
		ids = append(ids, *st.Node().Id())
	}
	return ids
}
