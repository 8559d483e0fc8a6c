package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/server"
)

// The floor is what the API could at best achieve: the same Cypher statements a document
// sends, run straight through the driver, without HTTP, GraphQL, loaders or JSON.

// statement is one statement a document sent, with its parameters.
type statement struct {
	query  string
	params map[string]any
}

// capture records the statements d sends. How many depends a little on timing (a loader batch
// may close before every key arrived), so it keeps the shortest of three recordings: the floor
// must not be given more work than the API usually does. A failed attempt (a slow document
// under load may time out) is retried, up to six attempts in all.
func capture(ctx context.Context, db *neo4jstore.DB, c *client, d *document) ([]statement, error) {
	var best []statement
	var err error
	for i, ok := 0, 0; i < 6 && ok < 3; i++ {
		var stmts []statement
		if stmts, err = captureOnce(ctx, db, c, d, fmt.Sprintf("bench-capture-%s-%d", d.Name, i)); err != nil {
			continue
		}
		ok++
		if best == nil || len(stmts) < len(best) {
			best = stmts
		}
	}
	if best == nil {
		return nil, err
	}
	return best, nil
}

// captureOnce sends d once, named by the request id, and records the statements the store ran
// for that request. It checks the count against the round trips the response reports.
func captureOnce(ctx context.Context, db *neo4jstore.DB, c *client, d *document, id string) ([]statement, error) {
	var mu sync.Mutex
	var got []statement
	db.SetObserver(func(ctx context.Context, query string, params map[string]any, _ time.Duration, err error) {
		if server.RequestIDFrom(ctx) != id || err != nil {
			return
		}
		mu.Lock()
		got = append(got, statement{query, params})
		mu.Unlock()
	})
	defer db.SetObserver(nil)
	rep, err := c.send(ctx, d, d.vars, id)
	if err != nil {
		return nil, fmt.Errorf("capture %s: %w", d.Name, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if rt := rep.Extensions.CypherRoundTrips; rt == nil || *rt != int64(len(got)) {
		return nil, fmt.Errorf("capture %s: recorded %d statements, the response reports %v round trips", d.Name, len(got), deref(rt))
	}
	return got, nil
}

func deref(p *int64) any {
	if p == nil {
		return "no"
	}
	return *p
}

// replay runs the statements of one simulated request one after another.
func replay(ctx context.Context, db *neo4jstore.DB, stmts []statement) (outcome, error) {
	for _, s := range stmts {
		if err := db.Replay(ctx, s.query, s.params); err != nil {
			return outcome{}, err
		}
	}
	return outcome{roundTrips: int64(len(stmts))}, nil
}
