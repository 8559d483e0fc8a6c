package main

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// Stats describe one side (API or floor) of one document at one concurrency level.
type Stats struct {
	Requests   int     `json:"requests"` // answered without error
	Errors     int     `json:"errors"`
	ErrorMs    float64 `json:"meanErrorMs,omitempty"` // how long failed requests took: fail-fast or timeout
	FirstError string  `json:"firstError,omitempty"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"throughput"` // requests answered without error per second
	P50        float64 `json:"p50Ms"`
	P95        float64 `json:"p95Ms"`
	P99        float64 `json:"p99Ms"`
	// RoundTrips is the mean number of Cypher statements per request: for the API as the
	// response reported it (0 for answers from the response cache), for the floor the number
	// of statements replayed.
	RoundTrips float64 `json:"roundTripsPerRequest"`
	CacheHits  int     `json:"cacheHits,omitempty"`
}

// outcome is what one request reports to the load loop.
type outcome struct {
	roundTrips int64
	cacheHit   bool
}

// errorPause is how long a worker waits after a failed request, as a client would: a server
// that fails fast (its circuit breaker open) must not turn the load loop into a busy loop.
const errorPause = 20 * time.Millisecond

// hammer runs do from conc workers, each in a closed loop (the next request leaves when the
// previous one is answered), until d has passed; requests in flight then are let finish and
// counted. Latency percentiles cover the requests answered without error.
func hammer(ctx context.Context, conc int, d time.Duration, do func(ctx context.Context) (outcome, error)) Stats {
	type worker struct {
		lat        []time.Duration
		errs       int
		errTime    time.Duration
		firstErr   error
		roundTrips int64
		hits       int
	}
	workers := make([]worker, conc)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				o, err := do(ctx)
				took := time.Since(t)
				if err != nil {
					w.errs++
					w.errTime += took
					if w.firstErr == nil {
						w.firstErr = err
					}
					time.Sleep(errorPause)
					continue
				}
				w.lat = append(w.lat, took)
				w.roundTrips += o.roundTrips
				if o.cacheHit {
					w.hits++
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	var s Stats
	var all []time.Duration
	var roundTrips int64
	var errTime time.Duration
	for _, w := range workers {
		all = append(all, w.lat...)
		s.Errors += w.errs
		errTime += w.errTime
		if w.firstErr != nil && s.FirstError == "" {
			s.FirstError = w.firstErr.Error()
		}
		roundTrips += w.roundTrips
		s.CacheHits += w.hits
	}
	slices.Sort(all)
	s.Requests = len(all)
	s.Seconds = elapsed.Seconds()
	s.Throughput = float64(s.Requests) / s.Seconds
	s.P50, s.P95, s.P99 = percentile(all, 0.50), percentile(all, 0.95), percentile(all, 0.99)
	if s.Requests > 0 {
		s.RoundTrips = float64(roundTrips) / float64(s.Requests)
	}
	if s.Errors > 0 {
		s.ErrorMs = float64(errTime.Microseconds()) / 1000 / float64(s.Errors)
	}
	return s
}

// percentile returns the q-quantile of sorted latencies in milliseconds (nearest rank).
func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return float64(sorted[max(i, 0)].Microseconds()) / 1000
}
