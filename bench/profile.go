package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/unicri/partnergraph/neo4jstore"
)

// profile sends each chosen document once, then runs every statement it sent under Neo4j's
// PROFILE and prints the plans to w: where a slow document's time goes in the database.
func profile(ctx context.Context, db *neo4jstore.DB, o Options, w io.Writer) error {
	c, stop, err := serve(ctx, db, 1, o.Log)
	if err != nil {
		return err
	}
	defer stop()
	params, err := discover(ctx, c)
	if err != nil {
		return err
	}
	for _, d := range documents(params) {
		if (o.Docs != nil && !slices.Contains(o.Docs, d.Name)) || !d.floor {
			continue
		}
		stmts, err := capture(ctx, db, c, &d)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "## %s: %d statements\n\n", d.Name, len(stmts))
		for i, s := range stmts {
			plan, err := db.Profile(ctx, s.query, s.params)
			if err != nil {
				return fmt.Errorf("%s statement %d: %w", d.Name, i+1, err)
			}
			took, err := medianReplay(ctx, db, s, 15)
			if err != nil {
				return fmt.Errorf("%s statement %d: %w", d.Name, i+1, err)
			}
			fmt.Fprintf(w, "### statement %d: median %.1f ms through the driver\n\n```cypher\n%s\n```\n\nparameters: %s\n\n```\n%s```\n\n",
				i+1, float64(took.Microseconds())/1000, s.query, summarise(s.params), plan)
		}
	}
	return nil
}

// startCPUProfile starts a CPU profile of the process (server and load generator) into
// dir/<doc>-c<n>.pprof if dir is set, and returns what stops it.
func startCPUProfile(dir, doc string, n int) func() {
	if dir == "" {
		return func() {}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		return func() {}
	}
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%s-c%d.pprof", doc, n)))
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: cpu profile:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// medianReplay runs s n times straight through the driver and returns the median time.
func medianReplay(ctx context.Context, db *neo4jstore.DB, s statement, n int) (time.Duration, error) {
	times := make([]time.Duration, n)
	for i := range times {
		start := time.Now()
		if err := db.Replay(ctx, s.query, s.params); err != nil {
			return 0, err
		}
		times[i] = time.Since(start)
	}
	slices.Sort(times)
	return times[n/2], nil
}

// summarise prints parameters briefly: long lists by their length and first items.
func summarise(params map[string]any) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := params[k]
		if l, ok := v.([]string); ok && len(l) > 3 {
			v = fmt.Sprintf("%d ids %q...", len(l), l[:3])
		}
		parts[i] = fmt.Sprintf("%s=%v", k, v)
	}
	return strings.Join(parts, ", ")
}
