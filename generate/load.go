package generate

import (
	"context"
	"sync"

	pg "github.com/unicri/partnergraph"
)

// Options tune Load. Zero values take the defaults.
type Options struct {
	// Chunk is how many entities of a kind are generated and imported together, with their
	// relations (default 20,000): it bounds the memory the load holds at once.
	Chunk int
	// Batch is how many rows the importer writes per transaction (default: the importer's).
	Batch int
	// Progress, if set, is called after each step with the running totals.
	Progress func(pg.ImportResult)
}

// DefaultChunk is the default Options.Chunk.
const DefaultChunk = 20_000

// Load generates the graph of c and imports it chunk by chunk, nodes before the relations that
// need them. The entities of one chunk are imported while the relations of the chunk before
// are: they never touch the same node (relations only point at entities of their own chunk or
// earlier ones), so the two imports cannot wait on each other's locks, and the writes of new
// entities keep the database busy while relation batches queue for their shared hubs. The next
// chunk is generated meanwhile.
//
// The import merges by id and by (type, from, to), so loading the same Config twice creates
// nothing the second time. Returns EINVALID for a bad Config, and the import's errors; on error
// the result counts what was handed to the importer before it.
func Load(ctx context.Context, s pg.ImportService, c Config, o Options) (pg.ImportResult, error) {
	var total pg.ImportResult
	if err := c.Check(); err != nil {
		return total, err
	}
	if o.Chunk < 1 {
		o.Chunk = DefaultChunk
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // releases the generator if the import stops early
	chunks := make(chan Batch, 1)
	go func() {
		defer close(chunks)
		for b := range c.Batches(o.Chunk) {
			select {
			case chunks <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	add := func(r pg.ImportResult) {
		total.Nodes += r.Nodes
		total.Relations += r.Relations
		total.NodesCreated += r.NodesCreated
		total.RelationsCreated += r.RelationsCreated
	}
	// step imports the nodes of one chunk and the relations of the one before, side by side.
	step := func(nodes []pg.ImportNode, rels []pg.Relation) error {
		var wg sync.WaitGroup
		var relRes pg.ImportResult
		var relErr error
		if len(rels) > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				relRes, relErr = s.Import(ctx, nil, rels, o.Batch)
			}()
		}
		var nodeRes pg.ImportResult
		var nodeErr error
		if len(nodes) > 0 {
			nodeRes, nodeErr = s.Import(ctx, nodes, nil, o.Batch)
		}
		wg.Wait()
		add(nodeRes)
		add(relRes)
		if nodeErr != nil {
			return nodeErr
		}
		if relErr != nil {
			return relErr
		}
		if o.Progress != nil {
			o.Progress(total)
		}
		return nil
	}
	var rels []pg.Relation // of the chunk before: its nodes are stored
	for b := range chunks {
		if err := step(b.Nodes, rels); err != nil {
			return total, err
		}
		rels = b.Relations
	}
	if err := ctx.Err(); err != nil {
		return total, err // cancelled: the generator stopped early
	}
	if err := step(nil, rels); err != nil {
		return total, err
	}
	return total, s.Finish(ctx)
}
