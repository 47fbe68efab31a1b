package main

import (
	"os"
	"path/filepath"
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
	cfg := loadTestConfig(t, strings.Replace(testConfig, "homeRegion: eu-west-1", "homeRegion: us-east-1", 1))
	_, buildDir, err := writeFixtures(t.TempDir(), testConfig)
	if err != nil {
		t.Fatal(err)
	}
	props, err := propsFromConfig(cfg, deploySettings{OrganizationID: testOrganizationID, BuildDir: buildDir})
	if err != nil {
		t.Fatal(err)
	}
	// WHEN the stacks are added (constructing is enough; nothing is synthesized)
	app := awscdk.NewApp(nil)
	addStacks(app, props)
	// THEN there is only the pipeline stack
	var stacks []string
	for _, c := range *app.Node().Children() {
		if awscdk.Stack_IsStack(c) != nil && *awscdk.Stack_IsStack(c) {
			stacks = append(stacks, *c.Node().Id())
		}
	}
	if strings.Join(stacks, ",") != stackName {
		t.Fatalf("stacks = %v, want only %s", stacks, stackName)
	}
}

func TestAlertFanInPlacement(t *testing.T) {
	_, buildDir, err := writeFixtures(t.TempDir(), testConfig)
	if err != nil {
		t.Fatal(err)
	}
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
			// GIVEN the test config with notifications.centralAlerts set
			yaml := strings.Replace(testConfig, "notifications:\n", "notifications:\n  centralAlerts: "+tt.centralAlerts+"\n", 1)
			yaml = strings.Replace(yaml, "  homeRegion: eu-west-1\n", "  homeRegion: eu-west-1\n  securityAccountId: \"333333333333\"\n", 1)
			props, err := propsFromConfig(loadTestConfig(t, yaml), deploySettings{OrganizationID: testOrganizationID, BuildDir: buildDir})
			if err != nil {
				t.Fatal(err)
			}
			// WHEN the stacks are added (constructing is enough; nothing is synthesized)
			app := awscdk.NewApp(nil)
			addStacks(app, props)
			// THEN the fan-in and the formatter are in exactly one stack, or none
			var stacks []string
			for _, c := range *app.Node().Children() {
				if !*awscdk.Stack_IsStack(c) {
					continue
				}
				stacks = append(stacks, *c.Node().Id())
				hasFanIn := c.Node().TryFindChild(jsii.String("AlertFanIn")) != nil
				hasFormatter := c.Node().TryFindChild(jsii.String("Formatter")) != nil ||
					(c.Node().TryFindChild(jsii.String("Functions")) != nil &&
						c.Node().FindChild(jsii.String("Functions")).Node().TryFindChild(jsii.String("Formatter")) != nil)
				want := *c.Node().Id() == tt.fanInIn
				if hasFanIn != want || hasFormatter != want {
					t.Errorf("stack %s: fan-in %t, formatter %t, want %t", *c.Node().Id(), hasFanIn, hasFormatter, want)
				}
			}
			if strings.Join(stacks, ",") != strings.Join(tt.wantStacks, ",") {
				t.Errorf("stacks = %v, want %v", stacks, tt.wantStacks)
			}
		})
	}
}
