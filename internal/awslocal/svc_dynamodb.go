package awslocal

import (
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// DynamoDB (JSON 1.0), landfall's ledger, following the Amazon DynamoDB API
// Reference (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/):
//
//	CreateTable, DescribeTable, DeleteTable  API_CreateTable.html, API_DescribeTable.html, API_DeleteTable.html
//	ListTables                               API_ListTables.html
//	PutItem, GetItem, DeleteItem, UpdateItem API_PutItem.html, API_GetItem.html, API_DeleteItem.html, API_UpdateItem.html
//	Query, Scan                              API_Query.html, API_Scan.html
//	expressions                              developerguide/Expressions.*.html, developerguide/ReservedWords.html
//
// State is per account and region. Known differences from AWS: tables are
// ACTIVE as soon as CreateTable returns (its response still says CREATING);
// secondary indexes, streams, TTL, transactions, batch operations and the
// legacy parameters (Expected, AttributeUpdates, KeyConditions, ScanFilter,
// AttributesToGet) are not supported and are rejected; Query and Scan pages
// end after Options.PageSize items instead of after 1 MB; Scan returns items
// in key order rather than hash order; item size limits are not enforced;
// ReturnValuesOnConditionCheckFailure is ignored; a ProjectionExpression
// returns whole top-level attributes even for nested paths; capacity is
// never consumed or reported.

type ddbState struct{ tables map[string]*ddbTable }

type ddbTable struct {
	Name, ID, Status  string
	HashKey, RangeKey string // attribute names; RangeKey "" when absent
	AttrTypes         map[string]string
	Billing           string
	Throughput        doc
	Created           time.Time
	Tags              map[string]string
	items             map[string]doc // by keyID
}

func registerDynamoDB(s *Server) {
	s.register(&service{
		name: "dynamodb", protocol: ddbProtocol{jsonProtocol{version: "1.0"}}, unknownOp: "UnknownOperationException",
		throttle: *errorf("ThrottlingException", "Rate of requests exceeds the allowed throughput."),
		ops: map[string]handler{
			"CreateTable": ddbCreateTable, "DescribeTable": ddbDescribeTable, "DeleteTable": ddbDeleteTable, "ListTables": ddbListTables,
			"PutItem": ddbPutItem, "GetItem": ddbGetItem, "DeleteItem": ddbDeleteItem, "UpdateItem": ddbUpdateItem,
			"Query": ddbQuery, "Scan": ddbScan,
		},
	})
}

func ddbOf(c *call) *ddbState {
	return state(c.account, "dynamodb/"+c.region, func() *ddbState { return &ddbState{tables: map[string]*ddbTable{}} })
}

var ddbTableName = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

func ddbValidation(format string, args ...any) error {
	return errorf("ValidationException", format, args...)
}

// ddbTableFor finds the request's table or answers ResourceNotFoundException.
func ddbTableFor(c *call) (*ddbTable, error) {
	name := str(c.in, "TableName")
	if !ddbTableName.MatchString(name) {
		return nil, ddbValidation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
	}
	t, ok := ddbOf(c).tables[name]
	if !ok {
		return nil, errorf("ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
	}
	return t, nil
}

func ddbTableARN(c *call, name string) string {
	return "arn:aws:dynamodb:" + c.region + ":" + c.account.ID + ":table/" + name
}

func (t *ddbTable) keyNames() []string {
	if t.RangeKey == "" {
		return []string{t.HashKey}
	}
	return []string{t.HashKey, t.RangeKey}
}

func ddbCreateTable(c *call) (doc, error) {
	for _, unsupported := range []string{"GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"} {
		if has(c.in, unsupported) {
			return nil, ddbValidation("%s is not supported by the local endpoint", unsupported)
		}
	}
	name := str(c.in, "TableName")
	if !ddbTableName.MatchString(name) {
		return nil, ddbValidation("TableName must be at least 3 characters long and at most 255 characters long, and match [a-zA-Z0-9_.-]+")
	}
	t := &ddbTable{Name: name, Status: "ACTIVE", AttrTypes: map[string]string{}, Created: c.srv.now(),
		Tags: tagList(c.in, "Tags"), items: map[string]doc{}}
	for _, d := range list(c.in, "AttributeDefinitions") {
		typ := str(d, "AttributeType")
		if typ != "S" && typ != "N" && typ != "B" {
			return nil, ddbValidation("Member must satisfy enum value set: [B, N, S]")
		}
		t.AttrTypes[str(d, "AttributeName")] = typ
	}
	ks := list(c.in, "KeySchema")
	if len(ks) == 0 || len(ks) > 2 || str(ks[0], "KeyType") != "HASH" || (len(ks) == 2 && str(ks[1], "KeyType") != "RANGE") {
		return nil, ddbValidation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type, or the schema has more than two elements")
	}
	t.HashKey = str(ks[0], "AttributeName")
	if len(ks) == 2 {
		t.RangeKey = str(ks[1], "AttributeName")
	}
	for _, k := range t.keyNames() {
		if _, ok := t.AttrTypes[k]; !ok {
			return nil, ddbValidation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: %v", k, sortedKeys(t.AttrTypes))
		}
	}
	if len(t.AttrTypes) != len(t.keyNames()) {
		return nil, ddbValidation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	t.Billing = strOr(c.in, "BillingMode", "PROVISIONED")
	pt := obj(c.in, "ProvisionedThroughput")
	switch {
	case t.Billing == "PAY_PER_REQUEST" && pt != nil:
		return nil, ddbValidation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	case t.Billing == "PROVISIONED" && (intOr(pt, "ReadCapacityUnits", 0) < 1 || intOr(pt, "WriteCapacityUnits", 0) < 1):
		return nil, ddbValidation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	case t.Billing != "PROVISIONED" && t.Billing != "PAY_PER_REQUEST":
		return nil, ddbValidation("Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]")
	}
	t.Throughput = doc{"ReadCapacityUnits": intOr(pt, "ReadCapacityUnits", 0), "WriteCapacityUnits": intOr(pt, "WriteCapacityUnits", 0), "NumberOfDecreasesToday": 0}
	st := ddbOf(c)
	if _, ok := st.tables[name]; ok {
		return nil, errorf("ResourceInUseException", "Table already exists: %s", name)
	}
	t.ID = c.srv.uuid()
	st.tables[name] = t
	desc := t.describe(c)
	desc["TableStatus"] = "CREATING"
	return doc{"TableDescription": desc}, nil
}

func (t *ddbTable) describe(c *call) doc {
	var ks, ad []any
	for i, k := range t.keyNames() {
		ks = append(ks, doc{"AttributeName": k, "KeyType": []string{"HASH", "RANGE"}[i]})
	}
	for _, k := range sortedKeys(t.AttrTypes) {
		ad = append(ad, doc{"AttributeName": k, "AttributeType": t.AttrTypes[k]})
	}
	d := doc{"TableName": t.Name, "TableArn": ddbTableARN(c, t.Name), "TableId": t.ID, "TableStatus": t.Status,
		"KeySchema": ks, "AttributeDefinitions": ad, "CreationDateTime": t.Created,
		"ItemCount": len(t.items), "TableSizeBytes": 0, "ProvisionedThroughput": t.Throughput,
		"DeletionProtectionEnabled": false}
	if t.Billing == "PAY_PER_REQUEST" {
		d["BillingModeSummary"] = doc{"BillingMode": t.Billing, "LastUpdateToPayPerRequestDateTime": t.Created}
	}
	return d
}

func ddbDescribeTable(c *call) (doc, error) {
	t, err := ddbTableFor(c)
	if err != nil {
		return nil, err
	}
	return doc{"Table": t.describe(c)}, nil
}

func ddbDeleteTable(c *call) (doc, error) {
	t, err := ddbTableFor(c)
	if err != nil {
		return nil, err
	}
	delete(ddbOf(c).tables, t.Name)
	desc := t.describe(c)
	desc["TableStatus"] = "DELETING"
	return doc{"TableDescription": desc}, nil
}

// keyID validates a key (exactly the key attributes, of the declared types)
// and returns the canonical id of the item it addresses.
func (t *ddbTable) keyID(key doc, whole bool) (string, error) {
	mismatch := ddbValidation("The provided key element does not match the schema")
	if !whole && len(key) != len(t.keyNames()) {
		return "", mismatch
	}
	id := ""
	for _, k := range t.keyNames() {
		v, ok := key[k]
		if !ok {
			if whole {
				return "", ddbValidation("One or more parameter values were invalid: Missing the key %s in the item", k)
			}
			return "", mismatch
		}
		typ, p := avType(v)
		if typ != t.AttrTypes[k] {
			if whole {
				return "", ddbValidation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", k, t.AttrTypes[k], typ)
			}
			return "", mismatch
		}
		if err := validateAV(v); err != nil {
			return "", err
		}
		if p == "" {
			return "", ddbValidation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", k)
		}
		id += keyText(v) + "\x00"
	}
	return id, nil
}

// keyOf extracts an item's key attributes.
func (t *ddbTable) keyOf(item doc) doc {
	k := doc{}
	for _, n := range t.keyNames() {
		k[n] = item[n]
	}
	return k
}

// checkCondition evaluates a write's ConditionExpression against the
// current item (nil when absent, which reads as an empty item).
func checkCondition(env *exprEnv, in doc, current doc) error {
	if !has(in, "ConditionExpression") {
		return nil
	}
	cnd, err := parseCondition(env, "ConditionExpression", str(in, "ConditionExpression"))
	if err != nil {
		return err
	}
	if current == nil {
		current = doc{}
	}
	if !cnd(current) {
		return errorf("ConditionalCheckFailedException", "The conditional request failed")
	}
	return nil
}

// rejectLegacy refuses the pre-expression parameters the endpoint does not
// implement, rather than silently ignoring a caller's condition.
func rejectLegacy(in doc, names ...string) error {
	for _, n := range names {
		if has(in, n) {
			return ddbValidation("%s is a legacy parameter the local endpoint does not support; use expressions", n)
		}
	}
	return nil
}

func returnValues(in doc, allowed ...string) (string, error) {
	rv := strOr(in, "ReturnValues", "NONE")
	if !slices.Contains(append(allowed, "NONE"), rv) {
		return "", ddbValidation("ReturnValues can only be %v", append(allowed, "NONE"))
	}
	return rv, nil
}

// ddbWrite begins a conditional write (PutItem, DeleteItem, UpdateItem):
// it finds the table, refuses the legacy parameters the expression forms
// replaced (plus the operation's own), and reads the ReturnValues the
// operation allows.
func ddbWrite(c *call, legacy []string, returns ...string) (*ddbTable, string, error) {
	t, err := ddbTableFor(c)
	if err != nil {
		return nil, "", err
	}
	if err := rejectLegacy(c.in, append([]string{"Expected", "ConditionalOperator"}, legacy...)...); err != nil {
		return nil, "", err
	}
	rv, err := returnValues(c.in, returns...)
	if err != nil {
		return nil, "", err
	}
	return t, rv, nil
}

func ddbPutItem(c *call) (doc, error) {
	t, rv, err := ddbWrite(c, nil, "ALL_OLD")
	if err != nil {
		return nil, err
	}
	item := obj(c.in, "Item")
	id, err := t.keyID(item, true)
	if err != nil {
		return nil, err
	}
	for _, v := range item {
		if err := validateAV(v); err != nil {
			return nil, err
		}
	}
	old, err := conditionOnItem(c, t, id)
	if err != nil {
		return nil, err
	}
	t.items[id] = cloneItem(item)
	return allOld(rv, old), nil
}

// conditionOnItem checks the ConditionExpression of a put or a delete, whose
// only expression it is, against the item the write replaces, and returns
// that item (nil when there is none).
func conditionOnItem(c *call, t *ddbTable, id string) (doc, error) {
	env := newExprEnv(c.in)
	old := t.items[id]
	if err := checkCondition(env, c.in, old); err != nil {
		return nil, err
	}
	return old, env.checkUnused()
}

// allOld answers a put or a delete: the replaced item when ReturnValues asks
// for it.
func allOld(rv string, old doc) doc {
	if rv == "ALL_OLD" && old != nil {
		return doc{"Attributes": old}
	}
	return doc{}
}

func ddbGetItem(c *call) (doc, error) {
	t, err := ddbTableFor(c)
	if err != nil {
		return nil, err
	}
	if err := rejectLegacy(c.in, "AttributesToGet"); err != nil {
		return nil, err
	}
	id, err := t.keyID(obj(c.in, "Key"), false)
	if err != nil {
		return nil, err
	}
	env := newExprEnv(c.in)
	project, err := projection(env, c.in)
	if err != nil {
		return nil, err
	}
	if err := env.checkUnused(); err != nil {
		return nil, err
	}
	item, ok := t.items[id]
	if !ok {
		return doc{}, nil
	}
	return doc{"Item": project(item)}, nil
}

func ddbDeleteItem(c *call) (doc, error) {
	t, rv, err := ddbWrite(c, nil, "ALL_OLD")
	if err != nil {
		return nil, err
	}
	id, err := t.keyID(obj(c.in, "Key"), false)
	if err != nil {
		return nil, err
	}
	old, err := conditionOnItem(c, t, id)
	if err != nil {
		return nil, err
	}
	delete(t.items, id)
	return allOld(rv, old), nil
}

func ddbUpdateItem(c *call) (doc, error) {
	t, rv, err := ddbWrite(c, []string{"AttributeUpdates"}, "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
	if err != nil {
		return nil, err
	}
	key := obj(c.in, "Key")
	id, err := t.keyID(key, false)
	if err != nil {
		return nil, err
	}
	env := newExprEnv(c.in)
	var actions []updateAction
	if has(c.in, "UpdateExpression") {
		if actions, err = parseUpdate(env, str(c.in, "UpdateExpression"), t.keyNames()); err != nil {
			return nil, err
		}
	}
	old := t.items[id]
	if err := checkCondition(env, c.in, old); err != nil {
		return nil, err
	}
	if err := env.checkUnused(); err != nil {
		return nil, err
	}
	base := old
	if base == nil {
		base = cloneItem(key)
	}
	next := cloneItem(base)
	for _, a := range actions {
		if err := a.apply(base, next); err != nil {
			return nil, err
		}
	}
	t.items[id] = next
	return updateResult(rv, actions, old, next), nil
}

// updateResult renders UpdateItem's ReturnValues: UPDATED_* return only the
// top-level attributes an action touched.
func updateResult(rv string, actions []updateAction, old, next doc) doc {
	pick := func(item doc, all bool) doc {
		if all {
			return item
		}
		out := doc{}
		for _, a := range actions {
			if v, ok := item[a.path[0].name]; ok {
				out[a.path[0].name] = v
			}
		}
		return out
	}
	var attrs doc
	switch rv {
	case "ALL_OLD", "UPDATED_OLD":
		if old != nil {
			attrs = pick(old, rv == "ALL_OLD")
		}
	case "ALL_NEW", "UPDATED_NEW":
		attrs = pick(next, rv == "ALL_NEW")
	}
	if len(attrs) == 0 {
		return doc{}
	}
	return doc{"Attributes": attrs}
}

func cloneItem(d doc) doc { return cloneAV(d).(map[string]any) }

// cloneAV deep-copies a value so stored items never alias request bodies
// or each other.
func cloneAV(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneAV(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneAV(e)
		}
		return out
	}
	return v
}

// projection compiles ProjectionExpression into a function that keeps only
// the named top-level attributes.
func projection(env *exprEnv, in doc) (func(doc) doc, error) {
	if !has(in, "ProjectionExpression") {
		return func(d doc) doc { return d }, nil
	}
	paths, err := parseProjection(env, str(in, "ProjectionExpression"))
	if err != nil {
		return nil, err
	}
	return func(d doc) doc {
		out := doc{}
		for _, p := range paths {
			if v, ok := d[p[0].name]; ok {
				out[p[0].name] = v
			}
		}
		return out
	}, nil
}

// ddbProtocol is JSON 1.0 plus the X-Amz-Crc32 header DynamoDB puts on every
// response; the SDK checks the body against it and warns when it is absent.
type ddbProtocol struct{ jsonProtocol }

func (p ddbProtocol) encode(w http.ResponseWriter, c *call, out doc) {
	rec := httptest.NewRecorder()
	p.jsonProtocol.encode(rec, c, out)
	writeWithCRC32(w, rec)
}

func (p ddbProtocol) encodeError(w http.ResponseWriter, c *call, e *APIError) {
	rec := httptest.NewRecorder()
	p.jsonProtocol.encodeError(rec, c, e)
	writeWithCRC32(w, rec)
}

func writeWithCRC32(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// ddbListTables lists the table names in order, a page at a time: a page
// ends after Limit names (at most 100, and Options.PageSize here), and
// LastEvaluatedTableName, when more follow, is where the next one starts.
func ddbListTables(c *call) (doc, error) {
	limit := intOr(c.in, "Limit", 100)
	if limit < 1 || limit > 100 {
		return nil, ddbValidation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", limit)
	}
	after := str(c.in, "ExclusiveStartTableName")
	if has(c.in, "ExclusiveStartTableName") && !ddbTableName.MatchString(after) {
		return nil, ddbValidation("1 validation error detected: Value '%s' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", after)
	}
	limit = min(limit, c.srv.opts.PageSize)
	names := []any{}
	out := doc{}
	for _, name := range sortedKeys(ddbOf(c).tables) {
		if name <= after {
			continue
		}
		if len(names) == limit {
			out["LastEvaluatedTableName"] = names[len(names)-1]
			break
		}
		names = append(names, name)
	}
	out["TableNames"] = names
	return out, nil
}
