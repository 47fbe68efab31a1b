// Package ledger records landfall's baseline status per account in a
// DynamoDB table keyed by account id: the baseline version and profile, the
// last run's status, duration and counts, drift, open findings and the last
// error. It also serialises runs: a conditional lock on the account's row
// makes a second concurrent trigger for the same account a no-op. The same
// table holds alert delivery receipts: the formatter's proof that an
// alarm's notification reached the central fan-in, and the entry role's
// trust policy of each account as it was before landfall first tightened it.
package ledger
