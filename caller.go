package partnergraph

import (
	"context"
	"sync/atomic"
	"time"
)

// Access is what a caller may do. Each level includes the ones before it.
type Access string

// Access levels.
const (
	AccessAnonymous Access = "ANONYMOUS" // published content only
	AccessAnalyst   Access = "ANALYST"   // all reads, drafts included
	AccessEditor    Access = "EDITOR"    // plus mutations
	AccessAdmin     Access = "ADMIN"     // plus destructive bulk operations
)

var accessRank = map[Access]int{AccessAnonymous: 0, AccessAnalyst: 1, AccessEditor: 2, AccessAdmin: 3}

// Includes reports whether a covers b.
func (a Access) Includes(b Access) bool { return accessRank[a] >= accessRank[b] }

// Caller is who sent a request.
type Caller struct {
	Access  Access
	Subject string    // key name or token subject, for logs
	Expires time.Time // when its token expires (zero: never); ends its subscriptions
}

// Viewer returns what the caller may see.
func (c Caller) Viewer() Viewer { return Viewer{Drafts: c.Access.Includes(AccessAnalyst)} }

type callerKey struct{}

// NewContextWithCaller returns ctx carrying the caller.
func NewContextWithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFromContext returns the caller of ctx, anonymous if none was set.
func CallerFromContext(ctx context.Context) Caller {
	if c, ok := ctx.Value(callerKey{}).(Caller); ok {
		return c
	}
	return Caller{Access: AccessAnonymous}
}

type roundTripKey struct{}

// NewContextWithRoundTripCounter returns ctx carrying a counter of the database statements
// run on its behalf: the store adds one per statement. Tests and the benchmark harness use it
// to prove the round trips of a request do not grow with the size of its lists.
func NewContextWithRoundTripCounter(ctx context.Context) (context.Context, *atomic.Int64) {
	c := new(atomic.Int64)
	return context.WithValue(ctx, roundTripKey{}, c), c
}

// RoundTripCounterFrom returns the counter of ctx, or nil.
func RoundTripCounterFrom(ctx context.Context) *atomic.Int64 {
	c, _ := ctx.Value(roundTripKey{}).(*atomic.Int64)
	return c
}
