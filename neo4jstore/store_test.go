package neo4jstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	pg "github.com/unicri/partnergraph"
	"github.com/unicri/partnergraph/internal/neo4jtest"
	"github.com/unicri/partnergraph/neo4jstore"
	"github.com/unicri/partnergraph/seed"
)

func TestSeedImportIsIdempotent(t *testing.T) {
	db := neo4jtest.Open(t)
	ctx := context.Background()
	d, err := seed.Load(bytes.NewReader(seed.Centre()))
	if err != nil {
		t.Fatal(err)
	}
	first, err := seed.Import(ctx, db.Importer(), d, 7) // small batches: many transactions
	if err != nil {
		t.Fatal(err)
	}
	if first.NodesCreated != len(d.Nodes) || first.RelationsCreated != len(d.Relations) {
		t.Fatalf("first import created %d nodes and %d relations, want %d and %d",
			first.NodesCreated, first.RelationsCreated, len(d.Nodes), len(d.Relations))
	}
	second, err := seed.Import(ctx, db.Importer(), d, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if second.NodesCreated != 0 || second.RelationsCreated != 0 {
		t.Errorf("second import created %d nodes and %d relations, want none", second.NodesCreated, second.RelationsCreated)
	}
	n, err := db.CountEntities(ctx)
	if err != nil || n != len(d.Nodes) {
		t.Errorf("entities after two imports: got %d (%v), want %d", n, err, len(d.Nodes))
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	db := neo4jtest.Open(t) // migrates
	ctx := context.Background()
	applied, err := db.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Errorf("second migrate: applied %v, err %v; want nothing", applied, err)
	}
	if ok, err := db.Migrated(ctx); !ok || err != nil {
		t.Errorf("Migrated: got %v, %v", ok, err)
	}
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	db, err := neo4jstore.Open(neo4jstore.Config{URI: "bolt://127.0.0.1:1", User: "neo4j", Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	if err := db.Ping(ctx); pg.ErrorCode(err) != pg.EUNAVAILABLE {
		t.Errorf("Ping: got %v, want EUNAVAILABLE", err)
	}
	_, err = db.Content().ListNodes(ctx, pg.Public, pg.NodeFilter{Kind: pg.KindTopic}, pg.PageArgs{})
	if pg.ErrorCode(err) != pg.EUNAVAILABLE {
		t.Errorf("ListNodes: got %v, want EUNAVAILABLE", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("failing took %s: requests must fail fast when Neo4j is down", took)
	}
}

func TestWrongPasswordIsUnavailableNotInternal(t *testing.T) {
	c := neo4jtest.Config()
	c.Password = "wrong-password"
	db, err := neo4jstore.Open(c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	if err := db.Ping(context.Background()); pg.ErrorCode(err) != pg.EUNAVAILABLE {
		t.Errorf("Ping with a wrong password: got %v, want EUNAVAILABLE", err)
	}
}

func TestRequestDeadlineIsTheTransactionTimeout(t *testing.T) {
	db := neo4jtest.Open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	// Seconds of work for Neo4j: it must stop at the deadline, not finish and be ignored.
	err := db.Replay(ctx, `UNWIND range(1, 400000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x)`, nil)
	if pg.ErrorCode(err) != pg.EBUSY {
		t.Fatalf("got %v, want EBUSY (out of time is busy, not down)", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the statement ran %s past a 300ms deadline", took)
	}
	rows, err := db.Content().ListNodes(context.Background(), pg.Public, pg.NodeFilter{Kind: pg.KindTopic}, pg.PageArgs{})
	if err != nil || rows == nil {
		t.Errorf("the store is unusable after a timed-out statement: %v", err)
	}
}
