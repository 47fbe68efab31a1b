package config

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// MaxConfigBytes is the largest config file landfall reads: one for a
// thousand profiles is a few hundred kilobytes.
const MaxConfigBytes = 1 << 20

// Load reads, defaults and validates the config file at path. On a problem in
// the file it returns a nil Config and Errors listing every problem; errors
// name the file as path was given.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading config (%s): %w", path, err)
	}
	defer f.Close()
	// One byte more than the limit tells a file at the limit from a longer one.
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigBytes+1))
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
	if len(data) > MaxConfigBytes {
		return nil, Errors{{File: filename, Line: 1, Message: fmt.Sprintf("the file is larger than %d bytes, the most landfall reads; is it the right file?", MaxConfigBytes)}}
	}
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
	if !d.stopped {
		// A half-read file would only add problems that are not there.
		resolveDerivedDefaults(cfg)
		v := validator{decoder: d, cfg: cfg}
		v.validate()
	}
	if len(d.errs) > 0 {
		sortErrors(d.errs)
		if d.dropped > 0 {
			d.errs = append(d.errs, &FieldError{File: filename, Line: d.errs[len(d.errs)-1].Line,
				Message: fmt.Sprintf("and %d more problems; fix these first", d.dropped)})
		}
		return nil, d.errs
	}
	return cfg, nil
}
