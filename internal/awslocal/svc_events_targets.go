package awslocal

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// EventBridge targets: PutTargets, ListTargetsByRule, RemoveTargets, and the
// target input (Input, InputPath, InputTransformer) per "Transforming target
// input" in the EventBridge User Guide.

// evMaxTargets is the number of targets a rule may have.
const evMaxTargets = 5

var evInputVar = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// checkTarget validates one target of the rule as PutTargets does.
func checkTarget(r *evRule, t doc) error {
	id, arn := str(t, "Id"), str(t, "Arn")
	if !evName.MatchString(id) {
		return evValidation("1 validation error detected: Value '%s' at 'targets.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", id)
	}
	p, ok := parseARNParts(arn)
	if !ok {
		return evValidation("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", arn)
	}
	if p.service == "states" && str(t, "RoleArn") == "" {
		return evValidation("RoleArn is required for target %s.", arn)
	}
	inputs := 0
	for _, k := range []string{"Input", "InputPath", "InputTransformer"} {
		if has(t, k) {
			inputs++
		}
	}
	if inputs > 1 {
		return evValidation("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", id)
	}
	if in, ok := t["Input"].(string); ok && !json.Valid([]byte(in)) {
		return evValidation("Input for target %s is not valid JSON text.", id)
	}
	if has(t, "InputPath") {
		if _, _, err := jsonPathGet(nil, str(t, "InputPath")); err != nil {
			return evValidation("InputPath for target %s is invalid.", id)
		}
	}
	if tr := obj(t, "InputTransformer"); tr != nil {
		if err := checkTransformer(id, tr); err != nil {
			return err
		}
	}
	if dl := obj(t, "DeadLetterConfig"); dl != nil {
		if err := checkDeadLetterQueue(r, id, str(dl, "Arn")); err != nil {
			return err
		}
	}
	if rp := obj(t, "RetryPolicy"); rp != nil {
		if n := intOr(rp, "MaximumRetryAttempts", 0); n < 0 || n > 185 {
			return evValidation("MaximumRetryAttempts must be between 0 and 185.")
		}
		if n := intOr(rp, "MaximumEventAgeInSeconds", 60); n < 60 || n > 86400 {
			return evValidation("MaximumEventAgeInSeconds must be between 60 and 86400.")
		}
	}
	return nil
}

// checkDeadLetterQueue refuses a target's dead-letter queue that is not a
// standard queue of the rule's account and region. "Using dead-letter
// queues to process undelivered events" (EventBridge User Guide) says a DLQ
// is a standard queue; it does not say whether one of another account or
// region is refused when the target is put or fails at every delivery, and
// the console offers only the rule's own: the endpoint takes the stricter
// reading and refuses it here.
func checkDeadLetterQueue(r *evRule, id, arn string) error {
	p, ok := parseARNParts(arn)
	if !ok || p.service != "sqs" {
		return evValidation("DeadLetterConfig Arn for target %s must be an SQS queue ARN.", id)
	}
	rule, _ := parseARNParts(r.ARN)
	if p.account != rule.account || p.region != rule.region {
		return evValidation("DeadLetterConfig Arn for target %s must be a queue in the rule's account %s and region %s.", id, rule.account, rule.region)
	}
	if strings.HasSuffix(p.resource, ".fifo") {
		return evValidation("DeadLetterConfig Arn for target %s must be a standard queue, not a FIFO queue.", id)
	}
	return nil
}

func checkTransformer(id string, tr doc) error {
	if str(tr, "InputTemplate") == "" || len(str(tr, "InputTemplate")) > 8192 {
		return evValidation("InputTemplate for target %s must be 1 to 8192 characters.", id)
	}
	paths := obj(tr, "InputPathsMap")
	if len(paths) > 100 {
		return evValidation("InputPathsMap for target %s has more than 100 entries.", id)
	}
	for k, v := range paths {
		path, _ := v.(string)
		if !evInputVar.MatchString(k) || strings.HasPrefix(k, "aws.") {
			return evValidation("InputPathsMap key %s for target %s is invalid.", k, id)
		}
		if _, _, err := jsonPathGet(nil, path); err != nil {
			return evValidation("InputPathsMap value %s for target %s is invalid.", path, id)
		}
	}
	return nil
}

func evPutTargets(c *call) (doc, error) {
	_, r, err := callerRule(c, "Rule")
	if err != nil {
		return nil, err
	}
	targets := list(c.in, "Targets")
	if len(targets) == 0 || len(targets) > 10 {
		return nil, evValidation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	merged := append([]doc(nil), r.Targets...)
	for _, t := range targets {
		if err := checkTarget(r, t); err != nil {
			return nil, err
		}
		if i := targetIndex(merged, str(t, "Id")); i >= 0 {
			merged[i] = t
		} else {
			merged = append(merged, t)
		}
	}
	if len(merged) > evMaxTargets {
		return nil, errorf("LimitExceededException", "The requested resource exceeds the maximum number allowed.")
	}
	r.Targets = merged
	return doc{"FailedEntryCount": 0, "FailedEntries": []any{}}, nil
}

func targetIndex(targets []doc, id string) int {
	for i, t := range targets {
		if str(t, "Id") == id {
			return i
		}
	}
	return -1
}

func evListTargetsByRule(c *call) (doc, error) {
	_, r, err := callerRule(c, "Rule")
	if err != nil {
		return nil, err
	}
	return evPage(c, "Targets", anyList(r.Targets, func(t doc) any { return t }))
}

func evRemoveTargets(c *call) (doc, error) {
	_, r, err := callerRule(c, "Rule")
	if err != nil {
		return nil, err
	}
	for _, id := range strs(c.in, "Ids") {
		if i := targetIndex(r.Targets, id); i >= 0 {
			r.Targets = append(r.Targets[:i], r.Targets[i+1:]...)
		}
	}
	return doc{"FailedEntryCount": 0, "FailedEntries": []any{}}, nil
}

// jsonPathGet evaluates the JSONPath subset EventBridge input paths use:
// $, $.a.b, $.a[0]. It reports whether the path exists in v.
func jsonPathGet(v any, path string) (any, bool, error) {
	if !strings.HasPrefix(path, "$") {
		return nil, false, errInvalidPath
	}
	rest, found := path[1:], true
	for rest != "" {
		switch rest[0] {
		case '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			key := rest[1 : 1+end]
			if key == "" {
				return nil, false, errInvalidPath
			}
			m, _ := v.(map[string]any)
			var present bool
			v, present = m[key]
			found = found && present
			rest = rest[1+end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			n, err := strconv.Atoi(rest[1:max(end, 1)])
			if end < 0 || err != nil || n < 0 {
				return nil, false, errInvalidPath
			}
			l, ok := v.([]any)
			if ok && n < len(l) {
				v = l[n]
			} else {
				v, found = nil, false
			}
			rest = rest[end+1:]
		default:
			return nil, false, errInvalidPath
		}
	}
	return v, found, nil
}

var errInvalidPath = evValidation("invalid JSON path")

var evPlaceholder = regexp.MustCompile(`^<([A-Za-z0-9_.-]+)>`)

// targetInput is what a target receives for an event: the whole event, the
// constant Input, the value at InputPath, or the InputTransformer's template
// with its placeholders filled in.
func targetInput(t doc, event map[string]any, r *evRule, now string) []byte {
	whole := mustJSON(event)
	switch {
	case has(t, "Input"):
		return []byte(str(t, "Input"))
	case has(t, "InputPath"):
		v, _, _ := jsonPathGet(event, str(t, "InputPath"))
		return mustJSON(v)
	case obj(t, "InputTransformer") != nil:
		tr := obj(t, "InputTransformer")
		vars := map[string]any{"aws.events.rule-arn": r.ARN, "aws.events.rule-name": r.Name,
			"aws.events.event.ingestion-time": now, "aws.events.event": json.RawMessage(whole), "aws.events.event.json": json.RawMessage(whole)}
		for k, p := range obj(tr, "InputPathsMap") {
			path, _ := p.(string)
			if v, ok, _ := jsonPathGet(event, path); ok {
				vars[k] = v
			} else {
				vars[k] = absent{}
			}
		}
		return []byte(fillTemplate(str(tr, "InputTemplate"), vars))
	}
	return whole
}

// absent marks a declared input path that the event does not have.
type absent struct{}

// fillTemplate replaces the <name> placeholders of declared variables;
// other text in angle brackets stays as it is. Inside a JSON string a string
// value goes in as its text; elsewhere values go in as JSON. A placeholder
// whose path is absent becomes "" inside a string and null elsewhere.
func fillTemplate(tmpl string, vars map[string]any) string {
	var b strings.Builder
	inString := false
	for i := 0; i < len(tmpl); i++ {
		ch := tmpl[i]
		if ch == '"' && (i == 0 || tmpl[i-1] != '\\') {
			inString = !inString
		}
		if ch == '<' {
			if m := evPlaceholder.FindStringSubmatch(tmpl[i:]); m != nil {
				if v, declared := vars[m[1]]; declared {
					b.WriteString(placeholderText(v, inString))
					i += len(m[0]) - 1
					continue
				}
			}
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func placeholderText(v any, inString bool) string {
	if _, missing := v.(absent); missing {
		if inString {
			return ""
		}
		return "null"
	}
	text := string(mustJSON(v))
	if !inString {
		return text
	}
	if s, ok := v.(string); ok {
		text = string(mustJSON(s))
	} else {
		text = string(mustJSON(text))
	}
	return text[1 : len(text)-1] // escaped for the enclosing JSON string
}
