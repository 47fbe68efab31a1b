package config

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Load reads, defaults and validates the config file at path. On a problem in
// the file it returns a nil Config and Errors listing every problem; errors
// name the file as path was given.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config (%s): %w", path, err)
	}
	return Parse(path, data)
}

// yamlSyntaxError matches the position yaml.v3 puts in its syntax errors.
var yamlSyntaxError = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse defaults and validates config data read from filename (used only in
// messages). It returns a nil Config and Errors on any problem.
func Parse(filename string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		fe := &FieldError{File: filename, Line: 1, Message: err.Error()}
		if m := yamlSyntaxError.FindStringSubmatch(err.Error()); m != nil {
			fe.Line, _ = strconv.Atoi(m[1])
			fe.Message = "invalid YAML: " + m[2]
		}
		return nil, Errors{fe}
	}
	if len(root.Content) == 0 {
		return nil, Errors{{File: filename, Line: 1, Message: "the file is empty; it must hold a landfall configuration starting with \"version: 1\""}}
	}
	d := newDecoder(filename)
	cfg := newConfig()
	d.decode("", root.Content[0], root.Content[0], reflect.ValueOf(cfg).Elem())
	resolveDerivedDefaults(cfg)
	v := validator{decoder: d, cfg: cfg}
	v.validate()
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		return nil, d.errs
	}
	return cfg, nil
}
