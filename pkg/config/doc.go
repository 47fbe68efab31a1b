// Package config loads, defaults, validates and queries landfall's one
// configuration file (infra/landfall.yaml), which describes an organization's
// landing zone: organization settings, naming, notifications, pipeline tuning
// and the baseline profiles applied to member accounts.
//
// Loading is strict on purpose: the file drives changes to every account in an
// organization, so a typo must stop the pipeline instead of silently falling
// back to a default. Every problem is reported as a *FieldError naming the file,
// line and field and saying what is allowed, and all problems are reported at
// once (as Errors, sorted by line) so an operator fixes the file in one pass.
//
// Defaults are applied per key: a key that is absent takes the documented
// default, a key that is present (even false or empty) is taken as written.
// The defaults are what a security reviewer would accept (CIS AWS Foundations
// password policy, one year of log retention, GuardDuty every fifteen minutes,
// budget alerts at 80 % and 100 % actual and 100 % forecast spend).
//
// SelectProfile decides which profile baselines a given account; its
// precedence rules are documented on the method.
package config

// The JSON Schema infra/landfall.schema.json is generated from these types and
// their doc comments by schema_test.go; regenerate it after changing a type.
//go:generate go test -run TestSchemaIsCurrent -update .
