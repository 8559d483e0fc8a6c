package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/analytics"
	"github.com/unicri/partnergraph/export/xsdtest"
	"github.com/unicri/partnergraph/internal/pyenv"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
	"go.opentelemetry.io/otel/trace/noop"
)

// exportDraftTitle is the title of a draft event added for the export tests: markup, quotes
// and a formula, which no export may take literally.
const (
	exportDraftID    = "evt-export-draft"
	exportDraftTitle = `=1+1 <draft> & "quoted" — café`
)

func addExportDraft(t *testing.T, db *neo4jstore.DB) {
	t.Helper()
	_, err := db.Content().CreateNode(context.Background(), pg.NodeInput{Kind: pg.KindEvent,
		Fields: map[string]any{"id": exportDraftID, "slug": "export-draft", "title": exportDraftTitle, "kind": "MEETING", "status": "DRAFT"},
		Links:  []pg.Relation{{Type: pg.RelOrganised, From: "org-interpol", Role: pg.RoleHost}}})
	if err != nil {
		t.Fatal(err)
	}
}

// download GETs an export, with an optional bearer key.
func download(t *testing.T, srv *httptest.Server, key, path string) (*http.Response, []byte) {
	t.Helper()
	res, body, err := downloadPartly(t, srv, key, path)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", path, err)
	}
	return res, body
}

// downloadPartly is download for a body that may break off: it returns what arrived and the
// error that ended it.
func downloadPartly(t *testing.T, srv *httptest.Server, key, path string) (*http.Response, []byte, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

// exportReport is one line of export/testdata/check_exports.py.
type exportReport struct {
	File     string            `json:"file"`
	Format   string            `json:"format"`
	Nodes    int               `json:"nodes"`
	Edges    int               `json:"edges"`
	Directed *bool             `json:"directed"`
	Statuses map[string]int    `json:"statuses"`
	Labels   map[string]string `json:"labels"`
	// Communities are the community attributes of the labels asked for (the partner network's).
	Communities map[string]int `json:"communities"`
}

// readBack saves the exports under their download names and reads them with
// export/testdata/check_exports.py, asking for the labels of the given ids.
func readBack(t *testing.T, files map[string][]byte, labels ...string) map[string]exportReport {
	t.Helper()
	python := pyenv.Python(t)
	dir := t.TempDir()
	args := []string{filepath.Join("..", "export", "testdata", "check_exports.py")}
	for _, id := range labels {
		args = append(args, "--label", id)
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	cmd := exec.Command(python, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("check_exports.py: %v\n%s%s", err, out, stderr.String())
	}
	reports := map[string]exportReport{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r exportReport
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("check_exports.py printed %q: %v", sc.Text(), err)
		}
		t.Logf("check_exports.py: %s", sc.Text())
		reports[r.Format] = r
	}
	if len(reports) != len(files) {
		t.Fatalf("check_exports.py reported on %d of %d files:\n%s", len(reports), len(files), out)
	}
	return reports
}

// validateXML validates the GraphML and GEXF files among files against their XML Schemas.
func validateXML(t *testing.T, files map[string][]byte) {
	t.Helper()
	xml := map[string][]byte{}
	for name, data := range files {
		if strings.HasSuffix(name, ".graphml") || strings.HasSuffix(name, ".gexf") {
			xml[name] = data
		}
	}
	xsdtest.Validate(t, xml)
}

// downloadAll fetches the three formats of one export and checks their headers.
func downloadAll(t *testing.T, srv *httptest.Server, key, query, wantName string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, tc := range []struct{ path, contentType, name string }{
		{"/export/network.graphml", "application/xml; charset=utf-8", wantName + ".graphml"},
		{"/export/network.gexf", "application/xml; charset=utf-8", wantName + ".gexf"},
		{"/export/network.csv", "application/zip", wantName + ".csv.zip"},
	} {
		res, body := download(t, srv, key, tc.path+query)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s%s: %d %s", tc.path, query, res.StatusCode, body)
		}
		if got := res.Header.Get("Content-Type"); got != tc.contentType {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		if got, want := res.Header.Get("Content-Disposition"), `attachment; filename=`+tc.name; got != want {
			t.Errorf("GET %s: Content-Disposition %q, want %q", tc.path, got, want)
		}
		files[tc.name] = body
	}
	return files
}

func TestExportWholeGraphAsAnalyst(t *testing.T) {
	srv, db := newAPI(t)
	addExportDraft(t, db)
	ctx := context.Background()
	entities, err := db.CountEntities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	relations, err := db.CountRelations(ctx, pg.Viewer{Drafts: true})
	if err != nil {
		t.Fatal(err)
	}
	files := downloadAll(t, srv, analystKey, "", "partnergraph")
	validateXML(t, files)
	reports := readBack(t, files, exportDraftID, "org-interpol")
	for format, r := range reports {
		if r.Nodes != entities || r.Edges != relations {
			t.Errorf("%s: networkx/csv read %d nodes and %d edges; the database holds %d entities and %d relations",
				format, r.Nodes, r.Edges, entities, relations)
		}
		if r.Statuses["DRAFT"] != 1 {
			t.Errorf("%s: %d drafts, want the one draft (analysts see drafts)", format, r.Statuses["DRAFT"])
		}
		want := exportDraftTitle
		if format == "csv" {
			want = "'" + exportDraftTitle // a spreadsheet must show the formula, not run it
		}
		if got := r.Labels[exportDraftID]; got != want {
			t.Errorf("%s: the draft's label read back as %q, want %q", format, got, want)
		}
		if r.Labels["org-interpol"] != "International Criminal Police Organization" {
			t.Errorf("%s: labels read back: %v", format, r.Labels)
		}
		if format != "csv" && (r.Directed == nil || !*r.Directed) {
			t.Errorf("%s: a whole-graph export is read as undirected", format)
		}
	}
}

func TestExportNetworkAnonymously(t *testing.T) {
	srv, db := newAPI(t)
	addExportDraft(t, db)
	for _, tc := range []struct {
		key    string
		viewer pg.Viewer
	}{{"", pg.Public}, {analystKey, pg.Viewer{Drafts: true}}} {
		net, err := db.Network().Network(context.Background(), tc.viewer, "org-interpol", 2, nil, 200)
		if err != nil {
			t.Fatal(err)
		}
		files := downloadAll(t, srv, tc.key, "?center=org-interpol&depth=2", "partnergraph-network-org-interpol")
		validateXML(t, files)
		an, err := analytics.New(db.Partners()).Analyse(context.Background(), tc.viewer, pg.AnalyticsFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for format, r := range readBack(t, files, exportDraftID, "org-unicri", "place-singapore") {
			// The partner network's metrics are node attributes: Gephi users get them as they are.
			if got, want := r.Communities["org-unicri"], an.ByID["org-unicri"].Community; got != want {
				t.Errorf("drafts %v, %s: UNICRI's community read back as %d, want %d", tc.viewer.Drafts, format, got, want)
			}
			if c, ok := r.Communities["place-singapore"]; ok {
				t.Errorf("%s: a place has a community (%d)", format, c)
			}
			if r.Nodes != len(net.Nodes) || r.Edges != len(net.Edges) {
				t.Errorf("drafts %v, %s: read %d nodes and %d edges; the network query gives %d and %d",
					tc.viewer.Drafts, format, r.Nodes, r.Edges, len(net.Nodes), len(net.Edges))
			}
			_, hasDraft := r.Labels[exportDraftID]
			if hasDraft != tc.viewer.Drafts || (r.Statuses["DRAFT"] > 0) != tc.viewer.Drafts {
				t.Errorf("drafts %v, %s: the draft is in the export: %v (statuses %v)", tc.viewer.Drafts, format, hasDraft, r.Statuses)
			}
			if format != "csv" && (r.Directed == nil || *r.Directed) {
				t.Errorf("%s: a network export is read as directed; its edges are pairs", format)
			}
		}
	}
	// kinds and limit narrow the network as they do in GraphQL.
	res, body := download(t, srv, "", "/export/network.graphml?center=org-interpol&depth=2&kinds=EVENT&kinds=organisation&limit=5")
	if res.StatusCode != http.StatusOK || bytes.Count(body, []byte("<node ")) != 5 || bytes.Contains(body, []byte(">PLACE<")) {
		t.Errorf("kinds and limit: %d, %d nodes\n%s", res.StatusCode, bytes.Count(body, []byte("<node ")), body)
	}
}

func TestExportRefusals(t *testing.T) {
	srv, _ := newAPI(t)
	for _, tc := range []struct {
		name, key, path string
		status          int
		code, message   string
	}{
		{"anonymous whole graph", "", "/export/network.graphml", http.StatusForbidden, "FORBIDDEN", "needs analyst access"},
		{"bad credential", "not-a-key", "/export/network.gexf", http.StatusUnauthorized, "UNAUTHENTICATED", "not valid"},
		{"unknown center", "", "/export/network.csv?center=org-nobody", http.StatusNotFound, "NOT_FOUND", "org-nobody"},
		{"depth not a number", "", "/export/network.graphml?center=org-interpol&depth=two", http.StatusBadRequest, "BAD_USER_INPUT", "depth"},
		{"depth out of range", "", "/export/network.graphml?center=org-interpol&depth=7", http.StatusBadRequest, "BAD_USER_INPUT", "depth"},
		{"unknown kind", "", "/export/network.graphml?center=org-interpol&kinds=ROBOT", http.StatusBadRequest, "BAD_USER_INPUT", "ROBOT"},
		{"depth without center", analystKey, "/export/network.graphml?depth=2", http.StatusBadRequest, "BAD_USER_INPUT", "give center"},
		{"misspelt parameter", analystKey, "/export/network.graphml?centre=org-interpol", http.StatusBadRequest, "BAD_USER_INPUT", "centre"},
		{"unknown format", analystKey, "/export/network.xlsx", http.StatusNotFound, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := download(t, srv, tc.key, tc.path)
			if res.StatusCode != tc.status {
				t.Fatalf("got %d %s, want %d", res.StatusCode, body, tc.status)
			}
			if tc.code == "" {
				return
			}
			var doc struct {
				Errors []struct {
					Message    string         `json:"message"`
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(body, &doc); err != nil || len(doc.Errors) != 1 {
				t.Fatalf("error body %s: %v", body, err)
			}
			if doc.Errors[0].Extensions["code"] != tc.code || !strings.Contains(doc.Errors[0].Message, tc.message) {
				t.Errorf("got %s, want code %s and a message naming %q", body, tc.code, tc.message)
			}
			if res.Header.Get("Content-Disposition") != "" {
				t.Error("an error answer is offered as a file download")
			}
		})
	}
}

// fakeExports is a network service whose exports send nodes nodes, then wait for release (if
// set), then fail with err.
type fakeExports struct {
	pg.NetworkService
	nodes   int
	started chan struct{}
	release chan struct{}
	err     error
	// pause, if set, is slept after every 1000 nodes: a slow database.
	pause time.Duration
}

func (f *fakeExports) Export(ctx context.Context, _ pg.Viewer, _ pg.ExportScope, sink pg.ExportSink) error {
	for i := range f.nodes {
		if err := sink.Node(pg.ExportNode{ID: fmt.Sprintf("n-%07d", i), Label: "a node with a longish label", Kind: pg.KindTopic}); err != nil {
			return err
		}
		if f.pause > 0 && i%1000 == 999 {
			select {
			case <-time.After(f.pause):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	if f.started != nil {
		f.started <- struct{}{}
	}
	if f.release != nil {
		select {
		case <-f.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return f.err
}

type migrated struct{}

func (migrated) Ready(context.Context) error { return nil }
func (migrated) Migrated() bool              { return true }

func fakeAPI(t *testing.T, f *fakeExports) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(fakeHandler(f, nil))
	t.Cleanup(srv.Close)
	return srv
}

func fakeHandler(f *fakeExports, tracing *server.Tracing) http.Handler {
	return server.New(server.Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Health: migrated{},
		APIKeys:  []server.APIKey{{Name: "analyst", SHA256: sha256.Sum256([]byte(analystKey)), Access: pg.AccessAnalyst}},
		Services: server.Services{Network: f},
		Tracing:  tracing,
	})
}

// TestExportOutlastsTheWriteTimeout: the server's WriteTimeout (30 s in cmd) bounds every
// response, but a whole-graph export of the 1M graph streams for longer. The export handler
// extends the write deadline as it streams, through the writers of the middleware (access
// log, tracing): here an export that streams for about a second arrives whole through a
// server whose WriteTimeout is 200 ms.
func TestExportOutlastsTheWriteTimeout(t *testing.T) {
	const writeTimeout = 200 * time.Millisecond
	for _, tc := range []struct {
		name    string
		tracing *server.Tracing
	}{
		{"plain", nil},
		{"traced", server.NewTracing(noop.NewTracerProvider())},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeExports{nodes: 20000, pause: 50 * time.Millisecond}
			srv := httptest.NewUnstartedServer(fakeHandler(f, tc.tracing))
			srv.Config.WriteTimeout = writeTimeout
			srv.Start()
			t.Cleanup(srv.Close)
			start := time.Now()
			res, body, err := downloadPartly(t, srv, analystKey, "/export/network.graphml")
			took := time.Since(start)
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("after %v: status %d, %d bytes, error %v; want the whole export", took, res.StatusCode, len(body), err)
			}
			if took < 4*writeTimeout {
				t.Fatalf("the export took %v: too quick to outlast the write timeout of %v", took, writeTimeout)
			}
			if n := bytes.Count(body, []byte("<node ")); n != f.nodes || !bytes.HasSuffix(body, []byte("</graphml>\n")) {
				t.Errorf("after %v: %d of %d nodes, ends %q; want the whole file", took, n, f.nodes, body[max(0, len(body)-20):])
			}
		})
	}
}

// TestExportFailingMidStreamBreaksTheResponse: once bytes went out with a 200, a failure must
// not end in a well-formed file: the client must see the transfer fail.
func TestExportFailingMidStreamBreaksTheResponse(t *testing.T) {
	srv := fakeAPI(t, &fakeExports{nodes: 20000, err: pg.Errorf(pg.EUNAVAILABLE, "the database is unavailable")})
	res, body, err := downloadPartly(t, srv, analystKey, "/export/network.graphml")
	if res.StatusCode != http.StatusOK || err == nil {
		t.Errorf("got %d and a body of %d bytes read without error; want the transfer to fail", res.StatusCode, len(body))
	}
	if bytes.Contains(body, []byte("</graphml>")) {
		t.Error("the broken export ends like a whole document")
	}
}

// TestExportFailingBeforeTheFirstByteAnswersAnError: a failure while the export is still in
// the buffer gets a proper status.
func TestExportFailingBeforeTheFirstByteAnswersAnError(t *testing.T) {
	srv := fakeAPI(t, &fakeExports{nodes: 10, err: pg.Errorf(pg.EUNAVAILABLE, "the database is unavailable")})
	res, body := download(t, srv, analystKey, "/export/network.gexf")
	if res.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(body, []byte("SERVICE_UNAVAILABLE")) {
		t.Errorf("got %d %s, want 503 SERVICE_UNAVAILABLE", res.StatusCode, body)
	}
}

// TestExportWholeGraphConcurrencyIsBounded: whole-graph exports hold a database connection
// for long; one instance runs two at once and refuses more with 429 and Retry-After.
func TestExportWholeGraphConcurrencyIsBounded(t *testing.T) {
	f := &fakeExports{started: make(chan struct{}, 2), release: make(chan struct{})}
	srv := fakeAPI(t, f)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/export/network.csv", nil)
			req.Header.Set("Authorization", "Bearer "+analystKey)
			if res, err := http.DefaultClient.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}()
	}
	<-f.started
	<-f.started
	res, body := download(t, srv, analystKey, "/export/network.graphml")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("third export at once: got %d (Retry-After %q) %s, want 429", res.StatusCode, res.Header.Get("Retry-After"), body)
	}
	close(f.release)
	wg.Wait()
	if res, _ := download(t, srv, analystKey, "/export/network.graphml"); res.StatusCode != http.StatusOK {
		t.Errorf("export after the others finished: %d", res.StatusCode)
	}
}
