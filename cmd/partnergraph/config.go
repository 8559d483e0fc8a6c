package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/server"
	"github.com/unicri/partnergraph/web"
)

// Config is every setting of the binary, from flags and environment. Flags win over the
// environment; the defaults suit `make run` on a developer's machine.
type Config struct {
	HTTPAddr        string        // HTTP_ADDR
	Neo4jURI        string        // NEO4J_URI
	Neo4jUser       string        // NEO4J_USER
	Neo4jPassword   string        // NEO4J_PASSWORD (secret)
	Neo4jDatabase   string        // NEO4J_DATABASE
	CORSOrigins     []string      // CORS_ALLOWED_ORIGINS, comma-separated
	EditorKeys      []string      // EDITOR_API_KEYS, comma-separated name=secret (secret)
	AnalystKeys     []string      // ANALYST_API_KEYS, comma-separated name=secret (secret)
	LogFormat       string        // LOG_FORMAT: text, json or auto (text on a terminal)
	LogLevel        string        // LOG_LEVEL: debug, info, warn, error
	SeedIfEmpty     bool          // SEED_IF_EMPTY: load the built-in dataset into an empty database
	ShutdownTimeout time.Duration // SHUTDOWN_TIMEOUT
	MaxBodyBytes    int64         // MAX_BODY_BYTES
	CacheMaxBytes   int64         // CACHE_MAX_BYTES: response cache size; 0 turns it off
	CachePoll       time.Duration // CACHE_POLL: how often the content version is read
	FeedPoll        time.Duration // FEED_POLL: how often the change feed is read
	FeedRetention   time.Duration // FEED_RETENTION: how long changes are kept
	CacheMaxAge     time.Duration // CACHE_MAX_AGE: Cache-Control max-age of public GET answers

	Env            string        // APP_ENV: development or production (stricter defaults below)
	JWTSecret      string        // JWT_HS256_SECRET (secret)
	JWTPublicKeys  string        // JWT_PUBLIC_KEYS_FILE: PEM file of RS256/ES256 public keys
	JWKSFile       string        // JWT_JWKS_FILE: JSON Web Key Set file
	JWTIssuer      string        // JWT_ISSUER
	JWTAudience    string        // JWT_AUDIENCE
	MaxCost        int           // MAX_QUERY_COST
	MaxDepth       int           // MAX_QUERY_DEPTH
	MaxFields      int           // MAX_QUERY_FIELDS
	RequestTimeout time.Duration // REQUEST_TIMEOUT: per request, also the Neo4j transaction timeout
	RateLimit      float64       // RATE_LIMIT: cost units per second per client, 0 for none
	RateBurst      int           // RATE_BURST
	MaxInFlight    int           // MAX_IN_FLIGHT: GraphQL executions at once (0: 2 per CPU)
	MemoryLimit    int64         // MEMORY_LIMIT: the Go runtime's soft memory limit in bytes (0: server.DefaultMemoryLimit)
	Introspection  string        // INTROSPECTION: all, or analysts (anonymous callers cannot)
	TrustedOnly    bool          // TRUSTED_DOCUMENTS_ONLY: anonymous callers run trusted documents only
	TrustedDir     string        // TRUSTED_DOCUMENTS_DIR: more .graphql documents to trust
	SlowRequest    time.Duration // SLOW_REQUEST: log requests slower than this
	MaxHeavy       int           // MAX_HEAVY_IN_FLIGHT: executions costing more than HEAVY_COST at once (0: 1 per 2 CPUs)
	MaxSubs        int           // MAX_SUBSCRIPTIONS: subscriptions open at once (0: 10,000)
	MaxSubsClient  int           // MAX_SUBSCRIPTIONS_PER_CLIENT: per key, token or address (0: 20)
	FeedRecording  bool          // FEED_RECORD: mutations record the change feed (on; off only to measure its cost)
	HeavyCost      int           // HEAVY_COST: the cost above which an operation takes the heavy lane
	MetricsAddr    string        // METRICS_ADDR: a listener of its own for /metrics
	MetricsToken   string        // METRICS_TOKEN (secret): bearer token /metrics asks for
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func envInt(key string, def int64) int64 {
	if v, err := strconv.ParseInt(env(key, ""), 10, 64); err == nil {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(env(key, "")); err == nil {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// defaultNeo4jURI points at the repo's own Neo4j (scripts/neo4j) on NEO4J_PORT.
func defaultNeo4jURI() string {
	return "bolt://127.0.0.1:" + env("NEO4J_PORT", "7687")
}

// parseConfig reads the environment, then the flags of a subcommand; extra registers the
// subcommand's own flags.
func parseConfig(name string, args []string, extra ...func(*flag.FlagSet)) (Config, *flag.FlagSet, error) {
	c := Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, e := range extra {
		e(fs)
	}
	fs.StringVar(&c.HTTPAddr, "http-addr", env("HTTP_ADDR", "127.0.0.1:8080"), "address to serve HTTP on (HTTP_ADDR)")
	fs.StringVar(&c.Neo4jURI, "neo4j-uri", env("NEO4J_URI", defaultNeo4jURI()), "Neo4j URI: bolt:// for one server, neo4j:// for a cluster (NEO4J_URI)")
	fs.StringVar(&c.Neo4jUser, "neo4j-user", env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	fs.StringVar(&c.Neo4jPassword, "neo4j-password", env("NEO4J_PASSWORD", "partnergraph"), "Neo4j password (NEO4J_PASSWORD)")
	fs.StringVar(&c.Neo4jDatabase, "neo4j-database", env("NEO4J_DATABASE", ""), "Neo4j database, empty for the server default (NEO4J_DATABASE)")
	cors := fs.String("cors-allowed-origins", env("CORS_ALLOWED_ORIGINS", ""), "comma-separated origins allowed to call the API from a browser (CORS_ALLOWED_ORIGINS)")
	editors := fs.String("editor-api-keys", env("EDITOR_API_KEYS", ""), "comma-separated name=secret editor keys (EDITOR_API_KEYS)")
	analysts := fs.String("analyst-api-keys", env("ANALYST_API_KEYS", ""), "comma-separated name=secret analyst keys (ANALYST_API_KEYS)")
	fs.StringVar(&c.LogFormat, "log-format", env("LOG_FORMAT", "auto"), "text, json, or auto: text on a terminal (LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	fs.BoolVar(&c.SeedIfEmpty, "seed-if-empty", env("SEED_IF_EMPTY", "false") == "true", "load the built-in dataset when the database is empty (SEED_IF_EMPTY)")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", envDuration("SHUTDOWN_TIMEOUT", 20*time.Second), "how long shutdown waits for in-flight requests (SHUTDOWN_TIMEOUT)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", envInt("MAX_BODY_BYTES", 1<<20), "largest request body accepted (MAX_BODY_BYTES)")
	fs.Int64Var(&c.CacheMaxBytes, "cache-max-bytes", envInt("CACHE_MAX_BYTES", 64<<20), "response cache size in bytes, 0 to turn it off (CACHE_MAX_BYTES)")
	fs.DurationVar(&c.FeedPoll, "feed-poll", envDuration("FEED_POLL", 200*time.Millisecond), "how often the change feed is read: the most a subscriber's change lags its commit, plus delivery (FEED_POLL)")
	fs.DurationVar(&c.FeedRetention, "feed-retention", envDuration("FEED_RETENTION", 7*24*time.Hour), "how long the change feed keeps changes: a client may resume from a cursor this old (FEED_RETENTION)")
	fs.DurationVar(&c.CachePoll, "cache-poll", envDuration("CACHE_POLL", time.Second), "how often the content version is read: the most a cached answer lags a change made through another instance (CACHE_POLL)")
	fs.DurationVar(&c.CacheMaxAge, "cache-max-age", envDuration("CACHE_MAX_AGE", 5*time.Second), "Cache-Control max-age of anonymous GET answers (CACHE_MAX_AGE)")
	fs.StringVar(&c.Env, "env", env("APP_ENV", "development"), "development or production: production hides introspection and suggestions from anonymous callers and trusts only the published documents (APP_ENV)")
	fs.StringVar(&c.JWTSecret, "jwt-hs256-secret", env("JWT_HS256_SECRET", ""), "HS256 secret for bearer tokens, 32+ bytes (JWT_HS256_SECRET)")
	fs.StringVar(&c.JWTPublicKeys, "jwt-public-keys-file", env("JWT_PUBLIC_KEYS_FILE", ""), "PEM file of RS256/ES256 public keys (JWT_PUBLIC_KEYS_FILE)")
	fs.StringVar(&c.JWKSFile, "jwt-jwks-file", env("JWT_JWKS_FILE", ""), "JSON Web Key Set file (JWT_JWKS_FILE)")
	fs.StringVar(&c.JWTIssuer, "jwt-issuer", env("JWT_ISSUER", ""), "required iss of tokens (JWT_ISSUER)")
	fs.StringVar(&c.JWTAudience, "jwt-audience", env("JWT_AUDIENCE", ""), "required aud of tokens (JWT_AUDIENCE)")
	fs.IntVar(&c.MaxCost, "max-query-cost", int(envInt("MAX_QUERY_COST", int64(server.DefaultLimits.MaxCost))), "largest operation cost, list fields weighted by page size (MAX_QUERY_COST)")
	fs.IntVar(&c.MaxDepth, "max-query-depth", int(envInt("MAX_QUERY_DEPTH", int64(server.DefaultLimits.MaxDepth))), "deepest field nesting (MAX_QUERY_DEPTH)")
	fs.IntVar(&c.MaxFields, "max-query-fields", int(envInt("MAX_QUERY_FIELDS", int64(server.DefaultLimits.MaxFields))), "most fields and aliases in an operation (MAX_QUERY_FIELDS)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", envDuration("REQUEST_TIMEOUT", server.DefaultLimits.Timeout), "per-request deadline, also the Neo4j transaction timeout (REQUEST_TIMEOUT)")
	fs.Float64Var(&c.RateLimit, "rate-limit", float64(envInt("RATE_LIMIT", 20000)), "cost units per second a client may spend, 0 for no limit (RATE_LIMIT)")
	fs.IntVar(&c.RateBurst, "rate-burst", int(envInt("RATE_BURST", 400000)), "cost units a client may spend at once (RATE_BURST)")
	fs.Int64Var(&c.MemoryLimit, "memory-limit", envInt("MEMORY_LIMIT", 0), "soft memory limit of the Go runtime in bytes; GOMEMLIMIT, if set, wins (MEMORY_LIMIT; 0: 150 MiB)")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", int(envInt("MAX_IN_FLIGHT", 0)), "GraphQL executions at once; the others queue until their deadline (MAX_IN_FLIGHT; 0: 2 per CPU)")
	fs.IntVar(&c.MaxSubs, "max-subscriptions", int(envInt("MAX_SUBSCRIPTIONS", 0)), "subscriptions open at once (MAX_SUBSCRIPTIONS; 0: 10000)")
	fs.IntVar(&c.MaxSubsClient, "max-subscriptions-per-client", int(envInt("MAX_SUBSCRIPTIONS_PER_CLIENT", 0)), "subscriptions one client (key, token subject or address) may hold (MAX_SUBSCRIPTIONS_PER_CLIENT; 0: 20)")
	fs.BoolVar(&c.FeedRecording, "feed-record", env("FEED_RECORD", "on") != "off", "mutations record the change feed (FEED_RECORD=off turns it off: subscriptions and webhooks then see nothing; for measuring its cost)")
	fs.IntVar(&c.MaxHeavy, "max-heavy-in-flight", int(envInt("MAX_HEAVY_IN_FLIGHT", 0)), "executions costing more than HEAVY_COST at once, queued apart from the cheap ones (MAX_HEAVY_IN_FLIGHT; 0: 1 per 2 CPUs)")
	fs.IntVar(&c.HeavyCost, "heavy-cost", int(envInt("HEAVY_COST", 0)), "operation cost above which an execution takes the heavy lane (HEAVY_COST; 0: 20000)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("METRICS_ADDR", ""), "serve /metrics on this address of its own, e.g. 127.0.0.1:9090 (METRICS_ADDR)")
	fs.StringVar(&c.MetricsToken, "metrics-token", env("METRICS_TOKEN", ""), "bearer token /metrics requires, 16+ characters (METRICS_TOKEN)")
	fs.StringVar(&c.Introspection, "introspection", env("INTROSPECTION", ""), "all, or analysts: anonymous callers cannot introspect (INTROSPECTION; default: all in development, analysts in production)")
	trustedOnly := fs.String("trusted-documents-only", env("TRUSTED_DOCUMENTS_ONLY", ""), "true: anonymous callers may run trusted documents only (TRUSTED_DOCUMENTS_ONLY; default: true in production)")
	fs.StringVar(&c.TrustedDir, "trusted-documents-dir", env("TRUSTED_DOCUMENTS_DIR", ""), "directory of more .graphql documents to trust, besides docs/queries (TRUSTED_DOCUMENTS_DIR)")
	fs.DurationVar(&c.SlowRequest, "slow-request", envDuration("SLOW_REQUEST", server.DefaultLimits.SlowRequest), "log requests slower than this (SLOW_REQUEST)")
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	if c.Env != "development" && c.Env != "production" {
		return c, fs, fmt.Errorf("APP_ENV must be development or production, not %q", c.Env)
	}
	if c.Introspection == "" {
		c.Introspection = map[bool]string{true: "analysts", false: "all"}[c.Env == "production"]
	}
	c.TrustedOnly = *trustedOnly == "true" || (*trustedOnly == "" && c.Env == "production")
	c.CORSOrigins, c.EditorKeys, c.AnalystKeys = splitList(*cors), splitList(*editors), splitList(*analysts)
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return c, fs, fmt.Errorf("METRICS_TOKEN must be 16 characters or more")
	}
	return c, fs, nil
}

// apiKeys hashes the configured keys; the secrets are not kept.
func (c Config) apiKeys() ([]server.APIKey, error) {
	var out []server.APIKey
	for access, list := range map[pg.Access][]string{pg.AccessEditor: c.EditorKeys, pg.AccessAnalyst: c.AnalystKeys} {
		for _, kv := range list {
			name, secret, ok := strings.Cut(kv, "=")
			if !ok || name == "" || len(secret) < 8 {
				return nil, fmt.Errorf("API keys are name=secret with a secret of 8 characters or more; got %q", mask(kv))
			}
			if h, isHash := strings.CutPrefix(secret, "sha256:"); isHash {
				b, err := hex.DecodeString(h)
				if err != nil || len(b) != 32 {
					return nil, fmt.Errorf("API key %s: sha256: needs 64 hex digits", name)
				}
				out = append(out, server.APIKey{Name: name, SHA256: [32]byte(b), Access: access})
				continue
			}
			out = append(out, server.APIKey{Name: name, SHA256: sha256.Sum256([]byte(secret)), Access: access})
		}
	}
	return out, nil
}

func mask(s string) string {
	if name, _, ok := strings.Cut(s, "="); ok {
		return name + "=****"
	}
	return "****"
}

// masked lists the settings for the start-up log, secrets masked.
func (c Config) masked() []any {
	names := func(keys []string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = mask(k)
		}
		return out
	}
	return []any{"http_addr", c.HTTPAddr, "neo4j_uri", c.Neo4jURI, "neo4j_user", c.Neo4jUser,
		"neo4j_password", "****", "neo4j_database", c.Neo4jDatabase, "cors_allowed_origins", c.CORSOrigins,
		"editor_api_keys", names(c.EditorKeys), "analyst_api_keys", names(c.AnalystKeys),
		"log_format", c.LogFormat, "log_level", c.LogLevel, "seed_if_empty", c.SeedIfEmpty,
		"shutdown_timeout", c.ShutdownTimeout.String(), "max_body_bytes", c.MaxBodyBytes,
		"cache_max_bytes", c.CacheMaxBytes, "cache_poll", c.CachePoll.String(), "feed_poll", c.FeedPoll.String(), "feed_retention", c.FeedRetention.String(), "cache_max_age", c.CacheMaxAge.String(),
		"env", c.Env, "jwt_hs256_secret", maskSecret(c.JWTSecret), "jwt_public_keys_file", c.JWTPublicKeys, "jwt_jwks_file", c.JWKSFile,
		"jwt_issuer", c.JWTIssuer, "jwt_audience", c.JWTAudience, "max_query_cost", c.MaxCost, "max_query_depth", c.MaxDepth,
		"max_query_fields", c.MaxFields, "request_timeout", c.RequestTimeout.String(), "rate_limit", c.RateLimit, "rate_burst", c.RateBurst, "max_in_flight", c.MaxInFlight, "memory_limit", c.MemoryLimit,
		"introspection", c.Introspection, "trusted_documents_only", c.TrustedOnly, "trusted_documents_dir", c.TrustedDir,
		"slow_request", c.SlowRequest.String(), "max_heavy_in_flight", c.MaxHeavy, "heavy_cost", c.HeavyCost,
		"metrics_addr", c.MetricsAddr, "metrics_token", maskSecret(c.MetricsToken), "metrics_on_api", c.metricsOnAPI()}
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	return "****"
}

// jwtOptions reads the token verification settings and their key files.
func (c Config) jwtOptions() (server.JWTOptions, error) {
	o := server.JWTOptions{HS256Secret: []byte(c.JWTSecret), Issuer: c.JWTIssuer, Audience: c.JWTAudience}
	if c.JWKSFile != "" {
		b, err := os.ReadFile(c.JWKSFile)
		if err != nil {
			return o, err
		}
		o.JWKS = b
	}
	if c.JWTPublicKeys != "" {
		b, err := os.ReadFile(c.JWTPublicKeys)
		if err != nil {
			return o, err
		}
		for block, rest := pem.Decode(b); block != nil; block, rest = pem.Decode(rest) {
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return o, fmt.Errorf("%s: %w", c.JWTPublicKeys, err)
			}
			o.PublicKeys = append(o.PublicKeys, k)
		}
		if len(o.PublicKeys) == 0 {
			return o, fmt.Errorf("%s holds no PEM public key", c.JWTPublicKeys)
		}
	}
	return o, nil
}

// trustedDocuments are the documents anonymous callers may run in trusted-only mode and that
// clients may send by hash alone: the published examples, the web app's documents, and the
// .graphql files of TrustedDir.
func (c Config) trustedDocuments() (map[string]string, error) {
	out := map[string]string{}
	for _, ex := range docs.Examples() {
		out[server.DocumentHash(ex.Query)] = ex.Query
	}
	for _, doc := range web.Documents() { // what the explorer and dashboard send (web/queries)
		out[server.DocumentHash(doc)] = doc
	}
	if c.TrustedDir == "" {
		return out, nil
	}
	files, err := filepath.Glob(filepath.Join(c.TrustedDir, "*.graphql"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out[server.DocumentHash(string(b))] = string(b)
	}
	return out, nil
}

// limits gathers the request limits.
func (c Config) limits(trusted map[string]string) server.Limits {
	return server.Limits{MaxCost: c.MaxCost, MaxDepth: c.MaxDepth, MaxFields: c.MaxFields, Timeout: c.RequestTimeout,
		RatePerSec: c.RateLimit, RateBurst: c.RateBurst, MaxInFlight: c.MaxInFlight, MaxHeavyInFlight: c.MaxHeavy, MaxSubscriptions: c.MaxSubs, MaxSubscriptionsPerClient: c.MaxSubsClient, HeavyCost: c.HeavyCost, SlowRequest: c.SlowRequest, NoAnonymousIntrospection: c.Introspection != "all",
		TrustedOnly: c.TrustedOnly, Trusted: trusted, DisableHints: c.Env == "production"}
}

// metricsOnAPI says whether the API's own listener serves /metrics: in development always; in
// production only behind METRICS_TOKEN, and never when METRICS_ADDR gives it a listener of its
// own.
func (c Config) metricsOnAPI() bool {
	if c.MetricsAddr != "" {
		return false
	}
	return c.Env != "production" || c.MetricsToken != ""
}
