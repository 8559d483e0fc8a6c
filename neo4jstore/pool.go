package neo4jstore

import (
	"sync/atomic"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/log"
)

// PoolStats describe how the store uses the driver's connection pool. The driver publishes no
// pool statistics, so these are what the store itself can see.
type PoolStats struct {
	// InUse is how many sessions the store has open now: each holds one connection, or waits
	// for one when the pool is full. Migrations, imports and resets are not counted.
	InUse int64
	// Max is the pool's configured size (Config.MaxPoolSize).
	Max int64
	// AcquisitionWaits counts the times a session found the pool full and queued for a
	// connection.
	AcquisitionWaits int64
	// AcquisitionTimeouts counts the times a session gave up waiting for, or opening, a
	// connection (Config.ConnectTimeout).
	AcquisitionTimeouts int64
}

// PoolStats returns the store's use of the connection pool now.
func (db *DB) PoolStats() PoolStats {
	return PoolStats{InUse: db.pool.inUse.Load(), Max: db.pool.max, AcquisitionWaits: db.pool.waits.Load(),
		AcquisitionTimeouts: db.pool.timeouts.Load()}
}

// poolUse counts the sessions the store has open. It is also the driver's logger, because
// the driver's log is the only place that tells of a full pool: its pool warns "Borrow queued"
// before a session waits for a connection and "Borrow time-out" when one gives up. Everything
// else the driver logs is dropped, as the driver's default logger does.
type poolUse struct {
	max                    int64
	inUse, waits, timeouts atomic.Int64
}

func (p *poolUse) Warnf(name, _, msg string, _ ...any) {
	if name != log.Pool {
		return
	}
	switch msg {
	case "Borrow queued":
		p.waits.Add(1)
	case "Borrow time-out":
		p.timeouts.Add(1)
	}
}

func (p *poolUse) Error(string, string, error)           {}
func (p *poolUse) Infof(string, string, string, ...any)  {}
func (p *poolUse) Debugf(string, string, string, ...any) {}
