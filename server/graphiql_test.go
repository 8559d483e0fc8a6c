package server_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/unicri/partnergraph/server"
	"github.com/unicri/partnergraph/web"
)

// TestPlaygroundNeedsNothingFromOutside: the GraphiQL page names scripts and styles of this
// server only, the web build serves each of them, and each matches its integrity hash.
func TestPlaygroundNeedsNothingFromOutside(t *testing.T) {
	h := server.New(server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	page := w.Body.String()
	if w.Code != 200 || !strings.Contains(page, "GraphiQL") {
		t.Fatalf("GET /: %d %.200s", w.Code, page)
	}
	if m := regexp.MustCompile(`(?:src|href)="(https?:)?//[^"]*"`).FindString(page); m != "" {
		t.Errorf("the playground loads %s from outside the server", m)
	}
	refs := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)" integrity="sha256-([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 4 {
		t.Fatalf("the playground names %d assets with integrity hashes, want GraphiQL's script and style and React's two scripts", len(refs))
	}
	assets := web.Handler()
	for _, r := range refs {
		w := httptest.NewRecorder()
		assets.ServeHTTP(w, httptest.NewRequest("GET", r[1], nil))
		if w.Code != 200 {
			t.Errorf("%s: %d from the web build (rebuild it: make web)", r[1], w.Code)
			continue
		}
		sum := sha256.Sum256(w.Body.Bytes())
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != r[2] {
			t.Errorf("%s: sha256-%s, the page expects sha256-%s", r[1], got, r[2])
		}
	}
}
