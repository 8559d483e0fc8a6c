package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestInFlightQueuesThenRefusesWithRetryAfter: with one slot taken, the next execution waits;
// if its deadline passes first it gets 503 with Retry-After, and once the slot is free the next
// one runs.
func TestInFlightQueuesThenRefusesWithRetryAfter(t *testing.T) {
	release, started := make(chan struct{}), make(chan struct{}, 1)
	m := NewMetrics()
	h := inFlight(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		w.WriteHeader(http.StatusOK)
	}), 1, m)

	first := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
		first <- rec.Code
	}()
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil).WithContext(ctx))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("second request while the slot is taken: %d (Retry-After %q) %s, want 503 with Retry-After",
			rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}

	metrics := httptest.NewRecorder()
	m.Handler().ServeHTTP(metrics, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(metrics.Body.String(), "partnergraph_busy_refused_total 1\n") {
		t.Errorf("the refusal is not counted in /metrics")
	}

	third := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
		third <- rec.Code
	}()
	close(release)
	if c := <-first; c != http.StatusOK {
		t.Errorf("first request: %d", c)
	}
	<-started
	if c := <-third; c != http.StatusOK {
		t.Errorf("queued request after the slot was freed: %d", c)
	}
}
