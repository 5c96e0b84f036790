package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// The migration lock lets one instance at a time migrate a database, and
// survives the crash of the instance holding it:
//
//   - On PostgreSQL it is a session-level advisory lock (pg_advisory_lock)
//     held on a connection of its own: the server releases it when that
//     connection dies, so a killed process frees it at once. The holder runs
//     a statement on that connection every TTL/3; a holder silent for longer
//     than the TTL (its host vanished without closing the connection) has its
//     session terminated by the next instance, which then takes the lock.
//   - On SQLite it is a lease: one row in academy_migration_lock naming the
//     holder, renewed every TTL/3 while migrating and taken over only after
//     it has expired.
//
// Every migration's transaction first checks that the lock is still held
// (and renews the lease), and records the migration as applied in the same
// transaction, so a holder that lost its lock stops before changing
// anything, and a crash can never leave a migration applied but unrecorded.

// DefaultMigrationLockTTL is how long a silent holder keeps the migration
// lock before another instance may take it over.
const DefaultMigrationLockTTL = 30 * time.Second

// DefaultMigrationLockWait is how long Migrate waits for a live holder.
const DefaultMigrationLockWait = 5 * time.Minute

// pgLockClass is the first key of the PostgreSQL advisory lock ("ACAD"); the
// second is a hash of the schema, so databases in different schemas of one
// server do not wait for each other.
const pgLockClass = 0x41434144

// MigrationLockOptions tune the migration lock; zero values take the defaults.
type MigrationLockOptions struct {
	Holder string        // who takes the lock, for messages (default host/pid/random)
	TTL    time.Duration // a silent holder's lock is taken over after this (DefaultMigrationLockTTL)
	Wait   time.Duration // how long to wait for a live holder (DefaultMigrationLockWait)
	Log    *slog.Logger  // progress while waiting (nil: silent)
}

func (o *MigrationLockOptions) defaults() {
	if o.Holder == "" {
		o.Holder = NewHolderID()
	}
	if o.TTL <= 0 {
		o.TTL = DefaultMigrationLockTTL
	}
	if o.Wait <= 0 {
		o.Wait = DefaultMigrationLockWait
	}
}

// NewHolderID names this process for locks and leases: host/pid/random.
func NewHolderID() string {
	host, _ := os.Hostname()
	if len(host) > 24 {
		host = host[:24]
	}
	b := make([]byte, 3)
	rand.Read(b)
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + hex.EncodeToString(b)
}

// LockHolder describes who holds the migration lock.
type LockHolder struct {
	Holder  string        // the holder's id (host/pid/random), or a PostgreSQL session
	HeldFor time.Duration // since the holder took the lock (0 when unknown)
	Silent  time.Duration // since the holder last renewed it
}

func (h LockHolder) String() string {
	s := h.Holder
	if h.HeldFor > 0 {
		s += fmt.Sprintf(", held for %s", h.HeldFor.Round(time.Second))
	}
	return s + fmt.Sprintf(", last renewed %s ago", h.Silent.Round(time.Second))
}

// ErrMigrationLockLost is returned when another instance took the migration
// lock over while this one was migrating (this one stopped before changing
// anything more).
var ErrMigrationLockLost = errors.New("lost the migration lock: another instance took it over after it expired")

// MigrationLock is the held migration lock. Release it when done.
type MigrationLock struct {
	db     *bun.DB
	holder string
	ttl    time.Duration
	log    *slog.Logger

	// PostgreSQL: the connection holding the advisory lock.
	conn       bun.Conn
	pid        int64
	key1, key2 int64

	mu       sync.Mutex // serialises the heartbeat and Release on conn
	stop     chan struct{}
	stopped  chan struct{}
	released bool
}

// LockMigrations takes the migration lock, waiting up to o.Wait for a live
// holder and taking over from a holder that went silent (crashed). The error
// names the real cause: a live holder (with its age), a read-only database
// file or directory, or the database error.
func LockMigrations(ctx context.Context, db *bun.DB, o MigrationLockOptions) (*MigrationLock, error) {
	o.defaults()
	l := &MigrationLock{db: db, holder: o.Holder, ttl: o.TTL, log: o.Log}
	try := l.trySQLite
	if IsPostgresDB(db) {
		try = l.tryPostgres
	} else if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS academy_migration_lock (
		id INTEGER PRIMARY KEY CHECK (id = 1),
		holder TEXT NOT NULL,
		acquired_at BIGINT NOT NULL, -- Unix milliseconds
		renewed_at BIGINT NOT NULL,
		expires_at BIGINT NOT NULL)`); err != nil {
		return nil, explainSQLite(ctx, db, fmt.Errorf("prepare the migration lock: %w", err))
	}
	fail := func(err error) (*MigrationLock, error) {
		if l.conn.Conn != nil {
			l.conn.Close()
		}
		return nil, err
	}
	deadline := time.Now().Add(o.Wait)
	var logged time.Time
	for {
		h, ok, err := try(ctx)
		if err != nil {
			return fail(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("the migration lock is held by a live instance (%s); waited %s for it to finish. "+
				"If no other instance is running, the holder's lock expires %s after its last renewal and is then taken over",
				h, o.Wait.Round(time.Second), o.TTL))
		}
		if l.log != nil && time.Since(logged) >= 10*time.Second {
			l.log.Info("waiting for the migration lock: another instance is migrating", "holder", h.Holder,
				"held_for", h.HeldFor.Round(time.Second).String(), "last_renewed", h.Silent.Round(time.Second).String()+" ago")
			logged = time.Now()
		}
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	l.stop, l.stopped = make(chan struct{}), make(chan struct{})
	go l.heartbeat()
	return l, nil
}

// heartbeat renews the lock every TTL/3 until Release.
func (l *MigrationLock) heartbeat() {
	defer close(l.stopped)
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), l.ttl)
		err := l.renew(ctx, l.db)
		cancel()
		if err != nil && l.log != nil {
			l.log.Warn("renew the migration lock", "err", err)
		}
	}
}

// renew extends the lease (SQLite) or shows the session is alive (PostgreSQL).
func (l *MigrationLock) renew(ctx context.Context, db bun.IConn) error {
	if l.conn.Conn != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.released {
			return nil
		}
		_, err := l.conn.ExecContext(ctx, "SELECT 1")
		return err
	}
	now := time.Now()
	res, err := db.ExecContext(ctx, "UPDATE academy_migration_lock SET renewed_at = ?, expires_at = ? WHERE id = 1 AND holder = ?",
		now.UnixMilli(), now.Add(l.ttl).UnixMilli(), l.holder)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return ErrMigrationLockLost
	}
	return nil
}

// fence runs inside each migration's transaction: it fails when the lock
// was lost, so nothing more is changed, and renews the SQLite lease.
func (l *MigrationLock) fence(ctx context.Context, tx bun.IConn) error {
	if l.conn.Conn == nil {
		return l.renew(ctx, tx)
	}
	var held bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND pid = ? AND classid = ? AND objid = ? AND objsubid = 2)`, l.pid, l.key1, l.key2).Scan(&held)
	if err != nil {
		return err
	}
	if !held {
		return ErrMigrationLockLost
	}
	return nil
}

// Release gives the lock up. It is safe to call more than once.
func (l *MigrationLock) Release(ctx context.Context) error {
	if l.stop != nil {
		select {
		case <-l.stop:
		default:
			close(l.stop)
		}
		<-l.stopped
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	l.released = true
	if l.conn.Conn != nil {
		_, err := l.conn.ExecContext(ctx, "SELECT pg_advisory_unlock(?, ?), set_config('application_name', '', false)", l.key1, l.key2)
		if err != nil {
			// The session may still hold the lock: close it for good so the server releases it.
			l.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		return errors.Join(err, l.conn.Close())
	}
	_, err := l.db.ExecContext(ctx, "DELETE FROM academy_migration_lock WHERE id = 1 AND holder = ?", l.holder)
	return err
}

// trySQLite takes the lease if it is free, expired or ours.
func (l *MigrationLock) trySQLite(ctx context.Context) (LockHolder, bool, error) {
	now := time.Now()
	var prev struct {
		Holder     string
		AcquiredAt int64
		RenewedAt  int64
		ExpiresAt  int64
	}
	const read = "SELECT holder, acquired_at, renewed_at, expires_at FROM academy_migration_lock WHERE id = 1"
	err := l.db.NewRaw(read).Scan(ctx, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return LockHolder{}, false, explainSQLite(ctx, l.db, fmt.Errorf("read the migration lock: %w", err))
	}
	res, err := l.db.ExecContext(ctx, `INSERT INTO academy_migration_lock (id, holder, acquired_at, renewed_at, expires_at) VALUES (1, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at,
			renewed_at = excluded.renewed_at, expires_at = excluded.expires_at
		WHERE academy_migration_lock.expires_at < ? OR academy_migration_lock.holder = ?`,
		l.holder, now.UnixMilli(), now.UnixMilli(), now.Add(l.ttl).UnixMilli(), now.UnixMilli(), l.holder)
	if err != nil {
		return LockHolder{}, false, explainSQLite(ctx, l.db, fmt.Errorf("take the migration lock: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		if prev.Holder != "" && prev.Holder != l.holder && l.log != nil {
			l.log.Warn("took over the migration lock from a holder that stopped renewing it (crashed?)", "holder", prev.Holder,
				"expired", now.Sub(time.UnixMilli(prev.ExpiresAt)).Round(time.Second).String()+" ago")
		}
		return LockHolder{}, true, nil
	}
	if err := l.db.NewRaw(read).Scan(ctx, &prev); err != nil {
		return LockHolder{}, false, fmt.Errorf("read the migration lock: %w", err)
	}
	return LockHolder{Holder: prev.Holder, HeldFor: now.Sub(time.UnixMilli(prev.AcquiredAt)),
		Silent: now.Sub(time.UnixMilli(prev.RenewedAt))}, false, nil
}

// tryPostgres takes the advisory lock on a connection of its own, or
// describes who holds it, terminating a holder's session that has been
// silent for longer than the TTL.
func (l *MigrationLock) tryPostgres(ctx context.Context) (LockHolder, bool, error) {
	if l.conn.Conn == nil {
		conn, err := l.db.Conn(ctx)
		if err != nil {
			return LockHolder{}, false, err
		}
		if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid(), hashtext(coalesce(current_schema(), '')) & 2147483647").
			Scan(&l.pid, &l.key2); err != nil {
			conn.Close()
			return LockHolder{}, false, err
		}
		l.conn, l.key1 = conn, pgLockClass
	}
	var ok bool
	if err := l.conn.QueryRowContext(ctx, "SELECT pg_try_advisory_lock(?, ?)", l.key1, l.key2).Scan(&ok); err != nil {
		return LockHolder{}, false, fmt.Errorf("take the migration lock: %w", err)
	}
	if ok {
		// Shown in pg_stat_activity: who holds the lock, since when.
		name := fmt.Sprintf("academy migrate %d %s", time.Now().Unix(), l.holder)
		if _, err := l.conn.ExecContext(ctx, "SELECT set_config('application_name', ?, false)", name); err != nil {
			return LockHolder{}, false, err
		}
		return LockHolder{}, true, nil
	}
	var h struct {
		PID    int64
		App    string
		State  string
		Silent float64
	}
	err := l.db.NewRaw(`SELECT a.pid, coalesce(a.application_name, '') AS app, coalesce(a.state, '') AS state,
			coalesce(extract(epoch FROM now() - a.state_change), 0)::float8 AS silent
		FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.classid = ? AND l.objid = ? AND l.objsubid = 2
			AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`, l.key1, l.key2).Scan(ctx, &h)
	if errors.Is(err, sql.ErrNoRows) {
		return LockHolder{Holder: "an instance that has just released it"}, false, nil
	} else if err != nil {
		return LockHolder{}, false, fmt.Errorf("read the migration lock's holder: %w", err)
	}
	holder := LockHolder{Holder: fmt.Sprintf("PostgreSQL session %d", h.PID), Silent: time.Duration(h.Silent * float64(time.Second))}
	if f := strings.Fields(h.App); len(f) >= 4 && f[0] == "academy" && f[1] == "migrate" {
		if since, err := strconv.ParseInt(f[2], 10, 64); err == nil {
			holder.HeldFor = time.Since(time.Unix(since, 0))
		}
		holder.Holder = strings.Join(f[3:], " ") + fmt.Sprintf(" (PostgreSQL session %d)", h.PID)
	}
	if h.State == "idle" && holder.Silent > l.ttl {
		if l.log != nil {
			l.log.Warn("terminating the session of a migration lock holder that stopped renewing it (host gone?)",
				"holder", holder.Holder, "silent", holder.Silent.Round(time.Second).String())
		}
		if _, err := l.db.ExecContext(ctx, "SELECT pg_terminate_backend(?)", h.PID); err != nil {
			return holder, false, fmt.Errorf("terminate the silent holder of the migration lock (%s): %w", holder, err)
		}
	}
	return holder, false, nil
}
