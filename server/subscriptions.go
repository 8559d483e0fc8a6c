package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/loader"
)

// Subscriptions (the change feed) come over WebSocket, in the graphql-transport-ws protocol of
// graphql-ws, Apollo Client and urql, and over HTTP as Server-Sent Events in graphql-sse's
// distinct-connections mode. They live long: they skip the request deadline, the response
// cache and the admission lanes, and are bounded instead by Limits.MaxSubscriptions and
// MaxSubscriptionsPerClient. Their documents pass the same gate as every other (trusted
// documents, the budget, the cost limit).

// streaming reports whether r opens a subscription transport.
func streaming(r *http.Request) bool {
	return r.Header.Get("Upgrade") != "" || r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// keepAlive is how often an idle subscription connection is pinged.
const keepAlive = 15 * time.Second

// websocketTransport accepts WebSocket connections from the server's own origin and from the
// origins allowed for CORS; the caller authenticates with the Authorization header of the
// upgrade or, as browsers cannot set it, with an "Authorization" (or "authorization") field of
// the connection_init payload.
func websocketTransport(o Options) transport.Websocket {
	var patterns []string
	for _, origin := range o.AllowedOrigins {
		if origin == "*" {
			patterns = append(patterns, "*")
		} else if u, err := url.Parse(origin); err == nil && u.Host != "" {
			patterns = append(patterns, u.Host)
		}
	}
	return transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{OriginPatterns: patterns}},
		KeepAlivePingInterval: keepAlive,
		InitTimeout:           10 * time.Second,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			h := p.Authorization()
			if h == "" {
				h, _ = p["authorization"].(string)
			}
			if h == "" {
				return ctx, nil, nil // the upgrade's own header, if any, was read already
			}
			r := &http.Request{Header: http.Header{"Authorization": {h}}}
			caller, err := o.Auth.Authenticate(r)
			if err != nil {
				return ctx, nil, err
			}
			ctx = pg.NewContextWithCaller(ctx, caller)
			return loader.NewContext(ctx, newLoaders(o, caller)), nil, nil
		},
	}
}

// subscriptionCaps counts open subscriptions, in all and per client.
type subscriptionCaps struct {
	mu                  sync.Mutex
	open                map[string]int
	total               int
	maxTotal, perClient int
}

func newSubscriptionCaps(l Limits) *subscriptionCaps {
	return &subscriptionCaps{open: map[string]int{}, maxTotal: l.MaxSubscriptions, perClient: l.MaxSubscriptionsPerClient}
}

// acquire takes a place for client, or says why there is none.
func (c *subscriptionCaps) acquire(client string) (func(), *gqlerror.Error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.open[client] >= c.perClient:
		return nil, &gqlerror.Error{Message: "too many subscriptions open for this client; close one first",
			Extensions: map[string]any{"code": "SERVICE_BUSY"}}
	case c.total >= c.maxTotal:
		return nil, &gqlerror.Error{Message: "the server holds as many subscriptions as it can; try again later",
			Extensions: map[string]any{"code": "SERVICE_BUSY"}}
	}
	c.open[client]++
	c.total++
	return sync.OnceFunc(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.total--
		if c.open[client]--; c.open[client] == 0 {
			delete(c.open, client)
		}
	}), nil
}

// aroundSubscription admits a subscription under the caps and releases its place when it ends.
func (c *subscriptionCaps) aroundSubscription(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	// The caller may have signed in with the WebSocket's connection_init, after the upgrade.
	client := pg.CallerFromContext(ctx).Subject
	if info := requestInfoFrom(ctx); client == "" && info != nil {
		client = info.client
	}
	release, refused := c.acquire(client)
	if refused != nil {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{refused}})
	}
	respond := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		res := respond(ctx)
		if res == nil {
			release()
		}
		return res
	}
}

// streamedOperation runs a query or mutation that came over a subscription transport, which
// has no request deadline, under the request deadline and with loaders of its own; next is
// the operation middleware again (admission included), which now sees the deadline.
func streamedOperation(ctx context.Context, o Options, next graphql.OperationHandler) graphql.ResponseHandler {
	deadline := time.Now().Add(o.Limits.Timeout)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	ctx = loader.NewContext(ctx, newLoaders(o, pg.CallerFromContext(ctx)))
	respond := next(ctx)
	return func(c context.Context) *graphql.Response {
		defer cancel()
		c, stop := context.WithDeadline(c, deadline)
		defer stop()
		return respond(loader.NewContext(c, loader.FromContext(ctx)))
	}
}
