// Package neo4jstore implements the partnergraph services on Neo4j 5. It is the only package
// that imports the Neo4j driver: it owns sessions, Cypher, the mapping of records to domain
// values, the translation of driver errors to domain errors, and schema migrations. It must not
// import the GraphQL or HTTP layers.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	pg "github.com/unicri/partnergraph"
)

// Config says how to reach Neo4j. Zero durations take the defaults documented on each field.
type Config struct {
	URI      string // bolt://host:port for one server, neo4j://host:port for a cluster
	User     string
	Password string
	Database string // "" for the server's default database
	// ConnectTimeout bounds how long a request waits for a connection (default 2s): when Neo4j
	// is down, requests must fail fast rather than queue.
	ConnectTimeout time.Duration
	// RetryTime bounds the driver's retries of a transaction (default 3s).
	RetryTime time.Duration
	// MaxPoolSize caps open connections (default 50).
	MaxPoolSize int
}

// DB is one driver for the process, and the store's services on top of it.
type DB struct {
	driver   neo4j.DriverWithContext
	database string
	// roundTrips counts statements sent to Neo4j: tests and the benchmark harness read it to
	// prove the number of round trips per request does not grow with list sizes.
	roundTrips atomic.Int64
	// observer, if set, sees every statement after it ran (tests, benchmarks, metrics).
	observer atomic.Pointer[Observer]
	// downUntil (unix nanoseconds) opens the circuit after a connection failure: until then
	// requests fail at once instead of each spending the driver's retry budget on a database
	// that is down. The first request after the window tries again.
	downUntil atomic.Int64
	// pool counts the sessions open and the waits for a connection, for /metrics (pool.go).
	pool *poolUse
}

// breakerWindow is how long requests fail fast after Neo4j could not be reached.
const breakerWindow = time.Second

var errCircuitOpen = &pg.Error{Code: pg.EUNAVAILABLE, Message: "the database is unavailable"}

// available fails fast while the circuit is open.
func (db *DB) available() error {
	if time.Now().UnixNano() < db.downUntil.Load() {
		return errCircuitOpen
	}
	return nil
}

// unreachable reports whether err means Neo4j could not be reached at all. Retries that ran
// out count only if their last failure was a connection failure: a slow or timed-out query must
// not open the circuit for everyone.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var le *neo4j.TransactionExecutionLimit
	if errors.As(err, &le) {
		return len(le.Errors) > 0 && unreachable(le.Errors[len(le.Errors)-1])
	}
	var ce *neo4j.ConnectivityError
	if errors.As(err, &ce) {
		// A pool that stays full past the acquisition timeout is busy, not lost: its time-out
		// comes as a connectivity error too, but must not make every other request fail fast.
		return ce.Inner == nil || !strings.Contains(ce.Inner.Error(), "Timeout while waiting for connection")
	}
	return strings.Contains(err.Error(), "connection refused")
}

// Observer is told of every statement the store ran, with its parameters, how long it took
// and its error. It must be safe for concurrent use and quick.
type Observer func(ctx context.Context, query string, params map[string]any, took time.Duration, err error)

// SetObserver installs an observer of statements (nil removes it).
func (db *DB) SetObserver(o Observer) {
	if o == nil {
		db.observer.Store(nil)
		return
	}
	db.observer.Store(&o)
}

// sent counts a statement and tells the observer and the request's counter about it.
func (db *DB) sent(ctx context.Context, query string, params map[string]any, start time.Time, err error) {
	db.roundTrips.Add(1)
	if unreachable(err) {
		db.downUntil.Store(time.Now().Add(breakerWindow).UnixNano())
	}
	if c := pg.RoundTripCounterFrom(ctx); c != nil {
		c.Add(1)
	}
	if o := db.observer.Load(); o != nil {
		(*o)(ctx, query, params, time.Since(start), err)
	}
}

// Open creates the driver. It does not connect: Ping and Migrate do, so a server can start
// while Neo4j is still down and become ready when it comes up.
func Open(c Config) (*DB, error) {
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = 2 * time.Second
	}
	if c.RetryTime == 0 {
		c.RetryTime = 3 * time.Second
	}
	if c.MaxPoolSize == 0 {
		c.MaxPoolSize = 50
	}
	pool := &poolUse{max: int64(c.MaxPoolSize)}
	driver, err := neo4j.NewDriverWithContext(c.URI, neo4j.BasicAuth(c.User, c.Password, ""), func(dc *config.Config) {
		dc.SocketConnectTimeout = c.ConnectTimeout
		dc.ConnectionAcquisitionTimeout = c.ConnectTimeout
		dc.MaxTransactionRetryTime = c.RetryTime
		dc.MaxConnectionPoolSize = c.MaxPoolSize
		dc.Log = pool
	})
	if err != nil {
		return nil, pg.Errorf(pg.EINVALID, "cannot use NEO4J_URI %q: %v", c.URI, err)
	}
	return &DB{driver: driver, database: c.Database, pool: pool}, nil
}

// Close closes the driver and its connections.
func (db *DB) Close(ctx context.Context) error {
	return db.driver.Close(ctx)
}

// RoundTrips returns how many statements the store has sent to Neo4j since it opened.
func (db *DB) RoundTrips() int64 { return db.roundTrips.Load() }

// Ping checks Neo4j answers. Returns EUNAVAILABLE.
func (db *DB) Ping(ctx context.Context) error {
	return translate("ping", db.driver.VerifyConnectivity(ctx))
}

// ServerVersion returns the Neo4j version and edition, e.g. "5.26.30 community".
func (db *DB) ServerVersion(ctx context.Context) (string, error) {
	const q = `CALL dbms.components() YIELD versions, edition RETURN versions[0] + ' ' + edition AS v`
	rows, err := db.read(ctx, q, nil)
	if err != nil || len(rows) == 0 {
		return "", translate("server version", err)
	}
	v, _, err := neo4j.GetRecordValue[string](rows[0], "v")
	return v, err
}

// read runs one read statement with reader routing and returns its records.
func (db *DB) read(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // the request is over: do not start work nobody waits for
	}
	if err := db.available(); err != nil {
		return nil, err
	}
	db.pool.inUse.Add(1)
	defer db.pool.inUse.Add(-1)
	start := time.Now()
	res, err := neo4j.ExecuteQuery(ctx, db.driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.database), neo4j.ExecuteQueryWithReadersRouting(),
		neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)...))
	db.sent(ctx, query, params, start, err)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// write runs one write statement in its own transaction and returns its records.
func (db *DB) write(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	if err := db.available(); err != nil {
		return nil, err
	}
	db.pool.inUse.Add(1)
	defer db.pool.inUse.Add(-1)
	start := time.Now()
	res, err := neo4j.ExecuteQuery(ctx, db.driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.database), neo4j.ExecuteQueryWithWritersRouting(),
		neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)...))
	db.sent(ctx, query, params, start, err)
	if err != nil {
		return nil, err
	}
	return res.Records, nil
}

// tx is a unit of work inside one write transaction. It may run several statements and must
// have no side effects outside the transaction: the driver retries it on transient failures.
type tx struct {
	db      *DB
	t       neo4j.ManagedTransaction
	attempt int // 1 for the first run; the driver retries on transient failures
}

// run runs one statement in the transaction and collects its records.
func (t tx) run(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	start := time.Now()
	res, err := t.t.Run(ctx, query, params)
	var records []*neo4j.Record
	if err == nil {
		records, err = res.Collect(ctx)
	}
	t.db.sent(ctx, query, params, start, err)
	return records, err
}

// inWrite runs fn in one write transaction: everything fn writes commits together or not at all.
// The transaction also bumps the content version, so caches everywhere learn of the change.
func (db *DB) inWrite(ctx context.Context, fn func(tx) (any, error)) (any, error) {
	if err := db.available(); err != nil {
		return nil, err
	}
	db.pool.inUse.Add(1)
	defer db.pool.inUse.Add(-1)
	session := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database, AccessMode: neo4j.AccessModeWrite})
	defer func() { _ = session.Close(context.Background()) }()
	attempt := 0
	res, err := session.ExecuteWrite(ctx, func(t neo4j.ManagedTransaction) (any, error) {
		attempt++
		res, err := fn(tx{db: db, t: t, attempt: attempt})
		if err != nil {
			return nil, err
		}
		if _, err := (tx{db: db, t: t, attempt: attempt}).run(ctx, qBumpVersion, nil); err != nil {
			return nil, err
		}
		return res, nil
	}, txTimeout(ctx)...)
	if unreachable(err) && attempt > 0 {
		// The connection may have failed after the commit: the client must not assume either way.
		return nil, &pg.Error{Code: pg.EUNAVAILABLE, Message: "the database became unavailable; the change may or may not have been applied"}
	}
	return res, err
}

// txTimeout turns the request's deadline into the transaction timeout, so Neo4j itself stops
// work nobody waits for any more.
func txTimeout(ctx context.Context) []func(*neo4j.TransactionConfig) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	return []func(*neo4j.TransactionConfig){neo4j.WithTxTimeout(max(time.Until(deadline), time.Millisecond))}
}

const (
	qBumpVersion = `MERGE (v:ContentVersion {id: 'content'}) SET v.version = coalesce(v.version, 0) + 1`
	qVersion     = `MATCH (v:ContentVersion {id: 'content'}) RETURN v.version AS version`
)

// ContentVersion returns the content version: it grows with every change to the content.
// Returns EUNAVAILABLE.
func (db *DB) ContentVersion(ctx context.Context) (int64, error) {
	rows, err := db.read(ctx, qVersion, nil)
	if err != nil {
		return 0, translate("content version", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	v, _, err := neo4j.GetRecordValue[int64](rows[0], "version")
	return v, err
}

// bumpVersion marks a change made outside inWrite (bulk import, reset).
func (db *DB) bumpVersion(ctx context.Context) error {
	_, err := db.write(ctx, qBumpVersion, nil)
	return translate("bump content version", err)
}

// translate turns driver errors into domain errors: unreachable or overloaded databases become
// EUNAVAILABLE, constraint violations ECONFLICT; domain errors pass through; anything else is
// wrapped with the operation name and stays internal.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *pg.Error
	if errors.As(err, &de) {
		return err
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		switch {
		case ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
			field := ""
			for _, f := range []string{"slug", "id"} {
				if strings.Contains(ne.Msg, "property `"+f+"`") {
					field = f
				}
			}
			return &pg.Error{Code: pg.ECONFLICT, Field: field, Message: fmt.Sprintf("an entity with this %s already exists", orDefault(field, "value"))}
		case strings.HasPrefix(ne.Code, "Neo.TransientError."),
			ne.Code == "Neo.ClientError.Security.Unauthorized",
			ne.Code == "Neo.ClientError.Security.AuthenticationRateLimit",
			ne.Code == "Neo.ClientError.Database.DatabaseNotFound":
			return &pg.Error{Code: pg.EUNAVAILABLE, Message: "the database is unavailable"}
		case ne.Code == "Neo.ClientError.Transaction.TransactionTimedOut",
			ne.Code == "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration":
			return &pg.Error{Code: pg.EUNAVAILABLE, Message: "the query took too long"}
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	var ce *neo4j.ConnectivityError
	var le *neo4j.TransactionExecutionLimit
	if errors.As(err, &ce) || errors.As(err, &le) || errors.Is(err, context.DeadlineExceeded) ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "ConnectivityError") {
		return &pg.Error{Code: pg.EUNAVAILABLE, Message: "the database is unavailable"}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// Replay runs one read statement straight through the driver, as the store's own reads do, and
// drops its records. The benchmark harness uses it to measure the floor: the same statements
// the API sends, without HTTP or GraphQL.
func (db *DB) Replay(ctx context.Context, query string, params map[string]any) error {
	db.pool.inUse.Add(1)
	defer db.pool.inUse.Add(-1)
	_, err := neo4j.ExecuteQuery(ctx, db.driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.database), neo4j.ExecuteQueryWithReadersRouting(),
		neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)...))
	return translate("replay", err)
}

// PlanStep is one operator of a query plan, e.g. "NodeIndexSeek" with its details.
type PlanStep struct {
	Operator string
	Details  string
}

// Explain returns the operators of the plan Neo4j would run for a statement, root first. The
// tests use it to prove every statement starts from an index where one should serve.
func (db *DB) Explain(ctx context.Context, query string, params map[string]any) ([]PlanStep, error) {
	res, err := neo4j.ExecuteQuery(ctx, db.driver, "EXPLAIN "+query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.database), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		return nil, translate("explain", err)
	}
	var steps []PlanStep
	var walk func(p neo4j.Plan)
	walk = func(p neo4j.Plan) {
		if p == nil {
			return
		}
		details, _ := p.Arguments()["Details"].(string)
		op, _, _ := strings.Cut(p.Operator(), "@") // "NodeByLabelScan@neo4j"
		steps = append(steps, PlanStep{Operator: op, Details: details})
		for _, c := range p.Children() {
			walk(c)
		}
	}
	walk(res.Summary.Plan())
	return steps, nil
}

// Profile runs a read statement under PROFILE and returns its plan as text, one operator a
// line, root first, with rows, database hits and time. The benchmark harness prints it to show
// where a slow document's time goes.
func (db *DB) Profile(ctx context.Context, query string, params map[string]any) (string, error) {
	start := time.Now()
	res, err := neo4j.ExecuteQuery(ctx, db.driver, "PROFILE "+query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.database), neo4j.ExecuteQueryWithReadersRouting())
	if err != nil {
		return "", translate("profile", err)
	}
	took := time.Since(start)
	var b strings.Builder
	var hits, rows int64
	var walk func(p neo4j.ProfiledPlan, depth int)
	walk = func(p neo4j.ProfiledPlan, depth int) {
		if p == nil {
			return
		}
		op, _, _ := strings.Cut(p.Operator(), "@")
		details, _ := p.Arguments()["Details"].(string)
		if len(details) > 90 {
			details = details[:87] + "..."
		}
		hits += p.DbHits()
		fmt.Fprintf(&b, "%s%-28s rows %9d  db hits %10d  %8.1f ms  %s\n", strings.Repeat("  ", depth), op,
			p.Records(), p.DbHits(), float64(p.Time())/1e6, details)
		for _, c := range p.Children() {
			walk(c, depth+1)
		}
	}
	walk(res.Summary.Profile(), 0)
	rows = int64(len(res.Records))
	return fmt.Sprintf("%d records, %d db hits, %s (wall, with PROFILE's own cost)\n%s", rows, hits, took.Round(time.Millisecond), b.String()), nil
}
