package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

// fuzzStatuses are the HTTP statuses the API may answer, whatever it is sent: success, the
// GraphQL-over-HTTP refusals (bad request, method, size, media type, unprocessable document),
// credentials, unknown paths, rate limiting and an unavailable database. Two more are allowed
// only where the spec asks for them: 204 answers OPTIONS, 406 an Accept header that allows
// neither JSON media type.
var fuzzStatuses = []int{200, 400, 401, 404, 405, 413, 415, 422, 429, 503}

const (
	fuzzMaxBody  = 8 << 10         // small, so fuzzed bodies can pass the limit
	fuzzDeadline = 5 * time.Second // each request's context deadline
	fuzzGrace    = time.Second     // how long the handler may take to notice the deadline
)

// fuzzPaths are the paths a fuzzed request goes to: the API, the other routes, and misses.
var fuzzPaths = []string{"/graphql", "/", "/healthz", "/readyz", "/graphql/", "/nope", "/metrics"}

// fuzzHealth is a database that is always migrated; Ready pings the real one.
type fuzzHealth struct{ db *neo4jstore.DB }

func (h fuzzHealth) Ready(ctx context.Context) error { return h.db.Ping(ctx) }
func (h fuzzHealth) Migrated() bool                  { return true }

// FuzzHandler sends the handler of server.New (with the response cache, as cmd serves it)
// requests with any method, path, query string, content type, Accept header and body, as an
// anonymous caller over the seeded test database (documents that parse do run against Neo4j;
// anonymous callers cannot mutate, so the database stays as seeded). The handler must not
// panic, must answer within its deadline with one of fuzzStatuses, must answer /graphql with a
// JSON GraphQL response, must never report an internal error, and must not execute a body
// larger than its limit.
//
// Each fuzzing worker process runs this set-up, which empties and seeds the shared database:
// fuzz it with -parallel=1 (make fuzz does).
func FuzzHandler(f *testing.F) {
	db := neo4jtest.Open(f)
	neo4jtest.MustSeedCentre(f, db)
	trusted := map[string]string{}
	for _, ex := range docs.Examples() {
		trusted[server.DocumentHash(ex.Query)] = ex.Query
	}
	// The handler as cmd builds it, in three configurations: development (the defaults),
	// introspection and hints off for anonymous callers, and production (trusted documents
	// only for anonymous callers, rate limit, metrics).
	handlers := make([]http.Handler, 3)
	for mode, limits := range []server.Limits{
		{},
		{NoAnonymousIntrospection: true, DisableHints: true},
		{NoAnonymousIntrospection: true, DisableHints: true, TrustedOnly: true, Trusted: trusted, RatePerSec: 20000, RateBurst: 400000},
	} {
		// A cache of its own: answers must not cross configurations.
		cache := server.NewCache(server.CacheOptions{Versions: db, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		cache.Refresh(context.Background())
		o := server.Options{
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Health: fuzzHealth{db},
			// A key exists, so that mutations are refused for lack of one, not for lack of keys.
			APIKeys:      []server.APIKey{{Name: "editor", SHA256: sha256.Sum256([]byte("fuzz-editor-key")), Access: pg.AccessEditor}},
			Services:     services(db),
			MaxBodyBytes: fuzzMaxBody,
			Cache:        cache,
			Limits:       limits,
		}
		if mode == 2 {
			o.Metrics, o.MetricsOnAPI = server.NewMetrics(), true
		}
		handlers[mode] = server.New(o)
	}

	const js = "application/json"
	gql := func(query string, vars string) string {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": json.RawMessage(orNull(vars))})
		return string(b)
	}
	for _, ex := range docs.Examples() {
		f.Add(uint8(0), "POST", uint8(0), "", js, "", []byte(gql(ex.Query, ex.Variables)))
		f.Add(uint8(2), "POST", uint8(0), "", js, "", []byte(gql(ex.Query, ex.Variables)))
		if !strings.Contains(ex.Query, "mutation") {
			f.Add(uint8(0), "GET", uint8(0), url.Values{"query": {ex.Query}, "variables": {ex.Variables}}.Encode(), "", "", []byte(nil))
		}
	}
	for _, s := range []struct {
		mode        uint8
		method      string
		path        uint8
		query       string
		contentType string
		accept      string
		body        string
	}{
		{0, "POST", 0, "", js, "", `{"query":"{ __typename }"}`},
		{0, "POST", 0, "", "application/json; charset=utf-8", "application/graphql-response+json", `{"query":"{ __typename }"}`},
		{0, "POST", 0, "", js, "", `{"query":"query A { __typename } query B { __schema { queryType { name } } }","operationName":"B"}`},
		{0, "POST", 0, "", js, "", `{"query":"query A { __typename } query B { __typename }"}`},
		{0, "POST", 0, "", js, "", `{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":42}}`},
		{0, "POST", 0, "", js, "", `{"query":"query($id: ID!) { node(id: $id) { id } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{"}`},
		{0, "POST", 0, "", js, "application/graphql-response+json", `{"query":"{"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ nope }"}`},
		{0, "POST", 0, "", js, "", `{"query":""}`},
		{0, "POST", 0, "", js, "", `{}`},
		{0, "POST", 0, "", js, "", `[]`},
		{0, "POST", 0, "", js, "", `null`},
		{0, "POST", 0, "", js, "", `{"query":`},
		{0, "POST", 0, "", js, "", ``},
		{0, "POST", 0, "", js, "", `{"query":"{ __typename }","variables":"x"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"00"}}}`},
		{0, "POST", 0, "", js, "", `{"query":"mutation { deleteNode(id: \"org-interpol\") { id } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"mutation { createTopic(input: {slug: \"fuzz\", name: \"Fuzz\"}) { id } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"subscription { x }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ organisations(last: 2, after: \"garbage\") { nodes { id } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ organisations(first: 101) { nodes { id } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ events(filter: {from: \"2018-02-30\"}) { nodes { id } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ search(text: \"\\\"interpol AND (* OR ~ ^2 [a TO\") { totalCount edges { node { snippet } } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ search(text: \"\") { totalCount } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ network(center: \"org-unicri\", depth: 3, limit: 1000) { nodes { id } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ network(center: \"org-unicri\", depth: -1, limit: -5) { nodes { id } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ connection(from: \"org-unicri\", to: \"org-interpol\", maxHops: 100, limit: 1000) { length steps { explanation } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ stats(filter: {from: \"2020\", to: \"2018\"}) { countsByKind { key count } topPartners(limit: -1) { key } } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ nodes(ids: [\"\", \"x\", \"org-interpol\"]) { id } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ a: __typename b: __typename ... on Query { __typename } }"}`},
		{0, "POST", 0, "", js, "", `{"query":"` + strings.Repeat("{", 200) + `"}`},
		{0, "POST", 0, "", js, "", `{"query":"{ __typename }"}` + strings.Repeat(" ", fuzzMaxBody)},
		{0, "POST", 0, "", js, "", `{"query":"{ __typename }","padding":"` + strings.Repeat("x", fuzzMaxBody) + `"}`},
		{0, "POST", 0, "", "text/plain", "", `{"query":"{ __typename }"}`},
		{0, "POST", 0, "", "application/graphql", "", `{ __typename }`},
		{0, "POST", 0, "", "application/x-www-form-urlencoded", "", `query=%7B__typename%7D`},
		{0, "POST", 0, "", "", "", `{"query":"{ __typename }"}`},
		{0, "POST", 0, "", "application/json; charset=", "", `{"query":"{ __typename }"}`},
		{0, "GET", 0, "query=%7B__typename%7D", "", "", ""},
		{0, "GET", 0, "query=mutation%7BdeleteNode(id:%22x%22)%7Bid%7D%7D", "", "", ""},
		{0, "GET", 0, "query=%7B__typename%7D&variables=%7Bx", "", "", ""},
		{0, "GET", 0, "query=%7B__typename%7D&extensions=%7B%7D", "", "", ""},
		{0, "GET", 0, "query=%7B&operationName=x", "", "", ""},
		{0, "GET", 0, "query=%zz", "", "", ""},
		{0, "GET", 0, "", "", "", ""},
		{0, "PUT", 0, "", js, "", `{"query":"{ __typename }"}`},
		{0, "DELETE", 0, "", "", "", ""},
		{0, "OPTIONS", 0, "", "", "", ""},
		{0, "HEAD", 0, "query=%7B__typename%7D", "", "", ""},
		{0, "PATCH", 0, "", js, "", `{"query":"{ __typename }"}`},
		{0, "GET", 1, "", "", "", ""},
		{0, "POST", 1, "", js, "", `{"query":"{ __typename }"}`},
		{0, "GET", 2, "", "", "", ""},
		{0, "GET", 3, "", "", "", ""},
		{0, "POST", 2, "", "", "", ""},
		{0, "GET", 4, "", "", "", ""},
		{0, "GET", 5, "", "", "", ""},
		{0, "GET", 0, "query=%7B__typename%7D", "", "text/html", ""},
		{1, "POST", 0, "", js, "", `{"query":"{ __schema { queryType { name } } }"}`},
		{1, "POST", 0, "", js, "", `{"query":"{ __type(name: \"Query\") { name } }"}`},
		{1, "POST", 0, "", js, "", `{"query":"{ organisatoins { nodes { id } } }"}`},
		{2, "POST", 0, "", js, "", `{"query":"{ __typename }"}`},
		{2, "GET", 0, "extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%2200%22%7D%7D", "", "", ""},
		{2, "GET", 6, "", "", "", ""},
	} {
		f.Add(s.mode, s.method, s.path, s.query, s.contentType, s.accept, []byte(s.body))
	}

	f.Fuzz(func(t *testing.T, mode uint8, method string, pathIdx uint8, rawQuery, contentType, accept string, body []byte) {
		h := handlers[int(mode)%len(handlers)]
		path := fuzzPaths[int(pathIdx)%len(fuzzPaths)]
		// Keep to requests net/http's server would hand to the handler at all: it answers
		// malformed request lines and header values with 400 itself.
		u, err := url.ParseRequestURI(path + "?" + rawQuery)
		if err != nil || !validHeaderValue(contentType) || !validHeaderValue(accept) {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), fuzzDeadline)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, method, "http://partnergraph.test/", bytes.NewReader(body))
		if err != nil {
			return // not a method token
		}
		req.URL, req.RequestURI = u, u.RequestURI()
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		desc := fmt.Sprintf("[mode %d] ", int(mode)%len(handlers)) + describeRequest(method, path, rawQuery, contentType, accept, body)

		rec := httptest.NewRecorder()
		done := make(chan any, 1)
		start := time.Now()
		go func() {
			defer func() { done <- recover() }()
			h.ServeHTTP(rec, req)
		}()
		select {
		case p := <-done:
			if p != nil {
				t.Fatalf("%s: handler panicked: %v", desc, p)
			}
		case <-time.After(fuzzDeadline + 5*time.Second):
			t.Fatalf("%s: handler still running %s after the request's deadline", desc, 5*time.Second)
		}
		if took := time.Since(start); took > fuzzDeadline+fuzzGrace {
			t.Fatalf("%s: took %s, want under %s", desc, took, fuzzDeadline+fuzzGrace)
		}
		res := rec.Result()
		got, _ := io.ReadAll(res.Body)
		allowed := slices.Contains(fuzzStatuses, res.StatusCode) ||
			(res.StatusCode == http.StatusNoContent && method == http.MethodOptions) ||
			(res.StatusCode == http.StatusNotAcceptable && accept != "")
		if !allowed {
			t.Fatalf("%s: status %d, want one of %v\n%s", desc, res.StatusCode, fuzzStatuses, clip(got))
		}
		if path != "/graphql" {
			return
		}
		var r struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if method == http.MethodHead || res.StatusCode == http.StatusNoContent {
			return // no body
		}
		if err := json.Unmarshal(got, &r); err != nil || (r.Data == nil && len(r.Errors) == 0) {
			t.Fatalf("%s: status %d, body is not a GraphQL JSON response (%v):\n%s", desc, res.StatusCode, err, clip(got))
		}
		for _, e := range r.Errors {
			if e.Extensions["code"] == "INTERNAL_SERVER_ERROR" {
				t.Fatalf("%s: status %d, internal error: client input must never cause one:\n%s", desc, res.StatusCode, clip(got))
			}
		}
		if len(body) > fuzzMaxBody && len(r.Data) > 0 && string(r.Data) != "null" {
			t.Fatalf("%s: a %d-byte body (limit %d) was executed: status %d\n%s", desc, len(body), fuzzMaxBody, res.StatusCode, clip(got))
		}
	})
}

func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// validHeaderValue reports whether net/http's server accepts v as a header value: no control
// characters other than tab.
func validHeaderValue(v string) bool {
	return !strings.ContainsFunc(v, func(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f })
}

func describeRequest(method, path, rawQuery, contentType, accept string, body []byte) string {
	s := method + " " + path
	if rawQuery != "" {
		s += "?" + rawQuery
	}
	if contentType != "" {
		s += " Content-Type: " + contentType
	}
	if accept != "" {
		s += " Accept: " + accept
	}
	return s + " body " + string(clip(body))
}

// clip shortens long bodies in failure messages.
func clip(b []byte) []byte {
	if len(b) > 600 {
		return append(b[:600:600], "..."...)
	}
	return b
}
