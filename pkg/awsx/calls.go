package awsx

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
)

// Calls counts API calls by "service:Operation", so a run can report what
// it did and tests can assert that a re-apply wrote nothing.
type Calls struct {
	mu     sync.Mutex
	counts map[string]int
}

// Count returns a copy of cfg that records every call it makes in c.
func (c *Calls) Count(cfg aws.Config) aws.Config {
	out := cfg.Copy()
	out.APIOptions = append(append([]func(*middleware.Stack) error(nil), cfg.APIOptions...), func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("landfallCountCalls",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				c.add(middleware.GetServiceID(ctx) + ":" + middleware.GetOperationName(ctx))
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
	return out
}

func (c *Calls) add(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]int{}
	}
	c.counts[key]++
}

// Snapshot returns the counts so far.
func (c *Calls) Snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.counts))
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

// Totals splits the counts into reads and writes by AWS's verb convention.
func (c *Calls) Totals() (reads, writes int) {
	for k, n := range c.Snapshot() {
		if IsRead(k[strings.Index(k, ":")+1:]) {
			reads += n
		} else {
			writes += n
		}
	}
	return reads, writes
}

// IsRead reports whether an operation only reads, by the verbs AWS uses for
// read-only operations. AssumeRole and GetCallerIdentity change nothing
// either.
func IsRead(op string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Head", "Lookup", "Search", "Check", "Simulate", "BatchGet", "Query", "Scan", "Filter", "Test", "AssumeRole"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}
