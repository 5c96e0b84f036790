package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun/driver/sqliteshim"
)

// SQLite lets one writer in at a time; the others wait in its busy handler,
// which sleeps in steps of up to 100 ms. Under many concurrent writers that
// sleeping, not the writing, is the cost. writeGate makes this process's
// writers queue in Go instead: a write transaction (BEGIN IMMEDIATE, see
// _txlock) or a writing statement outside one takes the gate first, so at
// most one of our connections asks SQLite for the write lock at a time.
// Other processes on the same file still meet the busy handler, as before.
//
// A writer waits for the gate on a pool connection it already holds: two
// rules keep that safe. A transaction never asks the pool for a second
// connection (every read inside it goes through it: otherwise the gate's
// holder waits for a connection that writers waiting for the gate hold, until
// the gate's timeout; issue 11, finding 13). And the pool is much larger than
// the writers that wait at once (store.Open), so that waiting writers do not
// hold every connection while readers queue behind them.
type writeGate chan struct{}

// gateWait is how long a writer waits for the gate, like busy_timeout.
const gateWait = 10 * time.Second

var errGateTimeout = errors.New("database is busy: waited 10 s for the write lock")

func (g writeGate) enter(ctx context.Context) error {
	t := time.NewTimer(gateWait)
	defer t.Stop()
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errGateTimeout
	}
}

func (g writeGate) leave() { <-g }

// gatedConnector opens SQLite connections that pass writes through a gate.
type gatedConnector struct {
	dsn  string
	gate writeGate
}

func (c *gatedConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := sqliteshim.Driver().Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &gatedConn{Conn: conn, gate: c.gate}, nil
}

func (c *gatedConnector) Driver() driver.Driver { return sqliteshim.Driver() }

type gatedConn struct {
	driver.Conn
	gate writeGate
	inTx bool // this connection holds the gate for its transaction
}

// writes reports whether a statement may write (and so needs the gate).
func writes(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) > 8 {
		q = q[:8]
	}
	q = strings.ToUpper(q)
	for _, p := range []string{"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "PRAGMA"} {
		if strings.HasPrefix(q, p) {
			return true
		}
	}
	return false
}

func (c *gatedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	}
	if err := c.gate.enter(ctx); err != nil {
		return nil, err
	}
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		c.gate.leave()
		return nil, err
	}
	c.inTx = true
	return &gatedTx{Tx: tx, conn: c}, nil
}

type gatedTx struct {
	driver.Tx
	conn *gatedConn
}

func (t *gatedTx) end(err error) error {
	if t.conn.inTx {
		t.conn.inTx = false
		t.conn.gate.leave()
	}
	return err
}

func (t *gatedTx) Commit() error   { return t.end(t.Tx.Commit()) }
func (t *gatedTx) Rollback() error { return t.end(t.Tx.Rollback()) }

func (c *gatedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !c.inTx && writes(query) {
		if err := c.gate.enter(ctx); err != nil {
			return nil, err
		}
		defer c.gate.leave()
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !c.inTx && writes(query) { // INSERT ... RETURNING
		if err := c.gate.enter(ctx); err != nil {
			return nil, err
		}
		rows, err := c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
		if err != nil {
			c.gate.leave()
			return nil, err
		}
		return &gatedRows{Rows: rows, gate: c.gate}, nil
	}
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

// gatedRows keeps the gate until the statement's rows are closed.
type gatedRows struct {
	driver.Rows
	gate   writeGate
	closed bool
}

func (r *gatedRows) Close() error {
	err := r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.gate.leave()
	}
	return err
}

func (c *gatedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *gatedConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *gatedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *gatedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
