package server

import (
	"context"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/export"
)

// Network exports:
//
//	GET /export/network.graphml   GraphML
//	GET /export/network.gexf      GEXF 1.3
//	GET /export/network.csv       a zip of nodes.csv and edges.csv
//
// take the arguments of the GraphQL network query as URL parameters (center, depth, kinds as
// repeated or comma-separated values, limit) and the same credentials as /graphql. Without
// center they export the whole graph, for analysts and above only. Drafts are included for
// analysts and above, as everywhere. The file streams as the store reads it; an error after the
// first bytes went out aborts the response, so a client never takes a cut file for a whole one.
const (
	// maxWholeGraphExports bounds the whole-graph exports one instance runs at once: each
	// holds a database connection for as long as the graph takes to stream.
	maxWholeGraphExports = 2
	// exportWriteWindow is how long a client has to take each part of a whole-graph export
	// (the server's write timeout is extended by it as the export goes).
	exportWriteWindow = time.Minute
)

// registerExport serves the export routes on mux. Options carry no export service of their
// own: the store's network service implements pg.ExportService too, and without it the routes
// answer 501.
func registerExport(mux *http.ServeMux, o Options) {
	svc, _ := o.Services.Network.(pg.ExportService)
	h := &exportHandler{o: o, svc: svc, slots: make(chan struct{}, maxWholeGraphExports),
		clients: newRateLimiter(o.Limits.RatePerSec, o.Limits.RateBurst)}
	for _, f := range export.Formats {
		mux.Handle("GET /export/network."+string(f), h.serve(f))
	}
}

type exportHandler struct {
	o       Options
	svc     pg.ExportService
	slots   chan struct{}
	clients *rateLimiter // nil: no rate limit
}

func (h *exportHandler) serve(f export.Format) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.svc == nil {
			writeExportError(w, pg.Errorf(pg.ENOTIMPLEMENTED, "this server has no export service"))
			return
		}
		caller, err := h.o.Auth.Authenticate(r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeExportError(w, err)
			return
		}
		if h.o.Health != nil && !h.o.Health.Migrated() {
			writeExportError(w, pg.Errorf(pg.EUNAVAILABLE, "the database is not ready yet; try again shortly"))
			return
		}
		scope, err := exportScope(r.URL.Query())
		if err != nil {
			writeExportError(w, err)
			return
		}
		ctx := pg.NewContextWithCaller(r.Context(), caller)
		if scope.WholeGraph() {
			if !caller.Access.Includes(pg.AccessAnalyst) {
				writeExportError(w, pg.Errorf(pg.EFORBIDDEN, "exporting the whole graph needs analyst access "+
					"(Authorization: Bearer <API key or token>); anyone may export the network around an entity: add center=<id>"))
				return
			}
			select {
			case h.slots <- struct{}{}:
				defer func() { <-h.slots }()
			default:
				w.Header().Set("Retry-After", "30")
				writeExportError(w, &exportBusy{})
				return
			}
		} else {
			if h.clients != nil {
				if wait, ok := h.clients.allow(clientOf(r, caller), scope.Limit); !ok {
					w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
					writeExportError(w, &exportBusy{rate: true})
					return
				}
			}
			// A network is at most MaxNetworkNodes nodes: it gets the deadline of any request.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, h.o.Limits.Timeout)
			defer cancel()
		}
		h.export(w, r.WithContext(ctx), f, scope, caller)
	})
}

func (h *exportHandler) export(w http.ResponseWriter, r *http.Request, f export.Format, scope pg.ExportScope, caller pg.Caller) {
	ctx := r.Context()
	name := "partnergraph"
	description := "the partnergraph graph"
	if !scope.WholeGraph() {
		name += "-network-" + scope.Center
		description = "the partnergraph network around " + scope.Center + ", depth " + strconv.Itoa(scope.Depth)
	}
	if caller.Viewer().Drafts {
		description += ", drafts included"
	} else {
		description += ", published content only"
	}
	hdr := w.Header()
	hdr.Set("Content-Type", f.ContentType())
	hdr.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + f.Extension()}))
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Cache-Control", "private, no-store")
	if r.Method == http.MethodHead {
		return
	}
	start := time.Now()
	out := &exportResponse{w: w, rc: http.NewResponseController(w), extend: scope.WholeGraph()}
	eo := export.Options{Network: !scope.WholeGraph(), Description: description, Time: start}
	var err error
	if a := h.o.Services.Analytics; a != nil {
		// The partner network's metrics ride along (computed once per content version).
		var an *pg.NetworkAnalysis
		if an, err = a.Analyse(ctx, caller.Viewer(), pg.AnalyticsFilter{}); err == nil {
			eo.Metrics = an.ByID
		}
	}
	var ew export.Writer
	if err == nil {
		ew, err = export.New(f, out, eo)
	}
	if err == nil {
		err = h.svc.Export(ctx, caller.Viewer(), scope, ew)
	}
	if err == nil {
		err = ew.Close()
	}
	nodes, edges := 0, 0
	if ew != nil {
		nodes, edges = ew.Counts()
	}
	attrs := []any{"request_id", RequestIDFrom(ctx), "format", string(f), "center", scope.Center, "client", clientOf(r, caller),
		"nodes", nodes, "edges", edges, "duration_ms", time.Since(start).Milliseconds()}
	if err == nil {
		h.o.Logger.InfoContext(ctx, "export", attrs...)
		return
	}
	if !out.committed {
		if pg.ErrorCode(err) == pg.EINTERNAL {
			h.o.Logger.ErrorContext(ctx, "export failed", append(attrs, "err", err)...)
		}
		hdr.Del("Content-Disposition")
		hdr.Del("Cache-Control")
		writeExportError(w, err)
		return
	}
	// The status line went out with the first bytes: the only way left to tell the client is
	// to break the response off (no final chunk), which every HTTP client reports as an error.
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The server's WriteTimeout, which this handler could not extend (see exportResponse).
		h.o.Logger.WarnContext(ctx, "export cut off by the server's write timeout", append(attrs, "err", err)...)
	case ctx.Err() != nil:
		h.o.Logger.InfoContext(ctx, "export abandoned by the client", append(attrs, "err", err)...)
	default:
		h.o.Logger.ErrorContext(ctx, "export failed while streaming", append(attrs, "err", err)...)
	}
	panic(http.ErrAbortHandler)
}

// exportResponse commits the response at its first write, and while a long export streams
// keeps extending the server's write deadline, window by window.
type exportResponse struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	committed bool
	extend    bool
	deadline  time.Time
}

func (e *exportResponse) Write(p []byte) (int, error) {
	if !e.committed {
		e.committed = true
		e.w.WriteHeader(http.StatusOK)
	}
	if e.extend && time.Until(e.deadline) < exportWriteWindow/2 {
		e.deadline = time.Now().Add(exportWriteWindow)
		if err := e.rc.SetWriteDeadline(e.deadline); err != nil {
			// A middleware's writer that has no Unwrap method hides the connection
			// (http.ErrNotSupported): the server's WriteTimeout stays in force, and an export
			// that outlasts it is cut off.
			e.extend = false
		}
	}
	return e.w.Write(p)
}

// exportScope reads the network arguments from URL parameters; no center means the whole graph.
func exportScope(q url.Values) (pg.ExportScope, error) {
	for k, vs := range q {
		switch k {
		case "center", "depth", "limit":
			if len(vs) > 1 {
				return pg.ExportScope{}, pg.FieldErrorf(pg.EINVALID, k, "give %s once", k)
			}
		case "kinds":
		default:
			return pg.ExportScope{}, pg.FieldErrorf(pg.EINVALID, k, "unknown parameter %q: use center, depth, kinds and limit", k)
		}
	}
	s := pg.ExportScope{Center: q.Get("center")}
	if s.Center == "" {
		for _, k := range []string{"depth", "kinds", "limit"} {
			if q.Has(k) {
				return s, pg.FieldErrorf(pg.EINVALID, k, "%s applies to the network around an entity: give center", k)
			}
		}
		return s, nil
	}
	var err error
	if s.Depth, err = intParam(q, "depth", 1); err != nil {
		return s, err
	}
	if s.Limit, err = intParam(q, "limit", 200); err != nil {
		return s, err
	}
	for _, v := range q["kinds"] {
		for _, k := range strings.Split(v, ",") {
			kind := pg.Kind(strings.ToUpper(strings.TrimSpace(k)))
			if kind.Label() == "" {
				return s, pg.FieldErrorf(pg.EINVALID, "kinds", "unknown kind %q: use %s", k, kindNames())
			}
			s.Kinds = append(s.Kinds, kind)
		}
	}
	return s, nil
}

func intParam(q url.Values, key string, def int) (int, error) {
	if !q.Has(key) {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get(key))
	if err != nil {
		return 0, pg.FieldErrorf(pg.EINVALID, key, "%s must be a whole number", key)
	}
	return n, nil
}

func kindNames() string {
	names := make([]string, len(pg.Kinds))
	for i, k := range pg.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// exportBusy refuses an export for now: too many whole-graph exports at once, or the client's
// rate limit.
type exportBusy struct{ rate bool }

func (e *exportBusy) Error() string {
	if e.rate {
		return "too many requests: slow down"
	}
	return "the server is busy with other whole-graph exports: try again shortly"
}

// writeExportError answers with the error document /graphql uses before an operation runs,
// and the status of the error's code.
func writeExportError(w http.ResponseWriter, err error) {
	var busy *exportBusy
	if errors.As(err, &busy) {
		writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", busy.Error())
		return
	}
	status, code := http.StatusInternalServerError, "INTERNAL_SERVER_ERROR"
	switch pg.ErrorCode(err) {
	case pg.EINVALID:
		status, code = http.StatusBadRequest, "BAD_USER_INPUT"
	case pg.ENOTFOUND:
		status, code = http.StatusNotFound, "NOT_FOUND"
	case pg.EUNAUTHORIZED:
		status, code = http.StatusUnauthorized, "UNAUTHENTICATED"
	case pg.EFORBIDDEN:
		status, code = http.StatusForbidden, "FORBIDDEN"
	case pg.EUNAVAILABLE:
		status, code = http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE"
	case pg.ENOTIMPLEMENTED:
		status, code = http.StatusNotImplemented, "NOT_IMPLEMENTED"
	}
	writeError(w, status, code, pg.ErrorMessage(err))
}
