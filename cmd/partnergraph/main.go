// Command partnergraph serves the partnergraph GraphQL API and manages its database.
//
//	partnergraph serve     serve the API (migrates at start, retries until Neo4j answers)
//	partnergraph migrate   apply the schema migrations and exit
//	partnergraph seed      import a dataset file (default: the built-in centre dataset)
//
// Wiring: config -> driver -> store -> resolvers -> HTTP. Only this package reads
// configuration and imports rs/cors.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/cors"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/analytics"
	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/feed"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/seed"
	"github.com/unicri/partnergraph/server"
	"github.com/unicri/partnergraph/web"
	"github.com/unicri/partnergraph/webhook"
)

const usage = `usage: partnergraph <command> [flags]

commands:
  serve     serve the GraphQL API on HTTP_ADDR (migrates first; see -h for flags)
  migrate   apply the Neo4j schema migrations and exit
  seed      import a dataset file: partnergraph seed [--reset] [file.yaml] (default: built-in centre dataset)
  export    write the graph: partnergraph export --format graphml|gexf|csv [--center ID --depth N] [--out file] [--published-only]
  token     mint a development bearer token: partnergraph token --role editor [--ttl 12h] [--sub name]
  generate  load a synthetic graph: partnergraph generate --organisations N --events N --publications N --seed S [--reset] [--batch N]
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "serve":
		err = runServe(ctx, args)
	case "migrate":
		err = runMigrate(ctx, args)
	case "seed":
		err = runSeed(ctx, args)
	case "generate":
		err = runGenerate(ctx, args)
	case "export":
		err = runExport(ctx, args)
	case "token":
		err = runToken(args)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "partnergraph:", err)
		os.Exit(1)
	}
}

func newLogger(c Config) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := c.LogFormat
	if format == "auto" {
		format = "json"
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// openMigrated opens the store for a one-shot command and applies the migrations (imports rely
// on the constraints). Close the store when done.
func openMigrated(ctx context.Context, c Config) (*neo4jstore.DB, error) {
	db, err := openStore(c)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		_ = db.Close(context.Background())
		return nil, err
	}
	return db, nil
}

func openStore(c Config) (*neo4jstore.DB, error) {
	return neo4jstore.Open(neo4jstore.Config{URI: c.Neo4jURI, User: c.Neo4jUser, Password: c.Neo4jPassword, Database: c.Neo4jDatabase})
}

// health tracks whether the database is migrated and the published documents warmed, and
// answers the readiness probe.
type health struct {
	db       *neo4jstore.DB
	migrated atomic.Bool
	warmed   atomic.Bool
	// warm, if set, runs once the database is migrated: readiness waits for it, so the first
	// request a load balancer sends finds its statements planned.
	warm func(context.Context)
}

func (h *health) Migrated() bool { return h.migrated.Load() }

func (h *health) Ready(ctx context.Context) error {
	if !h.migrated.Load() {
		return pg.Errorf(pg.EUNAVAILABLE, "the database has not been reached and migrated yet")
	}
	if !h.warmed.Load() {
		return pg.Errorf(pg.EUNAVAILABLE, "warming up: planning the published documents' statements")
	}
	return h.db.Ping(ctx)
}

// prepare waits for Neo4j with backoff, migrates, and seeds an empty database if asked. The
// server serves meanwhile: GraphQL answers SERVICE_UNAVAILABLE and /readyz 503 until it is done.
func (h *health) prepare(ctx context.Context, log *slog.Logger, seedIfEmpty bool) {
	backoff := 250 * time.Millisecond
	for {
		err := h.db.Ping(ctx)
		if err == nil {
			err = migrateAndSeed(ctx, log, h.db, seedIfEmpty)
		}
		if err == nil {
			h.migrated.Store(true)
			log.Info("database ready")
			if h.warm != nil {
				h.warm(ctx)
			}
			h.warmed.Store(true)
			return
		}
		log.Warn("database not ready; retrying", "err", pg.ErrorMessage(err), "detail", err, "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func migrateAndSeed(ctx context.Context, log *slog.Logger, db *neo4jstore.DB, seedIfEmpty bool) error {
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", applied)
	}
	if !seedIfEmpty {
		return nil
	}
	n, err := db.CountEntities(ctx)
	if err != nil || n > 0 {
		return err
	}
	d, err := seed.Load(bytes.NewReader(seed.Centre()))
	if err != nil {
		return err
	}
	res, err := seed.Import(ctx, db.Importer(), d, 5000)
	if err != nil {
		return err
	}
	log.Info("seeded the empty database with the centre dataset", "nodes", res.NodesCreated, "relations", res.RelationsCreated)
	return nil
}

func runServe(ctx context.Context, args []string) error {
	c, _, err := parseConfig("serve", args)
	if err != nil {
		return err
	}
	log := newLogger(c)
	c.MemoryLimit = server.SetMemoryLimit(c.MemoryLimit)
	log.Info("starting partnergraph", c.masked()...)
	keys, err := c.apiKeys()
	if err != nil {
		return err
	}
	jwtOpts, err := c.jwtOptions()
	if err != nil {
		return err
	}
	auth, err := server.NewAuthenticator(keys, jwtOpts)
	if err != nil {
		return err
	}
	trusted, err := c.trustedDocuments()
	if err != nil {
		return err
	}
	metrics := server.NewMetrics()
	tracing, stopTracing, err := newTracing(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = stopTracing(context.Background()) }()
	db, err := openStore(c)
	if err != nil {
		return err
	}
	db.SetObserver(func(ctx context.Context, q string, p map[string]any, took time.Duration, err error) {
		metrics.ObserveStatement(ctx, q, p, took, err)
		tracing.ObserveStatement(ctx, q, p, took, err)
	})
	metrics.ObservePool(func() server.PoolStats { return server.PoolStats(db.PoolStats()) })
	h := &health{db: db}
	prepCtx, cancelPrep := context.WithCancel(ctx)
	defer cancelPrep()

	var cache *server.Cache
	if c.CacheMaxBytes > 0 {
		cache = server.NewCache(server.CacheOptions{MaxBytes: c.CacheMaxBytes, Poll: c.CachePoll, MaxAge: c.CacheMaxAge, Versions: db, Logger: log})
		go cache.Run(prepCtx)
	}
	db.RecordChanges(c.FeedRecording)
	changes := feed.New(db.Feed(), feed.Options{Poll: c.FeedPoll, Retention: c.FeedRetention, OnDelivered: metrics.ObserveChangeDelivered})
	go changes.Run(prepCtx)
	metrics.ObserveFeed(changes.Subscribers, changes.Head)
	go webhook.New(db.Webhooks(), db.Feed(), webhook.Options{OnAttempt: metrics.ObserveWebhookAttempt}).Run(prepCtx)
	api := server.New(server.Options{
		Logger: log, Health: h, Auth: auth, MaxBodyBytes: c.MaxBodyBytes, Cache: cache,
		Limits: c.limits(trusted), Metrics: metrics, Tracing: tracing,
		MetricsOnAPI: c.metricsOnAPI(), MetricsToken: c.MetricsToken,
		Web: web.Handler(), AllowedOrigins: c.CORSOrigins,
		Services: server.Services{Content: db.Content(), Network: db.Network(), Search: db.Search(), Stats: db.Stats(), Reads: db.Reader(),
			Analytics: analytics.New(db.Partners()), Feed: changes, Webhooks: db.Webhooks()},
	})
	h.warm = func(ctx context.Context) { server.WarmUp(ctx, api, warmDocuments(), log) }
	go h.prepare(prepCtx, log, c.SeedIfEmpty)
	// Requests run under a context that ends if the drain at shutdown runs out of time: no
	// request outlives SHUTDOWN_TIMEOUT.
	requests, abandon := context.WithCancel(context.Background())
	defer abandon()
	srv := &http.Server{Addr: c.HTTPAddr, Handler: withCORS(c.CORSOrigins, api), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		BaseContext: func(net.Listener) context.Context { return requests }}
	srv.RegisterOnShutdown(changes.Shutdown) // subscriptions end at once, saying why
	errc := make(chan error, 2)
	go func() { errc <- srv.ListenAndServe() }()
	if c.MetricsAddr != "" {
		msrv := &http.Server{Addr: c.MetricsAddr, Handler: metrics.Protected(c.MetricsToken), ReadHeaderTimeout: 5 * time.Second}
		go func() { errc <- msrv.ListenAndServe() }()
		defer func() { _ = msrv.Close() }()
		log.Info("serving metrics", "url", "http://"+c.MetricsAddr+"/metrics")
	}
	log.Info("serving", "url", "http://"+c.HTTPAddr+"/graphql", "playground", "http://"+c.HTTPAddr+"/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests", "timeout", c.ShutdownTimeout.String())
	cancelPrep()
	shutCtx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	if err != nil {
		abandon() // what did not finish in time is cancelled, down to its Neo4j transaction
		_ = srv.Close()
	}
	if cerr := db.Close(shutCtx); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		log.Info("stopped")
		return nil
	}
	return err
}

func runMigrate(ctx context.Context, args []string) error {
	c, _, err := parseConfig("migrate", args)
	if err != nil {
		return err
	}
	db, err := openStore(c)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close(context.Background()) }()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Println("schema is up to date")
	}
	for _, m := range applied {
		fmt.Println("applied", m)
	}
	return nil
}

func runSeed(ctx context.Context, args []string) error {
	var reset bool
	var batch int
	// Flags may come before or after the file name.
	var flags, files []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			files = append(files, a)
		}
	}
	c, _, err := parseConfig("seed", flags, func(fs *flag.FlagSet) {
		fs.BoolVar(&reset, "reset", false, "delete all content before importing")
		fs.IntVar(&batch, "batch", 5000, "rows per import transaction")
	})
	if err != nil {
		return err
	}
	data := seed.Centre()
	if len(files) > 1 {
		return fmt.Errorf("seed takes one dataset file")
	} else if len(files) == 1 {
		if data, err = os.ReadFile(files[0]); err != nil {
			return err
		}
	}
	d, err := seed.Load(bytes.NewReader(data))
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close(context.Background()) }()
	if reset {
		if err := db.Reset(ctx); err != nil {
			return err
		}
	}
	start := time.Now()
	res, err := seed.Import(ctx, db.Importer(), d, batch)
	if err != nil {
		return err
	}
	fmt.Printf("imported %d entities (%d new) and %d relations (%d new) in %s\n",
		res.Nodes, res.NodesCreated, res.Relations, res.RelationsCreated, time.Since(start).Round(time.Millisecond))
	return nil
}

// runToken mints an HS256 token for a role with the configured secret, issuer and audience.
func runToken(args []string) error {
	var role, sub string
	var ttl time.Duration
	c, _, err := parseConfig("token", args, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "analyst", "analyst, editor or admin")
		fs.StringVar(&sub, "sub", "dev", "the token's subject")
		fs.DurationVar(&ttl, "ttl", 12*time.Hour, "how long the token is valid")
	})
	if err != nil {
		return err
	}
	o, err := c.jwtOptions()
	if err != nil {
		return err
	}
	tok, err := server.MintToken(o, pg.Access(strings.ToUpper(role)), sub, ttl)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

// withCORS lets the configured browser origins call the API. With none configured no CORS
// header is sent, so browsers keep other origins out; "*" must be configured to allow any.
func withCORS(origins []string, h http.Handler) http.Handler {
	if len(origins) == 0 {
		return h
	}
	return cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Authorization", "Content-Type", "X-Request-Id"},
		ExposedHeaders: []string{"X-Request-Id"},
		MaxAge:         600,
	}).Handler(h)
}

// warmDocuments are the published documents, with the examples' own variables.
func warmDocuments() []server.WarmDocument {
	var out []server.WarmDocument
	for _, ex := range docs.Examples() {
		var vars map[string]any
		_ = json.Unmarshal([]byte(ex.Variables), &vars)
		out = append(out, server.WarmDocument{Query: ex.Query, Variables: vars})
	}
	for _, d := range web.Documents() {
		out = append(out, server.WarmDocument{Query: d})
	}
	return slices.DeleteFunc(out, func(d server.WarmDocument) bool { return analyses(d.Query) || subscribes(d.Query) })
}

// subscribes reports whether a document opens a subscription: it has nothing to warm.
func subscribes(query string) bool { return strings.Contains(query, "subscription ") }

// analyses reports whether a document asks for network analytics. Warming plans for them
// would compute whole-network analyses (seconds on a large graph) before /readyz; they are
// computed on first use and kept per content version instead.
func analyses(query string) bool {
	return strings.Contains(query, "networkAnalysis") || strings.Contains(query, "artners(") ||
		strings.Contains(query, "metrics") || strings.Contains(query, "collaborators(filter")
}
