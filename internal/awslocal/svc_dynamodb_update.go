package awslocal

import (
	"slices"
	"strings"
)

// UpdateExpression (SET, REMOVE, ADD, DELETE), following
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html.
// Every right-hand side is evaluated against the item as it was before the
// update, then the actions apply in order.

// updateAction computes its effect from the old item and applies it to the
// new one.
type updateAction struct {
	path  docPath
	apply func(old, cur doc) error
}

// parseUpdate compiles an update expression; keys are the table's key
// attribute names, which no action may touch.
func parseUpdate(env *exprEnv, text string, keys []string) ([]updateAction, error) {
	p, err := newExprParser(env, "UpdateExpression", text)
	if err != nil {
		return nil, err
	}
	var actions []updateAction
	seen := map[string]bool{}
	for p.peek().kind != "eof" {
		t := p.next()
		clause := strings.ToUpper(t.text)
		if t.kind != "id" || !slices.Contains([]string{"SET", "REMOVE", "ADD", "DELETE"}, clause) {
			p.pos--
			return nil, p.syntax()
		}
		if seen[clause] {
			return nil, p.errf("The \"%s\" section can only be used once in an update expression;", clause)
		}
		seen[clause] = true
		for {
			a, err := p.action(clause)
			if err != nil {
				return nil, err
			}
			actions = append(actions, a)
			if p.peek().kind != "," {
				break
			}
			p.pos++
		}
	}
	for i, a := range actions {
		if slices.Contains(keys, a.path[0].name) && len(a.path) == 1 {
			return nil, errorf("ValidationException", "One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", a.path[0].name)
		}
		for _, b := range actions[:i] {
			if pathsOverlap(a.path, b.path) {
				return nil, p.errf("Two document paths overlap with each other; must remove or rewrite one of these paths")
			}
		}
	}
	return actions, nil
}

func pathsOverlap(a, b docPath) bool {
	n := min(len(a), len(b))
	return slices.Equal(a[:n], b[:n])
}

func (p *exprParser) action(clause string) (updateAction, error) {
	path, err := p.path()
	if err != nil {
		return updateAction{}, err
	}
	switch clause {
	case "REMOVE":
		return updateAction{path, func(_, cur doc) error { return setPath(cur, path, nil) }}, nil
	case "SET":
		if err := p.expect("="); err != nil {
			return updateAction{}, err
		}
		v, err := p.setValue()
		if err != nil {
			return updateAction{}, err
		}
		return updateAction{path, func(old, cur doc) error {
			val, err := v(old)
			if err != nil {
				return err
			}
			return setPath(cur, path, val)
		}}, nil
	}
	delta, err := p.operand()
	if err != nil {
		return updateAction{}, err
	}
	return updateAction{path, func(old, cur doc) error {
		d := delta(old)
		if t, _ := avType(d); (clause == "ADD" && t != "N" && !strings.HasSuffix(t, "S")) || (clause == "DELETE" && !strings.HasSuffix(t, "S")) || t == "S" {
			return errorf("ValidationException", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: %s, operand type: %s", clause, t)
		}
		have := path.get(old)
		var next any
		var err error
		switch {
		case clause == "ADD":
			next, err = avAdd(have, d)
		case have == nil: // DELETE from a missing set is a no-op
			return nil
		default:
			next, err = avSubtract(have, d, false)
		}
		if err != nil {
			return err
		}
		return setPath(cur, path, next)
	}}, nil
}

// valueFn computes a SET right-hand side from the old item.
type valueFn func(old doc) (any, error)

func (p *exprParser) setValue() (valueFn, error) {
	l, err := p.setOperand()
	if err != nil {
		return nil, err
	}
	op := p.peek().kind
	if op != "+" && op != "-" {
		return l, nil
	}
	p.pos++
	r, err := p.setOperand()
	if err != nil {
		return nil, err
	}
	return func(old doc) (any, error) {
		a, err := l(old)
		if err != nil {
			return nil, err
		}
		b, err := r(old)
		if err != nil {
			return nil, err
		}
		if a == nil || b == nil {
			return nil, errorf("ValidationException", "The provided expression refers to an attribute that does not exist in the item")
		}
		ta, _ := avType(a)
		tb, _ := avType(b)
		if ta != "N" || tb != "N" {
			return nil, errorf("ValidationException", "An operand in the update expression has an incorrect data type")
		}
		if op == "+" {
			return avAdd(a, b)
		}
		return avSubtract(a, b, true)
	}, nil
}

func (p *exprParser) setOperand() (valueFn, error) {
	t := p.peek()
	if t.kind == "id" && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == "(" && (t.text == "if_not_exists" || t.text == "list_append") {
		p.pos += 2
		first, err := p.setValueOrPath(t.text == "if_not_exists")
		if err != nil {
			return nil, err
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
		second, err := p.setValue()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		if t.text == "if_not_exists" {
			return func(old doc) (any, error) {
				if v, _ := first(old); v != nil {
					return v, nil
				}
				return second(old)
			}, nil
		}
		return func(old doc) (any, error) {
			a, err := first(old)
			if err != nil {
				return nil, err
			}
			b, err := second(old)
			if err != nil {
				return nil, err
			}
			ta, pa := avType(a)
			tb, pb := avType(b)
			if ta != "L" || tb != "L" {
				return nil, errorf("ValidationException", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: %s", ta+tb)
			}
			return doc{"L": append(slices.Clone(pa.([]any)), pb.([]any)...)}, nil
		}, nil
	}
	o, err := p.operand()
	if err != nil {
		return nil, err
	}
	return func(old doc) (any, error) {
		v := o(old)
		if v == nil {
			return nil, errorf("ValidationException", "The provided expression refers to an attribute that does not exist in the item")
		}
		return v, nil
	}, nil
}

// setValueOrPath parses if_not_exists' first argument, which must be a path
// (its absence is the point), or list_append's, which may be any operand.
func (p *exprParser) setValueOrPath(pathOnly bool) (valueFn, error) {
	if !pathOnly {
		return p.setValue()
	}
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	return func(old doc) (any, error) { return path.get(old), nil }, nil
}

// setPath writes (or, with v nil, removes) the value at path in item.
func setPath(item doc, path docPath, v any) error {
	if len(path) == 1 {
		if v == nil {
			delete(item, path[0].name)
		} else {
			item[path[0].name] = v
		}
		return nil
	}
	invalid := errorf("ValidationException", "The document path provided in the update expression is invalid for update")
	parent := path[:len(path)-1].get(item)
	last := path[len(path)-1]
	t, payload := avType(parent)
	switch {
	case t == "M" && last.index < 0:
		m := payload.(map[string]any)
		if v == nil {
			delete(m, last.name)
		} else {
			m[last.name] = v
		}
	case t == "L" && last.index >= 0:
		l := payload.([]any)
		switch {
		case v == nil && last.index < len(l):
			l = slices.Delete(l, last.index, last.index+1)
		case v != nil && last.index < len(l):
			l[last.index] = v
		case v != nil:
			l = append(l, v)
		}
		// The list lives in its parent by value; store it back.
		return setPath(item, path[:len(path)-1], doc{"L": l})
	default:
		return invalid
	}
	return nil
}
