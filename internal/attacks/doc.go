// Package attacks is landfall's threat model as tests: each test plays an
// attacker against the roles and policies landfall deploys, through the
// real SDK on the local endpoint with every request decided as IAM decides
// it, and is named after the attack it proves closed. The package has no
// code of its own; the README's "Security model" section says, role by
// role, what these tests hold landfall to.
package attacks
