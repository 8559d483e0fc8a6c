package server_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/server"
)

const (
	ctJSON         = "application/json; charset=utf-8"
	ctResponse     = "application/graphql-response+json; charset=utf-8"
	acceptResponse = "application/graphql-response+json"
)

// httpCase is one request to /graphql and what the GraphQL-over-HTTP spec wants back.
type httpCase struct {
	name        string
	method      string
	query       url.Values // GET parameters
	contentType string
	accept      string
	body        string
	key         string // API key, if any

	status int
	media  string // Content-Type; "" for none
	allow  string // Allow header
	data   string // "present", "absent" or "" (not checked)
	code   string // extensions.code of the first error; "" when no error is expected
}

type httpResult struct {
	status int
	header http.Header
	body   []byte
}

func sendCase(t *testing.T, srv *httptest.Server, c httpCase) httpResult {
	t.Helper()
	target := srv.URL + "/graphql"
	if c.query != nil {
		target += "?" + c.query.Encode()
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.accept != "" {
		req.Header.Set("Accept", c.accept)
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s /graphql: %v", c.method, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return httpResult{res.StatusCode, res.Header, b}
}

// check compares a response with what the case wants.
func (c httpCase) check(t *testing.T, r httpResult) {
	t.Helper()
	if r.status != c.status {
		t.Errorf("status: got %d, want %d (%s)", r.status, c.status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != c.media {
		t.Errorf("Content-Type: got %q, want %q", got, c.media)
	}
	if got := r.header.Get("Allow"); got != c.allow {
		t.Errorf("Allow: got %q, want %q", got, c.allow)
	}
	if c.method == http.MethodHead || c.status == http.StatusNoContent {
		return
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	if _, has := doc["data"]; c.data == "present" && !has || c.data == "absent" && has {
		t.Errorf("data entry: want %s: %s", c.data, r.body)
	}
	var errs []struct {
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	}
	_ = json.Unmarshal(doc["errors"], &errs)
	switch {
	case c.code == "" && len(errs) > 0:
		t.Errorf("unexpected errors: %s", r.body)
	case c.code != "" && len(errs) == 0:
		t.Errorf("no error, want %s: %s", c.code, r.body)
	case c.code != "" && errs[0].Extensions.Code != c.code:
		t.Errorf("error code: got %q, want %q: %s", errs[0].Extensions.Code, c.code, r.body)
	}
}

func jsonPost(name, accept, body string) httpCase {
	return httpCase{name: name, method: http.MethodPost, contentType: "application/json", accept: accept, body: body}
}

// want completes a case with its expected answer.
func (c httpCase) want(status int, media, data, code string) httpCase {
	c.status, c.media, c.data, c.code = status, media, data, code
	return c
}

func TestGraphQLOverHTTPStatusCodes(t *testing.T) {
	srv, _ := newAPI(t)
	const ok, badField = `{"query":"{ __typename }"}`, `{"query":"{ nope }"}`
	// The topic lookup refuses an id and a slug together while it runs: an execution error.
	const execError = `{"query":"{ topic(id: \"x\", slug: \"y\") { name } }"}`
	oversized := `{"query":"{ __typename }"}` + strings.Repeat(" ", 1<<20)
	cases := []httpCase{
		// 200: executed, also with errors from execution; existing clients send no Accept header.
		jsonPost("query, no Accept", "", ok).want(200, ctJSON, "present", ""),
		jsonPost("execution error, no Accept", "", execError).want(200, ctJSON, "present", "BAD_USER_INPUT"),
		jsonPost("execution error, application/json", "application/json", execError).want(200, ctJSON, "present", "BAD_USER_INPUT"),
		jsonPost("execution error, graphql-response+json", acceptResponse, execError).want(200, ctResponse, "present", "BAD_USER_INPUT"),
		{name: "GET query", method: http.MethodGet, query: url.Values{"query": {"{ __typename }"}}, status: 200, media: ctJSON, data: "present"},
		{name: "GET query with variables", method: http.MethodGet, accept: acceptResponse, query: url.Values{
			"query": {`query T($slug: String!) { topic(slug: $slug) { name } }`}, "variables": {`{"slug":"deepfakes"}`}},
			status: 200, media: ctResponse, data: "present"},
		// Request errors: 200 under application/json (gqlgen's transports said 422, which the spec
		// does not prescribe), 400 without a data entry under application/graphql-response+json.
		jsonPost("validation error, application/json", "application/json", badField).want(200, ctJSON, "", "GRAPHQL_VALIDATION_FAILED"),
		jsonPost("validation error, graphql-response+json", acceptResponse, badField).want(400, ctResponse, "absent", "GRAPHQL_VALIDATION_FAILED"),
		jsonPost("parse error, application/json", "application/json", `{"query":"{"}`).want(200, ctJSON, "", "GRAPHQL_PARSE_FAILED"),
		jsonPost("parse error, graphql-response+json", acceptResponse, `{"query":"{"}`).want(400, ctResponse, "absent", "GRAPHQL_PARSE_FAILED"),
		jsonPost("variable coercion error, graphql-response+json", acceptResponse,
			`{"query":"query T($slug: String!) { topic(slug: $slug) { name } }","variables":{"slug":null}}`).
			want(400, ctResponse, "absent", "GRAPHQL_VALIDATION_FAILED"),
		jsonPost("unknown operation, graphql-response+json", acceptResponse, `{"query":"query A { __typename }","operationName":"B"}`).
			want(400, ctResponse, "absent", "GRAPHQL_VALIDATION_FAILED"),
		// 400: not a well-formed GraphQL-over-HTTP request, whatever the media type.
		jsonPost("invalid JSON", "application/json", `{"query":`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("invalid JSON, graphql-response+json", acceptResponse, `NONSENSE`).want(400, ctResponse, "absent", "BAD_REQUEST"),
		jsonPost("empty body", "", "").want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("not an object", "", `["{ __typename }"]`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("missing query", "", `{"qeury":"{ __typename }"}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("null query", "", `{"query":null}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("query not a string", "", `{"query":{"obj":"ect"}}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("operationName not a string", "", `{"query":"{ __typename }","operationName":0}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("variables not an object", "", `{"query":"{ __typename }","variables":[7]}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("extensions not an object", "", `{"query":"{ __typename }","extensions":"x"}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("null parameters", acceptResponse, `{"query":"{ __typename }","operationName":null,"variables":null,"extensions":null}`).
			want(200, ctResponse, "present", ""),
		{name: "GET without query", method: http.MethodGet, query: url.Values{"operationName": {"A"}}, status: 400, media: ctJSON, data: "absent", code: "BAD_REQUEST"},
		{name: "GET with bad variables", method: http.MethodGet, query: url.Values{"query": {"{ __typename }"}, "variables": {"[1]"}},
			status: 400, media: ctJSON, data: "absent", code: "BAD_REQUEST"},
		// 405: other methods, with the methods that work.
		{name: "PUT", method: http.MethodPut, contentType: "application/json", body: ok,
			status: 405, media: ctJSON, allow: "GET, POST, OPTIONS", data: "absent", code: "METHOD_NOT_ALLOWED"},
		{name: "DELETE, graphql-response+json", method: http.MethodDelete, accept: acceptResponse,
			status: 405, media: ctResponse, allow: "GET, POST, OPTIONS", data: "absent", code: "METHOD_NOT_ALLOWED"},
		{name: "HEAD", method: http.MethodHead, query: url.Values{"query": {"{ __typename }"}},
			status: 405, media: ctJSON, allow: "GET, POST, OPTIONS"},
		{name: "OPTIONS", method: http.MethodOptions, status: 204, allow: "GET, POST, OPTIONS"},
		// 413: a body over MaxBodyBytes (1 MiB by default).
		jsonPost("body over the limit", "", oversized).want(413, ctJSON, "absent", "REQUEST_TOO_LARGE"),
		jsonPost("body over the limit, graphql-response+json", acceptResponse, oversized).want(413, ctResponse, "absent", "REQUEST_TOO_LARGE"),
		jsonPost("body just under the limit", "", `{"query":"{ __typename }"}`+strings.Repeat(" ", 1<<20-30)).want(200, ctJSON, "present", ""),
		// 415: only JSON bodies in UTF-8; no form, multipart or application/graphql bodies.
		{name: "no Content-Type", method: http.MethodPost, body: ok, status: 415, media: ctJSON, data: "absent", code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "text/plain", method: http.MethodPost, contentType: "text/plain", body: ok, status: 415, media: ctJSON, data: "absent", code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "form", method: http.MethodPost, contentType: "application/x-www-form-urlencoded", body: "query=%7B__typename%7D",
			status: 415, media: ctJSON, data: "absent", code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "multipart", method: http.MethodPost, contentType: "multipart/form-data; boundary=x", body: "--x--",
			status: 415, media: ctJSON, data: "absent", code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "application/graphql", method: http.MethodPost, contentType: "application/graphql", accept: acceptResponse, body: "{ __typename }",
			status: 415, media: ctResponse, data: "absent", code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "JSON in Latin-1", method: http.MethodPost, contentType: "application/json; charset=iso-8859-1", body: ok,
			status: 415, media: ctJSON, data: "absent", code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "JSON, UTF-8 declared", method: http.MethodPost, contentType: "application/json; charset=UTF-8", body: ok,
			status: 200, media: ctJSON, data: "present"},
		// 406: an Accept header that allows neither media type.
		{name: "Accept text/html", method: http.MethodGet, accept: "text/html", query: url.Values{"query": {"{ __typename }"}},
			status: 406, media: ctJSON, data: "absent", code: "NOT_ACCEPTABLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := sendCase(t, srv, c)
			c.check(t, r)
			if c.method != http.MethodOptions && !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Accept") {
				t.Errorf("no Vary: Accept: %v", r.header)
			}
		})
	}
}

// TestBodyLimitBehindTheCache sends oversized bodies through the response cache, which reads
// JSON bodies first: with a declared length and chunked (no length), both answer 413.
func TestBodyLimitBehindTheCache(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv, _ := newCachedAPI(t, db, time.Hour)
	big := []byte(`{"query":"{ __typename }"}` + strings.Repeat(" ", 1<<20))
	for _, c := range []struct {
		name string
		body io.Reader
	}{
		{"declared length", bytes.NewReader(big)},
		{"chunked", io.MultiReader(bytes.NewReader(big))}, // unknown length: sent chunked
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", c.body)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "REQUEST_TOO_LARGE") {
				t.Errorf("got %d %s, want 413", res.StatusCode, b)
			}
		})
	}
}

// TestContentNegotiation runs each Accept header twice through the response cache (a miss, then
// a hit): the media type follows the Accept header, not whoever filled the cache entry.
func TestContentNegotiation(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv, cache := newCachedAPI(t, db, time.Hour)
	cache.Refresh(t.Context())
	for _, c := range []struct {
		accept string
		want   string // Content-Type, or "" for 406
	}{
		{"", ctJSON},
		{"application/json", ctJSON},
		{acceptResponse, ctResponse},
		{acceptResponse + "; charset=utf-8, application/json; charset=utf-8", ctResponse},
		{"application/json, " + acceptResponse, ctResponse},
		{acceptResponse + ";q=0.5, application/json", ctJSON},
		{"application/json;q=0.9, " + acceptResponse, ctResponse},
		{"*/*", ctJSON},
		{"application/*", ctJSON},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ctJSON},
		{"*/*, application/json;q=0", ctResponse},
		{"application/*;q=0.5, " + acceptResponse + ";q=0.4", ctJSON},
		{"text/html", ""},
		{"application/json;q=0", ""},
		{"not a media type", ctJSON}, // nothing usable: as if absent
	} {
		t.Run(cmp.Or(c.accept, "no Accept"), func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				for range 2 {
					hc := httpCase{method: method, accept: c.accept, status: 200, media: c.want, data: "present"}
					if method == http.MethodGet {
						hc.query = url.Values{"query": {`{ topic(slug: "deepfakes") { name } }`}}
					} else {
						hc.contentType, hc.body = "application/json", `{"query":"{ topic(slug: \"deepfakes\") { name } }"}`
					}
					if c.want == "" {
						hc.status, hc.media, hc.data, hc.code = 406, ctJSON, "absent", "NOT_ACCEPTABLE"
					}
					r := sendCase(t, srv, hc)
					hc.check(t, r)
					if !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Accept") {
						t.Errorf("%s (X-Cache %s): no Vary: Accept", method, r.header.Get("X-Cache"))
					}
				}
			}
		})
	}
	if hits, _ := cache.Stats(); hits == 0 {
		t.Errorf("the cache served nothing: the test did not exercise its hits")
	}
}

func TestGETRefusesMutations(t *testing.T) {
	srv, _ := newAPI(t)
	const del = `mutation Delete { deleteNode(id: "topic-deepfakes") { id } }`
	const both = del + ` query Read { topic(slug: "deepfakes") { name } }`
	for _, c := range []httpCase{
		{name: "mutation", query: url.Values{"query": {del}}, accept: acceptResponse,
			status: 405, media: ctResponse, allow: "POST", data: "absent", code: "METHOD_NOT_ALLOWED"},
		{name: "mutation, application/json", query: url.Values{"query": {del}},
			status: 405, media: ctJSON, allow: "POST", data: "absent", code: "METHOD_NOT_ALLOWED"},
		{name: "mutation chosen by operationName", query: url.Values{"query": {both}, "operationName": {"Delete"}},
			status: 405, media: ctJSON, allow: "POST", data: "absent", code: "METHOD_NOT_ALLOWED"},
		{name: "invalid mutation", query: url.Values{"query": {`mutation { nope }`}},
			status: 405, media: ctJSON, allow: "POST", data: "absent", code: "METHOD_NOT_ALLOWED"},
		{name: "query chosen by operationName", query: url.Values{"query": {both}, "operationName": {"Read"}},
			status: 200, media: ctJSON, data: "present"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.method, c.key = http.MethodGet, editorKey // an editor could run it over POST
			c.check(t, sendCase(t, srv, c))
		})
	}
	if get(post(t, srv, "", `{ topic(slug: "deepfakes") { id } }`, nil).mustData(t), "topic") == nil {
		t.Errorf("a GET mutation deleted the topic")
	}
}

// TestCacheAnswersOnlyWhatTheTransportAccepts primes the response cache with a query, then sends
// the same query in requests the transport refuses: the cache must not answer them.
func TestCacheAnswersOnlyWhatTheTransportAccepts(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	srv, cache := newCachedAPI(t, db, time.Hour)
	cache.Refresh(t.Context())
	const q = `"query":"{ topic(slug: \"deepfakes\") { name } }"`
	prime := jsonPost("prime", "", "{"+q+"}").want(200, ctJSON, "present", "")
	for range 2 {
		prime.check(t, sendCase(t, srv, prime))
	}
	for _, c := range []httpCase{
		jsonPost("extensions not an object", "", "{"+q+`,"extensions":"x"}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		jsonPost("operationName not a string", "", "{"+q+`,"operationName":false}`).want(400, ctJSON, "absent", "BAD_REQUEST"),
		{name: "Latin-1 body", method: http.MethodPost, contentType: "application/json; charset=latin1", body: "{" + q + "}",
			status: 415, media: ctJSON, data: "absent", code: "UNSUPPORTED_MEDIA_TYPE"},
		{name: "Accept text/html", method: http.MethodPost, contentType: "application/json", accept: "text/html", body: "{" + q + "}",
			status: 406, media: ctJSON, data: "absent", code: "NOT_ACCEPTABLE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := sendCase(t, srv, c)
			c.check(t, r)
			if x := r.header.Get("X-Cache"); x == "hit" {
				t.Errorf("answered from the cache")
			}
		})
	}
}

// notMigrated is a database the server has not migrated yet: operations are refused.
type notMigrated struct{}

func (notMigrated) Ready(context.Context) error { return errors.New("not migrated") }
func (notMigrated) Migrated() bool              { return false }

// TestNotExecutedForWantOfTheDatabase: an operation refused before it runs for want of the
// database answers 503 with Retry-After in both media types (a client and a CDN must not take it
// for an answer); application/graphql-response+json also leaves out the data entry.
func TestNotExecutedForWantOfTheDatabase(t *testing.T) {
	db := neo4jtest.Open(t)
	h := server.New(server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Health: notMigrated{},
		Services: services(db),
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	const body = `{"query":"{ __typename }"}`
	for _, c := range []httpCase{
		jsonPost("application/json", "", body).want(503, ctJSON, "", "SERVICE_UNAVAILABLE"),
		jsonPost("graphql-response+json", acceptResponse, body).want(503, ctResponse, "absent", "SERVICE_UNAVAILABLE"),
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, sendCase(t, srv, c)) })
	}
}
