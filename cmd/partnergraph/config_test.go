package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/unicri/partnergraph/server"
)

// TestCORSDefaultsToNone: without CORS_ALLOWED_ORIGINS no Access-Control-Allow-Origin goes
// out (the README's default), not rs/cors's wildcard; configured origins, and only they, get it.
func TestCORSDefaultsToNone(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	ask := func(h http.Handler, origin string) string {
		req := httptest.NewRequest(http.MethodGet, "/graphql", nil)
		req.Header.Set("Origin", origin)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Header().Get("Access-Control-Allow-Origin")
	}
	t.Setenv("CORS_ALLOWED_ORIGINS", "") // make exports make run's development origins
	c, _, err := parseConfig("serve", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := ask(withCORS(c.CORSOrigins, ok), "https://evil.example"); got != "" {
		t.Errorf("no origins configured: Access-Control-Allow-Origin %q, want none", got)
	}
	h := withCORS([]string{"https://site.example"}, ok)
	if got := ask(h, "https://site.example"); got != "https://site.example" {
		t.Errorf("a configured origin: %q", got)
	}
	if got := ask(h, "https://evil.example"); got != "" {
		t.Errorf("another origin: %q, want none", got)
	}
	if got := ask(withCORS([]string{"*"}, ok), "https://any.example"); got != "*" {
		t.Errorf("a configured wildcard: %q, want *", got)
	}
}

// TestMetricsAreNotPublicInProduction: production keeps /metrics off the API's listener unless a
// token guards it; METRICS_ADDR moves it to a listener of its own.
func TestMetricsAreNotPublicInProduction(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"APP_ENV": "development"}, true},
		{map[string]string{"APP_ENV": "production"}, false},
		{map[string]string{"APP_ENV": "production", "METRICS_TOKEN": "a-long-metrics-token"}, true},
		{map[string]string{"APP_ENV": "production", "METRICS_ADDR": "127.0.0.1:9090"}, false},
		{map[string]string{"APP_ENV": "development", "METRICS_ADDR": "127.0.0.1:9090"}, false},
	} {
		for k, v := range tt.env {
			t.Setenv(k, v)
		}
		c, _, err := parseConfig("serve", nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.metricsOnAPI(); got != tt.want {
			t.Errorf("%v: metrics on the API listener %v, want %v", tt.env, got, tt.want)
		}
		t.Setenv("METRICS_TOKEN", "")
		t.Setenv("METRICS_ADDR", "")
	}
	t.Setenv("METRICS_TOKEN", "short")
	if _, _, err := parseConfig("serve", nil); err == nil {
		t.Errorf("a short METRICS_TOKEN was accepted")
	}
	h := server.NewMetrics().Protected("a-long-metrics-token")
	for _, tt := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong-token-wrong-token", 401}, {"Bearer a-long-metrics-token", 200}} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("/metrics with %q: %d, want %d", tt.auth, rec.Code, tt.want)
		}
	}
}
