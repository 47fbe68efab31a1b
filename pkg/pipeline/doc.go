// Package pipeline is the logic of the BaselineAccount and Sweep state
// machines' steps: describe the account and choose a profile, wait until the
// account can be entered, apply a scope of the baseline, record the outcome
// in the ledger and tell operations, and find the accounts a sweep must
// visit. The Lambdas in functions/ only build Deps and call it. The central
// alert fan-in is package formatter.
package pipeline
