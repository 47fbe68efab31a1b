package awslocal

import (
	"slices"
	"strings"
)

// Query and Scan, following API_Query.html and API_Scan.html: Limit caps the
// items evaluated (before FilterExpression), a page also ends after
// Options.PageSize items (standing in for DynamoDB's 1 MB page), and
// LastEvaluatedKey / ExclusiveStartKey carry the position.

func ddbQuery(c *call) (doc, error) {
	t, err := ddbTableFor(c)
	if err != nil {
		return nil, err
	}
	if err := rejectLegacy(c.in, "KeyConditions", "QueryFilter", "AttributesToGet", "ConditionalOperator", "IndexName"); err != nil {
		return nil, err
	}
	if !has(c.in, "KeyConditionExpression") {
		return nil, ddbValidation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	env := newExprEnv(c.in)
	match, err := parseKeyCondition(env, str(c.in, "KeyConditionExpression"), t)
	if err != nil {
		return nil, err
	}
	var items []doc
	for _, it := range t.items {
		if match(it) {
			items = append(items, it)
		}
	}
	less := func(a, b doc) bool {
		if t.RangeKey == "" {
			return false
		}
		n, _ := avCompare(a[t.RangeKey], b[t.RangeKey])
		return n < 0
	}
	if !boolOr(c.in, "ScanIndexForward", true) {
		fwd := less
		less = func(a, b doc) bool { return fwd(b, a) }
	}
	return ddbPage(c, t, env, items, less)
}

func ddbScan(c *call) (doc, error) {
	t, err := ddbTableFor(c)
	if err != nil {
		return nil, err
	}
	if err := rejectLegacy(c.in, "ScanFilter", "AttributesToGet", "ConditionalOperator", "IndexName", "Segment", "TotalSegments"); err != nil {
		return nil, err
	}
	items := make([]doc, 0, len(t.items))
	for _, it := range t.items {
		items = append(items, it)
	}
	less := func(a, b doc) bool {
		x, _ := t.keyID(t.keyOf(a), false)
		y, _ := t.keyID(t.keyOf(b), false)
		return x < y
	}
	return ddbPage(c, t, newExprEnv(c.in), items, less)
}

// ddbPage orders items, resumes after ExclusiveStartKey, evaluates up to a
// page of them, and applies FilterExpression, Select and projection.
func ddbPage(c *call, t *ddbTable, env *exprEnv, items []doc, less func(a, b doc) bool) (doc, error) {
	slices.SortFunc(items, func(a, b doc) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
	filter := cond(func(doc) bool { return true })
	if has(c.in, "FilterExpression") {
		f, err := parseCondition(env, "FilterExpression", str(c.in, "FilterExpression"))
		if err != nil {
			return nil, err
		}
		filter = f
	}
	project, err := projection(env, c.in)
	if err != nil {
		return nil, err
	}
	if err := env.checkUnused(); err != nil {
		return nil, err
	}
	sel := strOr(c.in, "Select", "ALL_ATTRIBUTES")
	if sel != "ALL_ATTRIBUTES" && sel != "COUNT" {
		return nil, ddbValidation("Select %s is not supported by the local endpoint (ALL_ATTRIBUTES or COUNT)", sel)
	}
	limit := intOr(c.in, "Limit", 0)
	if has(c.in, "Limit") && limit < 1 {
		return nil, ddbValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", limit)
	}
	start := 0
	if esk := obj(c.in, "ExclusiveStartKey"); esk != nil {
		if _, err := t.keyID(esk, false); err != nil {
			return nil, ddbValidation("The provided starting key is invalid: %s", strings.TrimPrefix(err.Error(), "ValidationException: "))
		}
		start = len(items)
		for i, it := range items {
			if less(esk, it) {
				start = i
				break
			}
		}
	}
	size := c.srv.opts.PageSize
	limited := limit > 0 && limit <= size
	if limited {
		size = limit
	}
	end := min(start+size, len(items))
	out := doc{"ScannedCount": end - start}
	var kept []any
	for _, it := range items[start:end] {
		if filter(it) {
			kept = append(kept, project(it))
		}
	}
	out["Count"] = len(kept)
	if sel == "ALL_ATTRIBUTES" {
		out["Items"] = append([]any{}, kept...)
	}
	// DynamoDB stops when Limit items were evaluated and reports where, even
	// when nothing follows; a full page ends the same way.
	if end > start && (end < len(items) || (limited && end-start == limit)) {
		out["LastEvaluatedKey"] = t.keyOf(items[end-1])
	}
	return out, nil
}

// parseKeyCondition compiles a KeyConditionExpression: an equality on the
// partition key, optionally AND one condition (=, <, <=, >, >=, BETWEEN,
// begins_with) on the sort key.
func parseKeyCondition(env *exprEnv, text string, t *ddbTable) (cond, error) {
	const kind = "KeyConditionExpression"
	p, err := newExprParser(env, kind, text)
	if err != nil {
		return nil, err
	}
	var parts []cond
	seen := map[string]string{} // attribute -> operator
	for {
		attr, op, err := p.keyPartShape()
		if err != nil {
			return nil, err
		}
		if attr == t.HashKey && op == "=" {
			p.recordPartition()
		}
		c, err := p.primary()
		if err != nil {
			return nil, err
		}
		if _, dup := seen[attr]; dup {
			return nil, p.errf("KeyConditionExpressions must only contain one condition per key")
		}
		seen[attr] = op
		parts = append(parts, c)
		if !p.keyword("AND") {
			break
		}
		p.pos++
	}
	if err := p.done(); err != nil {
		return nil, err
	}
	hashOp, ok := seen[t.HashKey]
	if !ok {
		return nil, ddbValidation("Query condition missed key schema element: %s", t.HashKey)
	}
	if hashOp != "=" {
		return nil, ddbValidation("Query key condition not supported")
	}
	for a := range seen {
		if a != t.HashKey && a != t.RangeKey {
			return nil, ddbValidation("Query condition missed key schema element: %s", t.RangeKey)
		}
	}
	return func(it doc) bool {
		for _, c := range parts {
			if !c(it) {
				return false
			}
		}
		return true
	}, nil
}

// recordPartition keeps the value of the partition key's equality, which
// starts at the parser's position: name, "=", :value.
func (p *exprParser) recordPartition() {
	if p.pos+2 < len(p.toks) && p.toks[p.pos+2].kind == "value" {
		p.env.partition = p.env.values[p.toks[p.pos+2].text]
	}
}

// keyPartShape reads one key condition part to learn which attribute and
// operator it uses, leaving the parser at the part's start.
func (p *exprParser) keyPartShape() (string, string, error) {
	start := p.pos
	defer func() { p.pos = start }()
	if t := p.peek(); t.kind == "id" && t.text == "begins_with" {
		p.pos += 2
		path, err := p.path()
		if err != nil {
			return "", "", err
		}
		return path[0].name, "begins_with", nil
	}
	path, err := p.path()
	if err != nil {
		return "", "", err
	}
	if len(path) != 1 {
		return "", "", ddbValidation("Invalid KeyConditionExpression: Key conditions can only name top-level key attributes")
	}
	op := p.peek().text
	if !slices.Contains([]string{"=", "<", "<=", ">", ">="}, op) && !p.keyword("BETWEEN") {
		return "", "", ddbValidation("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: %s", op)
	}
	return path[0].name, strings.ToUpper(op), nil
}
