// Package server is the HTTP face of partnergraph: the GraphQL endpoint, the GraphiQL
// playground, health and readiness probes, and the per-request middleware (request ids, access
// logs, callers from API keys, dataloaders). It receives plain values from cmd and never reads
// configuration or imports the Neo4j driver.
package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/sync/semaphore"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/compile"
	"github.com/unicri/partnergraph/graph"
	"github.com/unicri/partnergraph/loader"
	"github.com/unicri/partnergraph/resolvers"
)

// Services are the domain services the API serves.
type Services struct {
	Content pg.ContentService
	Network pg.NetworkService
	Search  pg.SearchService
	Stats   pg.StatsService
	// Reads, if set, answers whole root fields in one statement each (package compile); the
	// root fields it cannot compile go to the resolvers.
	Reads pg.ReadService
	// Analytics, if set, serves the network analytics (package analytics).
	Analytics pg.AnalyticsService
	// Feed, if set, serves the change feed and its subscriptions (package feed).
	Feed pg.FeedService
	// Webhooks, if set, lets admins manage webhooks (package webhook delivers).
	Webhooks pg.WebhookService
}

// Health tells the probes and the GraphQL gate whether the database can serve.
type Health interface {
	// Ready returns nil when the database answers and is migrated, or the reason it is not.
	Ready(ctx context.Context) error
	// Migrated reports whether migrations have been applied since the process started.
	Migrated() bool
}

// APIKey is a credential: a name for logs, the SHA-256 of the secret, and its access.
type APIKey struct {
	Name   string
	SHA256 [32]byte
	Access pg.Access
}

// Options configure the handler.
type Options struct {
	Logger   *slog.Logger
	Services Services
	Health   Health
	APIKeys  []APIKey
	// MaxBodyBytes caps request bodies (default 1 MiB).
	MaxBodyBytes int64
	// LoaderWait is how long a dataloader collects keys before it fetches (default 5ms).
	LoaderWait time.Duration
	// Cache, if set, answers repeated read-only requests from memory (see Cache).
	Cache *Cache
	// ExposeRoundTrips adds extensions.cypherRoundTrips to every response: the statements the
	// request sent to Neo4j. For tests and the benchmark harness.
	ExposeRoundTrips bool
	// Auth finds callers from their credentials; nil accepts APIKeys only.
	Auth *Authenticator
	// Limits bound each request; zero fields take DefaultLimits.
	Limits Limits
	// Metrics, if set, are recorded; MetricsOnAPI serves them at /metrics of this handler,
	// behind MetricsToken when it is set (cmd serves them on a listener of their own otherwise).
	Metrics      *Metrics
	MetricsOnAPI bool
	MetricsToken string
	// Tracing, if set, records OpenTelemetry spans.
	Tracing *Tracing
	// Web, if set, answers the requests no other route takes: the explorer, the dashboard and
	// their assets (package web, mounted by cmd).
	Web http.Handler
	// AllowedOrigins are the browser origins allowed besides the server's own (CORS in cmd):
	// WebSocket upgrades from any other origin are refused.
	AllowedOrigins []string
}

// New returns the HTTP handler of the API.
func New(o Options) http.Handler {
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	o.Limits = o.Limits.withDefaults()
	if o.Auth == nil {
		o.Auth, _ = NewAuthenticator(o.APIKeys, JWTOptions{}) // API keys alone cannot fail
	}
	mux := http.NewServeMux()
	gql := newGraphQL(o)
	mux.Handle("/graphql", gql)
	registerExport(mux, o)
	if o.Metrics != nil {
		if o.MetricsOnAPI {
			mux.Handle("GET /metrics", o.Metrics.Protected(o.MetricsToken))
		}
		if o.Cache != nil {
			o.Metrics.Register(cacheCollector(o.Cache))
		}
	}
	mux.Handle("GET /{$}", graphiql())
	mux.Handle("/", cmp.Or(o.Web, http.NotFoundHandler()))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		if err := o.Health.Ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`{"status":"unavailable","reason":` + quote(pg.ErrorMessage(err)) + "}\n"))
			return
		}
		_, _ = w.Write([]byte(`{"status":"ready"}` + "\n"))
	})
	return o.Tracing.handler(requestID(accessLog(o.Logger, mux)))
}

func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// newGraphQL builds the gqlgen server: JSON POST and GET (queries only) transports, errors
// mapped by the presenter, and the middleware that puts the caller and loaders in the context.
func newGraphQL(o Options) http.Handler {
	cfg := graph.Config{Resolvers: &resolvers.Resolver{
		ContentService: o.Services.Content, NetworkService: o.Services.Network,
		SearchService: o.Services.Search, StatsService: o.Services.Stats, AnalyticsService: o.Services.Analytics,
		FeedService: o.Services.Feed, WebhookService: o.Services.Webhooks,
	}}
	cfg.Directives.HasRole = resolvers.HasRole
	es := costSchema{graph.NewExecutableSchema(cfg)}
	srv := handler.New(es)
	srv.AddTransport(websocketTransport(o))                           // subscriptions.go
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: keepAlive}) // before POST: it takes POSTs that accept text/event-stream
	srv.AddTransport(graphQLOverHTTP{maxBodyBytes: o.MaxBodyBytes})   // GraphQL over HTTP: JSON POST, GET for queries
	valid := newQueryCache(1000)
	warmTrusted(es, valid, o.Limits.Trusted)
	srv.SetQueryCache(valid)
	srv.SetValidationRulesFn(func() *rules.Rules {
		o.Metrics.validated() // gqlgen asks for the rules once per document it validates
		return rules.NewDefaultRules()
	})
	srv.SetParserTokenLimit(o.Limits.MaxTokens)
	srv.SetDisableSuggestion(o.Limits.DisableHints)
	srv.Use(extension.Introspection{})
	srv.Use(guard{es: es, limits: o.Limits, docs: newDocuments(o.Limits, valid),
		clients: newRateLimiter(o.Limits.RatePerSec, o.Limits.RateBurst), metrics: o.Metrics})
	if o.Services.Reads != nil {
		srv.AroundRootFields(compile.New(es.Schema(), o.Services.Reads, func(ctx context.Context) pg.Viewer {
			return pg.CallerFromContext(ctx).Viewer()
		}).Middleware)
	}
	srv.SetErrorPresenter(resolvers.ErrorPresenter(o.Logger, RequestIDFrom))
	srv.SetRecoverFunc(resolvers.Recover(o.Logger))
	lanes := newAdmission(o.Limits, o.Metrics)
	subscriptions := newSubscriptionCaps(o.Limits)
	preparing := semaphore.NewWeighted(int64(max(1, runtime.GOMAXPROCS(0)/2)))
	var around graphql.OperationMiddleware
	around = func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if oc := graphql.GetOperationContext(ctx); oc.Operation != nil && oc.Operation.Operation != ast.Subscription {
			if _, ok := ctx.Deadline(); !ok {
				// A query or mutation over a subscription transport (WebSocket, SSE) keeps the
				// request deadline, and loaders of its own rather than the connection's.
				return streamedOperation(ctx, o, func(ctx context.Context) graphql.ResponseHandler { return around(ctx, next) })
			}
		}
		if !o.Health.Migrated() {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
				Message:    "the database is not ready yet; try again shortly",
				Extensions: map[string]any{"code": "SERVICE_UNAVAILABLE"},
			}}})
		}
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation != nil && oc.Operation.Operation == ast.Subscription {
			return subscriptions.aroundSubscription(ctx, next)
		}
		cost := 0
		if info := requestInfoFrom(ctx); info != nil {
			cost = info.cost
		}
		release, admitted := lanes.admit(ctx, cost)
		if !admitted {
			return busyResponse(ctx)
		}
		label := operationLabel(o, oc) // hashes the document once per operation
		spanCtx, endSpan := o.Tracing.operation(ctx, label)
		respond := next(spanCtx)
		return func(ctx context.Context) *graphql.Response {
			defer release()
			// Resolvers run under this context: put the operation's span in it so their
			// statements nest under the operation.
			res := respond(trace.ContextWithSpan(ctx, trace.SpanFromContext(spanCtx)))
			if res == nil && ctx.Err() != nil {
				// gqlgen gives up silently on a finished context: say why.
				res = &graphql.Response{Errors: gqlerror.List{{Message: "the request took longer than its deadline",
					Extensions: map[string]any{"code": "SERVICE_BUSY"}}}}
			}
			if o.Cache != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
				// This instance must not serve stale answers after its own change: read the
				// new content version before the mutation's answer goes out.
				o.Cache.Refresh(ctx)
			}
			outcome, trips, cost := observe(ctx, o, oc, label, res)
			endSpan(outcome, trips, cost)
			return res
		}
	}
	srv.AroundOperations(around)
	if o.ExposeRoundTrips {
		srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
			res := next(ctx)
			if res != nil {
				if c := pg.RoundTripCounterFrom(ctx); c != nil {
					if res.Extensions == nil {
						res.Extensions = map[string]any{}
					}
					res.Extensions["cypherRoundTrips"] = c.Load()
				}
			}
			return res
		})
	}
	var api http.Handler = srv
	if o.Cache != nil {
		api = o.Cache.Handler(api)
	}
	anonymousLimit := trustedRequestLimit(o.Limits)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.Metrics.requestStarted()
		defer o.Metrics.requestDone()
		start := time.Now()
		caller, err := o.Auth.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="partnergraph", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", pg.ErrorMessage(err))
			return
		}
		limit := o.MaxBodyBytes
		if caller.Access == pg.AccessAnonymous && o.Limits.TrustedOnly {
			// No trusted document is this large: refuse without reading the body.
			if r.ContentLength > anonymousLimit {
				setServerTiming(w.Header(), start)
				writeError(w, http.StatusBadRequest, "PERSISTED_QUERY_NOT_ALLOWED", "anonymous callers may run the published documents only; sign in to send your own")
				return
			}
			limit = min(limit, anonymousLimit)
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		info := &requestInfo{client: clientOf(r, caller), start: start}
		if streaming(r) {
			// A subscription lives as long as its connection: no deadline, no cache, and none
			// of the http.Server's read and write time-outs (keep-alive pings keep it honest).
			rc := http.NewResponseController(w)
			_, _ = rc.SetReadDeadline(time.Time{}), rc.SetWriteDeadline(time.Time{})
			ctx := context.WithValue(r.Context(), requestInfoKey{}, info)
			ctx = pg.NewContextWithCaller(ctx, caller)
			ctx = loader.NewContext(ctx, newLoaders(o, caller))
			srv.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		// The deadline reaches Neo4j as the transaction timeout (neo4jstore reads it).
		ctx, cancel := context.WithTimeout(r.Context(), o.Limits.Timeout)
		defer cancel()
		ctx = context.WithValue(ctx, requestInfoKey{}, info)
		w = limitedWriter{ResponseWriter: w, info: info}
		if r.ContentLength < 0 || r.ContentLength > smallBody {
			// Reading, parsing and measuring a large document happens one (or a few) at a time,
			// so large hostile documents cannot take every core from everyone else.
			if err := preparing.Acquire(ctx, 1); err != nil {
				info.status, info.retryAfter = http.StatusServiceUnavailable, time.Second
				writeError(w, http.StatusServiceUnavailable, "SERVICE_BUSY", "the server is busy; try again shortly")
				return
			}
			info.prepared = sync.OnceFunc(func() { preparing.Release(1) })
			defer info.prepared()
		}
		ctx, _ = pg.NewContextWithRoundTripCounter(ctx)
		ctx = pg.NewContextWithCaller(ctx, caller)
		ctx = loader.NewContext(ctx, newLoaders(o, caller))
		api.ServeHTTP(w, r.WithContext(ctx))
	})
}

// newLoaders are the dataloaders of one request (or one subscription connection).
func newLoaders(o Options, caller pg.Caller) *loader.Loaders {
	l := loader.New(o.Services.Content, o.Services.Network, caller.Viewer(), o.LoaderWait)
	l.Announce = resolvers.Announce
	return l
}

// smallBody is the largest request body read without waiting for a preparation slot: the
// documents clients really send are a few kilobytes.
const smallBody = 16 << 10

// trustedRequestLimit is the largest body an anonymous request can need where only trusted
// documents run: the longest trusted document, escaped, plus room for variables.
func trustedRequestLimit(l Limits) int64 {
	longest := 0
	for _, doc := range l.Trusted {
		longest = max(longest, len(doc))
	}
	return int64(2*longest + 32<<10)
}

// writeError answers with a GraphQL error document before any operation ran.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"errors":[{"message":` + quote(msg) + `,"extensions":{"code":"` + code + `"}}]}` + "\n"))
}

type requestIDKey struct{}

// RequestIDFrom returns the request id of ctx.
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID gives every request an id (the client's X-Request-Id if it is sane), in the context
// and in the response header.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

// Unwrap lets http.ResponseController reach the connection (streaming exports extend their
// write deadline through it).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush passes on: Server-Sent Events stream through it.
func (s *statusWriter) Flush() { _ = http.NewResponseController(s.ResponseWriter).Flush() }

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// accessLog logs one line per request, with its request id.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.InfoContext(r.Context(), "request", "request_id", RequestIDFrom(r.Context()), "method", r.Method,
			"path", r.URL.Path, "status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}

// operationLabel names an operation for metrics and traces: trusted documents by their
// operation name, anything else "other", so clients cannot create series at will.
func operationLabel(o Options, oc *graphql.OperationContext) string {
	name := oc.OperationName
	if name == "" && oc.Operation != nil {
		name = oc.Operation.Name
	}
	if _, trusted := o.Limits.Trusted[DocumentHash(oc.RawQuery)]; trusted && name != "" {
		return name
	}
	return "other"
}

// observe logs slow operations and records the operation's metrics.
func observe(ctx context.Context, o Options, oc *graphql.OperationContext, name string, res *graphql.Response) (outcome string, trips int64, cost int) {
	took := time.Since(oc.Stats.OperationStart)
	if c := pg.RoundTripCounterFrom(ctx); c != nil {
		trips = c.Load()
	}
	if info := requestInfoFrom(ctx); info != nil {
		cost = info.cost
	}
	outcome = "ok"
	if res != nil && len(res.Errors) > 0 {
		outcome = "error"
		if code, ok := res.Errors[0].Extensions["code"].(string); ok {
			outcome = code
		}
	}
	o.Metrics.operation(name, outcome, took, trips)
	if took >= o.Limits.SlowRequest {
		o.Logger.WarnContext(ctx, "slow request", "request_id", RequestIDFrom(ctx), "operation", oc.OperationName,
			"duration_ms", took.Milliseconds(), "cypher_round_trips", trips, "cost", cost)
	}
	return outcome, trips, cost
}
