package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// The app's documents must be valid against the API contract: a schema change that breaks
// the explorer or the dashboard fails here, not in a browser.
func TestDocumentsValidate(t *testing.T) {
	src, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, err := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if err != nil {
		t.Fatal(err)
	}
	docs := Documents()
	if len(docs) == 0 {
		t.Fatal("no documents in queries/")
	}
	for _, d := range docs {
		q, errs := gqlparser.LoadQuery(schema, d)
		if len(errs) > 0 {
			t.Errorf("%.60q: %v", d, errs)
			continue
		}
		// The app reads, never writes: queries, and the live updates' subscription.
		if len(q.Operations) != 1 || q.Operations[0].Name == "" || q.Operations[0].Operation == ast.Mutation {
			t.Errorf("%.60q: want one named query or subscription", d)
		}
	}
}

// The committed build must carry the current documents: the app sends each by its SHA-256, so
// a document edited without rebuilding web/dist would be sent under a stale hash.
func TestDistHasCurrentDocuments(t *testing.T) {
	var js bytes.Buffer
	err := fs.WalkDir(dist, "dist/assets", func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".js") {
			b, _ := dist.ReadFile(p)
			js.Write(b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Documents() {
		sum := sha256.Sum256([]byte(d))
		if !bytes.Contains(js.Bytes(), []byte(hex.EncodeToString(sum[:]))) {
			t.Errorf("web/dist does not hold the document %.50q: rebuild it (make web) and commit web/dist", d)
		}
	}
}

func get(t *testing.T, h http.Handler, method, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerRoutes(t *testing.T) {
	h := Handler()
	page := func(name string) string {
		b, err := dist.ReadFile("dist/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name, method, path string
		status             int
		body               string // the response is this file of dist
		cache              string
	}{
		{"explorer", "GET", "/explore", 200, "explore.html", "no-cache"},
		{"explorer slash", "GET", "/explore/", 200, "explore.html", "no-cache"},
		{"entity page", "GET", "/explore/organisation/org-ghent-university", 200, "explore.html", "no-cache"},
		{"connection", "GET", "/explore/connect?from=a&to=b", 200, "explore.html", "no-cache"},
		{"dashboard", "GET", "/dashboard", 200, "dashboard.html", "no-cache"},
		{"head", "HEAD", "/dashboard", 200, "", "no-cache"},
		{"post", "POST", "/explore", 405, "", ""},
		{"missing asset", "GET", "/assets/nope.js", 404, "", ""},
		{"asset subdirectory", "GET", "/assets/../explore.html", 404, "", ""},
		{"other path", "GET", "/nope", 404, "", ""},
		{"dashboard subpath", "GET", "/dashboard/x", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := get(t, h, tt.method, tt.path)
			if w.Code != tt.status {
				t.Fatalf("status: got %d, want %d", w.Code, tt.status)
			}
			if tt.body != "" && w.Body.String() != page(tt.body) {
				t.Errorf("body: got %.80q, want %s", w.Body.String(), tt.body)
			}
			if got := w.Header().Get("Cache-Control"); tt.cache != "" && got != tt.cache {
				t.Errorf("Cache-Control: got %q, want %q", got, tt.cache)
			}
			if tt.status == 200 && !strings.Contains(w.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("pages need a Content-Security-Policy, got %q", w.Header().Get("Content-Security-Policy"))
			}
		})
	}
}

// Every asset a page names exists, is cached for a year, and comes gzipped when accepted.
func TestAssets(t *testing.T) {
	h := Handler()
	ref := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`)
	seen := 0
	for _, pg := range []string{"/explore", "/dashboard"} {
		body := get(t, h, "GET", pg).Body.String()
		for _, m := range ref.FindAllStringSubmatch(body, -1) {
			seen++
			w := get(t, h, "GET", m[1], "Accept-Encoding", "gzip, br")
			if w.Code != 200 {
				t.Errorf("%s names %s: status %d", pg, m[1], w.Code)
				continue
			}
			if got := w.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("%s: Cache-Control %q", m[1], got)
			}
			want, _ := dist.ReadFile("dist" + m[1])
			got := w.Body.Bytes()
			if w.Header().Get("Content-Encoding") == "gzip" {
				zr, err := gzip.NewReader(bytes.NewReader(got))
				if err != nil {
					t.Fatal(err)
				}
				got, _ = io.ReadAll(zr)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: body differs from dist", m[1])
			}
		}
	}
	if seen < 4 {
		t.Errorf("the pages name %d assets; want their scripts, styles and icon", seen)
	}
}

func TestRevalidation(t *testing.T) {
	h := Handler()
	w := get(t, h, "GET", "/explore")
	etag := w.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if w := get(t, h, "GET", "/explore/event/x", "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: got %d, want 304", w.Code)
	}
	gz := get(t, h, "GET", "/explore", "Accept-Encoding", "gzip")
	if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") == etag {
		t.Errorf("gzip answer: encoding %q, ETag %q (must differ from %q)", gz.Header().Get("Content-Encoding"), gz.Header().Get("ETag"), etag)
	}
	if w := get(t, h, "GET", "/explore", "Accept-Encoding", "gzip;q=0"); w.Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 must get the plain file")
	}
}
