package neo4jstore

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	pg "github.com/unicri/partnergraph"
)

// TestCreateIsIdempotentUnderRetry replays the create statement as the driver would after an
// attempt whose commit succeeded but whose answer was lost: the same token gets the node back,
// another writer's token gets a conflict.
func TestCreateIsIdempotentUnderRetry(t *testing.T) {
	db, err := Open(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer db.Close(ctx)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("test database at %s: %v (run the tests with make test)", testConfig().URI, err)
	}
	if err := db.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Reset(ctx) })
	props := map[string]any{"id": "topic-retry", "slug": "retry", "name": "Retry", "status": "PUBLISHED"}
	run := func(token string) int {
		rows, err := db.write(ctx, qCreate[pg.KindTopic], map[string]any{"props": props, "token": token})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if got := run("attempt-token"); got != 1 {
		t.Fatalf("first attempt: %d rows, want the new node", got)
	}
	if got := run("attempt-token"); got != 1 {
		t.Errorf("retry with the same token: %d rows, want the node it created", got)
	}
	if got := run("someone-else"); got != 0 {
		t.Errorf("another create of the same id: %d rows, want none (a conflict)", got)
	}
	n, _ := db.CountEntities(ctx)
	if n != 1 {
		t.Errorf("entities: %d, want 1", n)
	}
}

// testConfig reads the test database settings as internal/neo4jtest does (this in-package test
// cannot import it: it imports this package).
func testConfig() Config {
	get := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	return Config{URI: get("NEO4J_TEST_URI", "bolt://127.0.0.1:7697"), User: get("NEO4J_TEST_USER", "neo4j"),
		Password: get("NEO4J_TEST_PASSWORD", "partnergraph")}
}

func TestOnlyConnectionFailuresOpenTheCircuit(t *testing.T) {
	conn := &neo4j.ConnectivityError{}
	slow := &neo4j.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection failure", conn, true},
		{"retries out after connection failures", &neo4j.TransactionExecutionLimit{Errors: []error{slow, conn}}, true},
		{"retries out after a timeout", &neo4j.TransactionExecutionLimit{Errors: []error{conn, slow}}, false},
		{"retries out with no cause", &neo4j.TransactionExecutionLimit{}, false},
		{"a query error", slow, false},
		{"a full pool", &neo4j.ConnectivityError{Inner: errors.New("Timeout while waiting for connection to any of [127.0.0.1:7687]: context deadline exceeded")}, false},
		{"no error", nil, false},
	}
	for _, tt := range tests {
		if got := unreachable(tt.err); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}
