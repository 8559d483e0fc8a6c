package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/sync/semaphore"
)

// admission decides when a validated operation may run. Operations go in one of two lanes by
// their cost: up to heavyCost the light lane, above it the heavy lane, each with its own slots
// and its own queue. A queue of heavy documents (the nested lists analysts send, each holding
// tens of megabytes in Neo4j's transaction memory) therefore never holds up a page read, and
// the few heavy slots keep the database's transaction memory from running out under load. An
// operation that cannot start before its deadline is answered SERVICE_BUSY, 503 with
// Retry-After: busy is not down.
type admission struct {
	light, heavy *semaphore.Weighted
	heavyCost    int
	metrics      *Metrics
}

func newAdmission(l Limits, m *Metrics) *admission {
	return &admission{light: semaphore.NewWeighted(int64(l.MaxInFlight)),
		heavy: semaphore.NewWeighted(int64(l.MaxHeavyInFlight)), heavyCost: l.HeavyCost, metrics: m}
}

// admit waits for a slot in the operation's lane; release frees it and is safe to call twice.
func (a *admission) admit(ctx context.Context, cost int) (release func(), ok bool) {
	lane := a.light
	if cost > a.heavyCost {
		lane = a.heavy
	}
	if err := lane.Acquire(ctx, 1); err != nil {
		a.metrics.refusedBusy()
		return nil, false
	}
	var once sync.Once
	return func() { once.Do(func() { lane.Release(1) }) }, true
}

// busyResponse answers an operation that found no slot before its deadline.
func busyResponse(ctx context.Context) graphql.ResponseHandler {
	if info := requestInfoFrom(ctx); info != nil {
		info.status, info.retryAfter = http.StatusServiceUnavailable, time.Second
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
		Message:    "the server is busy; try again shortly",
		Extensions: map[string]any{"code": "SERVICE_BUSY"},
	}}})
}
