// Package filterpattern evaluates CloudWatch Logs filter patterns, the
// language of metric filters and subscription filters, so that landfall's
// local AWS endpoint can turn PutLogEvents into metric values and the alarm
// catalogue can be tested against sample CloudTrail records.
//
// Usage:
//
//	p, err := filterpattern.Parse(`{ $.eventName = "StopLogging" }`)
//	if err != nil { ... }           // *SyntaxError with the byte offset
//	if v, ok := p.MetricValue(msg, "1"); ok { publish(v) }
//
// # Supported syntax
//
// Term patterns (unstructured events): ERROR, "exact phrase", several terms
// (all must appear), ?a ?b (any must appear), -term and -"phrase" (must not
// appear). Terms are case-sensitive substrings, as in the User Guide's
// example where ERROR matches "ERRORCODE". Unquoted terms are letters, digits
// and '_'; anything else must be quoted. The empty pattern matches every
// event.
//
// JSON patterns: { SELECTOR OP VALUE } with =, !=, <, <=, >, >=; selectors
// $.a.b, $.a[0].b and $.a[0][1]; values quoted ("x y") or unquoted
// (letters, digits and _-.+*); a leading and/or trailing '*' is a wildcard
// ("*Event", "Event*", "*vent*", and * alone for any value) while an interior
// '*' is literal; numbers with sign, decimals and exponents; EXISTS,
// NOT EXISTS, IS NULL, IS TRUE, IS FALSE; &&, || and parentheses with the
// precedence () > && > ||.
//
// Space-delimited patterns: [ip, user, ..., status_code = 4* && status_code
// != 403, bytes > 1000]. Message fields are separated by spaces, and text in
// "..." or [...] is one field. "..." (or "…") matches any number of fields,
// an empty slot (a trailing comma) matches one anonymous field, and a slot's
// conditions are joined by && and ||.
//
// Metric values: a metricValue is a number, or "$.selector" for JSON
// patterns, or "$name" / "$N" (1-based field position) for space-delimited
// patterns.
//
// # Semantics worth knowing
//
//   - A selector that resolves to nothing, to an object, to an array or to
//     null matches neither = nor !=. The User Guide states this for arrays;
//     for missing fields it is observed behaviour (DataBiosphere/azul#5884:
//     `$.userIdentity.invokedBy != "x"` does not match records without
//     invokedBy). Use NOT EXISTS to test for absence.
//   - An unquoted number compares numerically with a JSON number or a numeric
//     string (so `$.recipientAccountId = 123456789012` matches the string
//     CloudTrail writes); numbers inside JSON strings may not use exponents.
//     Ordering operators need a number on both sides.
//   - JSON patterns match only events that are exactly one JSON object.
//
// # Sources
//
// Amazon CloudWatch Logs User Guide, "Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail" and its
// sub-pages on unstructured, JSON and space-delimited events (including the
// older "Filter and Pattern Syntax" page, awsdocs/amazon-cloudwatch-logs-user-guide
// doc_source/FilterAndPatternSyntax.md). Test cases name the section they
// come from.
//
// # Known differences from CloudWatch Logs
//
//   - Regular expressions (%...%) are rejected with a SyntaxError rather than
//     evaluated.
//   - Mixing ?-alternatives with required terms ("ERROR ?WARN") is rejected:
//     the documentation does not define it.
//   - Selector wildcards ($.a[*], $.*) and the "=!" form of the older
//     documentation are not supported.
//   - In a space-delimited slot every condition must test that slot's own
//     field.
//   - Error messages and offsets are landfall's own; CloudWatch's
//     InvalidParameterException text differs.
package filterpattern
