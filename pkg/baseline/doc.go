// Package baseline computes an account's desired security baseline from the
// config, reads what exists, plans the difference, and applies exactly that.
//
// Each item of the baseline is declared in its own file (an Item: its name,
// scope, switch, the items it needs and why, and its reconciler), laid out
// in the same order: the declaration, the desired values, Plan (read and
// diff, no writes), the apply closures it puts in the plan, finders, and
// mappers. catalogue.go lists the items once, in apply order, and NewEngine
// refuses a list it could not run as declared. Reconciliation is
// level-based: the same Plan runs for a new account, a re-run and a drift
// check, and a second apply of an applied baseline makes no write calls.
//
// Everything landfall creates carries the tags landfall:managed=true and
// landfall:version=<baseline version> (or, where a resource cannot be
// tagged, a landfall name). A resource with landfall's name that is not
// landfall's is reported as a conflict and left alone unless the profile
// says adopt.
package baseline
