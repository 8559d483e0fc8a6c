package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

// The soak runs the mixed documents (anonymous reads from and past the response cache, analyst
// reads, editor mutations) at one concurrency level for a long time, samples the process's
// memory, goroutines and open Neo4j sessions, and judges whether anything grows:
//
//	go run ./bench -soak 10m         (make soak: on the benchmark's Neo4j and dataset)
//	go run ./bench -smoke -soak 30s  on the test database with the centre dataset
//
// Its verdict, in the report and the exit status, is about errors and growth, not speed.

// SoakOptions say how to run the soak; setSoak fills them from the command line.
type SoakOptions struct {
	Duration    time.Duration // how long the load runs, warm-up and pauses included
	Concurrency int           // simulated clients, each in a closed loop
	Sample      time.Duration // load between two samples (each sample's pause comes on top)
	Warmup      time.Duration // samples before this are left out of the growth checks
	OutDir      string        // where soak-<time>.md and .json go
	Log         io.Writer     // progress lines
}

// The soak's defaults: -c and -warmup mean other things to the benchmark.
const (
	soakConcurrency = 4
	soakSample      = 10 * time.Second
	soakMaxWarmup   = time.Minute // the warm-up is a tenth of the run, at most this
)

// What "flat" means (see judge): the last third's median may exceed the first's by the larger
// of flatFraction of it and the slack; the goroutines' slack is the concurrency.
const (
	flatFraction = 0.10
	heapSlackMB  = 5.0
	rssSlackMB   = 20.0
	// At rest (see sampler.take) the sampler waits at most restMax for the goroutines a request
	// leaves behind to end; before the load, when there are none, it waits for restQuiet.
	restQuiet = 250 * time.Millisecond
	restMax   = 3 * time.Second
	// pollEvery is how often the peak of open sessions is looked at between samples.
	pollEvery = 100 * time.Millisecond
)

// errSoakFailed is returned when the soak ran but its verdict failed.
var errSoakFailed = errors.New("soak: the verdict failed (see the report)")

// setSoak fills c.Soak from the command line: -c (its highest level) and -warmup apply when
// given; otherwise concurrency soakConcurrency and a tenth of the run, at most soakMaxWarmup.
func (c *config) setSoak(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	s := &c.Soak
	s.Concurrency, s.Warmup = soakConcurrency, min(s.Duration/10, soakMaxWarmup)
	if set["c"] {
		s.Concurrency = slices.Max(c.Concurrency)
	}
	if set["warmup"] {
		s.Warmup = c.Warmup
	}
	s.OutDir, s.Log = c.OutDir, c.Log
	switch {
	case s.Sample <= 0:
		return fmt.Errorf("-sample must be positive")
	case s.Warmup >= s.Duration:
		return fmt.Errorf("-warmup (%s) must be shorter than -soak (%s)", s.Warmup, s.Duration)
	}
	return nil
}

// apiKeys are the harness's credentials: the editor key, and an analyst key derived from it
// for the soak's analyst reads.
func apiKeys(editorKey string) []server.APIKey {
	return []server.APIKey{
		{Name: "bench-editor", SHA256: sha256.Sum256([]byte(editorKey)), Access: pg.AccessEditor},
		{Name: "bench-analyst", SHA256: sha256.Sum256([]byte(analystKey(editorKey))), Access: pg.AccessAnalyst},
	}
}

func analystKey(editorKey string) string { return editorKey + "-analyst" }

// SoakResult is one soak run: what ran where, the requests per document, the samples and the
// verdict.
type SoakResult struct {
	Started  time.Time    `json:"started"`
	Machine  Machine      `json:"machine"`
	Neo4j    string       `json:"neo4j"`
	PoolMax  int64        `json:"neo4jPoolMax"`
	Build    string       `json:"build"`
	Dataset  Dataset      `json:"dataset"`
	Params   params       `json:"parameters"`
	Settings SoakSettings `json:"settings"`
	Requests int64        `json:"requests"` // answered without error, all documents
	Errors   int64        `json:"errors"`
	// LoadSeconds is how long the clients sent requests: the run without the pauses for the
	// samples at rest, which are PausedMs in all. Throughputs are per second of it.
	LoadSeconds float64   `json:"loadSeconds"`
	PausedMs    float64   `json:"pausedMs"`
	Documents   []SoakDoc `json:"documents"`
	Samples     []Sample  `json:"samples"`
	// FirstThird and LastThird are the medians the growth checks compare.
	FirstThird *Window  `json:"firstThird,omitempty"`
	LastThird  *Window  `json:"lastThird,omitempty"`
	Flat       Flatness `json:"flatness"` // the thresholds the checks used
	Checks     []Target `json:"checks"`
	Pass       bool     `json:"pass"`
	Took       float64  `json:"tookSeconds"`
}

// SoakSettings are the run's options.
type SoakSettings struct {
	DurationSeconds float64 `json:"durationSeconds"`
	Concurrency     int     `json:"concurrency"`
	SampleSeconds   float64 `json:"sampleSeconds"`
	WarmupSeconds   float64 `json:"warmupSeconds"`
}

// Flatness records the thresholds the verdict used.
type Flatness struct {
	Fraction       float64 `json:"fraction"`
	HeapSlackMB    float64 `json:"heapSlackMB"`
	RSSSlackMB     float64 `json:"rssSlackMB"`
	GoroutineSlack int     `json:"goroutineSlack"`
}

// SoakDoc is one document of the mix over the whole run.
type SoakDoc struct {
	Name       string  `json:"name"`
	About      string  `json:"about"`
	Caller     string  `json:"caller"` // anonymous, analyst or editor
	Cached     bool    `json:"cached"` // the response cache may answer
	Weight     int     `json:"weight"` // its share of each client's schedule
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	CacheHits  int64   `json:"cacheHits,omitempty"`
	Throughput float64 `json:"throughput"`
	P50        float64 `json:"p50Ms"` // from a histogram with 8% wide buckets
	P99        float64 `json:"p99Ms"`
}

// Sample is the process at one moment under load, and at rest right after: the load pauses
// (requests in flight finish, no new ones start), the GC runs, and the heap, goroutines and
// sessions are read again. Requests in flight hold goroutines (a nested list runs thousands of
// field resolvers at once), memory and sessions, so only the values at rest show what the
// process keeps; the growth checks compare those, RSS excepted. Requests and Errors count since
// the previous sample.
type Sample struct {
	AtSeconds    float64 `json:"atSeconds"` // since the load started
	Phase        string  `json:"phase"`     // start, warm-up, load, end
	Requests     int64   `json:"requests"`
	Errors       int64   `json:"errors"`
	RSSMB        float64 `json:"rssMB"`
	HeapInuseMB  float64 `json:"heapInuseMB"`
	HeapLiveMB   float64 `json:"heapLiveMB"` // marked live by the last GC
	Goroutines   int     `json:"goroutines"`
	Sessions     int64   `json:"neo4jSessions"`     // open through the store
	SessionsPeak int64   `json:"neo4jSessionsPeak"` // the most at once since the previous sample (polled)
	// At rest.
	RestHeapInuseMB float64 `json:"restHeapInuseMB"`
	RestRSSMB       float64 `json:"restRssMB"`
	RestGoroutines  int     `json:"restGoroutines"`
	RestSessions    int64   `json:"restNeo4jSessions"`
	PauseMs         float64 `json:"pauseMs"` // how long the load paused for it
}

// Window is the medians of a run of samples.
type Window struct {
	FromSeconds     float64 `json:"fromSeconds"`
	ToSeconds       float64 `json:"toSeconds"`
	Samples         int     `json:"samples"`
	RSSMB           float64 `json:"rssMB"`
	HeapInuseMB     float64 `json:"heapInuseMB"`
	RestHeapInuseMB float64 `json:"restHeapInuseMB"`
	RestRSSMB       float64 `json:"restRssMB"`
	Goroutines      float64 `json:"goroutines"`
	RestGoroutines  float64 `json:"restGoroutines"`
	SessionsPeak    int64   `json:"neo4jSessionsPeak"` // the highest, not the median
}

// soakDoc is a document of the mix with its counters.
type soakDoc struct {
	document
	caller   string
	weight   int
	client   *client
	requests atomic.Int64
	errors   atomic.Int64
	hits     atomic.Int64
	latency  histogram
	firstErr atomic.Pointer[string]
}

// soakWeights give each document its share of a client's requests: the public site's pages
// most, the heavy analyses least. Documents not named here weigh 1.
var soakWeights = map[string]int{"organisation-page-cached": 4, "organisation-page": 2, "nested-list": 2,
	"search": 2, "connection": 2}

// soakMix is the benchmark's documents (anonymous, and the editor's mutations) plus two
// analyst reads: the nested list with drafts past the cache, and the dashboard through it.
func soakMix(p params, c *client) []*soakDoc {
	// The analyst's client shares the connections; the key it sends is the analyst's.
	analyst := &client{base: c.base, http: c.http, editorKey: analystKey(c.editorKey)}
	var mix []*soakDoc
	for _, d := range documents(p) {
		caller := "anonymous"
		if d.editor {
			caller = "editor"
		}
		mix = append(mix, &soakDoc{document: d, caller: caller, weight: max(soakWeights[d.Name], 1), client: c})
		if d.Name == "nested-list" || d.Name == "stats" {
			a := d
			a.Name, a.editor, a.cached = "analyst-"+d.Name, true, d.Name == "stats"
			a.About = "as an analyst (drafts visible): " + d.About
			if a.cached {
				a.About += "; the response cache may answer"
			}
			mix = append(mix, &soakDoc{document: a, caller: "analyst", weight: 1, client: analyst})
		}
	}
	return mix
}

// send sends one request of d and counts it.
func (d *soakDoc) send(ctx context.Context, left *leftovers) {
	vars := d.vars
	if d.nextVars != nil {
		vars = d.nextVars()
	}
	start := time.Now()
	rep, err := d.client.send(ctx, &d.document, vars, "")
	if err != nil {
		if ctx.Err() != nil {
			return // the run was interrupted mid-request: not the server's failure
		}
		d.errors.Add(1)
		msg := err.Error()
		d.firstErr.CompareAndSwap(nil, &msg)
		if d.caller == "editor" {
			left.add(vars["id"].(string))
		}
		time.Sleep(errorPause)
		return
	}
	d.latency.add(time.Since(start))
	d.requests.Add(1)
	if rep.cacheHit {
		d.hits.Add(1)
	}
}

// soak serves the API over db, runs the mix for o.Duration while sampling, judges and writes
// the report. It returns errSoakFailed, with the result, when the verdict fails.
func soak(ctx context.Context, db *neo4jstore.DB, o SoakOptions) (*SoakResult, error) {
	r := &SoakResult{Started: time.Now(), Machine: machine(), Build: build(), PoolMax: db.PoolStats().Max,
		Settings: SoakSettings{DurationSeconds: o.Duration.Seconds(), Concurrency: o.Concurrency,
			SampleSeconds: o.Sample.Seconds(), WarmupSeconds: o.Warmup.Seconds()},
		Flat: Flatness{Fraction: flatFraction, HeapSlackMB: heapSlackMB, RSSSlackMB: rssSlackMB, GoroutineSlack: o.Concurrency}}
	var err error
	if r.Neo4j, err = db.ServerVersion(ctx); err != nil {
		return nil, err
	}
	if r.Dataset, err = datasetSize(ctx, db); err != nil {
		return nil, err
	}
	c, stop, err := serve(ctx, db, o.Concurrency, o.Log)
	if err != nil {
		return nil, err
	}
	defer stop()
	if r.Params, err = discover(ctx, c); err != nil {
		return nil, err
	}
	mix := soakMix(r.Params, c)
	settle(ctx, c)
	fmt.Fprintf(o.Log, "bench: soak: %d documents, concurrency %d, %s (warm-up %s), a sample after every %s of load\n",
		len(mix), o.Concurrency, o.Duration, o.Warmup, o.Sample)

	var left leftovers
	loadCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	deadline := start.Add(o.Duration)
	// Clients hold the gate's read lock for each request; the sampler takes the write lock to
	// pause them all for the values at rest.
	var gate sync.RWMutex
	s := newSampler(db, mix, start, &gate, c.http)
	defer s.close()
	r.Samples = append(r.Samples, s.take("start"))
	var wg sync.WaitGroup
	sched, next := schedule(mix), atomic.Int64{}
	s.clients.Add(int64(o.Concurrency))
	for range o.Concurrency {
		wg.Go(func() {
			defer s.clients.Add(-1)
			for {
				gate.RLock()
				if !time.Now().Before(deadline) || loadCtx.Err() != nil {
					gate.RUnlock()
					return
				}
				sched[(next.Add(1)-1)%int64(len(sched))].send(loadCtx, &left)
				gate.RUnlock()
			}
		})
	}
	tick, over := time.NewTicker(o.Sample), time.NewTimer(o.Duration)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-over.C:
			done = true
		case now := <-tick.C:
			if !now.Before(deadline) {
				done = true
				break
			}
			phase := "load"
			if now.Sub(start) < o.Warmup {
				phase = "warm-up"
			}
			x := s.take(phase)
			tick.Reset(o.Sample) // a whole interval of load before the next pause
			r.Samples = append(r.Samples, x)
			prev := r.Samples[len(r.Samples)-2]
			loaded := x.AtSeconds - prev.AtSeconds - prev.PauseMs/1000
			fmt.Fprintf(o.Log, "bench: soak %4.0fs %-7s %6.1f req/s %3d errors | RSS %5.1f MB  heap %5.1f MB  %4d goroutines  %2d sessions (peak %2d) | at rest: heap %5.1f MB  RSS %5.1f MB  %3d goroutines  %d sessions (paused %4.0f ms)\n",
				x.AtSeconds, phase, float64(x.Requests)/loaded, x.Errors, x.RSSMB, x.HeapInuseMB, x.Goroutines,
				x.Sessions, x.SessionsPeak, x.RestHeapInuseMB, x.RestRSSMB, x.RestGoroutines, x.RestSessions, x.PauseMs)
		}
	}
	tick.Stop()
	over.Stop()
	if ctx.Err() != nil {
		cancel() // interrupted: let requests in flight end now
	}
	wg.Wait()
	loadTime := time.Since(start)
	for _, x := range r.Samples {
		r.PausedMs += x.PauseMs
	}
	r.LoadSeconds = math.Round((loadTime.Seconds()-r.PausedMs/1000)*10) / 10
	r.Samples = append(r.Samples, s.take("end"))
	left.clean(context.WithoutCancel(ctx), c)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	for _, d := range mix {
		sd := SoakDoc{Name: d.Name, About: d.About, Caller: d.caller, Cached: d.cached, Weight: d.weight,
			Requests: d.requests.Load(), Errors: d.errors.Load(), CacheHits: d.hits.Load(),
			P50: d.latency.percentile(0.50), P99: d.latency.percentile(0.99)}
		sd.Throughput = float64(sd.Requests) / r.LoadSeconds
		if e := d.firstErr.Load(); e != nil {
			sd.FirstError = *e
		}
		r.Requests += sd.Requests
		r.Errors += sd.Errors
		r.Documents = append(r.Documents, sd)
	}
	r.judge()
	r.Took = math.Round(time.Since(r.Started).Seconds())
	paths, err := r.write(o.OutDir)
	if err != nil {
		return r, err
	}
	fmt.Fprintf(o.Log, "bench: wrote %v\n", paths)
	if !r.Pass {
		return r, errSoakFailed
	}
	return r, nil
}

// schedule is the order of the documents: each as often as its weight, shuffled (the same way
// every run). The clients take the next one in turn, round and round, so every document has
// been sent once the clients have sent as many requests as the schedule is long.
func schedule(mix []*soakDoc) []*soakDoc {
	var s []*soakDoc
	for _, d := range mix {
		for range d.weight {
			s = append(s, d)
		}
	}
	rng := rand.New(rand.NewPCG(1, 0x50a6))
	rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// sampler reads the process and the store at every sample, and polls the open sessions in
// between for their peak.
type sampler struct {
	db                 *neo4jstore.DB
	mix                []*soakDoc
	start              time.Time
	gate               *sync.RWMutex
	conns              interface{ CloseIdleConnections() }
	base               int          // goroutines at rest before the load
	clients            atomic.Int64 // the load's goroutines, one per simulated client
	lastReqs, lastErrs int64
	peak               atomic.Int64
	stop, done         chan struct{}
}

func newSampler(db *neo4jstore.DB, mix []*soakDoc, start time.Time, gate *sync.RWMutex, conns interface{ CloseIdleConnections() }) *sampler {
	s := &sampler{db: db, mix: mix, start: start, gate: gate, conns: conns, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(pollEvery)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.poll()
			}
		}
	}()
	return s
}

func (s *sampler) poll() {
	n := s.db.PoolStats().InUse
	for p := s.peak.Load(); n > p && !s.peak.CompareAndSwap(p, n); p = s.peak.Load() {
	}
}

// close stops the polling.
func (s *sampler) close() {
	close(s.stop)
	<-s.done
}

// heapMetrics are what MemStats.HeapInuse counts (spans in use: their objects and their free
// space) and the live heap; runtime/metrics reads them without stopping the world.
var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes", "/gc/heap/live:bytes"}

// heap returns the heap in use and the live heap, in bytes.
func heap() (inuse, live uint64) {
	ms := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		ms[i].Name = name
	}
	metrics.Read(ms)
	v := func(i int) uint64 {
		if ms[i].Value.Kind() == metrics.KindUint64 {
			return ms[i].Value.Uint64()
		}
		return 0
	}
	return v(0) + v(1), v(2)
}

// take samples the process under load, then pauses the load for the values at rest: it takes
// the gate (requests in flight finish, no new ones start), closes the idle HTTP connections
// (their goroutines end; the next requests open new ones), and waits until no session is open
// and the goroutines are back to their number before the load, plus the clients': a request's
// goroutines may end a while after its answer (a dataloader's batch goroutine sleeps out its
// whole window even when the batch went early). It waits restMax at most: goroutines that stay
// are what the check is for. Then it runs the GC, returns the free memory to the system, and
// reads the heap and the RSS.
func (s *sampler) take(phase string) Sample {
	s.poll()
	inuse, live := heap()
	x := Sample{AtSeconds: math.Round(time.Since(s.start).Seconds()*10) / 10, Phase: phase,
		HeapInuseMB: mb(inuse), HeapLiveMB: mb(live), Goroutines: runtime.NumGoroutine(),
		Sessions: s.db.PoolStats().InUse, SessionsPeak: s.peak.Swap(0)}
	var reqs, errs int64
	for _, d := range s.mix {
		reqs += d.requests.Load()
		errs += d.errors.Load()
	}
	x.Requests, x.Errors, s.lastReqs, s.lastErrs = reqs-s.lastReqs, errs-s.lastErrs, reqs, errs
	x.RSSMB = rss()

	paused := time.Now()
	s.gate.Lock()
	s.conns.CloseIdleConnections()
	n, still := runtime.NumGoroutine(), time.Now()
	for limit := still.Add(restMax); time.Now().Before(limit); time.Sleep(10 * time.Millisecond) {
		m := runtime.NumGoroutine()
		if x.RestSessions = s.db.PoolStats().InUse; x.RestSessions > 0 {
			continue
		}
		if s.base > 0 && m <= s.base+int(s.clients.Load()) {
			break
		}
		if m != n {
			n, still = m, time.Now()
		} else if s.base == 0 && time.Since(still) >= restQuiet {
			break
		}
	}
	debug.FreeOSMemory()
	inuse, _ = heap()
	x.RestHeapInuseMB, x.RestRSSMB, x.RestGoroutines = mb(inuse), rss(), runtime.NumGoroutine()
	if s.base == 0 {
		s.base = x.RestGoroutines
	}
	s.gate.Unlock()
	x.PauseMs = math.Round(float64(time.Since(paused).Microseconds())/100) / 10
	return x
}

// rss returns the process's resident set in MB.
func rss() float64 {
	v, _ := procField("/proc/self/status", "VmRSS")
	return mb(uint64(kib(v)) * 1024)
}

// mb turns bytes into MB (10^6 bytes) with one decimal.
func mb(b uint64) float64 { return math.Round(float64(b)/1e5) / 10 }

// judge sets the checks and the verdict.
func (r *SoakResult) judge() {
	check := func(name string, pass bool, format string, a ...any) {
		r.Checks = append(r.Checks, Target{Name: name, Pass: pass, Measured: fmt.Sprintf(format, a...)})
	}
	var failing []string
	for _, d := range r.Documents {
		if d.Errors > 0 {
			failing = append(failing, fmt.Sprintf("%s %d", d.Name, d.Errors))
		}
	}
	check("no errors", r.Errors == 0 && r.Requests > 0, "%d requests, %d errors%s", r.Requests, r.Errors,
		strings.TrimSuffix(" ("+strings.Join(failing, ", ")+")", " ()"))

	var load []Sample
	for _, x := range r.Samples {
		if x.Phase == "load" {
			load = append(load, x)
		}
	}
	names := []string{"heap in use at rest flat", "RSS at rest flat", "goroutines at rest not growing"}
	if k := len(load) / 3; k == 0 {
		for _, name := range names {
			check(name, false, "%d samples after the warm-up: at least 3 are needed", len(load))
		}
	} else {
		first, last := window(load[:k]), window(load[len(load)-k:])
		r.FirstThird, r.LastThird = &first, &last
		f := r.Flat
		grows := func(name, unit string, a, b, slack float64) {
			allowed := max(a*f.Fraction, slack)
			check(name, b-a <= allowed, "%.1f%s -> %.1f%s (%+.1f%s; allowed +%.1f%s)", a, unit, b, unit, b-a, unit, allowed, unit)
		}
		grows(names[0], " MB", first.RestHeapInuseMB, last.RestHeapInuseMB, f.HeapSlackMB)
		grows(names[1], " MB", first.RestRSSMB, last.RestRSSMB, f.RSSSlackMB)
		grows(names[2], "", first.RestGoroutines, last.RestGoroutines, float64(f.GoroutineSlack))
	}
	var open []string
	var peak int64
	for _, x := range r.Samples {
		peak = max(peak, x.SessionsPeak)
		if x.RestSessions > 0 {
			open = append(open, fmt.Sprintf("%d at %.0fs", x.RestSessions, x.AtSeconds))
		}
	}
	measured := fmt.Sprintf("%d samples at rest, after the load included: none open", len(r.Samples))
	if len(open) > 0 {
		measured = "open: " + strings.Join(open, ", ")
	}
	check("Neo4j sessions all closed at rest", len(open) == 0, "%s (at most %d open under load; pool size %d)", measured, peak, r.PoolMax)
	r.Pass = true
	for _, c := range r.Checks {
		r.Pass = r.Pass && c.Pass
	}
}

// window returns the medians of samples, and their highest session count.
func window(s []Sample) Window {
	med := func(f func(Sample) float64) float64 {
		v := make([]float64, len(s))
		for i, x := range s {
			v[i] = f(x)
		}
		slices.Sort(v)
		if n := len(v); n%2 == 0 {
			return (v[n/2-1] + v[n/2]) / 2
		}
		return v[len(v)/2]
	}
	w := Window{FromSeconds: s[0].AtSeconds, ToSeconds: s[len(s)-1].AtSeconds, Samples: len(s),
		RSSMB:           med(func(x Sample) float64 { return x.RSSMB }),
		HeapInuseMB:     med(func(x Sample) float64 { return x.HeapInuseMB }),
		RestHeapInuseMB: med(func(x Sample) float64 { return x.RestHeapInuseMB }),
		RestRSSMB:       med(func(x Sample) float64 { return x.RestRSSMB }),
		Goroutines:      med(func(x Sample) float64 { return float64(x.Goroutines) }),
		RestGoroutines:  med(func(x Sample) float64 { return float64(x.RestGoroutines) })}
	for _, x := range s {
		w.SessionsPeak = max(w.SessionsPeak, x.SessionsPeak)
	}
	return w
}

// Markdown renders the soak report.
func (r *SoakResult) Markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	verdict := "PASS"
	if !r.Pass {
		verdict = "FAIL"
	}
	p("# partnergraph soak: %s, %s\n\n", verdict, r.Started.Format("2006-01-02 15:04 MST"))
	m := r.Machine
	p("- Machine: %d CPUs (%s), %d MB memory, %s\n", m.CPUs, m.CPUModel, m.MemoryMB, m.OS)
	p("- Go %s; Neo4j %s; code %s\n", m.Go, r.Neo4j, r.Build)
	var kinds []string
	for k, n := range r.Dataset.ByKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", strings.ToLower(k), n))
	}
	slices.Sort(kinds)
	p("- Dataset: %d entities (%s)\n", r.Dataset.Entities, strings.Join(kinds, ", "))
	s := r.Settings
	p("- Load: %gs at concurrency %d (closed loop; the clients take turns through a shuffled schedule of the\n", s.DurationSeconds, s.Concurrency)
	p("  documents, each as often as its weight), warm-up %gs, a sample after every %gs of load; Neo4j pool size %d\n", s.WarmupSeconds, s.SampleSeconds, r.PoolMax)
	p("- %d requests answered, %d errors, %.1f req/s over %.0fs of load (the load paused %.0fs in all for the\n",
		r.Requests, r.Errors, float64(r.Requests)/r.LoadSeconds, r.LoadSeconds, r.PausedMs/1000)
	p("  samples at rest); the run took %s\n\n", time.Duration(r.Took)*time.Second)

	p("## Verdict: %s\n\n| | check | measured |\n| --- | --- | --- |\n", verdict)
	for _, c := range r.Checks {
		p("| %s | %s | %s |\n", c.verdict(), c.Name, c.Measured)
	}
	f := r.Flat
	p("\nAt every sample the load pauses and the process is read again \"at rest\": once requests in flight have\n")
	p("finished and no new ones start, the idle HTTP connections are closed, no Neo4j session is open, and the\n")
	p("goroutines are back to their number before the load plus the clients' (a request's goroutines may end\n")
	p("a while after its answer; the wait is %s at most), the GC runs and returns free memory to the system.\n", restMax)
	p("Under load the numbers mostly show what is in flight (a nested list runs thousands of field resolvers\n")
	p("at once); at rest, what the process keeps. The samples after the warm-up are cut in thirds and the\n")
	p("medians at rest of the first and the last third compared: heap in use and RSS are flat, and goroutines\n")
	p("not growing, when the last third's median exceeds the first's by at most %.0f%% of it or %.0f MB (heap),\n",
		f.Fraction*100, f.HeapSlackMB)
	p("%.0f MB (RSS), %d (goroutines: the concurrency), whichever is larger. At rest no Neo4j session may be\n",
		f.RSSSlackMB, f.GoroutineSlack)
	p("open. Server and load generator share the process: the memory is theirs together.\n")
	if a, z := r.FirstThird, r.LastThird; a != nil && z != nil {
		p("\n| medians | from s | to s | samples | at rest: heap in use MB | RSS MB | goroutines | under load: heap in use MB | RSS MB | goroutines | peak sessions |\n")
		p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, w := range []struct {
			name string
			w    *Window
		}{{"first third", a}, {"last third", z}} {
			p("| %s | %.0f | %.0f | %d | %.1f | %.1f | %.0f | %.1f | %.1f | %.0f | %d |\n", w.name, w.w.FromSeconds, w.w.ToSeconds,
				w.w.Samples, w.w.RestHeapInuseMB, w.w.RestRSSMB, w.w.RestGoroutines, w.w.HeapInuseMB, w.w.RSSMB, w.w.Goroutines, w.w.SessionsPeak)
		}
	}

	p("\n## Documents\n\nRequests per second of load; latencies in ms, from histogram buckets 8%% wide.\n\n")
	p("| document | caller | cache | weight | requests | errors | req/s | p50 | p99 | cache hits |\n")
	p("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, d := range r.Documents {
		cache := "no-cache"
		if d.Cached {
			cache = "allowed"
		}
		p("| %s | %s | %s | %d | %d | %d | %.1f | %.1f | %.1f | %d |\n", d.Name, d.Caller, cache, d.Weight,
			d.Requests, d.Errors, d.Throughput, d.P50, d.P99, d.CacheHits)
	}
	p("\n")
	for _, d := range r.Documents {
		p("- %s: %s\n", d.Name, d.About)
	}
	var errs []string
	for _, d := range r.Documents {
		if d.FirstError != "" {
			errs = append(errs, fmt.Sprintf("- %s: %s", d.Name, d.FirstError))
		}
	}
	if len(errs) > 0 {
		p("\n## First error per document\n\n%s\n", strings.Join(errs, "\n"))
	}

	p("\n## Samples\n\nUnder load: requests and errors since the previous sample; heap live is what the last GC marked\n")
	p("live; peak sessions the most open at once since the previous sample (polled every %s). Sessions are\n", pollEvery)
	p("those open through the store. At rest: see the verdict; pause is how long the load stood still for it.\n\n")
	p("| s | phase | requests | errors | RSS MB | heap in use MB | heap live MB | goroutines | sessions | peak | at rest: heap in use MB | RSS MB | goroutines | sessions | pause ms |\n")
	p("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, x := range r.Samples {
		p("| %.0f | %s | %d | %d | %.1f | %.1f | %.1f | %d | %d | %d | %.1f | %.1f | %d | %d | %.0f |\n", x.AtSeconds, x.Phase,
			x.Requests, x.Errors, x.RSSMB, x.HeapInuseMB, x.HeapLiveMB, x.Goroutines, x.Sessions, x.SessionsPeak,
			x.RestHeapInuseMB, x.RestRSSMB, x.RestGoroutines, x.RestSessions, x.PauseMs)
	}
	return b.String()
}

// write saves the report as soak-<date>.md and .json in dir and returns their paths.
func (r *SoakResult) write(dir string) ([]string, error) {
	return writeReport(dir, "soak-"+r.Started.Format("20060102-150405"), r, r.Markdown())
}

// histogram counts latencies in buckets 8% wide from 0.05 ms up (the last bucket holds
// everything from about 4 minutes): constant memory however long the soak runs.
type histogram struct {
	counts [histBuckets]atomic.Int64
}

const (
	histBuckets = 200
	histMinMs   = 0.05
	histRatio   = 1.08
)

func (h *histogram) add(d time.Duration) {
	ms := float64(d.Microseconds()) / 1000
	i := 0
	if ms > histMinMs {
		i = min(int(math.Log(ms/histMinMs)/math.Log(histRatio))+1, histBuckets-1)
	}
	h.counts[i].Add(1)
}

// percentile returns the upper bound in ms of the bucket holding the q-quantile (nearest rank).
func (h *histogram) percentile(q float64) float64 {
	var total int64
	for i := range h.counts {
		total += h.counts[i].Load()
	}
	if total == 0 {
		return 0
	}
	rank := int64(math.Ceil(q * float64(total)))
	var seen int64
	for i := range h.counts {
		if seen += h.counts[i].Load(); seen >= max(rank, 1) {
			return math.Round(histMinMs*math.Pow(histRatio, float64(i))*100) / 100
		}
	}
	return math.Inf(1)
}
