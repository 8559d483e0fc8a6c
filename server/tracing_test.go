package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/unicri/partnergraph/docs"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/server"
)

func TestTracingNestsStatementsUnderTheOperation(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.MustSeedCentre(t, db)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer tp.Shutdown(context.Background())
	tracing := server.NewTracing(tp)
	db.SetObserver(tracing.ObserveStatement)
	trusted := map[string]string{}
	var ex docs.Example
	for _, e := range docs.Examples() {
		trusted[server.DocumentHash(e.Query)] = e.Query
		if e.Name == "01-coorganisers-of-an-event" {
			ex = e
		}
	}
	srv := httptest.NewServer(server.New(server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Health: readyHealth{db}, Tracing: tracing, Limits: server.Limits{Trusted: trusted},
		Services: services(db)}))
	defer srv.Close()
	post(t, srv, "", ex.Query, map[string]any{"slug": "2018-interpol-unicri-global-meeting-singapore"}).mustData(t)
	time.Sleep(50 * time.Millisecond) // the HTTP span ends after the body is written
	spans := rec.Ended()
	byName := map[string]sdktrace.ReadOnlySpan{}
	cypher := 0
	for _, s := range spans {
		byName[s.Name()] = s
		if s.Name() == "cypher" {
			cypher++
		}
	}
	http, op := byName["POST /graphql"], byName["graphql CoOrganisersOfEvent"]
	if http == nil || op == nil || cypher == 0 {
		t.Fatalf("spans: %d cypher, http %v, operation %v", cypher, http != nil, op != nil)
	}
	if op.Parent().SpanID() != http.SpanContext().SpanID() {
		t.Errorf("the operation span is not a child of the HTTP span")
	}
	for _, s := range spans {
		if s.Name() == "cypher" && s.Parent().SpanID() != op.SpanContext().SpanID() {
			t.Errorf("a cypher span is not a child of the operation span")
		}
	}
}
