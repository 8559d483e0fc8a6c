// Package neo4jstore implements the partnergraph services on Neo4j 5. It is the only package
// that imports the Neo4j driver: it owns sessions, Cypher, the mapping of records to domain
// values, the translation of driver errors to domain errors, and schema migrations. It must not
// import the GraphQL or HTTP layers.
package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
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
	// RetryTime bounds the retries of busy work that has no deadline of its own (imports,
	// migrations; default 3s). Requests retry busy work until their deadline.
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
	// noFeed stops writes from recording the change feed (RecordChanges).
	noFeed atomic.Bool
	// downUntil (unix nanoseconds) opens the circuit after a connection failure: until then
	// requests fail at once instead of each spending the driver's retry budget on a database
	// that is down. The first request after the window tries again.
	downUntil atomic.Int64
	// recovering is set when the circuit opens and cleared by the next success; openedAt is
	// when it last opened. While recovering, and for recoveryWindow after, an attempt has
	// probeTimeout to answer, so a Neo4j that accepts connections while it is still starting
	// (and answers some statements long before others) answers SERVICE_UNAVAILABLE quickly
	// instead of holding requests for their whole deadline and, timing out, looking busy.
	recovering atomic.Bool
	openedAt   atomic.Int64
	// pool counts the sessions open and the waits for a connection, for /metrics (pool.go).
	pool *poolUse
	// retryTime bounds the retries of work without a deadline; retries counts retries made.
	retryTime time.Duration
	retries   atomic.Int64
}

// breakerWindow is how long requests fail fast after Neo4j could not be reached;
// probeTimeout how long an attempt may take while Neo4j is recovering.
const (
	breakerWindow  = time.Second
	probeTimeout   = 2 * time.Second
	recoveryWindow = 15 * time.Second
)

var errCircuitOpen = &pg.Error{Code: pg.EUNAVAILABLE, Message: "the database is unavailable"}

// open opens the circuit: requests fail fast for breakerWindow, then probe.
func (db *DB) open() {
	now := time.Now()
	db.downUntil.Store(now.Add(breakerWindow).UnixNano())
	db.openedAt.Store(now.UnixNano())
	db.recovering.Store(true)
}

// probing reports whether attempts are bounded by probeTimeout: Neo4j was lately found down.
func (db *DB) probing() bool {
	opened := db.openedAt.Load()
	return db.recovering.Load() || opened != 0 && time.Since(time.Unix(0, opened)) < recoveryWindow
}

// available fails fast while the circuit is open.
func (db *DB) available() error {
	if time.Now().UnixNano() < db.downUntil.Load() {
		return errCircuitOpen
	}
	return nil
}

// failure is what an error from the driver says about Neo4j.
type failure int

const (
	failNone  failure = iota
	failBusy          // Neo4j is overloaded or the work ran out of time: worth another try, later
	failDown          // Neo4j could not be reached at all: the circuit opens
	failOther         // anything else: a bad statement, a constraint, a domain error
)

// classify sorts an error of a statement run under ctx. Only a failure to reach Neo4j is
// failDown: a slow query, a full pool, a transaction memory pool that ran out, a lock or the
// request's own deadline are failBusy and must never open the circuit for everyone.
func classify(ctx context.Context, err error) failure {
	if err == nil {
		return failNone
	}
	var de *pg.Error
	if errors.As(err, &de) {
		return failOther
	}
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return failBusy // the request ended: whatever the driver says, the database was not lost
	}
	var le *neo4j.TransactionExecutionLimit
	if errors.As(err, &le) {
		if len(le.Errors) == 0 {
			return failBusy
		}
		return classify(ctx, le.Errors[len(le.Errors)-1])
	}
	var ne *neo4j.Neo4jError
	if errors.As(err, &ne) {
		switch {
		case strings.HasPrefix(ne.Code, "Neo.TransientError."),
			strings.HasPrefix(ne.Code, "Neo.ClientError.Transaction.TransactionTimedOut"),
			ne.Code == "Neo.ClientError.Transaction.LockClientStopped":
			return failBusy
		case strings.HasPrefix(ne.Code, "Neo.DatabaseError."):
			// The database itself failed (as while it shuts down): unavailable, not the
			// request's fault.
			return failDown
		}
		return failOther
	}
	var ce *neo4j.ConnectivityError
	if errors.As(err, &ce) {
		inner := ""
		if ce.Inner != nil {
			inner = ce.Inner.Error()
		}
		// A pool that stays full past the acquisition timeout is busy, not lost: its time-out
		// comes as a connectivity error too. So does a read cut short by the request's deadline.
		if strings.Contains(inner, "Timeout while waiting for connection") || strings.Contains(inner, "context deadline exceeded") ||
			strings.Contains(inner, "context canceled") {
			return failBusy
		}
		return failDown
	}
	// A connection that closes under a statement (as Neo4j shuts down) can reach us as a bare
	// EOF or a reset, wrapped in nothing but the driver's retry limit.
	var op *net.OpError
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.As(err, &op) || strings.Contains(err.Error(), "connection refused") {
		return failDown
	}
	return failOther
}

// unreachable reports whether err means Neo4j could not be reached at all.
func unreachable(err error) bool { return classify(context.Background(), err) == failDown }

// do runs one unit of work against Neo4j (the driver itself makes one attempt) and owns the
// retries: busy failures are tried again with a growing, jittered pause for as long as the
// request's deadline leaves room (RetryTime without a deadline); a failure to reach Neo4j is
// not retried, it opens the circuit, and every attempt first checks the circuit, so once one
// request has found Neo4j down the others stop at once instead of spending their deadline.
// work runs with the attempt's context: while Neo4j recovers, it has probeTimeout.
func (db *DB) do(ctx context.Context, work func(ctx context.Context, attempt int) error) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(db.retryTime)
	}
	pause := 20 * time.Millisecond
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := db.available(); err != nil {
			return err
		}
		actx, cancel := ctx, context.CancelFunc(func() {})
		probing := db.probing()
		if probing {
			actx, cancel = context.WithTimeout(ctx, probeTimeout)
		}
		err := work(actx, attempt)
		probeExpired := probing && err != nil && ctx.Err() == nil && actx.Err() != nil
		cancel()
		if probeExpired {
			db.open()
			return errCircuitOpen // Neo4j is up but not answering yet: still unavailable
		}
		switch classify(ctx, err) {
		case failNone:
			db.recovering.Store(false)
			return nil
		case failDown:
			db.open()
			return err
		case failBusy:
			wait := pause/2 + rand.N(pause)
			if ctx.Err() != nil || time.Until(deadline) < wait+pause {
				return err // no room left for another attempt
			}
			db.retries.Add(1)
			select {
			case <-ctx.Done():
				return err
			case <-time.After(wait):
			}
			pause = min(2*pause, time.Second)
		default:
			return err
		}
	}
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
		dc.MaxTransactionRetryTime = 0 // one attempt: do retries, knowing the deadline and the circuit
		dc.MaxConnectionPoolSize = c.MaxPoolSize
		dc.Log = pool
	})
	if err != nil {
		return nil, pg.Errorf(pg.EINVALID, "cannot use NEO4J_URI %q: %v", c.URI, err)
	}
	return &DB{driver: driver, database: c.Database, pool: pool, retryTime: c.RetryTime}, nil
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
	return db.execute(ctx, query, params, neo4j.ExecuteQueryWithReadersRouting())
}

// readEach runs one read statement and hands each record to each as it arrives, holding no
// more than one: for results too large to collect (a whole network's engagements). An attempt
// the database cut short is run again from the start, after reset.
func (db *DB) readEach(ctx context.Context, query string, params map[string]any, reset func(), each func(*neo4j.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.pool.inUse.Add(1)
	defer db.pool.inUse.Add(-1)
	session := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database, AccessMode: neo4j.AccessModeRead})
	defer func() { _ = session.Close(context.Background()) }()
	return db.do(ctx, func(ctx context.Context, _ int) error {
		reset()
		start := time.Now()
		_, err := session.ExecuteRead(ctx, func(t neo4j.ManagedTransaction) (any, error) {
			res, err := t.Run(ctx, query, params)
			if err != nil {
				return nil, err
			}
			for res.Next(ctx) {
				if err := each(res.Record()); err != nil {
					return nil, err
				}
			}
			return nil, res.Err()
		}, txTimeout(ctx)...)
		db.sent(ctx, query, params, start, err)
		return err
	})
}

// write runs one write statement in its own transaction and returns its records.
func (db *DB) write(ctx context.Context, query string, params map[string]any) ([]*neo4j.Record, error) {
	return db.execute(ctx, query, params, neo4j.ExecuteQueryWithWritersRouting())
}

func (db *DB) execute(ctx context.Context, query string, params map[string]any, routing neo4j.ExecuteQueryConfigurationOption) ([]*neo4j.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // the request is over: do not start work nobody waits for
	}
	db.pool.inUse.Add(1)
	defer db.pool.inUse.Add(-1)
	var records []*neo4j.Record
	err := db.do(ctx, func(ctx context.Context, _ int) error {
		start := time.Now()
		res, err := neo4j.ExecuteQuery(ctx, db.driver, query, params, neo4j.EagerResultTransformer,
			neo4j.ExecuteQueryWithDatabase(db.database), routing,
			neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)...))
		db.sent(ctx, query, params, start, err)
		if err == nil {
			records = res.Records
		}
		return err
	})
	return records, err
}

// tx is a unit of work inside one write transaction. It may run several statements and must
// have no side effects outside the transaction: the driver retries it on transient failures.
type tx struct {
	db      *DB
	t       neo4j.ManagedTransaction
	attempt int       // 1 for the first run; the driver retries on transient failures
	changes *[]change // what the transaction touched, for the change feed (feed.go)
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
// A busy failure rolls the transaction back and do runs fn again, with the next attempt number.
func (db *DB) inWrite(ctx context.Context, fn func(tx) (any, error)) (any, error) {
	db.pool.inUse.Add(1)
	defer db.pool.inUse.Add(-1)
	session := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database, AccessMode: neo4j.AccessModeWrite,
		BookmarkManager: db.driver.ExecuteQueryBookmarkManager()})
	defer func() { _ = session.Close(context.Background()) }()
	var res any
	started := false
	err := db.do(ctx, func(ctx context.Context, attempt int) error {
		var err error
		res, err = session.ExecuteWrite(ctx, func(t neo4j.ManagedTransaction) (any, error) {
			started = true
			w := tx{db: db, t: t, attempt: attempt, changes: &[]change{}}
			res, err := fn(w)
			if err != nil {
				return nil, err
			}
			if err := w.bumpAndRecord(ctx); err != nil { // feed.go
				return nil, err
			}
			return res, nil
		}, txTimeout(ctx)...)
		return err
	})
	// A probe that ran out (errCircuitOpen after the work started) is as unsure as a lost
	// connection: the commit may have gone through.
	if (unreachable(err) || errors.Is(err, errCircuitOpen)) && started {
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

// translate turns driver errors into domain errors: a database that cannot be reached becomes
// EUNAVAILABLE, a busy one or work that ran out of time EBUSY, constraint violations ECONFLICT;
// domain errors pass through; anything else is wrapped with the operation name and stays
// internal.
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
		case ne.Code == "Neo.ClientError.Security.Unauthorized",
			ne.Code == "Neo.ClientError.Security.AuthenticationRateLimit",
			ne.Code == "Neo.ClientError.Database.DatabaseNotFound":
			return &pg.Error{Code: pg.EUNAVAILABLE, Message: "the database is unavailable"}
		}
	}
	switch classify(context.Background(), err) {
	case failBusy:
		if errors.Is(err, context.DeadlineExceeded) || ne != nil && strings.Contains(ne.Code, "TransactionTimedOut") ||
			strings.Contains(err.Error(), "context deadline exceeded") {
			return &pg.Error{Code: pg.EBUSY, Message: "the query took longer than the request's deadline; try again, or ask for less"}
		}
		return &pg.Error{Code: pg.EBUSY, Message: "the database is busy; try again shortly"}
	case failDown:
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

// Floor runs one hand-written read statement straight through the driver and returns the
// values of its first record (nil for none): the benchmark's floor, which must give the same
// answer as the API. Maps, lists and scalars only; nodes and relationships are not mapped.
func (db *DB) Floor(ctx context.Context, query string, params map[string]any) ([]any, error) {
	res, err := neo4j.ExecuteQuery(ctx, db.driver, query, params, neo4j.EagerResultTransformer,
		neo4j.ExecuteQueryWithDatabase(db.database), neo4j.ExecuteQueryWithReadersRouting(),
		neo4j.ExecuteQueryWithTransactionConfig(txTimeout(ctx)...))
	if err != nil {
		return nil, translate("floor", err)
	}
	if len(res.Records) == 0 {
		return nil, nil
	}
	return res.Records[0].Values, nil
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
