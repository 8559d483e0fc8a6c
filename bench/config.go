package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
)

// Options say how to run the benchmark. The zero value is not usable: start from
// defaultOptions or smokeOptions.
type Options struct {
	Concurrency []int         // simulated clients, one level after another
	Duration    time.Duration // measured time per document, level and side (API, floor)
	Warmup      time.Duration // unmeasured load per document before its first level
	OutDir      string        // where the Markdown and JSON reports go
	Label       string        // dataset label in file names, e.g. "1m"; "" derives one from the size
	Docs        []string      // run only these documents (names); nil runs all
	Log         io.Writer     // progress lines
	CPUProfile  string        // if set, a directory for a CPU profile of the API side of every document and level
	// Alone, if set, measures every document and level once more against the server alone (a
	// child process serving the API over AloneDB), for its own peak RSS.
	Alone   bool
	AloneDB neo4jstore.Config
	// PeerDir is where the peer lives (bench/peer), for the comparison; Server, if set, is the
	// server binary whose cold start it measures.
	PeerDir string
	Server  string
}

// referenceConcurrency is the level the latency and cache targets are judged at.
const referenceConcurrency = 8

func defaultOptions() Options {
	return Options{Concurrency: []int{1, 8, 32}, Duration: 10 * time.Second, Warmup: 2 * time.Second,
		OutDir: "bench/results", Log: os.Stderr}
}

// smokeOptions is the tiny run that `make test` does through TestSmoke: it proves the harness
// works end to end, not how fast anything is.
func smokeOptions(outDir string) Options {
	return Options{Concurrency: []int{1, 2}, Duration: 500 * time.Millisecond, Warmup: 100 * time.Millisecond,
		OutDir: outDir, Label: "smoke", Log: os.Stderr}
}

// config is the command line: the options plus where the database is.
type config struct {
	Options
	Soak         SoakOptions // -soak: the soak (soak.go) instead of the benchmark
	Attack       bool        // -attack: the attack mode (attack.go) instead of the benchmark
	Compare      bool        // -compare: the API against the peer and the floor (compare.go)
	Analytics    bool        // -analytics: the network analytics of the whole dataset (analytics.go)
	Feed         bool        // -feed: the change feed's delivery and write cost (feed.go)
	DB           neo4jstore.Config
	Smoke        bool
	CheckDataset string // "organisations=N,events=N,publications=N": exit 0 if the counts match
	Profile      bool   // print the PROFILE of every statement of the chosen documents instead of measuring
	ServeOnly    string // serve the API on this address until stopped: the server alone of a main run
}

func getenv(keys []string, def string) string {
	for _, k := range keys {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return def
}

func parseConfig(args []string) (config, error) {
	c := config{Options: defaultOptions()}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: go run ./bench [flags]\n\nServes the API in-process over a seeded Neo4j and measures a fixed mix of documents\nagainst the floor (the same Cypher straight through the driver).\n\n")
		fs.PrintDefaults()
	}
	levels := fs.String("c", "1,8,32", "concurrency levels, comma-separated")
	fs.DurationVar(&c.Duration, "d", c.Duration, "measured duration per document and level (API and floor each)")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "warm-up per document before its first level")
	fs.StringVar(&c.OutDir, "out", c.OutDir, "directory for the reports")
	fs.StringVar(&c.Label, "label", "", "dataset label for file names (default: from the entity count)")
	fs.BoolVar(&c.Alone, "alone", true, "after the main run, measure the documents again against the server alone in a child process, for its own peak RSS")
	fs.StringVar(&c.ServeOnly, "serve-only", "", "internal: serve the API on this address until stopped (the server alone)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "directory for CPU profiles of the API side, one per document and level (go tool pprof)")
	docs := fs.String("docs", "", "comma-separated document names to run (default: all)")
	fs.DurationVar(&c.Soak.Duration, "soak", 0, "run the soak instead of the benchmark, this long (e.g. 10m): the mixed documents at concurrency 4 (or -c), warm-up a tenth (or -warmup, at most 1m), process memory, goroutines and Neo4j sessions sampled; exit 1 unless flat without errors")
	fs.DurationVar(&c.Soak.Sample, "sample", soakSample, "soak: load between two samples (each sample pauses the load for its values at rest)")
	fs.StringVar(&c.DB.URI, "uri", getenv([]string{"NEO4J_BENCH_URI", "NEO4J_URI"}, "bolt://127.0.0.1:7717"), "Neo4j URI (env NEO4J_BENCH_URI, NEO4J_URI)")
	fs.StringVar(&c.DB.User, "user", getenv([]string{"NEO4J_USER"}, "neo4j"), "Neo4j user (env NEO4J_USER)")
	fs.StringVar(&c.DB.Database, "database", getenv([]string{"NEO4J_DATABASE"}, ""), "Neo4j database (env NEO4J_DATABASE)")
	fs.BoolVar(&c.Smoke, "smoke", false, "tiny run: reset the test database (NEO4J_TEST_URI), load the centre dataset, concurrency 1 and 2, 0.5 s per level")
	fs.StringVar(&c.CheckDataset, "check-dataset", "", "only check the entity counts, e.g. organisations=20000,events=120000,publications=30000; exit 0 if they match, 1 if not")
	fs.BoolVar(&c.Compare, "compare", false, "compare the API with the peer (the Neo4j GraphQL Library, bench/peer) and a hand-written one-statement floor per document, answers checked equal first; reports to -out as compare-*.md/json")
	fs.StringVar(&c.PeerDir, "peer", "bench/peer", "directory of the peer (its node_modules installed)")
	fs.StringVar(&c.Server, "server", "", "compare: the partnergraph binary whose cold start (first entity page after /readyz) to measure, e.g. bin/partnergraph")
	fs.BoolVar(&c.Feed, "feed", false, "1,000 subscribers (WebSocket and SSE) on the -server binary while an editor makes 10 changes a second: delivery p50/p99 from commit, completeness, peak RSS, and the mutations per second with the feed recorded and not; reports to -out as feed-*.md/json")
	fs.BoolVar(&c.Analytics, "analytics", false, "time networkAnalysis over the whole dataset through the -server binary: the first request (computing) and 50 cached, with the server's peak RSS; reports to -out as analytics-*.md/json")
	fs.BoolVar(&c.Attack, "attack", false, "run the attack mode instead of the benchmark: a trusted anonymous client alone for -d, then under 4 anonymous and 4 analyst attackers sending hostile documents (internal/hostile); reports to -out as attack-*.md/json")
	fs.BoolVar(&c.Profile, "profile", false, "do not measure: send each document (see -docs) once and print Neo4j's PROFILE of every statement it sent")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.DB.Password = getenv([]string{"NEO4J_PASSWORD"}, "partnergraph")
	var err error
	if c.Concurrency, err = parseLevels(*levels); err != nil {
		return c, err
	}
	if *docs != "" {
		c.Docs = strings.Split(*docs, ",")
	}
	if c.Smoke {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		s := smokeOptions(c.OutDir)
		if !set["c"] {
			c.Concurrency = s.Concurrency
		}
		if !set["d"] {
			c.Duration = s.Duration
		}
		if !set["warmup"] {
			c.Warmup = s.Warmup
		}
		if c.Label == "" {
			c.Label = s.Label
		}
		c.Alone = false // the smoke test runs inside a test binary, which cannot serve as the child
		c.DB = neo4jtest.Config()
	}
	if c.Duration <= 0 {
		return c, fmt.Errorf("-d must be positive")
	}
	if c.Soak.Duration > 0 {
		if err := c.setSoak(fs); err != nil {
			return c, err
		}
	}
	return c, nil
}

func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-c: %q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseCounts reads "organisations=N,events=N,publications=N" into kind -> count, with the
// kinds as the stats report names them (ORGANISATION, EVENT, ...).
func parseCounts(s string) (map[string]int, error) {
	out := map[string]int{}
	for _, f := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return nil, fmt.Errorf("-check-dataset: %q is not kind=count", f)
		}
		kind := strings.ToUpper(strings.TrimSuffix(strings.TrimSpace(k), "s"))
		out[kind] = n
	}
	return out, nil
}
