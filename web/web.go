// Package web serves the analyst explorer (/explore) and the reporting dashboard (/dashboard):
// a TypeScript app built with Vite into dist/, which is committed and embedded, so `go build`
// alone gives a complete server. The app is a client of the public GraphQL API only; the
// documents it sends are the .graphql files of queries/, which Documents returns so that the
// server can trust them (APP_ENV=production runs trusted documents only for anonymous callers).
//
// The package imports the standard library only; cmd mounts Handler on the server.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed dist
var dist embed.FS

//go:embed queries/*.graphql
var queries embed.FS

// Documents returns the text of every GraphQL document the app sends, by file name.
func Documents() []string {
	names, _ := fs.Glob(queries, "queries/*.graphql")
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		b, _ := queries.ReadFile(n)
		out = append(out, string(b))
	}
	return out
}

// Security headers of the pages: scripts, styles and connections from this origin only (the
// charts and the graph set inline styles, hence 'unsafe-inline' for styles; PNG exports and
// chart images are data: and blob: URLs).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// Handler serves the app:
//
//	GET /explore, /explore/...   the explorer page; the app routes the rest of the path itself
//	GET /dashboard               the dashboard page
//	GET /assets/...              the build's content-hashed files, cached for a year
//
// Pages are revalidated on every visit (ETag), assets gzipped when the client accepts it. Other
// methods on these paths answer 405; every other path 404, so the handler can take the
// server's unmatched requests.
func Handler() http.Handler {
	return &handler{}
}

type handler struct {
	gz sync.Map // name -> *encoded
}

// encoded is a file in the two forms the handler sends.
type encoded struct {
	once  sync.Once
	plain []byte
	gzip  []byte // nil when compression does not pay
	etag  string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, page := route(r.URL.Path)
	if name == "" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed: use GET", http.StatusMethodNotAllowed)
		return
	}
	f := h.file(name)
	if f == nil {
		http.NotFound(w, r)
		return
	}
	hdr := w.Header()
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		hdr.Set("Content-Type", ct)
	}
	hdr.Set("X-Content-Type-Options", "nosniff")
	if page {
		hdr.Set("Cache-Control", "no-cache")
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("Referrer-Policy", "same-origin")
		hdr.Set("X-Frame-Options", "DENY")
	} else {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	body, etag := f.plain, f.etag
	if f.gzip != nil {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = f.gzip, strings.TrimSuffix(f.etag, `"`)+`-gz"`
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// route maps a request path to a file of dist, and says whether it is a page.
func route(p string) (name string, page bool) {
	switch {
	case p == "/explore" || strings.HasPrefix(p, "/explore/"):
		return "explore.html", true
	case p == "/dashboard" || p == "/dashboard/":
		return "dashboard.html", true
	case strings.HasPrefix(p, "/assets/"):
		rest := strings.TrimPrefix(p, "/assets/")
		if rest == "" || strings.Contains(rest, "/") || strings.HasPrefix(rest, ".") {
			return "", false
		}
		return "assets/" + rest, false
	}
	return "", false
}

// file reads a file of dist once, with its gzip form and ETag; nil if there is none.
func (h *handler) file(name string) *encoded {
	if _, err := fs.Stat(dist, "dist/"+name); err != nil {
		return nil
	}
	v, _ := h.gz.LoadOrStore(name, &encoded{})
	f := v.(*encoded)
	f.once.Do(func() {
		f.plain, _ = dist.ReadFile("dist/" + name)
		sum := sha256.Sum256(f.plain)
		f.etag = `"` + hex.EncodeToString(sum[:12]) + `"`
		switch path.Ext(name) {
		case ".html", ".js", ".css", ".svg", ".json":
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			_, _ = zw.Write(f.plain)
			_ = zw.Close()
			if buf.Len() < len(f.plain)*9/10 {
				f.gzip = buf.Bytes()
			}
		}
	})
	return f
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
