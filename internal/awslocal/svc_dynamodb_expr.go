package awslocal

import (
	"strconv"
	"strings"
)

// DynamoDB expressions: condition, filter and key-condition expressions
// (comparators, BETWEEN, IN, AND/OR/NOT, parentheses, attribute_exists,
// attribute_not_exists, attribute_type, begins_with, contains, size) and
// projection paths, following
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html.
// Placeholders (#name, :value) resolve against the request's
// ExpressionAttributeNames/Values, and the parser records which ones it used
// so the operation can reject unused ones, as DynamoDB does.

// exprEnv carries a request's placeholders and what the expressions used:
// the placeholders, the top-level attributes they name, and a Query's
// partition key value (the last two are IAM's dynamodb:Attributes and
// dynamodb:LeadingKeys).
type exprEnv struct {
	names      map[string]any
	values     map[string]any
	usedNames  map[string]bool
	usedValues map[string]bool
	attributes map[string]bool
	partition  any
}

func newExprEnv(in doc) *exprEnv {
	return &exprEnv{names: obj(in, "ExpressionAttributeNames"), values: obj(in, "ExpressionAttributeValues"),
		usedNames: map[string]bool{}, usedValues: map[string]bool{}, attributes: map[string]bool{}}
}

// checkUnused fails when a placeholder was supplied but never used.
func (e *exprEnv) checkUnused() error {
	for _, k := range sortedKeys(e.names) {
		if !e.usedNames[k] {
			return errorf("ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", k)
		}
	}
	for _, k := range sortedKeys(e.values) {
		if !e.usedValues[k] {
			return errorf("ValidationException", "Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", k)
		}
	}
	return nil
}

// pathElem is one step of a document path: a map key or a list index.
type pathElem struct {
	name  string
	index int // -1 for a name
}

type docPath []pathElem

func (p docPath) get(item doc) any {
	var cur any = doc{"M": item}
	for _, e := range p {
		t, payload := avType(cur)
		switch {
		case e.index < 0 && t == "M":
			cur = payload.(map[string]any)[e.name]
		case e.index >= 0 && t == "L" && e.index < len(payload.([]any)):
			cur = payload.([]any)[e.index]
		default:
			return nil
		}
		if cur == nil {
			return nil
		}
	}
	return cur
}

// operand yields a value for an item; nil means the attribute is absent.
type operand func(item doc) any

// cond is a compiled condition.
type cond func(item doc) bool

type token struct {
	kind string // "id", "name", "value", "num", or the punctuation itself
	text string
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.HasPrefix(s[i:], "<>") || strings.HasPrefix(s[i:], "<=") || strings.HasPrefix(s[i:], ">="):
			out = append(out, token{s[i : i+2], s[i : i+2]})
			i += 2
		case strings.ContainsRune("()[],.=<>+-", rune(c)):
			out = append(out, token{string(c), string(c)})
			i++
		case c == '#' || c == ':' || isIdentByte(c, true):
			j := i + 1
			for j < len(s) && isIdentByte(s[j], false) {
				j++
			}
			kind := map[byte]string{'#': "name", ':': "value"}[c]
			if kind == "" {
				kind = "id"
			}
			if j == i+1 && kind != "id" {
				return nil, errorf("ValidationException", "Invalid expression: Syntax error; token: %q", string(c))
			}
			out = append(out, token{kind, s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			out = append(out, token{"num", s[i:j]})
			i = j
		default:
			return nil, errorf("ValidationException", "Invalid expression: Syntax error; token: %q", string(c))
		}
	}
	return out, nil
}

func isIdentByte(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}

// exprParser is a recursive-descent parser over one expression.
type exprParser struct {
	env  *exprEnv
	kind string // "ConditionExpression", "UpdateExpression", ... for messages
	toks []token
	pos  int
}

func newExprParser(env *exprEnv, kind, text string) (*exprParser, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errorf("ValidationException", "Invalid %s: The expression can not be empty;", kind)
	}
	toks, err := tokenize(text)
	if err != nil {
		return nil, errorf("ValidationException", "Invalid %s: %s", kind, err.(*APIError).Message)
	}
	return &exprParser{env: env, kind: kind, toks: toks}, nil
}

func (p *exprParser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{kind: "eof"}
}

func (p *exprParser) next() token { t := p.peek(); p.pos++; return t }

func (p *exprParser) errf(format string, args ...any) error {
	return errorf("ValidationException", "Invalid %s: "+format, append([]any{p.kind}, args...)...)
}

func (p *exprParser) syntax() error {
	t := p.peek()
	if t.kind == "eof" {
		return p.errf("Syntax error; token: <EOF>, near: end of expression")
	}
	return p.errf("Syntax error; token: %q", t.text)
}

func (p *exprParser) expect(kind string) error {
	if p.peek().kind != kind {
		return p.syntax()
	}
	p.pos++
	return nil
}

// keyword reports whether the next token is the (case-insensitive) keyword.
func (p *exprParser) keyword(w string) bool {
	t := p.peek()
	return t.kind == "id" && strings.EqualFold(t.text, w)
}

func (p *exprParser) done() error {
	if p.peek().kind != "eof" {
		return p.syntax()
	}
	return nil
}

// parseCondition parses a whole condition expression.
func parseCondition(env *exprEnv, kind, text string) (cond, error) {
	p, err := newExprParser(env, kind, text)
	if err != nil {
		return nil, err
	}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	return c, p.done()
}

func (p *exprParser) or() (cond, error) {
	l, err := p.and()
	for err == nil && p.keyword("OR") {
		p.pos++
		var r cond
		if r, err = p.and(); err == nil {
			a, b := l, r
			l = func(it doc) bool { return a(it) || b(it) }
		}
	}
	return l, err
}

func (p *exprParser) and() (cond, error) {
	l, err := p.not()
	for err == nil && p.keyword("AND") {
		p.pos++
		var r cond
		if r, err = p.not(); err == nil {
			a, b := l, r
			l = func(it doc) bool { return a(it) && b(it) }
		}
	}
	return l, err
}

func (p *exprParser) not() (cond, error) {
	if p.keyword("NOT") {
		p.pos++
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return func(it doc) bool { return !c(it) }, nil
	}
	return p.primary()
}

func (p *exprParser) primary() (cond, error) {
	if p.peek().kind == "(" {
		p.pos++
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		return c, p.expect(")")
	}
	if t := p.peek(); t.kind == "id" && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == "(" && t.text != "size" {
		return p.function()
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	switch {
	case p.keyword("BETWEEN"):
		p.pos++
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !p.keyword("AND") {
			return nil, p.syntax()
		}
		p.pos++
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		return func(it doc) bool {
			a, b, c := l(it), lo(it), hi(it)
			x, ok1 := avCompare(a, b)
			y, ok2 := avCompare(a, c)
			return ok1 && ok2 && x >= 0 && y <= 0
		}, nil
	case p.keyword("IN"):
		p.pos++
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var set []operand
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			set = append(set, o)
			if p.peek().kind != "," {
				break
			}
			p.pos++
		}
		return func(it doc) bool {
			v := l(it)
			for _, o := range set {
				if v != nil && avEqual(v, o(it)) {
					return true
				}
			}
			return false
		}, p.expect(")")
	}
	op := p.peek().kind
	order := map[string]func(int) bool{
		"<": func(c int) bool { return c < 0 }, "<=": func(c int) bool { return c <= 0 },
		">": func(c int) bool { return c > 0 }, ">=": func(c int) bool { return c >= 0 },
	}
	if _, ok := order[op]; !ok && op != "=" && op != "<>" {
		return nil, p.syntax()
	}
	p.pos++
	r, err := p.operand()
	if err != nil {
		return nil, err
	}
	switch op {
	case "=":
		return func(it doc) bool { a, b := l(it), r(it); return a != nil && b != nil && avEqual(a, b) }, nil
	case "<>":
		// An absent attribute is "not equal" to any value.
		return func(it doc) bool { a, b := l(it), r(it); return a == nil || b == nil || !avEqual(a, b) }, nil
	}
	f := order[op]
	return func(it doc) bool { c, ok := avCompare(l(it), r(it)); return ok && f(c) }, nil
}

func (p *exprParser) function() (cond, error) {
	name := p.next().text
	p.pos++ // "("
	args, err := p.args()
	if err != nil {
		return nil, err
	}
	want := map[string]int{"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2}
	n, ok := want[name]
	if !ok {
		return nil, p.errf("Invalid function name; function: %s", name)
	}
	if len(args) != n {
		return nil, p.errf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))
	}
	a := args[0]
	switch name {
	case "attribute_exists":
		return func(it doc) bool { return a(it) != nil }, nil
	case "attribute_not_exists":
		return func(it doc) bool { return a(it) == nil }, nil
	case "attribute_type":
		b := args[1]
		return func(it doc) bool {
			t, _ := avType(a(it))
			_, want := avType(b(it))
			return t != "" && t == want
		}, nil
	case "begins_with":
		b := args[1]
		return func(it doc) bool {
			ta, pa := avType(a(it))
			tb, pb := avType(b(it))
			return ta == tb && (ta == "S" || ta == "B") && strings.HasPrefix(pa.(string), pb.(string))
		}, nil
	}
	b := args[1]
	return func(it doc) bool { // contains
		ta, pa := avType(a(it))
		v := b(it)
		tb, pb := avType(v)
		switch ta {
		case "S":
			return tb == "S" && strings.Contains(pa.(string), pb.(string))
		case "SS", "NS", "BS", "L":
			for _, e := range pa.([]any) {
				if ta == "L" && avEqual(e, v) || ta != "L" && avEqual(doc{ta[:1]: e}, v) {
					return true
				}
			}
		}
		return false
	}, nil
}

// args parses a function's operand list after "(" through ")".
func (p *exprParser) args() ([]operand, error) {
	var args []operand
	for {
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		args = append(args, o)
		if p.peek().kind != "," {
			break
		}
		p.pos++
	}
	return args, p.expect(")")
}

// operand parses a path, a :value or size(path).
func (p *exprParser) operand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == "value":
		p.pos++
		v, ok := p.env.values[t.text]
		if !ok {
			return nil, p.errf("An expression attribute value used in expression is not defined; attribute value: %s", t.text)
		}
		if err := validateAV(v); err != nil {
			return nil, err
		}
		p.env.usedValues[t.text] = true
		return func(doc) any { return v }, nil
	case t.kind == "id" && t.text == "size" && p.pos+1 < len(p.toks) && p.toks[p.pos+1].kind == "(":
		p.pos += 2
		args, err := p.args()
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, p.errf("Incorrect number of operands for operator or function; operator or function: size, number of operands: %d", len(args))
		}
		return func(it doc) any { return ddbSize(args[0](it)) }, nil
	}
	path, err := p.path()
	if err != nil {
		return nil, err
	}
	return func(it doc) any { return path.get(it) }, nil
}

func ddbSize(v any) any {
	t, p := avType(v)
	n := -1
	switch t {
	case "S", "B":
		n = len(p.(string))
	case "SS", "NS", "BS", "L":
		n = len(p.([]any))
	case "M":
		n = len(p.(map[string]any))
	}
	if n < 0 {
		return nil
	}
	return doc{"N": strconv.Itoa(n)}
}

// path parses a document path: name ( "." name | "[" n "]" )*.
func (p *exprParser) path() (docPath, error) {
	var out docPath
	first, err := p.pathName()
	if err != nil {
		return nil, err
	}
	out = append(out, pathElem{name: first, index: -1})
	p.env.attributes[first] = true
	for {
		switch p.peek().kind {
		case ".":
			p.pos++
			n, err := p.pathName()
			if err != nil {
				return nil, err
			}
			out = append(out, pathElem{name: n, index: -1})
		case "[":
			p.pos++
			t := p.next()
			i, err := strconv.Atoi(t.text)
			if t.kind != "num" || err != nil {
				p.pos--
				return nil, p.syntax()
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			out = append(out, pathElem{index: i})
		default:
			return out, nil
		}
	}
}

func (p *exprParser) pathName() (string, error) {
	t := p.next()
	switch t.kind {
	case "name":
		v, ok := p.env.names[t.text].(string)
		if !ok {
			return "", p.errf("An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.env.usedNames[t.text] = true
		return v, nil
	case "id":
		if ddbReservedWords[strings.ToLower(t.text)] {
			return "", p.errf("Attribute name is a reserved keyword; reserved keyword: %s", t.text)
		}
		return t.text, nil
	}
	p.pos--
	return "", p.syntax()
}

// parseProjection parses a ProjectionExpression: paths separated by commas.
func parseProjection(env *exprEnv, text string) ([]docPath, error) {
	p, err := newExprParser(env, "ProjectionExpression", text)
	if err != nil {
		return nil, err
	}
	var out []docPath
	for {
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		out = append(out, path)
		if p.peek().kind != "," {
			return out, p.done()
		}
		p.pos++
	}
}
