package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

// TestMetricsShowPoolUse holds a mutation inside its transaction (its statement observer
// blocks) on a store whose pool has one connection: /metrics shows the session in use; a read
// sent meanwhile finds the pool full, waits and gives up; once the mutation is let go, nothing
// is in use.
func TestMetricsShowPoolUse(t *testing.T) {
	neo4jtest.MustSeedCentre(t, neo4jtest.Open(t))
	cfg := neo4jtest.Config()
	cfg.MaxPoolSize, cfg.ConnectTimeout = 1, 300*time.Millisecond
	db, err := neo4jstore.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	metrics := server.NewMetrics()
	metrics.ObservePool(func() server.PoolStats { return server.PoolStats(db.PoolStats()) })
	held, hold := make(chan struct{}), make(chan struct{})
	var once, released sync.Once
	release := func() { released.Do(func() { close(hold) }) }
	db.SetObserver(func(ctx context.Context, _ string, _ map[string]any, _ time.Duration, _ error) {
		if server.RequestIDFrom(ctx) == "slow-mutation" {
			once.Do(func() { close(held) })
			<-hold
		}
	})
	o := testOptions(db)
	o.Metrics, o.MetricsOnAPI = metrics, true
	srv := serve(t, o)
	t.Cleanup(release) // before the server closes, which waits for the held request

	var wg sync.WaitGroup
	var slowStatus int
	wg.Go(func() {
		slowStatus = send(t, srv, "slow-mutation", editorKey, `mutation { createTopic(input: {slug: "pool-test", name: "Pool test"}) { id } }`)
	})
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the mutation never ran a statement")
	}
	if got := metricValue(t, srv, "partnergraph_neo4j_pool_in_use"); got != 1 {
		t.Errorf("in use while the mutation holds its transaction: got %v, want 1", got)
	}
	if got := metricValue(t, srv, "partnergraph_neo4j_pool_max"); got != 1 {
		t.Errorf("max: got %v, want 1", got)
	}

	wg.Go(func() { send(t, srv, "waiting-read", "", `{ topics(first: 1) { nodes { name } } }`) })
	waitForMetric(t, srv, "partnergraph_neo4j_pool_acquisition_waits_total", 1)
	if got := metricValue(t, srv, "partnergraph_neo4j_pool_in_use"); got != 2 {
		t.Errorf("in use while a read waits for the only connection: got %v, want 2", got)
	}
	waitForMetric(t, srv, "partnergraph_neo4j_pool_acquisition_timeouts_total", 1)
	release()
	wg.Wait()

	if slowStatus != http.StatusOK {
		t.Errorf("the held mutation: HTTP %d", slowStatus)
	}
	if got := metricValue(t, srv, "partnergraph_neo4j_pool_in_use"); got != 0 {
		t.Errorf("in use after both requests: got %v, want 0", got)
	}
}

// send posts a document with a request id and an optional key, and returns the HTTP status.
func send(t *testing.T, srv *httptest.Server, requestID, key, query string) int {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", requestID)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("POST /graphql (%s): %v", requestID, err)
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	return res.StatusCode
}

// metricValue scrapes /metrics and returns the value of an unlabelled metric.
func metricValue(t *testing.T, srv *httptest.Server, name string) float64 {
	t.Helper()
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for line := range strings.Lines(string(body)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return f
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

// waitForMetric waits (up to 10 s) until a metric reaches at least want.
func waitForMetric(t *testing.T, srv *httptest.Server, name string, want float64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if metricValue(t, srv, name) >= want {
			return
		}
	}
	t.Fatalf("%s did not reach %v in 10 s", name, want)
}
