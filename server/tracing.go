package server

import (
	"context"
	"net/http"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Tracing adds OpenTelemetry spans: one per HTTP request, one per GraphQL operation and one
// per Cypher statement. It is off unless cmd configures an exporter.
type Tracing struct {
	provider trace.TracerProvider
	tracer   trace.Tracer
}

// NewTracing traces with the given provider.
func NewTracing(tp trace.TracerProvider) *Tracing {
	return &Tracing{provider: tp, tracer: tp.Tracer("github.com/unicri/partnergraph/server")}
}

func (t *Tracing) handler(next http.Handler) http.Handler {
	if t == nil {
		return next
	}
	return otelhttp.NewHandler(next, "http", otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method + " " + r.URL.Path }))
}

// operation starts the span of a GraphQL operation; end it with the outcome.
func (t *Tracing) operation(ctx context.Context, name string) (context.Context, func(outcome string, roundTrips int64, cost int)) {
	if t == nil {
		return ctx, func(string, int64, int) {}
	}
	ctx, span := t.tracer.Start(ctx, "graphql "+name)
	return ctx, func(outcome string, roundTrips int64, cost int) {
		span.SetAttributes(attribute.String("graphql.operation.name", name), attribute.String("partnergraph.outcome", outcome),
			attribute.Int64("partnergraph.cypher_round_trips", roundTrips), attribute.Int("partnergraph.cost", cost))
		span.End()
	}
}

// ObserveStatement records a finished Cypher statement as a span of its request; it fits
// neo4jstore.Observer. Parameters are not recorded: they may hold personal data.
func (t *Tracing) ObserveStatement(ctx context.Context, query string, _ map[string]any, took time.Duration, err error) {
	if t == nil {
		return
	}
	end := time.Now()
	_, span := t.tracer.Start(ctx, "cypher", trace.WithTimestamp(end.Add(-took)), trace.WithSpanKind(trace.SpanKindClient))
	span.SetAttributes(attribute.String("db.system", "neo4j"), attribute.String("db.statement", query))
	if err != nil {
		span.RecordError(err)
	}
	span.End(trace.WithTimestamp(end))
}
