package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// testConfig is a small valid config whose values differ from every default, so a test that sees them in
// the template proves they were mapped from the file.
const testConfig = `version: 1
organization:
  managementAccountId: "111111111111"
  homeRegion: eu-west-1
  governedRegions: [eu-west-1, us-east-1]
  executionRoleName: acme-execution
  identity: { accountId: "222222222222" }
naming: { prefix: acme }
tags: { org: acme }
notifications:
  alertEmails: [secops@acme.example]
  operationsEmails: [platform@acme.example, oncall@acme.example]
  chat: { slackWebhookUrlSecret: landfall/slack }
pipeline:
  sweepSchedule: rate(12 hours)
  maxConcurrentAccounts: 7
  maxConcurrentRegions: 3
  readinessTimeout: 15m
profiles:
  - name: everything
    default: true
  - name: management
    select: { accounts: ["111111111111"] }
`

const testOrganizationID = "o-exampleorgid"

// synthesized holds the templates of one app synthesized in TestMain: each synthesis starts Node through
// jsii and costs seconds, so every template test shares it.
var synthesized struct {
	main, forwarder assertions.Template
	// files are the templates as written to the cloud assembly, for tools that read files (cdk-nag).
	files []string
	// mainJSON and forwarderJSON are the same templates decoded, for checks that walk the whole template.
	mainJSON, forwarderJSON template
}

type template struct {
	Resources map[string]resource `json:"Resources"`
}

type resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	Metadata       map[string]any `json:"Metadata"`
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "landfall-infra-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	app, assembly, err := synthesizeApp(dir, testConfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	synthesized.files = templateFiles(assembly)
	mainStack := app.Node().FindChild(jsii.String(stackName)).(awscdk.Stack)
	forwarder := app.Node().FindChild(jsii.String(forwarderName)).(awscdk.Stack)
	synthesized.main = assertions.Template_FromStack(mainStack, nil)
	synthesized.forwarder = assertions.Template_FromStack(forwarder, nil)
	for _, t := range []struct {
		from assertions.Template
		to   *template
	}{{synthesized.main, &synthesized.mainJSON}, {synthesized.forwarder, &synthesized.forwarderJSON}} {
		if err := decodeTemplate(t.from, t.to); err != nil {
			fmt.Fprintln(os.Stderr, "decoding template:", err)
			return 1
		}
	}
	return m.Run()
}

// synthesizeApp writes config and its function assets into dir and synthesizes the app from them.
func synthesizeApp(dir, config string) (awscdk.App, cxapi.CloudAssembly, error) {
	configPath, buildDir, err := writeFixtures(dir, config)
	if err != nil {
		return nil, nil, err
	}
	app, err := newTestApp(configPath, buildDir)
	if err != nil {
		return nil, nil, err
	}
	if err := buildApp(app); err != nil {
		return nil, nil, err
	}
	return app, app.Synth(nil), nil
}

// templateFiles are an assembly's templates as written to disk, for tools that read files (cdk-nag).
func templateFiles(assembly cxapi.CloudAssembly) []string {
	var files []string
	for _, st := range *assembly.Stacks() {
		files = append(files, filepath.Join(*assembly.Directory(), *st.TemplateFile()))
	}
	return files
}

// decodeTemplate decodes a synthesized template, for checks that walk the whole template.
func decodeTemplate(from assertions.Template, to any) error {
	raw, err := json.Marshal(from.ToJSON())
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, to)
}

// writeFixtures writes the config and a build directory as `make build` leaves it. The binaries are
// placeholders: the templates only reference the asset directories, never the code in them.
func writeFixtures(dir, config string) (configPath, buildDir string, err error) {
	configPath = filepath.Join(dir, "landfall.yaml")
	if err := os.WriteFile(configPath, []byte(config), 0o600); err != nil {
		return "", "", err
	}
	buildDir = filepath.Join(dir, "build")
	for _, spec := range functionSpecs() {
		if err := writeAsset(filepath.Join(buildDir, spec.name), []byte(config)); err != nil {
			return "", "", err
		}
	}
	return configPath, buildDir, nil
}

func writeAsset(dir string, config []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, bootstrapFile), []byte("placeholder"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, assetConfigFile), config, 0o600)
}

// newTestApp builds an app with cdk.json's context (so the tests see the same feature flags as `cdk synth`)
// and the fixture paths.
func newTestApp(configPath, buildDir string) (awscdk.App, error) {
	raw, err := os.ReadFile("../cdk.json")
	if err != nil {
		return nil, fmt.Errorf("reading cdk.json: %w", err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		return nil, fmt.Errorf("decoding cdk.json: %w", err)
	}
	ctx := cdkJSON.Context
	ctx[contextConfig] = configPath
	ctx[contextBuildDir] = buildDir
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx}), nil
}

// resourcesOfType returns the logical IDs and resources of one type.
func (t template) resourcesOfType(typ string) map[string]resource {
	out := make(map[string]resource)
	for id, r := range t.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// flattenJoin renders an Fn::Join as a string, replacing every token with "TOKEN". State machine
// definitions and dashboard bodies are Fn::Joins around ARNs that only exist at deploy time.
func flattenJoin(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	m, _ := v.(map[string]any)
	join, ok := m["Fn::Join"].([]any)
	if !ok {
		return "TOKEN"
	}
	var b strings.Builder
	for _, part := range join[1].([]any) {
		if s, ok := part.(string); ok {
			b.WriteString(s)
		} else {
			b.WriteString("TOKEN")
		}
	}
	return b.String()
}

// check runs a CDK assertion, which panics on mismatch, and reports the mismatch as a test error so the
// remaining assertions still run.
func check(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}
