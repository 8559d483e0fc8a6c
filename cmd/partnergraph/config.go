package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/server"
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
	CacheMaxAge     time.Duration // CACHE_MAX_AGE: Cache-Control max-age of public GET answers
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
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "how long shutdown waits for in-flight requests")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", 1<<20, "largest request body accepted")
	fs.Int64Var(&c.CacheMaxBytes, "cache-max-bytes", envInt("CACHE_MAX_BYTES", 64<<20), "response cache size in bytes, 0 to turn it off (CACHE_MAX_BYTES)")
	fs.DurationVar(&c.CachePoll, "cache-poll", envDuration("CACHE_POLL", time.Second), "how often the content version is read: the most a cached answer lags a change made through another instance (CACHE_POLL)")
	fs.DurationVar(&c.CacheMaxAge, "cache-max-age", envDuration("CACHE_MAX_AGE", 5*time.Second), "Cache-Control max-age of anonymous GET answers (CACHE_MAX_AGE)")
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	c.CORSOrigins, c.EditorKeys, c.AnalystKeys = splitList(*cors), splitList(*editors), splitList(*analysts)
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
		"cache_max_bytes", c.CacheMaxBytes, "cache_poll", c.CachePoll.String(), "cache_max_age", c.CacheMaxAge.String()}
}
