package server_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/server"
)

const adminKey = "test-admin-key"

// newHardenedAPI serves the API with the given limits and token settings.
func newHardenedAPI(t *testing.T, limits server.Limits, jwtOpts server.JWTOptions) (*httptest.Server, *server.Metrics) {
	t.Helper()
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	keys := []server.APIKey{
		{Name: "editor", SHA256: sha256.Sum256([]byte(editorKey)), Access: pg.AccessEditor},
		{Name: "analyst", SHA256: sha256.Sum256([]byte(analystKey)), Access: pg.AccessAnalyst},
		{Name: "admin", SHA256: sha256.Sum256([]byte(adminKey)), Access: pg.AccessAdmin},
	}
	auth, err := server.NewAuthenticator(keys, jwtOpts)
	if err != nil {
		t.Fatal(err)
	}
	metrics := server.NewMetrics()
	db.SetObserver(metrics.ObserveStatement)
	srv := httptest.NewServer(server.New(server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Health: readyHealth{db}, Auth: auth, Limits: limits, Metrics: metrics, MetricsOnAPI: true,
		Services: services(db),
	}))
	t.Cleanup(srv.Close)
	return srv, metrics
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestJWTIdentity(t *testing.T) {
	secret := []byte(strings.Repeat("s", 32))
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	jwks, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": b64(rsaKey.N.Bytes()), "e": b64(big.NewInt(int64(rsaKey.E)).Bytes())}}})
	now := time.Now()
	claims := func(role string, mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "alice", "role": role, "iss": "unicri", "aud": "partnergraph", "exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	const mutation = `mutation { createTopic(input: {slug: "via-token", name: "Via token"}) { id } }`
	tests := []struct {
		name     string
		opts     server.JWTOptions
		token    func() string
		wantCode string // "" for success
		status   int
	}{
		{"HS256 editor", server.JWTOptions{HS256Secret: secret, Issuer: "unicri", Audience: "partnergraph"},
			func() string { return sign(t, jwt.SigningMethodHS256, secret, claims("editor", nil)) }, "", 200},
		{"HS256 analyst may not mutate", server.JWTOptions{HS256Secret: secret},
			func() string { return sign(t, jwt.SigningMethodHS256, secret, claims("analyst", nil)) }, "FORBIDDEN", 200},
		{"expired", server.JWTOptions{HS256Secret: secret},
			func() string {
				return sign(t, jwt.SigningMethodHS256, secret, claims("editor", func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() }))
			}, "UNAUTHENTICATED", 401},
		{"not yet valid", server.JWTOptions{HS256Secret: secret},
			func() string {
				return sign(t, jwt.SigningMethodHS256, secret, claims("editor", func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() }))
			}, "UNAUTHENTICATED", 401},
		{"no exp", server.JWTOptions{HS256Secret: secret},
			func() string {
				return sign(t, jwt.SigningMethodHS256, secret, claims("editor", func(c jwt.MapClaims) { delete(c, "exp") }))
			}, "UNAUTHENTICATED", 401},
		{"wrong issuer", server.JWTOptions{HS256Secret: secret, Issuer: "someone-else"},
			func() string { return sign(t, jwt.SigningMethodHS256, secret, claims("editor", nil)) }, "UNAUTHENTICATED", 401},
		{"wrong audience", server.JWTOptions{HS256Secret: secret, Audience: "another-api"},
			func() string { return sign(t, jwt.SigningMethodHS256, secret, claims("editor", nil)) }, "UNAUTHENTICATED", 401},
		{"wrong secret", server.JWTOptions{HS256Secret: secret},
			func() string {
				return sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), claims("editor", nil))
			}, "UNAUTHENTICATED", 401},
		{"unknown role", server.JWTOptions{HS256Secret: secret},
			func() string { return sign(t, jwt.SigningMethodHS256, secret, claims("superuser", nil)) }, "UNAUTHENTICATED", 401},
		{"alg none refused", server.JWTOptions{HS256Secret: secret},
			func() string {
				return sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("editor", nil))
			}, "UNAUTHENTICATED", 401},
		{"RS256 public key", server.JWTOptions{PublicKeys: []crypto.PublicKey{&rsaKey.PublicKey}},
			func() string { return sign(t, jwt.SigningMethodRS256, rsaKey, claims("editor", nil)) }, "", 200},
		{"ES256 public key", server.JWTOptions{PublicKeys: []crypto.PublicKey{&ecKey.PublicKey}},
			func() string { return sign(t, jwt.SigningMethodES256, ecKey, claims("editor", nil)) }, "", 200},
		{"RS256 via JWKS", server.JWTOptions{JWKS: jwks},
			func() string { return sign(t, jwt.SigningMethodRS256, rsaKey, claims("editor", nil)) }, "", 200},
		{"HS256 token against RS256 keys", server.JWTOptions{PublicKeys: []crypto.PublicKey{&rsaKey.PublicKey}},
			func() string { return sign(t, jwt.SigningMethodHS256, secret, claims("editor", nil)) }, "UNAUTHENTICATED", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := newHardenedAPI(t, server.Limits{}, tt.opts)
			r := post(t, srv, tt.token(), mutation, nil)
			if r.Status != tt.status {
				t.Errorf("status: got %d, want %d: %s", r.Status, tt.status, r.raw)
			}
			if tt.wantCode == "" {
				r.mustData(t)
				return
			}
			r.wantError(t, tt.wantCode, "")
		})
	}
}

func TestMintedTokenWorks(t *testing.T) {
	o := server.JWTOptions{HS256Secret: []byte(strings.Repeat("k", 40)), Issuer: "dev", Audience: "partnergraph"}
	tok, err := server.MintToken(o, pg.AccessAdmin, "tester", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newHardenedAPI(t, server.Limits{}, o)
	post(t, srv, tok, `mutation { deleteNodes(ids: ["topic-robotics"]) { ids } }`, nil).mustData(t)
	if _, err := server.MintToken(server.JWTOptions{HS256Secret: []byte("short")}, pg.AccessAdmin, "x", time.Minute); err == nil {
		t.Errorf("minting with a short secret must fail")
	}
}

func TestAbuseLimits(t *testing.T) {
	srv, _ := newHardenedAPI(t, server.Limits{MaxCost: 5000, MaxDepth: 6, MaxFields: 40, MaxTokens: 400}, server.JWTOptions{})
	aliases := make([]string, 45)
	for i := range aliases {
		aliases[i] = fmt.Sprintf("a%d: __typename", i)
	}
	tests := []struct {
		name, query, code string
	}{
		{"cost weighted by page size", `{ organisations(first: 100) { nodes { events(first: 100) { edges { node { title } } } } } }`, "QUERY_TOO_COMPLEX"},
		{"depth", `{ organisation(slug: "unicri") { parent { parent { parent { parent { parent { parent { id } } } } } } } }`, "QUERY_TOO_DEEP"},
		{"aliases", "{ " + strings.Join(aliases, " ") + " }", "TOO_MANY_FIELDS"},
		{"fragments count too", `query { ...F ...F } fragment F on Query { ` + strings.Join(aliases[:25], " ") + ` }`, "TOO_MANY_FIELDS"},
		{"parser tokens", "{ " + strings.Repeat("__typename ", 500) + "}", "GRAPHQL_PARSE_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			post(t, srv, analystKey, tt.query, nil).wantError(t, tt.code, "")
		})
	}
	// Within the limits the same shapes run.
	post(t, srv, analystKey, `{ organisations(first: 10) { nodes { events(first: 10) { edges { node { title } } } } } }`, nil).mustData(t)
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	srv, metrics := newHardenedAPI(t, server.Limits{RatePerSec: 10, RateBurst: 100}, server.JWTOptions{})
	const q = `{ topics(first: 20) { nodes { name } } }` // costs about 20 x 2 + ...: a few fit the burst
	var limited response
	for i := 0; i < 20; i++ {
		if r := post(t, srv, "", q, nil); r.Status == http.StatusTooManyRequests {
			limited = r
			break
		}
	}
	if limited.Status != http.StatusTooManyRequests {
		t.Fatalf("20 quick requests were never limited")
	}
	limited.wantError(t, "RATE_LIMITED", "")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":"{ topics(first: 20) { nodes { name } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("limited response: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	// Another client (an analyst's key) has its own budget.
	post(t, srv, analystKey, q, nil).mustData(t)
	res, _ = http.Get(srv.URL + "/metrics")
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "partnergraph_rate_limited_total") || strings.Contains(string(body), "partnergraph_rate_limited_total 0\n") {
		t.Errorf("rate-limit refusals not counted in /metrics")
	}
	_ = metrics
}

func TestTrustedDocumentsAndIntrospection(t *testing.T) {
	trusted := map[string]string{}
	var example docs.Example
	for _, ex := range docs.Examples() {
		trusted[server.DocumentHash(ex.Query)] = ex.Query
		if ex.Name == "10-events-in-a-place" {
			example = ex
		}
	}
	srv, _ := newHardenedAPI(t, server.Limits{TrustedOnly: true, Trusted: trusted, NoAnonymousIntrospection: true}, server.JWTOptions{})
	var vars map[string]any
	_ = json.Unmarshal([]byte(example.Variables), &vars)
	post(t, srv, "", example.Query, vars).mustData(t)
	post(t, srv, "", `{ topics { nodes { name } } }`, nil).wantError(t, "PERSISTED_QUERY_NOT_ALLOWED", "")
	post(t, srv, analystKey, `{ topics { nodes { name } } }`, nil).mustData(t)
	// A client may send the hash alone (automatic persisted queries).
	body, _ := json.Marshal(map[string]any{"variables": vars, "extensions": map[string]any{
		"persistedQuery": map[string]any{"version": 1, "sha256Hash": server.DocumentHash(example.Query)}}})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `"totalCount":3`) {
		t.Errorf("persisted query by hash: %s", b)
	}
	// Introspection: analysts yes, anonymous callers no.
	const intro = `{ __schema { queryType { name } } }`
	post(t, srv, analystKey, intro, nil).mustData(t)
	trustedIntro := map[string]string{server.DocumentHash(intro): intro}
	srv2, _ := newHardenedAPI(t, server.Limits{NoAnonymousIntrospection: true, TrustedOnly: true, Trusted: trustedIntro}, server.JWTOptions{})
	if r := post(t, srv2, "", intro, nil); len(r.Errors) == 0 {
		t.Errorf("anonymous introspection allowed: %s", r.raw)
	}
}

func TestAdminBulkDelete(t *testing.T) {
	srv, _ := newHardenedAPI(t, server.Limits{}, server.JWTOptions{})
	const m = `mutation($ids: [ID!]!) { deleteNodes(ids: $ids) { ids } }`
	post(t, srv, editorKey, m, map[string]any{"ids": []string{"topic-robotics"}}).wantError(t, "FORBIDDEN", "")
	post(t, srv, adminKey, m, map[string]any{"ids": []string{"topic-robotics", "topic-nope"}}).wantError(t, "NOT_FOUND", "ids")
	if get(post(t, srv, "", `{ topic(slug: "robotics") { id } }`, nil).mustData(t), "topic") == nil {
		t.Fatalf("a refused bulk delete deleted something")
	}
	post(t, srv, adminKey, m, map[string]any{"ids": []string{"topic-robotics", "topic-deepfakes"}}).mustData(t)
	d := post(t, srv, "", `{ a: topic(slug: "robotics") { id } b: topic(slug: "deepfakes") { id } }`, nil).mustData(t)
	if get(d, "a") != nil || get(d, "b") != nil {
		t.Errorf("bulk delete left entities: %v", d)
	}
}

func TestDeadlineReachesNeo4j(t *testing.T) {
	srv, _ := newHardenedAPI(t, server.Limits{Timeout: time.Nanosecond}, server.JWTOptions{})
	start := time.Now()
	// Out of time is busy, not down: SERVICE_BUSY, 503 with Retry-After.
	r, h := postRaw(t, srv, "", map[string]any{"query": `{ stats { countsByKind { key count } } }`})
	r.wantError(t, "SERVICE_BUSY", "")
	if r.Status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Errorf("busy: status %d, Retry-After %q; want 503 with Retry-After", r.Status, h.Get("Retry-After"))
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a request past its deadline took %s", took)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	srv, _ := newHardenedAPI(t, server.Limits{}, server.JWTOptions{})
	post(t, srv, "", `{ topics { nodes { name } } }`, nil).mustData(t)
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`partnergraph_graphql_requests_total{operation="other",outcome="ok"} 1`,
		"partnergraph_graphql_request_duration_seconds_bucket", "partnergraph_cypher_statements_total",
		"partnergraph_cypher_statement_duration_seconds", "partnergraph_graphql_cypher_round_trips", "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
