// Package pipeline is the logic of the BaselineAccount and Sweep state
// machines' steps: describe the account and choose a profile, wait until the
// account can be entered, apply a scope of the baseline, record the outcome
// in the ledger and tell operations, and find the accounts a sweep must
// visit. The Lambdas in functions/ only decode their input and call it.
package pipeline
