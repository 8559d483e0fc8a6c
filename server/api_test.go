package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"crypto/sha256"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/analytics"
	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

const (
	editorKey  = "test-editor-key"
	analystKey = "test-analyst-key"
)

// readyHealth is a database that is always migrated; Ready pings the real one.
type readyHealth struct{ db *neo4jstore.DB }

func (h readyHealth) Ready(ctx context.Context) error { return h.db.Ping(ctx) }
func (h readyHealth) Migrated() bool                  { return true }

// newAPI serves the API over the real test database, seeded with the centre dataset.
func newAPI(t *testing.T) (*httptest.Server, *neo4jstore.DB) {
	t.Helper()
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	return serve(t, testOptions(db)), db
}

// testOptions serves db with the test keys (editor, analyst) and nothing else switched on.
// services are every service of the store, as cmd wires them.
func services(db *neo4jstore.DB) server.Services {
	return server.Services{Content: db.Content(), Network: db.Network(), Search: db.Search(), Stats: db.Stats(),
		Reads: db.Reader(), Analytics: analytics.New(db.Partners())}
}

func testOptions(db *neo4jstore.DB) server.Options {
	return server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Health: readyHealth{db},
		APIKeys: []server.APIKey{
			{Name: "editor", SHA256: sha256.Sum256([]byte(editorKey)), Access: pg.AccessEditor},
			{Name: "analyst", SHA256: sha256.Sum256([]byte(analystKey)), Access: pg.AccessAnalyst},
		},
		Services: services(db),
	}
}

// serve starts a test server for the options, closed when the test ends.
func serve(t *testing.T, o server.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(server.New(o))
	t.Cleanup(srv.Close)
	return srv
}

// response is a GraphQL response with its HTTP status.
type response struct {
	Status int
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
	raw []byte
}

// post sends a document as JSON POST, with an optional bearer key.
func post(t *testing.T, srv *httptest.Server, key, query string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{Status: res.StatusCode, raw: raw}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, raw)
	}
	return r
}

// mustData fails the test if the response has errors.
func (r response) mustData(t *testing.T) map[string]any {
	t.Helper()
	if len(r.Errors) > 0 || r.Data == nil {
		t.Fatalf("got errors: %s", r.raw)
	}
	return r.Data
}

// get walks a decoded JSON value by keys and indexes, e.g. get(d, "event", "organisers", "edges", 0).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// strs collects get(item, path...) for every item of a list.
func strs(list any, path ...any) []string {
	var out []string
	l, _ := list.([]any)
	for _, item := range l {
		s, _ := get(item, path...).(string)
		out = append(out, s)
	}
	return out
}

// TestExampleDocuments runs every document in docs/queries (what GraphiQL opens with) and
// compares the answer with its golden file.
func TestExampleDocuments(t *testing.T) {
	srv, _ := newAPI(t)
	for _, ex := range docs.Examples() {
		t.Run(ex.Name, func(t *testing.T) {
			var vars map[string]any
			if ex.Variables != "" {
				if err := json.Unmarshal([]byte(ex.Variables), &vars); err != nil {
					t.Fatalf("variables: %v", err)
				}
			}
			key := ""
			if strings.Contains(ex.Name, "editor") {
				key = editorKey
			}
			r := post(t, srv, key, ex.Query, vars)
			r.mustData(t)
			var pretty bytes.Buffer
			_ = json.Indent(&pretty, r.raw, "", "  ")
			golden := filepath.Join("testdata", "golden", ex.Name+".json")
			if *update {
				if err := os.WriteFile(golden, append(pretty.Bytes(), '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("no golden file (run go test ./server -run TestExampleDocuments -update): %v", err)
			}
			if got := append(pretty.Bytes(), '\n'); !bytes.Equal(got, want) {
				t.Errorf("answer differs from %s\ngot:\n%s", golden, got)
			}
		})
	}
}
