// Package bench measures landfall's speed, API cost and scale against the
// local AWS endpoint under a latency and throttling model (awslocal.Model),
// and reports each figure as a table and as JSON.
//
// Figures: one account across the governed regions (wall time, the sum of
// call latencies and the critical path); API calls per account and item,
// first apply and re-apply; an organization-wide sweep at several account
// concurrencies; Lambda binary sizes and start-up times; cdk synth time; and
// the endpoint's own throughput, which bounds what the harness can measure.
//
// Simulated time: the model runs Scale times faster than AWS would, and
// every duration the harness measures in real time is divided by Scale
// before it is reported, so figures read as seconds against AWS.
package bench
