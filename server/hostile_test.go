package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/internal/hostile"
	"github.com/unicri/partnergraph/server"
)

// postRaw sends a JSON body to /graphql and decodes the answer, keeping its headers.
func postRaw(t *testing.T, srv *httptest.Server, key string, body any) (response, http.Header) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{Status: res.StatusCode, raw: raw}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%.300s", err, raw)
	}
	return r, res.Header
}

func trustedExamples() map[string]string {
	trusted := map[string]string{}
	for _, ex := range docs.Examples() {
		trusted[server.DocumentHash(ex.Query)] = ex.Query
	}
	return trusted
}

// TestHostileDocumentsAreRefusedBeforeValidation: every class of hostile document is refused
// with its code for every caller, and none of them is ever validated (gqlgen's validation is
// what cost seconds to minutes): where only trusted documents run, anonymous callers are refused
// before their document is even parsed.
func TestHostileDocumentsAreRefusedBeforeValidation(t *testing.T) {
	open, _ := newHardenedAPI(t, server.Limits{}, server.JWTOptions{})
	production, _ := newHardenedAPI(t, server.Limits{TrustedOnly: true, Trusted: trustedExamples(), NoAnonymousIntrospection: true,
		DisableHints: true}, server.JWTOptions{})
	callers := []struct {
		name string
		srv  *httptest.Server
		key  string
		prod bool
	}{
		{"anonymous in production", production, "", true},
		{"anonymous in development", open, "", false},
		{"analyst", production, analystKey, false},
		{"editor", production, editorKey, false},
	}
	for ci, c := range callers {
		for i, class := range hostile.Classes {
			i := i + 100*ci // every request different: no cache of validated documents helps
			t.Run(c.name+"/"+class.Name, func(t *testing.T) {
				before := metricValue(t, c.srv, "partnergraph_graphql_validations_total")
				r, _ := postRaw(t, c.srv, c.key, map[string]any{"query": class.Build(i)})
				want := class.Code
				if c.prod {
					want = "PERSISTED_QUERY_NOT_ALLOWED"
				}
				r.wantError(t, want, "")
				validated := metricValue(t, c.srv, "partnergraph_graphql_validations_total") - before
				// The long text filter is a valid document: it is validated, and its value
				// refused by the store.
				if wantValidated := float64(map[bool]int{true: 1}[want == "BAD_USER_INPUT"]); validated != wantValidated {
					t.Errorf("validated %v times, want %v", validated, wantValidated)
				}
			})
		}
	}
	t.Run("a trusted document still runs anonymously in production", func(t *testing.T) {
		post(t, production, "", `{ topics { nodes { name } } }`, nil).wantError(t, "PERSISTED_QUERY_NOT_ALLOWED", "")
		before := metricValue(t, production, "partnergraph_graphql_validations_total")
		for _, ex := range docs.Examples() {
			if strings.HasPrefix(strings.TrimSpace(ex.Query), "mutation") || strings.Contains(ex.Query, "mutation ") {
				continue
			}
			var vars map[string]any
			_ = json.Unmarshal([]byte(ex.Variables), &vars)
			post(t, production, "", ex.Query, vars).mustData(t)
		}
		if got := metricValue(t, production, "partnergraph_graphql_validations_total") - before; got != 0 {
			t.Errorf("trusted documents were validated %v times after start; they are validated once, at start", got)
		}
	})
}

// TestPersistedQueryExtensionIsReadStrictly: a malformed extensions.persistedQuery gets a
// PERSISTED_QUERY_* code, never an internal error.
func TestPersistedQueryExtensionIsReadStrictly(t *testing.T) {
	srv, _ := newHardenedAPI(t, server.Limits{}, server.JWTOptions{})
	const doc = `{ __typename }`
	hash := server.DocumentHash(doc)
	tests := []struct {
		name string
		ext  any
		doc  string
		code string
	}{
		{"hash does not match the document", map[string]any{"version": 1, "sha256Hash": strings.Repeat("0", 64)}, doc, "PERSISTED_QUERY_HASH_MISMATCH"},
		{"version 2", map[string]any{"version": 2, "sha256Hash": hash}, doc, "PERSISTED_QUERY_INVALID"},
		{"no version", map[string]any{"sha256Hash": hash}, doc, "PERSISTED_QUERY_INVALID"},
		{"hash is a number", map[string]any{"version": 1, "sha256Hash": 12}, doc, "PERSISTED_QUERY_INVALID"},
		{"hash is not hex", map[string]any{"version": 1, "sha256Hash": "zz"}, doc, "PERSISTED_QUERY_INVALID"},
		{"not an object", "yes", doc, "PERSISTED_QUERY_INVALID"},
		{"unknown hash alone", map[string]any{"version": 1, "sha256Hash": strings.Repeat("a", 64)}, "", "PERSISTED_QUERY_NOT_FOUND"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"extensions": map[string]any{"persistedQuery": tt.ext}}
			if tt.doc != "" {
				body["query"] = tt.doc
			}
			r, _ := postRaw(t, srv, "", body)
			r.wantError(t, tt.code, "")
		})
	}
	t.Run("registered, then sent by hash alone", func(t *testing.T) {
		ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
		r, _ := postRaw(t, srv, "", map[string]any{"query": doc, "extensions": ext})
		r.mustData(t)
		r, _ = postRaw(t, srv, "", map[string]any{"extensions": ext})
		if get(r.mustData(t), "__typename") != "Query" {
			t.Errorf("by hash: %s", r.raw)
		}
	})
}

// TestUnauthenticatedNamesTheScheme: a 401 says which scheme to use (RFC 6750).
func TestUnauthenticatedNamesTheScheme(t *testing.T) {
	srv, _ := newHardenedAPI(t, server.Limits{}, server.JWTOptions{})
	r, h := postRaw(t, srv, "not-a-valid-key", map[string]any{"query": "{ __typename }"})
	if r.Status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("got %d with WWW-Authenticate %q, want 401 with Bearer", r.Status, h.Get("WWW-Authenticate"))
	}
	r.wantError(t, "UNAUTHENTICATED", "")
}

// TestTextReachingLuceneIsBounded: text filters and search refuse long text with
// BAD_USER_INPUT naming the field, never an internal error from Lucene.
func TestTextReachingLuceneIsBounded(t *testing.T) {
	srv, _ := newHardenedAPI(t, server.Limits{}, server.JWTOptions{})
	long := strings.Repeat("a", 5000)
	words := strings.TrimSpace(strings.Repeat(strings.Repeat("b", 900)+" ", 10))
	huge := strings.Repeat("word ", 200000) // 1 MB: over the body limit once quoted? keep under it
	huge = huge[:900000]
	for _, tt := range []struct{ name, query string }{
		{"list filter, 5000 characters", `query($t: String) { events(filter: {text: $t}) { totalCount } }`},
		{"organisations filter", `query($t: String) { organisations(filter: {text: $t}) { nodes { id } } }`},
		{"search", `query($t: String!) { search(text: $t) { totalCount } }`},
	} {
		for _, text := range []string{long, words, huge} {
			t.Run(tt.name, func(t *testing.T) {
				post(t, srv, analystKey, tt.query, map[string]any{"t": text}).wantError(t, "BAD_USER_INPUT", "text")
			})
		}
	}
	// One long word within the limit is searched (no fuzzy automaton for it), not refused.
	post(t, srv, analystKey, `{ events(filter: {text: "`+strings.Repeat("c", 150)+`"}) { totalCount } }`, nil).mustData(t)
}

// TestCoOrganisedEventsTotalCount: the total the schema promises is counted.
func TestCoOrganisedEventsTotalCount(t *testing.T) {
	srv, _ := newAPI(t)
	d := post(t, srv, "", `{ coOrganisedEvents(organisations: ["org-interpol", "org-unicri"], first: 1) { totalCount nodes { id } } }`, nil).mustData(t)
	total, _ := get(d, "coOrganisedEvents", "totalCount").(float64)
	d = post(t, srv, "", `{ coOrganisedEvents(organisations: ["org-interpol", "org-unicri"], first: 100) { nodes { id } } }`, nil).mustData(t)
	all, _ := get(d, "coOrganisedEvents", "nodes").([]any)
	if total < 2 || int(total) != len(all) {
		t.Errorf("totalCount %v, %d events listed", total, len(all))
	}
}
