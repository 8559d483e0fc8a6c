package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/generate"
	"github.com/unicri/partnergraph/neo4jstore"
)

// runGenerate loads a deterministic synthetic graph (package generate) for benchmarks:
//
//	partnergraph generate --organisations 20000 --events 120000 --publications 30000 --seed 1 --reset
func runGenerate(ctx context.Context, args []string) error {
	var gc generate.Config
	var reset bool
	var o generate.Options
	var workers int
	c, _, err := parseConfig("generate", args, func(fs *flag.FlagSet) {
		fs.IntVar(&gc.Organisations, "organisations", 2000, "organisations to generate (gen-org-000000 is the biggest hub)")
		fs.IntVar(&gc.Events, "events", 15000, "events to generate")
		fs.IntVar(&gc.Publications, "publications", 4000, "publications to generate")
		fs.Uint64Var(&gc.Seed, "seed", 1, "random seed: the same flags give the same graph")
		fs.BoolVar(&reset, "reset", false, "delete all content before loading")
		fs.IntVar(&o.Batch, "batch", neo4jstore.DefaultImportBatch, "rows per import transaction")
		fs.IntVar(&workers, "workers", 2, "import transactions at once (batches that share a node never run together)")
		fs.IntVar(&o.Chunk, "chunk", generate.DefaultChunk, "entities generated and handed to the importer at once")
	})
	if err != nil {
		return err
	}
	if err := gc.Check(); err != nil {
		return err
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close(context.Background()) }()
	if reset {
		start := time.Now()
		if err := db.Reset(ctx); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "emptied the database in %s\n", time.Since(start).Round(100*time.Millisecond))
	}
	fmt.Fprintf(os.Stderr, "generating %d organisations, %d events, %d publications (seed %d) into %s ...\n",
		gc.Organisations, gc.Events, gc.Publications, gc.Seed, c.Neo4jURI)
	start := time.Now()
	last := start
	o.Progress = func(r pg.ImportResult) {
		if time.Since(last) >= 5*time.Second {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "  %s entities and %s relations so far (%s)\n",
				thousands(r.Nodes), thousands(r.Relations), time.Since(start).Round(100*time.Millisecond))
		}
	}
	imp := db.Importer()
	imp.Workers = workers
	res, err := generate.Load(ctx, imp, gc, o)
	elapsed := time.Since(start)
	if err != nil {
		return fmt.Errorf("generate: after %d entities and %d relations: %w", res.Nodes, res.Relations, err)
	}
	fmt.Printf("generated %d entities and %d relations in %.1fs (%s relations/s); new: %d entities, %d relations\n",
		res.Nodes, res.Relations, elapsed.Seconds(), thousands(int(float64(res.Relations)/elapsed.Seconds())),
		res.NodesCreated, res.RelationsCreated)
	return nil
}

// thousands formats n with comma separators: 71300 -> 71,300.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
