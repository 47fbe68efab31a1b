package localrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// cfnResource is one entry of a template's Resources.
type cfnResource struct {
	Type       string                     `json:"Type"`
	Properties map[string]json.RawMessage `json:"Properties"`
	Metadata   map[string]any             `json:"Metadata"`
}

// resolver turns CloudFormation intrinsic functions into the concrete values
// the resources would have if deployed to one local account and region.
// Names follow CloudFormation: an explicit name property if the template sets
// one, else the logical ID (CloudFormation would add a random suffix; the
// logical ID keeps local names deterministic).
type resolver struct {
	region, account, stack string
	resources              map[string]cfnResource
	refs                   map[string]string // caller-supplied Ref values, by logical ID
	attrs                  map[string]string // caller-supplied Fn::GetAtt values, by "logicalID.attribute"
}

// physicalName is the resource's name: its name property or its logical ID.
func (r *resolver) physicalName(id string) string {
	res := r.resources[id]
	for _, prop := range []string{"FunctionName", "StateMachineName", "TableName", "TopicName", "QueueName", "LogGroupName", "RoleName", "Name"} {
		var name string
		if json.Unmarshal(res.Properties[prop], &name) == nil && name != "" {
			return name
		}
	}
	return id
}

// arn is the resource's ARN, by the ARN format of its type.
func (r *resolver) arn(id string) (string, error) {
	name := r.physicalName(id)
	prefix := func(service string) string { return "arn:aws:" + service + ":" + r.region + ":" + r.account + ":" }
	switch t := r.resources[id].Type; t {
	case "AWS::Lambda::Function":
		return prefix("lambda") + "function:" + name, nil
	case "AWS::StepFunctions::StateMachine":
		return prefix("states") + "stateMachine:" + name, nil
	case "AWS::SNS::Topic":
		return prefix("sns") + name, nil
	case "AWS::SQS::Queue":
		return prefix("sqs") + name, nil
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable":
		return prefix("dynamodb") + "table/" + name, nil
	case "AWS::Logs::LogGroup":
		return prefix("logs") + "log-group:" + name + ":*", nil
	case "AWS::IAM::Role":
		path, err := r.rolePath(id)
		return "arn:aws:iam::" + r.account + ":role" + path + name, err
	case "AWS::KMS::Key":
		return prefix("kms") + "key/" + id, nil
	case "AWS::Events::Rule":
		return prefix("events") + "rule/" + name, nil
	case "AWS::Events::EventBus":
		return prefix("events") + "event-bus/" + name, nil
	default:
		return "", fmt.Errorf("resolving the ARN of %s (%s): the type has no local ARN format", t, id)
	}
}

// rolePath is a role's Path property, "/" when it has none.
func (r *resolver) rolePath(id string) (string, error) {
	raw := r.resources[id].Properties["Path"]
	if raw == nil {
		return "/", nil
	}
	var path string
	if err := json.Unmarshal(raw, &path); err != nil {
		return "", fmt.Errorf("reading the Path of role (%s): it is not a string: %w", id, err)
	}
	return path, nil
}

// ref is what {"Ref": id} returns for the resource's type.
func (r *resolver) ref(id string) (string, error) {
	if v, ok := r.refs[id]; ok {
		return v, nil
	}
	switch id {
	case "AWS::Region":
		return r.region, nil
	case "AWS::AccountId":
		return r.account, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return r.stack, nil
	}
	res, ok := r.resources[id]
	if !ok {
		return "", fmt.Errorf("resolving Ref (%s): no such resource", id)
	}
	switch res.Type {
	case "AWS::StepFunctions::StateMachine", "AWS::SNS::Topic":
		return r.arn(id)
	case "AWS::SQS::Queue":
		return "https://sqs." + r.region + ".amazonaws.com/" + r.account + "/" + r.physicalName(id), nil
	default:
		return r.physicalName(id), nil
	}
}

func (r *resolver) getAtt(id, attr string) (string, error) {
	if _, ok := r.resources[id]; !ok {
		return "", fmt.Errorf("resolving Fn::GetAtt (%s.%s): no such resource", id, attr)
	}
	if v, ok := r.attrs[id+"."+attr]; ok {
		return v, nil
	}
	switch attr {
	case "Arn":
		return r.arn(id)
	case "Name", "QueueName", "TopicName":
		return r.physicalName(id), nil
	}
	return "", fmt.Errorf("resolving Fn::GetAtt (%s.%s): %w", id, attr, ErrUnknownAttribute)
}

// ErrUnknownAttribute is an Fn::GetAtt the template cannot resolve by
// itself and no one has set (Template.SetAttribute) yet.
var ErrUnknownAttribute = errors.New("the attribute is not known locally")

// resolve evaluates every intrinsic function in v (decoded JSON).
func (r *resolver) resolve(v any) (any, error) {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			var err error
			if out[i], err = r.resolve(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					return r.intrinsic(k, arg)
				}
			}
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			var err error
			if out[k], err = r.resolve(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return v, nil
}

// resolveRaw decodes a template value (a resource's property, as JSON) and
// evaluates the intrinsic functions in it.
func (r *resolver) resolveRaw(value json.RawMessage) (any, error) {
	var v any
	if err := json.Unmarshal(value, &v); err != nil {
		return nil, fmt.Errorf("decoding a template value: %w", err)
	}
	return r.resolve(v)
}

// resolveJSON evaluates the intrinsic functions in a template value (a
// policy document) and returns the result as JSON.
func (r *resolver) resolveJSON(value json.RawMessage) (string, error) {
	x, err := r.resolveRaw(value)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(x)
	return string(b), err
}

func (r *resolver) resolveString(v any) (string, error) {
	x, err := r.resolve(v)
	if err != nil {
		return "", err
	}
	return asString(x)
}

// asString is a resolved value as the string CloudFormation would make of
// it.
func asString(x any) (string, error) {
	switch s := x.(type) {
	case string:
		return s, nil
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("resolving a string value (%v): it is not a string", x)
}

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func (r *resolver) intrinsic(fn string, arg any) (any, error) {
	args, _ := arg.([]any)
	switch fn {
	case "Ref":
		id, _ := arg.(string)
		return r.ref(id)
	case "Fn::GetAtt":
		if s, ok := arg.(string); ok {
			id, attr, _ := strings.Cut(s, ".")
			args = []any{id, attr}
		}
		if len(args) != 2 {
			return nil, fmt.Errorf("resolving Fn::GetAtt (%v): want [logicalId, attribute]", arg)
		}
		id, _ := args[0].(string)
		attr, _ := args[1].(string)
		return r.getAtt(id, attr)
	case "Fn::Join":
		if len(args) != 2 {
			return nil, fmt.Errorf("resolving Fn::Join (%v): want [delimiter, list]", arg)
		}
		list, err := r.resolve(args[1])
		if err != nil {
			return nil, err
		}
		items, _ := list.([]any)
		parts := make([]string, len(items))
		for i, it := range items {
			if parts[i], err = r.resolveString(it); err != nil {
				return nil, fmt.Errorf("resolving Fn::Join: %w", err)
			}
		}
		delim, _ := args[0].(string)
		return strings.Join(parts, delim), nil
	case "Fn::Sub":
		return r.sub(arg)
	case "Fn::Split":
		if len(args) != 2 {
			return nil, fmt.Errorf("resolving Fn::Split (%v): want [delimiter, string]", arg)
		}
		s, err := r.resolveString(args[1])
		if err != nil {
			return nil, err
		}
		delim, _ := args[0].(string)
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::Select":
		if len(args) != 2 {
			return nil, fmt.Errorf("resolving Fn::Select (%v): want [index, list]", arg)
		}
		idx, err := r.resolveString(args[0])
		if err != nil {
			return nil, err
		}
		list, err := r.resolve(args[1])
		if err != nil {
			return nil, err
		}
		items, _ := list.([]any)
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= len(items) {
			return nil, fmt.Errorf("resolving Fn::Select (%s): index out of range", idx)
		}
		return items[i], nil
	}
	return nil, fmt.Errorf("resolving %s: not supported by the local template reader", fn)
}

// sub evaluates Fn::Sub: "${Name}" is a Ref (or a variable of the second
// form), "${Name.Attr}" a GetAtt, and "${!Literal}" stays "${Literal}".
func (r *resolver) sub(arg any) (any, error) {
	text, _ := arg.(string)
	vars := map[string]any{}
	if args, ok := arg.([]any); ok && len(args) == 2 {
		text, _ = args[0].(string)
		vars, _ = args[1].(map[string]any)
	}
	var firstErr error
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		var v string
		var err error
		if val, ok := vars[name]; ok {
			v, err = r.resolveString(val)
		} else if id, attr, ok := strings.Cut(name, "."); ok {
			v, err = r.getAtt(id, attr)
		} else {
			v, err = r.ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("resolving Fn::Sub (%s): %w", m, err)
		}
		return v
	})
	return strings.ReplaceAll(out, "${!", "${"), firstErr
}

// resolveProperty is the string a resource's property resolves to, "" when
// the resource has none.
func (r *resolver) resolveProperty(id, property string) (string, error) {
	raw := r.resources[id].Properties[property]
	if raw == nil {
		return "", nil
	}
	x, err := r.resolveRaw(raw)
	if err != nil {
		return "", fmt.Errorf("resolving %s of %s: %w", property, id, err)
	}
	str, err := asString(x)
	if err != nil {
		return "", fmt.Errorf("resolving %s of %s: %w", property, id, err)
	}
	return str, nil
}
