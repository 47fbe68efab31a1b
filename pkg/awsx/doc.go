// Package awsx is landfall's one way into AWS: it loads SDK configuration
// from the standard chain (profiles, environment, AWS_ENDPOINT_URL, IMDS),
// sets the adaptive, throttling-aware retryer, assumes roles into member
// accounts, classifies errors by code, retries named eventual-consistency
// errors within a bounded time, fans work out over regions with a bound, and
// counts API calls per operation.
package awsx
