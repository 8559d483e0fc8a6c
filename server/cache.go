package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"

	pg "github.com/unicri/partnergraph"
)

// VersionSource reads the content version, which grows with every change to the content.
type VersionSource interface {
	ContentVersion(ctx context.Context) (int64, error)
}

// CacheOptions configure the response cache.
type CacheOptions struct {
	MaxBytes int64         // bound on cached bodies (default 64 MiB)
	Poll     time.Duration // how often the content version is read (default 1s)
	MaxAge   time.Duration // Cache-Control max-age on cacheable GET responses (default 5s)
	Versions VersionSource
	Logger   *slog.Logger
}

// Cache is the response cache of read-only GraphQL requests. An entry is keyed by the
// normalised document (its tokens), operation name, variables and the caller's access, and
// remembers the content version it was computed at: once the version moves on, the entry is
// stale. This instance's mutations refresh the version before they answer; other instances'
// mutations are seen at the next poll, so answers are at most Poll (plus a request) stale.
type Cache struct {
	o       CacheOptions
	version atomic.Int64 // last content version read; -1 until first read

	mu      sync.Mutex
	entries *lru.Cache[string, *cached]
	bytes   int64

	hits, misses atomic.Int64
}

type cached struct {
	version     int64
	body        []byte
	etag        string
	contentType string
}

// NewCache returns a cache; call Run to keep its content version current.
func NewCache(o CacheOptions) *Cache {
	if o.MaxBytes == 0 {
		o.MaxBytes = 64 << 20
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.MaxAge == 0 {
		o.MaxAge = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &Cache{o: o}
	c.version.Store(-1)
	c.entries, _ = lru.NewWithEvict(1<<20, func(_ string, e *cached) { c.bytes -= int64(len(e.body)) })
	return c
}

// Run polls the content version until ctx ends.
func (c *Cache) Run(ctx context.Context) {
	t := time.NewTicker(c.o.Poll)
	defer t.Stop()
	for {
		c.Refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Refresh reads the content version now. While it cannot be read, nothing is served from the
// cache: a cache that cannot tell whether it is stale must not answer.
func (c *Cache) Refresh(ctx context.Context) {
	v, err := c.o.Versions.ContentVersion(ctx)
	if err != nil {
		c.version.Store(-1)
		c.o.Logger.DebugContext(ctx, "cache: content version unknown", "err", err)
		return
	}
	c.version.Store(v)
}

// Stats returns hits and misses so far.
func (c *Cache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

// request is what the cache needs of a GraphQL request.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// key normalises a request: the document's tokens (so spacing, commas and comments do not
// matter but string contents do), the operation name, the variables and the access level.
func key(r request, access pg.Access) (string, bool) {
	h := sha256.New()
	lx := lexer.New(&ast.Source{Input: r.Query})
	n, depth := 0, 0
	for {
		tok, err := lx.ReadToken()
		if err != nil {
			return "", false
		}
		switch tok.Kind {
		case lexer.EOF:
			goto done
		case lexer.BraceL:
			depth++
		case lexer.BraceR:
			depth--
		case lexer.Name:
			if depth == 0 && (tok.Value == "mutation" || tok.Value == "subscription") {
				return "", false // a document with a mutation is never cached, whichever operation runs
			}
		}
		n++
		h.Write([]byte(strconv.Itoa(int(tok.Kind))))
		h.Write([]byte{0})
		h.Write([]byte(tok.Value))
		h.Write([]byte{0})
	}
done:
	vars, err := json.Marshal(r.Variables) // map keys are sorted: equal variables, equal bytes
	if err != nil {
		return "", false
	}
	h.Write([]byte(r.OperationName + "\x00" + string(access) + "\x00"))
	h.Write(vars)
	return hex.EncodeToString(h.Sum(nil)), n > 0
}

// readRequest extracts the GraphQL request of a GET or a JSON POST, restoring the body. It reads
// requests as the transport does (paramsFromURL, paramsFromJSON), so the cache answers none that
// the transport would refuse.
func readRequest(r *http.Request) (request, bool) {
	var params *graphql.RawParams
	var p *problem
	switch r.Method {
	case http.MethodGet:
		params, p = paramsFromURL(r.URL)
		if p == nil && params.Extensions != nil {
			return request{}, false
		}
	case http.MethodPost:
		if !jsonBody(r.Header.Get("Content-Type")) {
			return request{}, false
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			// Replay what was read, then the error (a body over the limit answers 413).
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), &errReader{err}))
			return request{}, false
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		params, p = paramsFromJSON(body)
	default:
		return request{}, false
	}
	if p != nil {
		return request{}, false
	}
	req := request{Query: params.Query, OperationName: params.OperationName, Variables: params.Variables}
	return req, req.Query != ""
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }

// recorder holds a response back so that its caching headers can be set from its body.
type recorder struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (w *recorder) Header() http.Header         { return w.header }
func (w *recorder) WriteHeader(code int)        { w.status = code }
func (w *recorder) Write(b []byte) (int, error) { return w.buf.Write(b) }

// Handler serves cacheable requests from the cache and stores the answers of the others.
// Requests that ask for no-cache, carry a non-query operation or produce errors pass through.
func (c *Cache) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		access := pg.CallerFromContext(r.Context()).Access
		req, ok := readRequest(r)
		var k string
		if ok {
			// The negotiated media type is part of the key: the same answer goes out as
			// application/json to one client and application/graphql-response+json to another.
			media, acceptable := negotiate(r.Header)
			k, ok = key(req, access)
			k, ok = k+"\x00"+media, ok && acceptable
		}
		version := c.version.Load()
		if !ok || version < 0 || strings.Contains(r.Header.Get("Cache-Control"), "no-cache") {
			next.ServeHTTP(w, r)
			return
		}
		public := r.Method == http.MethodGet && access == pg.AccessAnonymous
		c.mu.Lock()
		e, found := c.entries.Get(k)
		c.mu.Unlock()
		if found && e.version == version {
			c.hits.Add(1)
			w.Header().Set("X-Cache", "hit")
			c.write(w, r, public, e.contentType, http.StatusOK, e.body, e.etag)
			return
		}
		c.misses.Add(1)
		rec := &recorder{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(rec, r)
		body := rec.buf.Bytes()
		w.Header().Set("X-Cache", "miss")
		if rec.status != http.StatusOK || !successful(body) {
			w.WriteHeader(rec.status)
			_, _ = w.Write(body)
			return
		}
		e = &cached{version: version, body: bytes.Clone(body), etag: etag(body), contentType: w.Header().Get("Content-Type")}
		c.mu.Lock()
		c.entries.Add(k, e)
		c.bytes += int64(len(e.body))
		for c.bytes > c.o.MaxBytes && c.entries.Len() > 0 {
			c.entries.RemoveOldest()
		}
		c.mu.Unlock()
		c.write(w, r, public, e.contentType, http.StatusOK, e.body, e.etag)
	})
}

// write sends a cacheable answer, or 304 when the client already has it.
func (c *Cache) write(w http.ResponseWriter, r *http.Request, public bool, contentType string, status int, body []byte, tag string) {
	c.headers(w, public, tag)
	if public && r.Header.Get("If-None-Match") == tag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// headers lets browsers and CDNs keep anonymous GET answers for MaxAge; others are private.
func (c *Cache) headers(w http.ResponseWriter, public bool, tag string) {
	if !slices.Contains(w.Header().Values("Vary"), "Accept") {
		w.Header().Add("Vary", "Accept") // the media type follows the Accept header
	}
	if !public {
		w.Header().Set("Cache-Control", "private, no-store")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(c.o.MaxAge.Seconds())))
	if tag != "" {
		w.Header().Set("ETag", tag)
	}
}

func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// successful reports whether a GraphQL response has data and no errors.
func successful(body []byte) bool {
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	return json.Unmarshal(body, &r) == nil && len(r.Errors) == 0 && len(r.Data) > 0 && string(r.Data) != "null"
}
