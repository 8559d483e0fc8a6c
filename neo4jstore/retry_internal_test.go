package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

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
	conn := &neo4j.ConnectivityError{Inner: errors.New("dial tcp 127.0.0.1:7687: connect: connection refused")}
	slow := &neo4j.Neo4jError{Code: "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"}
	memory := &neo4j.Neo4jError{Code: "Neo.TransientError.General.MemoryPoolOutOfMemoryError"}
	lock := &neo4j.Neo4jError{Code: "Neo.TransientError.Transaction.DeadlockDetected"}
	syntax := &neo4j.Neo4jError{Code: "Neo.ClientError.Statement.SyntaxError"}
	tests := []struct {
		name string
		err  error
		want failure
	}{
		{"connection failure", conn, failDown},
		{"connection refused, plain", errors.New("dial tcp: connection refused"), failDown},
		{"retries out after connection failures", &neo4j.TransactionExecutionLimit{Errors: []error{slow, conn}}, failDown},
		{"retries out after a timeout", &neo4j.TransactionExecutionLimit{Errors: []error{conn, slow}}, failBusy},
		{"retries out with no cause", &neo4j.TransactionExecutionLimit{}, failBusy},
		{"the transaction timed out", slow, failBusy},
		{"transaction memory ran out", memory, failBusy},
		{"a deadlock", lock, failBusy},
		{"a full pool", &neo4j.ConnectivityError{Inner: errors.New("Timeout while waiting for connection to any of [127.0.0.1:7687]: context deadline exceeded")}, failBusy},
		{"a read cut by the request's deadline", &neo4j.ConnectivityError{Inner: context.DeadlineExceeded}, failBusy},
		{"the request's deadline", context.DeadlineExceeded, failBusy},
		{"the connection closed under a transaction", &neo4j.TransactionExecutionLimit{Errors: []error{io.EOF}}, failDown},
		{"the connection was reset", fmt.Errorf("read: %w", syscall.ECONNRESET), failDown},
		{"a socket error", &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}, failDown},
		{"a bad statement", syntax, failOther},
		{"the database failed (shutting down)", &neo4j.Neo4jError{Code: "Neo.DatabaseError.General.UnknownError"}, failDown},
		{"a domain error", pg.Errorf(pg.ENOTFOUND, "x"), failOther},
		{"no error", nil, failNone},
	}
	for _, tt := range tests {
		if got := classify(context.Background(), tt.err); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	// Once the request is over, nothing the driver says about it opens the circuit.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := classify(ctx, conn); got != failBusy {
		t.Errorf("a connection error after the request ended: got %v, want failBusy", got)
	}
	for _, tt := range []struct {
		err  error
		code string
	}{{conn, pg.EUNAVAILABLE}, {slow, pg.EBUSY}, {memory, pg.EBUSY}, {context.DeadlineExceeded, pg.EBUSY}, {syntax, pg.EINTERNAL}} {
		if got := pg.ErrorCode(translate("op", tt.err)); got != tt.code {
			t.Errorf("translate(%v): got %s, want %s", tt.err, got, tt.code)
		}
	}
}

// TestASlowQueryDoesNotOpenTheCircuit: a statement that runs into the request's deadline (on
// the read path, mid-result) is answered EBUSY, and the very next statement runs: the circuit
// opens only when Neo4j cannot be reached.
func TestASlowQueryDoesNotOpenTheCircuit(t *testing.T) {
	db, err := Open(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err = db.read(ctx, `UNWIND range(1, 400000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x)`, nil)
	if got := pg.ErrorCode(translate("slow", err)); got != pg.EBUSY {
		t.Fatalf("a statement past its deadline: got %v (%s), want EBUSY", err, got)
	}
	if err := db.available(); err != nil {
		t.Fatalf("the circuit opened on a slow query: %v", err)
	}
	if _, err := db.read(context.Background(), `RETURN 1 AS one`, nil); err != nil {
		t.Errorf("the next statement failed: %v", err)
	}
}

// TestUnreachableFailsFastOnceTheCircuitKnows: with nothing listening, the first statement finds
// Neo4j down and opens the circuit; every write after it fails at once, without trying Neo4j
// (no statement is sent) and without spending its deadline.
func TestUnreachableFailsFastOnceTheCircuitKnows(t *testing.T) {
	c := testConfig()
	c.URI = "bolt://127.0.0.1:1" // nothing listens on port 1
	db, err := Open(c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.read(ctx, `RETURN 1`, nil); pg.ErrorCode(translate("read", err)) != pg.EUNAVAILABLE {
		t.Fatalf("first read: got %v, want EUNAVAILABLE", err)
	}
	sent := db.RoundTrips()
	errs := make(chan error, 14)
	for range 14 {
		go func() {
			_, err := db.Content().CreateNode(ctx, pg.NodeInput{Kind: pg.KindTopic, Fields: map[string]any{"slug": "t", "name": "T"}})
			errs <- err
		}()
	}
	for range 14 {
		if err := <-errs; pg.ErrorCode(err) != pg.EUNAVAILABLE {
			t.Errorf("a mutation with the circuit open: got %v, want EUNAVAILABLE", err)
		}
	}
	if got := db.RoundTrips() - sent; got != 0 {
		t.Errorf("%d statements were tried with the circuit open", got)
	}
	if ctx.Err() != nil {
		t.Errorf("the mutations spent their deadline")
	}
}

// TestAStartingNeo4jIsUnavailableNotBusy: a Neo4j that is starting accepts connections and
// does not answer yet. Once the circuit has opened (Neo4j was found down), the next request
// probes it with probeTimeout rather than its whole deadline, and answers EUNAVAILABLE: it
// must not wait out its deadline and come back EBUSY, as if a query had been slow.
func TestAStartingNeo4jIsUnavailableNotBusy(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	c := testConfig()
	c.URI = "bolt://" + silent.Addr().String()
	db, err := Open(c)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(context.Background())
	db.open() // as when a request found Neo4j down
	time.Sleep(breakerWindow + 50*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err = db.read(ctx, `RETURN 1`, nil)
	took := time.Since(start)
	if got := pg.ErrorCode(translate("read", err)); got != pg.EUNAVAILABLE {
		t.Errorf("a read while Neo4j starts: got %v (%s), want EUNAVAILABLE", err, got)
	}
	if ctx.Err() != nil {
		t.Errorf("the read waited out its deadline (%s)", took)
	}
	if db.available() == nil {
		t.Errorf("the circuit is closed after the probe found Neo4j not answering")
	}
}
