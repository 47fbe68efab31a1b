package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The JSON Schema in infra/landfall.schema.json (for editors and CI linters) is
// generated from the Go types by this test, with the doc comments as
// descriptions, so the schema and the loader cannot disagree: a key added to
// the types without regenerating fails TestSchemaIsCurrent.
var updateSchema = flag.Bool("update", false, "rewrite infra/landfall.schema.json from the Go types")

const schemaPath = "../../infra/landfall.schema.json"

func TestSchemaIsCurrent(t *testing.T) {
	got := generateSchema(t)
	if *updateSchema {
		if err := os.WriteFile(schemaPath, got, 0o644); err != nil {
			t.Fatalf("writing schema (%s): %v", schemaPath, err)
		}
	}
	want, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("reading schema (%s): %v", schemaPath, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s does not match the Go types; regenerate it with: go test ./pkg/config -run TestSchemaIsCurrent -update", schemaPath)
	}
}

// TestSchemaCoversEveryKey walks the committed schema and the decoder's view of
// the types side by side, independently of the generator, so a hand edit to
// the schema that drops or adds a key is caught with the key's name.
func TestSchemaCoversEveryKey(t *testing.T) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatalf("reading schema (%s): %v", schemaPath, err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatalf("decoding schema (%s): %v", schemaPath, err)
	}
	compareKeys(t, "", reflect.TypeFor[Config](), schema)
}

func compareKeys(t *testing.T, path string, typ reflect.Type, schema map[string]any) {
	t.Helper()
	switch typ.Kind() {
	case reflect.Pointer:
		compareKeys(t, path, typ.Elem(), schema)
	case reflect.Slice:
		items, _ := schema["items"].(map[string]any)
		compareKeys(t, path+"[]", typ.Elem(), items)
	case reflect.Struct:
		if typ == durationType {
			return
		}
		props, _ := schema["properties"].(map[string]any)
		if schema["additionalProperties"] != false {
			t.Errorf("schema for %q allows unknown keys; the loader rejects them", path)
		}
		for _, f := range yamlFields(typ) {
			sub, ok := props[f.name].(map[string]any)
			if !ok {
				t.Errorf("schema has no key %q, which the loader accepts", joinPath(path, f.name))
				continue
			}
			compareKeys(t, joinPath(path, f.name), typ.Field(f.index).Type, sub)
		}
		if len(props) != len(yamlFields(typ)) {
			t.Errorf("schema for %q has %d keys, the loader accepts %d", path, len(props), len(yamlFields(typ)))
		}
	}
}

// generateSchema renders the schema document for Config.
func generateSchema(t *testing.T) []byte {
	t.Helper()
	g := schemaGenerator{docs: fieldDocs(t)}
	root := g.schemaFor(reflect.TypeFor[Config](), "")
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = "https://github.com/landfall/landfall/infra/landfall.schema.json"
	root["title"] = "landfall configuration"
	root["description"] = "One organization's landing-zone configuration. Generated from pkg/config; do not edit by hand."
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		t.Fatalf("encoding schema: %v", err)
	}
	return append(out, '\n')
}

type schemaGenerator struct {
	docs map[string]string // "Type.Field" -> doc comment
}

// accountIDSchema matches a 12-digit account id written as a string.
var accountIDSchema = map[string]any{"type": "string", "pattern": "^[0-9]{12}$"}

// fieldExtras are the enums and patterns of fields whose Go type is a plain
// string or number; the validator enforces them and the schema repeats them
// for editors.
func fieldExtras(key string) map[string]any {
	regionItems := map[string]any{"type": "string", "enum": commercialRegions}
	switch key {
	case "Config.Version":
		return map[string]any{"const": SupportedVersion}
	case "Organization.ManagementAccountID", "Organization.SecurityAccountID", "LogArchive.AccountID", "Identity.AccountID":
		return accountIDSchema
	case "Config.ExcludedAccounts", "Selector.Accounts":
		return map[string]any{"items": accountIDSchema}
	case "Organization.HomeRegion":
		return regionItems
	case "Organization.GovernedRegions", "Profile.Regions", "SCPs.AllowedRegions":
		return map[string]any{"items": regionItems}
	case "Organization.OUs":
		return map[string]any{"items": map[string]any{"type": "string", "pattern": "^/Root/"}}
	case "Organization.SuspendedOU":
		return map[string]any{"pattern": "^(/Root/.*)?$"}
	case "Alarms.Disable":
		return map[string]any{"items": map[string]any{"type": "string", "enum": AlarmIDs()}}
	case "Notifications.CentralAlerts":
		return map[string]any{"enum": centralAlertsValues}
	case "GuardDuty.FindingFrequency":
		return map[string]any{"enum": findingFrequencyValues}
	case "GuardDuty.RouteTo":
		return map[string]any{"enum": guardDutyRouteValues}
	case "SecurityHub.Standards":
		return map[string]any{"items": map[string]any{"type": "string", "enum": securityHubStandards}}
	case "CloudTrail.LogRetentionDays":
		return map[string]any{"enum": logRetentionDaysValues}
	case "Budget.Amount":
		return map[string]any{"exclusiveMinimum": 0}
	}
	return nil
}

// requiredKeys are the keys validation requires, per type.
var requiredKeys = map[string][]string{
	"Config":       {"version", "organization", "profiles"},
	"Organization": {"managementAccountId", "homeRegion", "identity"},
	"Profile":      {"name"},
}

func (g schemaGenerator) schemaFor(typ reflect.Type, key string) map[string]any {
	var s map[string]any
	switch {
	case typ == durationType:
		s = map[string]any{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`}
	case typ.Kind() == reflect.Pointer:
		return g.schemaFor(typ.Elem(), key)
	case typ.Kind() == reflect.Struct:
		props := map[string]any{}
		for _, f := range yamlFields(typ) {
			props[f.name] = g.schemaFor(typ.Field(f.index).Type, typ.Name()+"."+typ.Field(f.index).Name)
		}
		s = map[string]any{"type": "object", "additionalProperties": false, "properties": props}
		if req, ok := requiredKeys[typ.Name()]; ok {
			s["required"] = req
		}
	case typ.Kind() == reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}}
	case typ.Kind() == reflect.Slice:
		s = map[string]any{"type": "array", "items": g.schemaFor(typ.Elem(), "")}
	case typ.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	case typ.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case typ.Kind() == reflect.Int:
		s = map[string]any{"type": "integer"}
	case typ.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	}
	for k, v := range fieldExtras(key) {
		s[k] = v
	}
	if doc := g.docs[key]; doc != "" {
		s["description"] = doc
	}
	return s
}

// fieldDocs reads the doc comment of every struct field of the package,
// keyed "Type.Field", with the leading Go field name replaced by its YAML key.
func fieldDocs(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatalf("listing package files: %v", err)
	}
	docs := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatalf("parsing %s: %v", name, err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return false
			}
			for _, field := range st.Fields.List {
				if len(field.Names) == 0 || field.Doc == nil || field.Tag == nil {
					continue
				}
				goName := field.Names[0].Name
				yamlKey, _, _ := strings.Cut(reflect.StructTag(strings.Trim(field.Tag.Value, "`")).Get("yaml"), ",")
				text := strings.Join(strings.Fields(field.Doc.Text()), " ")
				if rest, ok := strings.CutPrefix(text, goName+" "); ok {
					text = yamlKey + " " + rest
				}
				docs[ts.Name.Name+"."+goName] = text
			}
			return false
		})
	}
	return docs
}
