package localrun

import (
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// lambdaTaskRoot is where Lambda unpacks a function's code; environment
// values under it point into the asset locally.
const lambdaTaskRoot = "/var/task"

// TemplateOptions say where the template's resources are deployed locally.
type TemplateOptions struct {
	Region, Account string
	// Refs overrides what {"Ref": logicalID} returns, for resources the
	// embedding program creates under other names.
	Refs map[string]string
}

// Template is what a synthesized stack deploys that runs locally.
type Template struct {
	// StateMachines have their definitions resolved to local ARNs.
	StateMachines []StateMachine
	// Functions are the Go functions (an OS-only runtime, provided.*, with a
	// Go bootstrap), which run locally.
	Functions []TemplateFunction
	// OtherFunctions lists the logical IDs of functions on other runtimes
	// (CDK's own Node.js custom-resource handlers), which do not.
	OtherFunctions []string
	Rules          []Rule
	resolver       *resolver
	// roleIDs and policyIDs are the logical IDs of the AWS::IAM::Role and
	// AWS::IAM::Policy resources, which Roles resolves when asked.
	roleIDs, policyIDs []string
}

// TemplateFunction is one AWS::Lambda::Function.
type TemplateFunction struct {
	LogicalID, Name, ARN, Description string
	// RoleARN is the function's execution role.
	RoleARN string
	// Package is the Go main package the deployed bootstrap was built from,
	// relative to the module root ("./functions/describe"), read from the
	// binary's build information.
	Package string
	// AssetDir is the staged code (cdk.out/asset.<hash>): the task root.
	AssetDir string
	// Env is the function's environment, resolved; paths under /var/task
	// point into AssetDir.
	Env       map[string]string
	Timeout   time.Duration
	MemoryMiB int
}

// Rule is one AWS::Events::Rule.
type Rule struct {
	LogicalID, Name string
	// EventPattern is nil for a scheduled rule.
	EventPattern       json.RawMessage
	ScheduleExpression string
	State              string
	Targets            []RuleTarget
}

// RuleTarget is one target of a rule, resolved.
type RuleTarget struct {
	ID        string `json:"Id"`
	ARN       string `json:"Arn"`
	Input     string `json:"Input,omitempty"`
	InputPath string `json:"InputPath,omitempty"`
	// RoleARN is the role EventBridge assumes to reach the target.
	RoleARN          string          `json:"RoleArn,omitempty"`
	InputTransformer json.RawMessage `json:"InputTransformer,omitempty"`
}

// ReadTemplate reads a synthesized template (cdk.out/<Stack>.template.json).
// Asset paths are relative to the template's directory.
func ReadTemplate(path string, opts TemplateOptions) (*Template, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading template (%s): %w", path, err)
	}
	var doc struct {
		Resources map[string]cfnResource `json:"Resources"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decoding template (%s): %w", path, err)
	}
	r := &resolver{
		region: opts.Region, account: opts.Account, resources: doc.Resources, refs: opts.Refs,
		stack: strings.TrimSuffix(filepath.Base(path), ".template.json"),
	}
	t := &Template{resolver: r}
	ids := make([]string, 0, len(doc.Resources))
	for id := range doc.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		var err error
		switch doc.Resources[id].Type {
		case "AWS::StepFunctions::StateMachine":
			err = t.addStateMachine(id)
		case "AWS::Lambda::Function":
			err = t.addFunction(id, filepath.Dir(path))
		case "AWS::Events::Rule":
			err = t.addRule(id)
		case "AWS::IAM::Role":
			t.roleIDs = append(t.roleIDs, id)
		case "AWS::IAM::Policy":
			t.policyIDs = append(t.policyIDs, id)
		}
		if err != nil {
			return nil, fmt.Errorf("reading template (%s): %w", path, err)
		}
	}
	return t, nil
}

// StateMachine returns the one state machine whose logical ID contains part
// ("BaselineAccount", "Sweep").
func (t *Template) StateMachine(part string) (StateMachine, error) {
	var found []StateMachine
	for _, m := range t.StateMachines {
		if strings.Contains(m.Name, part) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		return StateMachine{}, fmt.Errorf("finding state machine (%s): %d match", part, len(found))
	}
	return found[0], nil
}

// LogicalIDs returns the logical IDs of the template's resources of type
// typ ("Custom::AWS"), sorted.
func (t *Template) LogicalIDs(typ string) []string {
	var ids []string
	for id, r := range t.resolver.resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// SetAttribute gives Fn::GetAtt of logicalID.attribute the value a
// resource deployed locally reports (an OU's Id, a custom resource's
// output), for the values Resolve evaluates after it.
func (t *Template) SetAttribute(logicalID, attribute, value string) {
	if t.resolver.attrs == nil {
		t.resolver.attrs = map[string]string{}
	}
	t.resolver.attrs[logicalID+"."+attribute] = value
}

// Resolve evaluates the intrinsic functions in a template value (a
// resource's property, as JSON) and returns it decoded.
func (t *Template) Resolve(value json.RawMessage) (any, error) {
	return t.resolver.resolveRaw(value)
}

// Ref returns the local value of {"Ref": logicalID}: a table's name, a
// topic's ARN, and so on.
func (t *Template) Ref(logicalID string) (string, error) {
	return t.resolver.ref(logicalID)
}

func (t *Template) addStateMachine(id string) error {
	r := t.resolver
	var def any
	if err := json.Unmarshal(r.resources[id].Properties["DefinitionString"], &def); err != nil {
		return fmt.Errorf("decoding state machine definition (%s): %w", id, err)
	}
	s, err := r.resolveString(def)
	if err != nil {
		return fmt.Errorf("resolving state machine definition (%s): %w", id, err)
	}
	if !json.Valid([]byte(s)) {
		return fmt.Errorf("resolving state machine definition (%s): the result is not JSON", id)
	}
	arn, err := r.arn(id)
	if err != nil {
		return err
	}
	role, err := r.resolveProperty(id, "RoleArn")
	if err != nil {
		return err
	}
	t.StateMachines = append(t.StateMachines, StateMachine{Name: r.physicalName(id), ARN: arn, RoleARN: role, Definition: []byte(s)})
	return nil
}

func (t *Template) addFunction(id, cdkOut string) error {
	r := t.resolver
	res := r.resources[id]
	var runtime string
	_ = json.Unmarshal(res.Properties["Runtime"], &runtime)
	if !strings.HasPrefix(runtime, "provided") {
		t.OtherFunctions = append(t.OtherFunctions, id)
		return nil
	}
	assetPath, _ := res.Metadata["aws:asset:path"].(string)
	if assetPath == "" {
		return fmt.Errorf("locating function code (%s): no aws:asset:path metadata", id)
	}
	if !filepath.IsAbs(assetPath) {
		assetPath = filepath.Join(cdkOut, assetPath)
	}
	pkg, err := mainPackage(filepath.Join(assetPath, "bootstrap"))
	if err != nil {
		return fmt.Errorf("locating function code (%s): %w", id, err)
	}
	var props struct {
		Description string
		Timeout     int
		MemorySize  int
		Environment struct{ Variables map[string]any }
	}
	raw, _ := json.Marshal(res.Properties)
	if err := json.Unmarshal(raw, &props); err != nil {
		return fmt.Errorf("decoding function properties (%s): %w", id, err)
	}
	env := map[string]string{}
	for k, v := range props.Environment.Variables {
		s, err := r.resolveString(v)
		if err != nil {
			return fmt.Errorf("resolving function environment (%s %s): %w", id, k, err)
		}
		if rest, ok := strings.CutPrefix(s, lambdaTaskRoot+"/"); ok {
			s = filepath.Join(assetPath, rest)
		}
		env[k] = s
	}
	arn, err := r.arn(id)
	if err != nil {
		return err
	}
	role, err := r.resolveProperty(id, "Role")
	if err != nil {
		return err
	}
	t.Functions = append(t.Functions, TemplateFunction{
		LogicalID: id, Name: r.physicalName(id), ARN: arn, RoleARN: role, Description: props.Description,
		Package: pkg, AssetDir: assetPath, Env: env,
		Timeout: time.Duration(props.Timeout) * time.Second, MemoryMiB: props.MemorySize,
	})
	return nil
}

// mainPackage reads which main package a Go binary was built from; it works
// for the linux/arm64 bootstrap on any host.
func mainPackage(binary string) (string, error) {
	info, err := buildinfo.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("reading Go build information (%s): %w", binary, err)
	}
	rel, ok := strings.CutPrefix(info.Path, info.Main.Path+"/")
	if !ok {
		return "", fmt.Errorf("reading Go build information (%s): package %s is outside module %s", binary, info.Path, info.Main.Path)
	}
	return "./" + rel, nil
}

func (t *Template) addRule(id string) error {
	r := t.resolver
	var props map[string]any
	raw, _ := json.Marshal(r.resources[id].Properties)
	if err := json.Unmarshal(raw, &props); err != nil {
		return fmt.Errorf("decoding rule (%s): %w", id, err)
	}
	resolved, err := r.resolve(props)
	if err != nil {
		return fmt.Errorf("resolving rule (%s): %w", id, err)
	}
	var rule struct {
		EventPattern       json.RawMessage
		ScheduleExpression string
		State              string
		Targets            []RuleTarget
	}
	raw, _ = json.Marshal(resolved)
	if err := json.Unmarshal(raw, &rule); err != nil {
		return fmt.Errorf("decoding rule (%s): %w", id, err)
	}
	t.Rules = append(t.Rules, Rule{
		LogicalID: id, Name: r.physicalName(id), EventPattern: rule.EventPattern,
		ScheduleExpression: rule.ScheduleExpression, State: rule.State, Targets: rule.Targets,
	})
	return nil
}
