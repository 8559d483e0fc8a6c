// Command bench measures the partnergraph API under load: it serves the real handler in-process
// on a loopback port over a seeded Neo4j, sends a fixed mix of GraphQL documents over HTTP at
// several concurrency levels, measures the same Cypher straight through the driver (the
// floor), and writes a Markdown and JSON report with the targets judged.
//
//	go run ./bench [flags]      (make bench starts Neo4j on 7717 and loads the dataset first)
//	go run ./bench -smoke       tiny run on the test database with the centre dataset
//	go run ./bench -soak 10m    the soak: the mixed documents for 10 minutes, memory sampled (soak.go)
//
// It is a tool, not part of the server: it may read the environment, and it uses the store
// and server packages as cmd does.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/seed"
	"github.com/unicri/partnergraph/server"
)

func main() {
	c, err := parseConfig(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runMain(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var errDatasetDiffers = errors.New("the dataset differs")

func runMain(ctx context.Context, c config) error {
	db, err := neo4jstore.Open(c.DB)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close(context.Background()) }()
	if err := db.Ping(ctx); err != nil {
		return fmt.Errorf("Neo4j at %s: %v", c.DB.URI, err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if c.CheckDataset != "" {
		return checkDataset(ctx, db, c.CheckDataset)
	}
	if c.Smoke {
		fmt.Fprintf(c.Log, "bench: smoke: loading the centre dataset into %s (its content is replaced)\n", c.DB.URI)
		if err := db.Reset(ctx); err != nil {
			return err
		}
		d, err := seed.Load(bytes.NewReader(seed.Centre()))
		if err != nil {
			return err
		}
		if _, err := seed.Import(ctx, db.Importer(), d, 5000); err != nil {
			return err
		}
	}
	if c.Profile {
		return profile(ctx, db, c.Options, os.Stdout)
	}
	if c.ServeOnly != "" {
		return serveOnly(ctx, db, c.ServeOnly)
	}
	c.AloneDB = c.DB
	if c.Compare {
		r, err := compare(ctx, db, c.DB, c.Options)
		if err != nil {
			return err
		}
		fmt.Println()
		for _, t := range r.Targets {
			fmt.Printf("%s  %s: %s\n", t.verdict(), t.Name, t.Measured)
		}
		return nil
	}
	if c.Analytics {
		if c.Server == "" {
			return errors.New("-analytics needs -server, the partnergraph binary")
		}
		r, err := analytics(ctx, db, c.DB, c.Server, c.Options)
		if err != nil {
			return err
		}
		for _, t := range r.Targets {
			fmt.Printf("%s  %s: %s\n", t.verdict(), t.Name, t.Measured)
		}
		return nil
	}
	if c.Feed {
		if c.Server == "" {
			return errors.New("-feed needs -server, the partnergraph binary")
		}
		r, err := feedBench(ctx, db, c.DB, c.Server, c.Options)
		if err != nil {
			return err
		}
		for _, t := range r.Targets {
			fmt.Printf("%s  %s: %s\n", t.verdict(), t.Name, t.Measured)
		}
		return nil
	}
	if c.Attack {
		r, err := attack(ctx, db, AttackOptions{Duration: c.Duration, Attackers: 4, OutDir: c.OutDir, Label: c.Label, Log: c.Log})
		if err != nil {
			return err
		}
		failed := false
		for _, t := range r.Targets {
			fmt.Printf("%s  %s: %s\n", t.verdict(), t.Name, t.Measured)
			failed = failed || !t.Pass
		}
		if failed {
			return fmt.Errorf("attack: a target was missed")
		}
		return nil
	}
	if c.Soak.Duration > 0 {
		_, err := soak(ctx, db, c.Soak)
		return err
	}
	r, err := run(ctx, db, c.Options)
	if err != nil {
		return err
	}
	fmt.Println()
	for _, t := range r.Targets {
		fmt.Printf("%s  %s: %s\n", t.verdict(), t.Name, t.Measured)
	}
	return nil
}

// checkDataset compares the entity counts of the database with want ("organisations=N,...").
func checkDataset(ctx context.Context, db *neo4jstore.DB, want string) error {
	counts, err := parseCounts(want)
	if err != nil {
		return err
	}
	ds, err := datasetSize(ctx, db)
	if err != nil {
		return err
	}
	for kind, n := range counts {
		if ds.ByKind[kind] != n {
			fmt.Fprintf(os.Stderr, "bench: dataset: %d %s, want %d\n", ds.ByKind[kind], kind, n)
			return errDatasetDiffers
		}
	}
	return nil
}

// datasetSize counts the entities of the database, drafts included.
func datasetSize(ctx context.Context, db *neo4jstore.DB) (Dataset, error) {
	ds := Dataset{ByKind: map[string]int{}}
	buckets, err := db.Stats().CountsByKind(ctx, pg.Viewer{Drafts: true}, pg.StatsFilter{})
	if err != nil {
		return ds, fmt.Errorf("count entities: %w", err)
	}
	for _, b := range buckets {
		ds.ByKind[b.Key] = b.Count
		ds.Entities += b.Count
	}
	return ds, nil
}

// readyHealth tells the server the database is ready: run migrated it before serving.
type readyHealth struct{ db *neo4jstore.DB }

func (h readyHealth) Ready(ctx context.Context) error { return h.db.Ping(ctx) }
func (h readyHealth) Migrated() bool                  { return true }

// run serves the API over db on a loopback port, runs the documents at every level with their
// floors, judges the targets and writes the reports to o.OutDir. db must be migrated and loaded.
func run(ctx context.Context, db *neo4jstore.DB, o Options) (*Result, error) {
	r := &Result{Label: o.Label, Started: time.Now(), Machine: machine(), Build: build(), Settings: Settings{
		Concurrency: o.Concurrency, DurationSeconds: o.Duration.Seconds(), WarmupSeconds: o.Warmup.Seconds()}}
	var err error
	if r.Neo4j, err = db.ServerVersion(ctx); err != nil {
		return nil, err
	}
	if r.Dataset, err = datasetSize(ctx, db); err != nil {
		return nil, err
	}
	if r.Label == "" {
		r.Label = fmt.Sprintf("%d-entities", r.Dataset.Entities)
	}
	c, stop, err := serve(ctx, db, slices.Max(o.Concurrency), o.Log)
	if err != nil {
		return nil, err
	}
	defer stop()

	if r.Params, err = discover(ctx, c); err != nil {
		return nil, err
	}
	if len(r.Params.Slow) > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("At start-up, connection(maxHops: 4) did not answer within %s for: %s.",
			hopsTimeout, strings.Join(r.Params.Slow, "; ")))
	}
	r.Notes = append(r.Notes,
		"Every document but organisation-page-cached sends Cache-Control: no-cache, so the response cache does not answer it.",
		"The floor runs a request's statements one after another; the API may run independent ones concurrently, and adds HTTP, GraphQL parsing and validation, dataloader batching and JSON.",
		"Latency and cache targets are judged at concurrency 8 (or the highest level run, if 8 was not).",
		fmt.Sprintf("A simulated client pauses %s after a failed request.", errorPause))
	if r.Settings.PeakRSSPerLevel = resetPeakRSS(); !r.Settings.PeakRSSPerLevel {
		r.Notes = append(r.Notes, "The peak RSS could not be reset between levels: each level's peak includes the levels before it.")
	}

	var left leftovers
	for _, d := range documents(r.Params) {
		if o.Docs != nil && !slices.Contains(o.Docs, d.Name) {
			continue
		}
		dr, err := measure(ctx, db, c, d, o, &left)
		if err != nil {
			return nil, err
		}
		r.Documents = append(r.Documents, dr)
		for _, l := range dr.Levels {
			r.PeakRSSMB = max(r.PeakRSSMB, l.PeakRSSMB)
		}
	}
	left.clean(ctx, c)
	if o.Alone {
		var docs []document
		for _, d := range documents(r.Params) {
			if o.Docs == nil || slices.Contains(o.Docs, d.Name) {
				docs = append(docs, d)
			}
		}
		if r.ServerAlone, err = runAlone(ctx, o, o.AloneDB, docs); err != nil {
			return nil, fmt.Errorf("the server alone: %w", err)
		}
	}

	r.Took = time.Since(r.Started)
	r.judge()
	paths, err := r.write(o.OutDir)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Log, "bench: wrote %v\n", paths)
	return r, nil
}

// serve starts the API as cmd wires it, plus the round-trip extension and an editor key of its
// own, on a free loopback port, and returns a client for it with a pool of conns connections.
// The server logs errors only (internal errors with their cause) to log.
func serve(ctx context.Context, db *neo4jstore.DB, conns int, log io.Writer) (*client, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	editorKey := rand.Text()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, nil, err
	}
	srv := &http.Server{Handler: apiHandler(ctx, db, editorKey, log), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	stop := func() {
		_ = srv.Shutdown(context.Background())
		cancel()
	}
	return newClient("http://"+ln.Addr().String()+"/graphql", editorKey, conns), stop, nil
}

// apiHandler is the API as cmd wires it, with its response cache (running until ctx ends),
// plus the round-trip extension and the editor key.
func apiHandler(ctx context.Context, db *neo4jstore.DB, editorKey string, log io.Writer) http.Handler {
	cache := server.NewCache(server.CacheOptions{Versions: db})
	cache.Refresh(ctx)
	go cache.Run(ctx)
	return server.New(server.Options{
		Logger:           slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelError})),
		Health:           readyHealth{db},
		APIKeys:          apiKeys(editorKey),
		Services:         server.Services{Content: db.Content(), Network: db.Network(), Search: db.Search(), Stats: db.Stats(), Reads: db.Reader()},
		Cache:            cache,
		ExposeRoundTrips: true,
	})
}

// measure runs one document: a warm-up, the capture of its statements, then at every level the
// API side and the floor.
func measure(ctx context.Context, db *neo4jstore.DB, c *client, d document, o Options, left *leftovers) (DocResult, error) {
	dr := DocResult{Name: d.Name, About: d.About}
	api := apiCall(c, &d, left)
	var stmts []statement
	floor := func(ctx context.Context) (outcome, error) { return replay(ctx, db, stmts) }

	widest := slices.Max(o.Concurrency)
	settle(ctx, c)
	if o.Warmup > 0 {
		hammer(ctx, widest, o.Warmup, api)
	}
	if d.floor {
		var err error
		settle(ctx, c)
		if stmts, err = capture(ctx, db, c, &d); err != nil {
			// Measure the API anyway (its errors will show); there is no floor to compare.
			d.floor, dr.NoFloor = false, err.Error()
			fmt.Fprintf(o.Log, "bench: %s: no floor: %v\n", d.Name, err)
		}
		dr.Statements = len(stmts)
	}
	if d.floor && o.Warmup > 0 {
		hammer(ctx, widest, o.Warmup, floor)
	}

	for _, n := range o.Concurrency {
		settle(ctx, c)
		// Memory is measured over the API side only: the floor's records live in this process
		// too, and would be charged to the server.
		debug.FreeOSMemory()
		resetPeakRSS()
		heap := watchHeap()
		stopProfile := startCPUProfile(o.CPUProfile, d.Name, n)
		l := Level{Concurrency: n, API: hammer(ctx, n, o.Duration, api)}
		stopProfile()
		l.PeakHeapMB, l.PeakRSSMB = heap.Stop(), peakRSS()
		line := fmt.Sprintf("%-24s c=%-3d %8.1f req/s  p50 %7.2f  p99 %7.2f ms  %4.1f round trips  %d errors",
			d.Name, n, l.API.Throughput, l.API.P50, l.API.P99, l.API.RoundTrips, l.API.Errors)
		if d.floor {
			f := hammer(ctx, n, o.Duration, floor)
			l.Floor = &f
			if f.P50 > 0 && f.Throughput > 0 {
				l.P50Ratio, l.ThroughputRatio = l.API.P50/f.P50, l.API.Throughput/f.Throughput
			}
			line += fmt.Sprintf(" | floor %8.1f req/s  p50 %7.2f ms  %d errors | p50 %.2fx", f.Throughput, f.P50, f.Errors, l.P50Ratio)
		}
		dr.Levels = append(dr.Levels, l)
		fmt.Fprintln(o.Log, line)
		if ctx.Err() != nil {
			return dr, ctx.Err()
		}
	}
	return dr, nil
}

// apiCall sends d once (with its next variables) and tells what came back; events an editor
// request created but may not have deleted go to left.
func apiCall(c *client, d *document, left *leftovers) func(ctx context.Context) (outcome, error) {
	return func(ctx context.Context) (outcome, error) {
		vars := d.vars
		if d.nextVars != nil {
			vars = d.nextVars()
		}
		rep, err := c.send(ctx, d, vars, "")
		switch {
		case err != nil:
			if d.editor {
				left.add(vars["id"].(string))
			}
			return outcome{}, err
		case rep.cacheHit:
			return outcome{cacheHit: true}, nil
		case rep.Extensions.CypherRoundTrips == nil:
			return outcome{}, errors.New("the response has no cypherRoundTrips extension")
		}
		return outcome{roundTrips: *rep.Extensions.CypherRoundTrips}, nil
	}
}

// settle waits (up to half a minute) until the API answers a cheap read: after a level that
// timed out, the server may fail requests fast for a while, and that would be charged to
// whatever runs next.
func settle(ctx context.Context, c *client) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		var out any
		if c.query(ctx, load("setup/settle"), nil, &out) == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// leftovers are the events editor requests created but, failing, may not have deleted.
type leftovers struct {
	mu  sync.Mutex
	ids []string
}

func (l *leftovers) add(id string) {
	l.mu.Lock()
	l.ids = append(l.ids, id)
	l.mu.Unlock()
}

// clean deletes them, so that the dataset keeps its counts for the next run.
func (l *leftovers) clean(ctx context.Context, c *client) {
	for _, id := range l.ids {
		_, _ = c.send(ctx, &document{query: load("setup/cleanup"), editor: true}, map[string]any{"id": id}, "")
	}
}
