// Package eventpattern compiles Amazon EventBridge event patterns and decides
// whether an event matches one, the way an EventBridge rule does.
//
// landfall uses it in two places: the local AWS endpoint routes PutEvents and
// service events to rule targets with it, and tests check that the rule
// patterns in the synthesized CloudFormation template match real sample events
// and reject near-misses. Both uses need the matcher to be honest, so where the
// exact AWS behaviour is uncertain the package errs towards not matching and
// towards rejecting the pattern.
//
// # Sources followed
//
//   - EventBridge User Guide, "Amazon EventBridge event patterns"
//     (eb-event-patterns), including "Matching null values and empty strings"
//     and "Arrays in Amazon EventBridge event patterns".
//   - EventBridge User Guide, "Content filtering in Amazon EventBridge event
//     patterns" (eb-event-patterns-content-based-filtering) and the summary
//     "Comparison operators for use in event patterns" (eb-create-pattern-operators).
//   - For details the guide leaves open (validation messages, number ranges,
//     wildcard escaping, array consistency, $or expansion): aws/event-ruler,
//     the open-source matcher EventBridge is built on (README.md,
//     JsonRuleCompiler.java, ComparableNumber.java, Range.java, ByteMachine.java).
//
// # Supported syntax
//
// A pattern is a JSON object. Each field is either a nested object (matched
// against the event's object at that path) or a non-empty array of
// alternatives (the field matches if any alternative matches any value at
// that path). All fields must match. A key that appears twice replaces the
// earlier one, as the guide says.
//
// Alternatives in an array:
//
//   - "s", 12, true, false, null: exact match. Strings compare byte for byte.
//     Numbers match if their JSON text is identical or, when both lie in
//     [-5e9, 5e9] with at most six decimals, if they are numerically equal
//     (so 300 matches 3.0e2).
//   - {"prefix": "s"}, {"prefix": {"equals-ignore-case": "s"}}
//   - {"suffix": "s"}, {"suffix": {"equals-ignore-case": "s"}}
//   - {"equals-ignore-case": "s"}
//   - {"wildcard": "a*b"}: "*" matches any run of characters; "\*" is a literal
//     star and "\\" a literal backslash; any other escape and "**" are errors.
//   - {"anything-but": "s" | 12 | ["s", ...] | [1, ...]}: lists hold only
//     strings or only numbers.
//   - {"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": "s" | ["s", ...]}}
//   - {"numeric": ["=", n]}, {"numeric": [">" | ">=", n]}, {"numeric": ["<" | "<=", n]},
//     {"numeric": [">" | ">=", low, "<" | "<=", high]}: n in [-5e9, 5e9], at
//     most six decimals.
//   - {"cidr": "10.0.0.0/24"}: IPv4 or IPv6.
//   - {"exists": true | false}: exists only looks at leaf values, so a field
//     whose value is an object, or an empty array, counts as absent.
//
// "$or": [{...}, {...}, ...] (at least two objects) at any level means one of
// the objects must match, in addition to the sibling fields. Operator names
// may not be used as field names inside "$or". Like EventBridge, the pattern
// is expanded into one branch per $or combination; more than 1000 branches
// is rejected.
//
// Prefix, suffix, equals-ignore-case, wildcard and cidr only match strings;
// numeric only matches numbers. anything-but matches every leaf value except
// the excluded ones, including values of other types (anything-but "x"
// matches 5 and null), as event-ruler does.
//
// When the event holds an array, each element is a candidate value, and
// nested arrays are flattened. Fields of one pattern object must all be found
// in the same array element ("array-consistent" matching).
//
// # Known differences from AWS
//
//   - Numbers: event numbers with more than six decimals or outside
//     [-5e9, 5e9] only match by identical JSON text, as in event-ruler.
//     MatchValue with float64 numbers cannot know the original text, so it
//     uses Go's shortest decimal form.
//   - Case folding uses Go's simple per-rune Unicode case mapping; Java's
//     multi-character mappings (such as "ß" to "SS") are not applied.
//   - Exact string values that are IP addresses are compared as text;
//     event-ruler compares them as addresses (so "::1" would match
//     "0:0:0:0:0:0:0:1" in AWS but not here).
//   - Keys containing dots are kept as one key; event-ruler joins path
//     segments with dots, so {"a.b": [1]} also matches {"a": {"b": 1}} there.
//   - exists:false is decided over the whole event path, not per array
//     element; this errs towards not matching.
//   - An empty list inside anything-but's prefix, suffix, wildcard or
//     equals-ignore-case is rejected here; AWS's behaviour is undocumented.
//   - The {"equals": "s"} operator of event-ruler is not documented by AWS
//     and is rejected.
//   - The limit of 1000 $or branches is landfall's own guard; AWS documents
//     no number for it.
//   - Pattern size limits (the 2048-character rule pattern quota) are not
//     enforced; that belongs to the API layer.
package eventpattern
