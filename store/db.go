package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/pgdriver"
	"github.com/uptrace/bun/migrate"

	"github.com/serviceacademy/academy/migrations"
)

// sqlitePragmas are applied to every SQLite connection through the DSN.
// _txlock=immediate makes BEGIN take the write lock up front, so a
// read-then-write transaction waits (busy_timeout) instead of failing with
// "database is locked" when another writer got there first.
var sqlitePragmas = []string{
	"_pragma=busy_timeout(10000)",
	"_pragma=journal_mode(WAL)",
	"_pragma=foreign_keys(1)",
	"_pragma=synchronous(NORMAL)",
	"_pragma=mmap_size(1073741824)", // read through the OS page cache (shared by the connections), up to 1 GB of the file
	"_txlock=immediate",
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLiteDSN turns a file path into a modernc.org/sqlite DSN carrying our pragmas.
func SQLiteDSN(path string) string {
	path = strings.TrimPrefix(path, "file:")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return "file:" + path + sep + strings.Join(sqlitePragmas, "&")
}

// sqlitePath is the file a SQLite DSN names, or "" for an in-memory database.
func sqlitePath(dsn string) string {
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if path == "" || path == ":memory:" {
		return ""
	}
	return path
}

// Open connects to dsn: a postgres:// URL or a SQLite file path. For SQLite it
// reads the pragmas back and returns an error if they did not take effect.
func Open(ctx context.Context, dsn string) (*bun.DB, error) {
	var db *bun.DB
	if IsPostgres(dsn) {
		if _, err := url.Parse(dsn); err != nil {
			return nil, fmt.Errorf("database URL: %w", err)
		}
		sqldb := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn), pgdriver.WithTimeout(15*time.Second)))
		sqldb.SetMaxOpenConns(4 * runtime.GOMAXPROCS(0))
		sqldb.SetMaxIdleConns(4 * runtime.GOMAXPROCS(0))
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, pgdialect.New())
	} else {
		conn := &gatedConnector{dsn: SQLiteDSN(dsn), path: sqlitePath(dsn), gate: make(writeGate, 1)}
		sqldb := sql.OpenDB(conn)
		conn.db = sqldb
		sqliteFiles.Store(sqldb, conn)
		// A writer waits for the gate holding a pool connection (database/sql
		// hands the connection out before the driver sees the statement), so
		// the pool is sized well above the writers that wait at once: else
		// they hold every connection and the readers, which WAL lets run
		// beside the one writer, queue behind them (see sqlitegate.go).
		sqldb.SetMaxOpenConns(max(64, 16*runtime.GOMAXPROCS(0)))
		sqldb.SetMaxIdleConns(max(8, 4*runtime.GOMAXPROCS(0)))
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		db = bun.NewDB(sqldb, sqlitedialect.New())
	}
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		if !IsPostgres(dsn) {
			err = explainSQLitePath(dsn, err)
		}
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if !IsPostgresDB(db) {
		if _, err := CheckSQLitePragmas(ctx, db); err != nil {
			db.Close()
			return nil, explainSQLitePath(dsn, err)
		}
	}
	return db, nil
}

// Close closes db. On SQLite it first checkpoints the write-ahead log into
// the database file and truncates it, so a stopped database is one
// self-contained file: SQLite removes the -wal and -shm files as the last
// connection closes. Stop everything that uses db first.
func Close(ctx context.Context, db *bun.DB) error {
	var cerr error
	if !IsPostgresDB(db) {
		var busy, pages, done int
		if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &pages, &done); err != nil {
			cerr = fmt.Errorf("checkpoint the write-ahead log: %w", err)
		} else if busy != 0 {
			cerr = fmt.Errorf("checkpoint the write-ahead log: %d of %d pages copied; a connection was still reading", done, pages)
		}
	}
	return errors.Join(cerr, db.Close())
}

// IsPostgresDB reports whether db speaks PostgreSQL.
func IsPostgresDB(db bun.IDB) bool { return db.Dialect().Name() == dialect.PG }

// Pragmas are the SQLite settings read back from a live connection.
type Pragmas struct {
	JournalMode string
	BusyTimeout int
	ForeignKeys int
	Synchronous int
}

// CheckSQLitePragmas reads the pragmas back and returns an error if WAL or
// foreign keys are not on (the DSN was not honoured).
func CheckSQLitePragmas(ctx context.Context, db *bun.DB) (Pragmas, error) {
	var p Pragmas
	conn, err := db.Conn(ctx)
	if err != nil {
		return p, err
	}
	defer conn.Close()
	for _, q := range []struct {
		sql  string
		dest any
	}{
		{"PRAGMA journal_mode", &p.JournalMode},
		{"PRAGMA busy_timeout", &p.BusyTimeout},
		{"PRAGMA foreign_keys", &p.ForeignKeys},
		{"PRAGMA synchronous", &p.Synchronous},
	} {
		if err := conn.QueryRowContext(ctx, q.sql).Scan(q.dest); err != nil {
			return p, fmt.Errorf("read %s: %w", q.sql, err)
		}
	}
	if !strings.EqualFold(p.JournalMode, "wal") || p.ForeignKeys != 1 || p.BusyTimeout < 1000 {
		return p, fmt.Errorf("sqlite pragmas not applied (journal_mode=%s foreign_keys=%d busy_timeout=%d)",
			p.JournalMode, p.ForeignKeys, p.BusyTimeout)
	}
	return p, nil
}

// templateData fills the dialect-specific words in the migration files.
func templateData(db bun.IDB) map[string]any {
	if IsPostgresDB(db) {
		// Paths compare byte by byte (see people/line.go), whatever the database's locale.
		return map[string]any{"Postgres": true, "PK": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
			"PathType": `TEXT COLLATE "C"`, "Blob": "BYTEA"}
	}
	return map[string]any{"Postgres": false, "PK": "INTEGER PRIMARY KEY AUTOINCREMENT", "PathType": "TEXT", "Blob": "BLOB"}
}

func newMigrator(db *bun.DB, fsys fs.FS, opts ...migrate.MigratorOption) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(fsys); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	return migrate.NewMigrator(db, ms, append([]migrate.MigratorOption{
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithUpsert(true), // bun_migrations.name is unique: see recordApplied
		migrate.WithTemplateData(templateData(db)),
	}, opts...)...), nil
}

// recordApplied records migration as applied inside its own transaction, so a
// crash between the migration's commit and bun's MarkApplied (which then only
// updates the row) cannot leave it applied but unrecorded.
func recordApplied(ctx context.Context, tx bun.IConn, mig *migrate.Migration) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO bun_migrations (name, group_id, migrated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
		mig.Name, mig.GroupID, time.Now().UTC())
	return err
}

// MigrateOptions tune MigrateWith; zero values take the defaults.
type MigrateOptions struct {
	FS   fs.FS                // the migration files (default migrations.FS)
	Log  *slog.Logger         // applied migrations and lock waits (nil: silent)
	Lock MigrationLockOptions // the migration lock (see LockMigrations)
}

// Migrate applies every pending migration and returns the names it applied.
// A failed migration is not recorded; the error names it. Concurrent callers
// (several instances starting at once) take turns under the migration lock;
// a lock left by a crashed instance is taken over (see LockMigrations).
func Migrate(ctx context.Context, db *bun.DB, log *slog.Logger) ([]string, error) {
	return MigrateWith(ctx, db, MigrateOptions{Log: log})
}

// MigrateFS is Migrate with the migration files taken from fsys.
func MigrateFS(ctx context.Context, db *bun.DB, fsys fs.FS, log *slog.Logger) ([]string, error) {
	return MigrateWith(ctx, db, MigrateOptions{FS: fsys, Log: log})
}

// MigrateWith is Migrate with options.
func MigrateWith(ctx context.Context, db *bun.DB, o MigrateOptions) ([]string, error) {
	if o.FS == nil {
		o.FS = migrations.FS
	}
	if o.Lock.Log == nil {
		o.Lock.Log = o.Log
	}
	// The lock comes first: on PostgreSQL even creating bun's tables races
	// between instances starting together on an empty database.
	lock, err := LockMigrations(ctx, db, o.Lock)
	if err != nil {
		return nil, err
	}
	defer lock.Release(context.WithoutCancel(ctx)) //nolint:errcheck
	m, err := newMigrator(db, o.FS, migrate.BeforeMigration(func(ctx context.Context, tx bun.IConn, _ *migrate.Migration) error {
		return lock.fence(ctx, tx)
	}), migrate.AfterMigration(recordApplied))
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, explainSQLite(ctx, db, fmt.Errorf("prepare migration tables: %w", err))
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, explainSQLite(ctx, db, fmt.Errorf("migration failed (nothing recorded for it; fix and restart): %w", err))
	}
	var names []string
	if group != nil && !group.IsZero() {
		for _, mig := range group.Migrations {
			names = append(names, mig.Name+"_"+mig.Comment)
		}
		if o.Log != nil {
			o.Log.Info("migrations applied", "group", group.ID, "migrations", names)
		}
	}
	return names, nil
}

// Pending returns the migrations not yet applied.
func Pending(ctx context.Context, db *bun.DB) ([]string, error) {
	m, err := newMigrator(db, migrations.FS)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, mig := range ms.Unapplied() {
		names = append(names, mig.Name+"_"+mig.Comment)
	}
	return names, nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pgErr pgdriver.Error
	if errors.As(err, &pgErr) {
		return pgErr.Field('C') == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
