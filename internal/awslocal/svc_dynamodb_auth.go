package awslocal

import (
	"sort"
	"strings"
)

// ddbRequestContext adds DynamoDB's condition keys for fine-grained access
// control ("Using IAM policy conditions for fine-grained access control",
// developerguide/specifying-conditions.html) to an item request's context:
//
//	dynamodb:LeadingKeys    the partition key values the request addresses: a
//	                        put's item, a get's, update's or delete's key, a
//	                        Query's key condition (absent for Scan)
//	dynamodb:Attributes     the attribute names the request writes, reads or
//	                        evaluates: the item's or key's, and every top-level
//	                        name in its expressions
//	dynamodb:ReturnValues   a write's ReturnValues, NONE unless given
//	dynamodb:Select         a Query's or Scan's Select, SPECIFIC_ATTRIBUTES
//	                        with a ProjectionExpression, else ALL_ATTRIBUTES
//	dynamodb:ReturnConsumedCapacity  NONE unless given
//
// The page leaves open which names a read without a projection reports; the
// endpoint takes the stricter reading and always reports the key's. A request whose
// expressions do not parse gets the names read so far: its handler refuses it.
func ddbRequestContext(c *call, ctx map[string][]string) {
	t, err := ddbTableFor(c)
	if err != nil {
		return
	}
	in := c.in
	env := newExprEnv(in)
	var partition any
	switch c.op {
	case "PutItem":
		item := obj(in, "Item")
		partition = item[t.HashKey]
		for name := range item {
			env.attributes[name] = true
		}
	case "GetItem", "DeleteItem", "UpdateItem":
		key := obj(in, "Key")
		partition = key[t.HashKey]
		for name := range key {
			env.attributes[name] = true
		}
	case "Query", "Scan":
	default:
		return
	}
	if text := str(in, "KeyConditionExpression"); text != "" {
		_, _ = parseKeyCondition(env, text, t)
		partition = env.partition
	}
	for _, kind := range []string{"ConditionExpression", "FilterExpression"} {
		if text := str(in, kind); text != "" {
			_, _ = parseCondition(env, kind, text)
		}
	}
	if text := str(in, "UpdateExpression"); text != "" {
		_, _ = parseUpdate(env, text, t.keyNames())
	}
	if text := str(in, "ProjectionExpression"); text != "" {
		_, _ = parseProjection(env, text)
	}

	if partition != nil {
		_, p := avType(partition)
		s, _ := p.(string)
		ctx["dynamodb:LeadingKeys"] = []string{s}
	}
	if len(env.attributes) > 0 {
		names := make([]string, 0, len(env.attributes))
		for name := range env.attributes {
			names = append(names, name)
		}
		sort.Strings(names)
		ctx["dynamodb:Attributes"] = names
	}
	switch c.op {
	case "PutItem", "UpdateItem", "DeleteItem":
		ctx["dynamodb:ReturnValues"] = []string{strOr(in, "ReturnValues", "NONE")}
	case "Query", "Scan":
		def := "ALL_ATTRIBUTES"
		if strings.TrimSpace(str(in, "ProjectionExpression")) != "" {
			def = "SPECIFIC_ATTRIBUTES"
		}
		ctx["dynamodb:Select"] = []string{strOr(in, "Select", def)}
	}
	ctx["dynamodb:ReturnConsumedCapacity"] = []string{strOr(in, "ReturnConsumedCapacity", "NONE")}
}
