package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics, served at /metrics. Operation names are labels
// only for trusted documents; any other operation is "other", so clients cannot grow the
// number of series.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	roundTrips   prometheus.Histogram
	statements   *prometheus.CounterVec
	stmtDuration prometheus.Histogram
	limited      prometheus.Counter
	busy         prometheus.Counter
	inFlight     prometheus.Gauge
	validations  prometheus.Counter
	delivered    prometheus.Histogram
	webhooks     *prometheus.CounterVec
}

// NewMetrics registers the metrics, and the Go and process collectors, in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partnergraph_webhook_attempts_total",
		Help: "Webhook delivery attempts by this process, by outcome (ok, failed)."}, []string{"outcome"})
	m.delivered = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "partnergraph_feed_delivery_lag_seconds",
		Help:    "Time from a change's commit to its delivery to a subscriber of this process.",
		Buckets: []float64{.05, .1, .2, .3, .5, .75, 1, 2, 5, 10}})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partnergraph_graphql_requests_total",
		Help: "GraphQL operations by operation name and outcome (ok or the error code)."}, []string{"operation", "outcome"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "partnergraph_graphql_request_duration_seconds",
		Help: "GraphQL operation latency.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}, []string{"operation"})
	m.roundTrips = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "partnergraph_graphql_cypher_round_trips",
		Help: "Cypher statements sent per GraphQL operation.", Buckets: []float64{0, 1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 50}})
	m.statements = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "partnergraph_cypher_statements_total",
		Help: "Cypher statements sent to Neo4j, by outcome."}, []string{"outcome"})
	m.stmtDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "partnergraph_cypher_statement_duration_seconds",
		Help: "Cypher statement latency, driver round trip included.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 15)})
	m.limited = prometheus.NewCounter(prometheus.CounterOpts{Name: "partnergraph_rate_limited_total",
		Help: "Requests refused by the rate limit."})
	m.busy = prometheus.NewCounter(prometheus.CounterOpts{Name: "partnergraph_busy_refused_total",
		Help: "Operations refused with 503 SERVICE_BUSY because their lane (MAX_IN_FLIGHT, MAX_HEAVY_IN_FLIGHT) had no slot before their deadline."})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "partnergraph_http_requests_in_flight",
		Help: "GraphQL HTTP requests being served, from the moment they arrive (parsing and validation included)."})
	m.validations = prometheus.NewCounter(prometheus.CounterOpts{Name: "partnergraph_graphql_validations_total",
		Help: "Documents parsed and validated (the others were refused before, or came from the cache of validated documents)."})
	m.reg.MustRegister(m.delivered, m.webhooks, m.validations, m.requests, m.duration, m.roundTrips, m.statements, m.stmtDuration, m.limited, m.busy, m.inFlight,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Register adds a collector (the cache's counters, the database pool's) to the registry.
func (m *Metrics) Register(c prometheus.Collector) {
	if m != nil {
		m.reg.MustRegister(c)
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler { return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}) }

// Protected serves the metrics to callers that send Authorization: Bearer <token>; with no
// token, to anyone.
func (m *Metrics) Protected(token string) http.Handler {
	h := m.Handler()
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte("Bearer " + token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the metrics token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// ObserveStatement records one Cypher statement; it fits neo4jstore.Observer.
func (m *Metrics) ObserveStatement(_ context.Context, _ string, _ map[string]any, took time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.statements.WithLabelValues(outcome).Inc()
	m.stmtDuration.Observe(took.Seconds())
}

func (m *Metrics) operation(name, outcome string, took time.Duration, roundTrips int64) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(name, outcome).Inc()
	m.duration.WithLabelValues(name).Observe(took.Seconds())
	m.roundTrips.Observe(float64(roundTrips))
}

func (m *Metrics) rateLimited() {
	if m != nil {
		m.limited.Inc()
	}
}

func (m *Metrics) validated() {
	if m != nil {
		m.validations.Inc()
	}
}

func (m *Metrics) requestStarted() {
	if m != nil {
		m.inFlight.Inc()
	}
}

func (m *Metrics) requestDone() {
	if m != nil {
		m.inFlight.Dec()
	}
}

func (m *Metrics) refusedBusy() {
	if m != nil {
		m.busy.Inc()
	}
}

// PoolStats are the database connection pool's numbers as the store counts them
// (neo4jstore.PoolStats converts to it: cmd wires the two, the server does not import the store).
type PoolStats struct {
	InUse               int64 // sessions open: each holds a connection or waits for one
	Max                 int64 // the configured pool size
	AcquisitionWaits    int64 // sessions that found the pool full and queued
	AcquisitionTimeouts int64 // sessions that gave up waiting for a connection
}

// ObservePool serves the pool's numbers at /metrics, read from stats at every scrape. The Neo4j
// driver publishes no pool statistics and no acquisition times, so there is no wait histogram:
// in use against max shows how close the pool runs to full, and the wait and time-out counters
// how often it was.
func (m *Metrics) ObservePool(stats func() PoolStats) {
	m.Register(collectorFunc(func(ch chan<- prometheus.Metric) {
		s := stats()
		ch <- prometheus.MustNewConstMetric(poolInUseDesc, prometheus.GaugeValue, float64(s.InUse))
		ch <- prometheus.MustNewConstMetric(poolMaxDesc, prometheus.GaugeValue, float64(s.Max))
		ch <- prometheus.MustNewConstMetric(poolWaitsDesc, prometheus.CounterValue, float64(s.AcquisitionWaits))
		ch <- prometheus.MustNewConstMetric(poolTimeoutsDesc, prometheus.CounterValue, float64(s.AcquisitionTimeouts))
	}, poolInUseDesc, poolMaxDesc, poolWaitsDesc, poolTimeoutsDesc))
}

var (
	poolInUseDesc = prometheus.NewDesc("partnergraph_neo4j_pool_in_use",
		"Neo4j sessions the store has open now; each holds a pooled connection or waits for one.", nil, nil)
	poolMaxDesc = prometheus.NewDesc("partnergraph_neo4j_pool_max",
		"The Neo4j connection pool's configured size.", nil, nil)
	poolWaitsDesc = prometheus.NewDesc("partnergraph_neo4j_pool_acquisition_waits_total",
		"Times a Neo4j session found the connection pool full and queued for a connection.", nil, nil)
	poolTimeoutsDesc = prometheus.NewDesc("partnergraph_neo4j_pool_acquisition_timeouts_total",
		"Times a Neo4j session gave up waiting for (or opening) a connection.", nil, nil)
)

// cacheCollector exposes the response cache's hits and misses.
func cacheCollector(c *Cache) prometheus.Collector {
	return collectorFunc(func(ch chan<- prometheus.Metric) {
		hits, misses := c.Stats()
		ch <- prometheus.MustNewConstMetric(cacheHitsDesc, prometheus.CounterValue, float64(hits))
		ch <- prometheus.MustNewConstMetric(cacheMissesDesc, prometheus.CounterValue, float64(misses))
	}, cacheHitsDesc, cacheMissesDesc)
}

var (
	cacheHitsDesc   = prometheus.NewDesc("partnergraph_cache_hits_total", "Responses served from the cache.", nil, nil)
	cacheMissesDesc = prometheus.NewDesc("partnergraph_cache_misses_total", "Cacheable requests computed afresh.", nil, nil)
)

// collectorFunc adapts a function to prometheus.Collector.
type funcCollector struct {
	collect func(chan<- prometheus.Metric)
	descs   []*prometheus.Desc
}

func collectorFunc(collect func(chan<- prometheus.Metric), descs ...*prometheus.Desc) prometheus.Collector {
	return funcCollector{collect, descs}
}

func (f funcCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range f.descs {
		ch <- d
	}
}
func (f funcCollector) Collect(ch chan<- prometheus.Metric) { f.collect(ch) }

// ObserveFeed serves the change feed's numbers at /metrics: the subscriptions open and the
// newest change this process has read.
func (m *Metrics) ObserveFeed(subscribers, head func() int64) {
	m.Register(collectorFunc(func(ch chan<- prometheus.Metric) {
		ch <- prometheus.MustNewConstMetric(feedSubscribersDesc, prometheus.GaugeValue, float64(subscribers()))
		ch <- prometheus.MustNewConstMetric(feedHeadDesc, prometheus.GaugeValue, float64(head()))
	}, feedSubscribersDesc, feedHeadDesc))
}

// ObserveChangeDelivered records a change delivered to a subscriber, age after its commit.
func (m *Metrics) ObserveChangeDelivered(age time.Duration) {
	if m != nil {
		m.delivered.Observe(age.Seconds())
	}
}

var (
	feedSubscribersDesc = prometheus.NewDesc("partnergraph_feed_subscribers",
		"Change-feed subscriptions open on this process.", nil, nil)
	feedHeadDesc = prometheus.NewDesc("partnergraph_feed_head_sequence",
		"The newest change-feed sequence this process has read.", nil, nil)
)

// ObserveWebhookAttempt counts a webhook delivery attempt.
func (m *Metrics) ObserveWebhookAttempt(ok bool) {
	if m == nil {
		return
	}
	outcome := "ok"
	if !ok {
		outcome = "failed"
	}
	m.webhooks.WithLabelValues(outcome).Inc()
}
