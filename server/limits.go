package server

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"

	pg "github.com/unicri/partnergraph"
)

// Limits bound what one request may ask. Zero values take the defaults in DefaultLimits.
type Limits struct {
	MaxCost                  int           // complexity, list fields weighted by their page size
	MaxDepth                 int           // nesting of fields
	MaxFields                int           // fields and aliases in the operation, fragments expanded
	MaxTokens                int           // parser token limit
	Timeout                  time.Duration // per request; reaches Neo4j as the transaction timeout
	RatePerSec               float64       // cost units a client may spend per second (0: no rate limit)
	RateBurst                int           // cost units a client may spend at once
	SlowRequest              time.Duration // requests slower than this are logged with their operation
	NoAnonymousIntrospection bool          // anonymous callers may not introspect (analysts always may)
	TrustedOnly              bool          // anonymous callers may run trusted documents only
	Trusted                  map[string]string
	DisableHints             bool // no "did you mean" suggestions in errors
	// MaxInFlight bounds the cheap GraphQL executions running at once (answers from the
	// response cache do not count); MaxHeavyInFlight those costing more than HeavyCost, which
	// queue apart (admission). The others queue until their deadline, then get 503. Past the
	// cores' capacity, more at once only adds garbage and Neo4j transaction memory, not
	// throughput. 0 means 2 per CPU, 1 per CPU (at least 2: one heavy statement per core keeps
	// Neo4j busy) and 20000.
	MaxInFlight      int
	MaxHeavyInFlight int
	HeavyCost        int
	// MaxSubscriptions bounds the subscriptions open at once, MaxSubscriptionsPerClient those of
	// one client (key or token subject, else address); 0 means 10,000 and 20.
	MaxSubscriptions          int
	MaxSubscriptionsPerClient int
}

// DefaultLimits are generous for the site and the analysts' playground, and stop abuse.
var DefaultLimits = Limits{MaxCost: 200000, MaxDepth: 12, MaxFields: 500, MaxTokens: 15000,
	Timeout: 10 * time.Second, SlowRequest: 500 * time.Millisecond}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	l.MaxCost, l.MaxDepth = cmp.Or(l.MaxCost, d.MaxCost), cmp.Or(l.MaxDepth, d.MaxDepth)
	l.MaxFields, l.MaxTokens = cmp.Or(l.MaxFields, d.MaxFields), cmp.Or(l.MaxTokens, d.MaxTokens)
	l.Timeout, l.SlowRequest = cmp.Or(l.Timeout, d.Timeout), cmp.Or(l.SlowRequest, d.SlowRequest)
	l.MaxInFlight = cmp.Or(l.MaxInFlight, 2*runtime.GOMAXPROCS(0))
	l.MaxHeavyInFlight = cmp.Or(l.MaxHeavyInFlight, max(2, runtime.GOMAXPROCS(0)))
	l.HeavyCost = cmp.Or(l.HeavyCost, 20000)
	l.MaxSubscriptions = cmp.Or(l.MaxSubscriptions, 10000)
	l.MaxSubscriptionsPerClient = cmp.Or(l.MaxSubscriptionsPerClient, 20)
	return l
}

// DocumentHash is the key of a trusted document: the hex SHA-256 of its text, as automatic
// persisted queries send it.
func DocumentHash(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(sum[:])
}

// costSchema weighs list fields by the number of items they may return, so a document's
// complexity bounds the work it can cause: a connection counts first/last (or the default page
// size) times its selection; plain lists count their limit argument or their ids.
type costSchema struct{ graphql.ExecutableSchema }

func (s costSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if w, ok := scanWeights[typeName+"."+field]; ok {
		return saturate(float64(w(args)) * float64(1+child)), true
	}
	def := s.Schema().Types[typeName]
	if def == nil {
		return 0, false
	}
	f := def.Fields.ForName(field)
	if f == nil {
		return 0, false
	}
	items := 0
	switch {
	case len(typeName) > 10 && typeName[len(typeName)-10:] == "Connection":
		return 0, false // edges and nodes: the connection field counted their number
	case len(f.Type.Name()) > 10 && f.Type.Name()[len(f.Type.Name())-10:] == "Connection":
		items = pg.DefaultPageSize
		for _, a := range []string{"first", "last"} {
			if n, ok := intArg(args[a]); ok {
				items = n
			}
		}
	case f.Type.Elem != nil:
		items = pg.DefaultPageSize
		if n, ok := intArg(args["limit"]); ok {
			items = n
		}
		if ids, ok := args["ids"].([]any); ok {
			items = len(ids)
		}
	default:
		return 0, false
	}
	return saturate(1 + float64(max(items, 1))*float64(child)), true
}

// scanWeights weigh the fields whose work grows with what they read rather than with what they
// return: a network walks limit nodes per level, a connection search explores paths up to
// maxHops, each report scans a whole kind, collaborators rank a whole neighbourhood. Their cost
// is the weight times their selection's, so admission puts the big ones in the heavy lane.
var scanWeights = map[string]func(args map[string]any) int{
	"Query.network": func(a map[string]any) int {
		limit, _ := intArg(a["limit"])
		depth, _ := intArg(a["depth"])
		return max(1, cmp.Or(limit, 200)/20) * max(1, depth)
	},
	"Query.connection": func(a map[string]any) int {
		hops, _ := intArg(a["maxHops"])
		limit, _ := intArg(a["limit"])
		return max(1, cmp.Or(hops, 6)) * max(1, cmp.Or(limit, 3))
	},
	"Query.coOrganisations": func(map[string]any) int { return 20 },
	"Stats.countsByKind":    func(map[string]any) int { return 500 },
	"Stats.activityByYear":  func(map[string]any) int { return 100 },
	"Stats.eventsByTopic":   func(map[string]any) int { return 100 },
	"Stats.eventsByCountry": func(map[string]any) int { return 100 },
	"Stats.topPartners":     func(map[string]any) int { return 100 },
	"Organisation.collaborators": func(a map[string]any) int {
		n, _ := intArg(a["first"])
		if a["filter"] != nil {
			return 50 + 10*cmp.Or(n, pg.DefaultPageSize) // the partner network's ranking, as partners
		}
		return 10 * cmp.Or(n, pg.DefaultPageSize)
	},
	// An analysis reads the whole partner network once per content version and filter; the
	// first caller of a new one pays for it, so every caller is admitted as if it did.
	"Query.networkAnalysis":          func(map[string]any) int { return 50 },
	"Organisation.metrics":           func(map[string]any) int { return 50 },
	"Organisation.suggestedPartners": func(map[string]any) int { return 50 },
	"Organisation.partners":          func(map[string]any) int { return 50 },
}

func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

func saturate(f float64) int {
	if f > math.MaxInt32 {
		return math.MaxInt32
	}
	return int(f)
}

// introspects reports whether a selection set asks for __schema or __type at its root.
func introspects(ss ast.SelectionSet, frags ast.FragmentDefinitionList, seen map[string]bool) bool {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, frags, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil && !seen[s.Name] {
				seen[s.Name] = true
				if introspects(f.SelectionSet, frags, seen) {
					return true
				}
			}
		}
	}
	return false
}

// guard enforces the limits on each operation: before it is parsed (documents: who may send
// it, and what parsing and validating it may cost), and after it is validated, before it runs
// (introspection, cost, the client's rate).
type guard struct {
	es      graphql.ExecutableSchema
	limits  Limits
	docs    *documents
	clients *rateLimiter
	metrics *Metrics
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = guard{}

func (guard) ExtensionName() string                          { return "Limits" }
func (guard) Validate(schema graphql.ExecutableSchema) error { return nil }

func limitError(code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
}

// MutateOperationParameters runs before the document is parsed: a client whose rate is spent
// is refused before any work, then the document's admission (documents) decides.
func (g guard) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if info := requestInfoFrom(ctx); info != nil && g.clients != nil {
		if wait, spent := g.clients.spent(info.client); spent {
			return g.rateLimited(info, wait)
		}
	}
	return g.docs.MutateOperationParameters(ctx, p)
}

func (g guard) rateLimited(info *requestInfo, wait time.Duration) *gqlerror.Error {
	info.status, info.retryAfter = http.StatusTooManyRequests, wait
	g.metrics.rateLimited()
	return limitError("RATE_LIMITED", "too many requests: retry in %s", max(wait, time.Second).Round(time.Second))
}

func (g guard) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if info := requestInfoFrom(ctx); info != nil && info.prepared != nil {
		info.prepared() // parsed and validated: the preparation slot is someone else's now
	}
	caller := pg.CallerFromContext(ctx)
	anonymous := caller.Access == pg.AccessAnonymous
	rc.DisableIntrospection = anonymous && g.limits.NoAnonymousIntrospection
	if rc.DisableIntrospection && introspects(rc.Operation.SelectionSet, rc.Doc.Fragments, map[string]bool{}) {
		return limitError("FORBIDDEN", "introspection is for analysts: send an analyst's credentials")
	}
	cost := complexity.Calculate(ctx, g.es, rc.Operation, rc.Variables)
	if cost > g.limits.MaxCost {
		return limitError("QUERY_TOO_COMPLEX", "the operation costs %d (list fields count their page size); the limit is %d", cost, g.limits.MaxCost)
	}
	if info := requestInfoFrom(ctx); info != nil {
		info.cost = cost
		if g.clients != nil {
			if wait, ok := g.clients.allow(info.client, cost); !ok {
				return g.rateLimited(info, wait)
			}
		}
	}
	return nil
}

// rateLimiter keeps a token bucket per client (token subject, key name or IP); a request takes
// as many tokens as its cost.
type rateLimiter struct {
	mu      sync.Mutex
	buckets *lru.Cache[string, *rate.Limiter]
	perSec  rate.Limit
	burst   int
}

func newRateLimiter(perSec float64, burst int) *rateLimiter {
	if perSec <= 0 {
		return nil
	}
	if burst <= 0 {
		burst = int(perSec) * 5
	}
	c, _ := lru.New[string, *rate.Limiter](100000)
	return &rateLimiter{buckets: c, perSec: rate.Limit(perSec), burst: burst}
}

// allow takes cost tokens from the client's bucket, or says how long until it could.
func (r *rateLimiter) allow(client string, cost int) (time.Duration, bool) {
	r.mu.Lock()
	b, ok := r.buckets.Get(client)
	if !ok {
		b = rate.NewLimiter(r.perSec, r.burst)
		r.buckets.Add(client, b)
	}
	r.mu.Unlock()
	res := b.ReserveN(time.Now(), max(cost, 1))
	if !res.OK() {
		return time.Duration(float64(time.Second) * float64(cost) / float64(r.perSec)), false
	}
	if d := res.Delay(); d > 0 {
		res.Cancel()
		return d, false
	}
	return 0, true
}

// spent reports whether the client's bucket is empty, and how long until it holds a token: such
// a client is refused before its document is even parsed.
func (r *rateLimiter) spent(client string) (time.Duration, bool) {
	r.mu.Lock()
	b, ok := r.buckets.Get(client)
	r.mu.Unlock()
	if !ok {
		return 0, false
	}
	if t := b.Tokens(); t < 1 {
		return time.Duration((1 - t) / float64(r.perSec) * float64(time.Second)), true
	}
	return 0, false
}

// requestInfo travels with a request: who the client is, what its operation cost, and the
// status a limit wants the response to carry.
type requestInfo struct {
	client     string
	start      time.Time
	prepared   func() // frees the request's preparation slot, if it holds one (safe to call twice)
	cost       int
	status     int
	retryAfter time.Duration
}

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return i
}

// clientOf names the client for rate limits: its credential's subject, else its IP.
func clientOf(r *http.Request, c pg.Caller) string {
	if c.Subject != "" {
		return c.Subject
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return "ip:" + host
}

// statusWriter lets a limit set the response status (429 with Retry-After) after the GraphQL
// transport chose its own.
type limitedWriter struct {
	http.ResponseWriter
	info *requestInfo
}

// setServerTiming says what the server spent on the request before answering (Server-Timing).
func setServerTiming(h http.Header, start time.Time) {
	h.Set("Server-Timing", fmt.Sprintf("app;dur=%.3f", float64(time.Since(start).Microseconds())/1000))
}

func (w limitedWriter) WriteHeader(code int) {
	// The time a refusal took is visible to whoever measures it, clients and the attack
	// benchmark alike.
	setServerTiming(w.Header(), w.info.start)
	if w.info.status != 0 {
		code = w.info.status
		secs := int(math.Ceil(w.info.retryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w limitedWriter) Write(b []byte) (int, error) {
	if w.info.status != 0 && w.Header().Get("Retry-After") == "" {
		w.WriteHeader(http.StatusOK) // rewritten to the limit's status
	}
	return w.ResponseWriter.Write(b)
}
