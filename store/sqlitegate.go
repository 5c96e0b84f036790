package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
//
// It also watches the database file. SQLite keeps writing to a file that was
// deleted or replaced under it, into an inode nobody will read again: every
// write acknowledged then would be lost. So a write first checks that the
// path still names the file the pool opened, and is refused (Unavailable)
// when it does not; no connection opens another file there (nor creates an
// empty one where it went missing). Moved back, the file takes writes again;
// a file restored from a copy needs a restart (its -wal next to it belongs
// to the old file), which /healthz says.
type gatedConnector struct {
	dsn  string
	path string // the database file; "" when there is none (in memory)
	gate writeGate
	db   *sql.DB // the pool, to unregister on close

	mu    sync.Mutex
	first fs.FileInfo // the file the first connection opened
}

// sqliteFiles maps each SQLite pool (*sql.DB) to its connector, for the health check.
var sqliteFiles sync.Map

func (c *gatedConnector) Connect(context.Context) (driver.Conn, error) {
	if err := c.checkFile(); err != nil {
		return nil, err // not an empty new database where the file went missing
	}
	conn, err := sqliteshim.Driver().Open(c.dsn)
	if err != nil {
		if c.path != "" {
			// Opening writes (WAL's -shm and -wal files): say why it cannot.
			if _, readOnly, ferr := fileSystem(filepath.Dir(c.path)); ferr == nil && readOnly {
				return nil, &Error{Kind: Unavailable, Message: fsReadOnly, Err: err}
			}
		}
		return nil, err
	}
	gc := &gatedConn{Conn: conn, gate: c.gate, connector: c}
	if c.path != "" {
		fi, err := os.Stat(c.path)
		if err != nil {
			conn.Close()
			return nil, err
		}
		c.mu.Lock()
		if c.first == nil {
			c.first = fi
		}
		c.mu.Unlock()
		// SQLite opens a file it may not write read-only, and it stays so:
		// such a connection serves one use only, so that writes work again
		// on fresh connections once the file is writable.
		gc.readOnly = !writable(c.path)
	}
	return gc, nil
}

func (c *gatedConnector) Driver() driver.Driver { return sqliteshim.Driver() }

// Close is called by sql.DB.Close.
func (c *gatedConnector) Close() error {
	if c.db != nil {
		sqliteFiles.Delete(c.db)
	}
	return nil
}

// checkFile returns nil when the path names the file the pool opened (or
// nothing was opened yet), else an Unavailable error: the file is missing,
// or another file took its place.
func (c *gatedConnector) checkFile() error {
	if c.path == "" {
		return nil
	}
	c.mu.Lock()
	first := c.first
	c.mu.Unlock()
	if first == nil {
		return nil
	}
	fi, err := os.Stat(c.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{Kind: Unavailable, Message: "the database file is missing", Err: err}
	case err != nil:
		return err
	case !os.SameFile(fi, first):
		return &Error{Kind: Unavailable, Message: "the database file was replaced",
			Err: errors.New(c.path + " is another file than the one opened at start: restart the server to open it")}
	}
	return nil
}

type gatedConn struct {
	driver.Conn
	gate      writeGate
	connector *gatedConnector
	readOnly  bool // the file was not writable when it opened
	inTx      bool // this connection holds the gate for its transaction
}

// enterToWrite takes the gate for a write and checks the file.
func (c *gatedConn) enterToWrite(ctx context.Context) error {
	if err := c.gate.enter(ctx); err != nil {
		return err
	}
	if err := c.connector.checkFile(); err != nil {
		c.gate.leave()
		return err
	}
	return nil
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
	if err := c.enterToWrite(ctx); err != nil {
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
		if err := c.enterToWrite(ctx); err != nil {
			return nil, err
		}
		defer c.gate.leave()
	}
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *gatedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !c.inTx && writes(query) { // INSERT ... RETURNING
		if err := c.enterToWrite(ctx); err != nil {
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
	if c.readOnly {
		return false
	}
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}
