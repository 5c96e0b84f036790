package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"modernc.org/sqlite"
)

// Backups of a SQLite database use SQLite's online backup API: the pages are
// copied inside one read transaction of the live database, so the copy is
// one consistent moment including what is still in the write-ahead log
// (which a plain copy of the .db file misses), and the server keeps writing
// meanwhile. The row counts of every table are read in the same
// transaction and compared with the copy's.

// TableCount is the number of rows in one table.
type TableCount struct {
	Table string
	Rows  int64
}

// BackupReport describes a backup or a restore that was verified.
type BackupReport struct {
	Path   string       // the file written
	Bytes  int64        // its size
	Tables []TableCount // every table's rows, by name; the same in the source and the copy
}

// Rows is the total number of rows in every table.
func (r *BackupReport) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.Rows
	}
	return n
}

// backuper is the modernc.org/sqlite connection's online backup API.
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
	NewRestore(srcURI string) (*sqlite.Backup, error)
}

// driverConn returns the SQLite driver's connection under ours.
func driverConn(dc any) (backuper, error) {
	if g, ok := dc.(*gatedConn); ok {
		dc = g.Conn
	}
	b, ok := dc.(backuper)
	if !ok {
		return nil, fmt.Errorf("the SQLite driver %T has no online backup API", dc)
	}
	return b, nil
}

// runBackup runs one backup or restore to completion.
func runBackup(b *sqlite.Backup, err error) error {
	if err != nil {
		return err
	}
	_, stepErr := b.Step(-1)
	return errors.Join(stepErr, b.Finish())
}

// tableCounts counts the rows of every table q can see, in one transaction
// when q is one.
func tableCounts(ctx context.Context, q bun.IConn) ([]TableCount, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts := make([]TableCount, len(names))
	for i, n := range names {
		counts[i].Table = n
		if err := q.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(n, `"`, `""`)+`"`).Scan(&counts[i].Rows); err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
	}
	return counts, nil
}

// sameCounts returns an error naming the first table whose count differs.
func sameCounts(want, got []TableCount) error {
	if len(want) != len(got) {
		return fmt.Errorf("the copy has %d tables, the original %d", len(got), len(want))
	}
	for i := range want {
		if want[i].Table != got[i].Table {
			return fmt.Errorf("the copy has table %s where the original has %s", got[i].Table, want[i].Table)
		}
		if want[i].Rows != got[i].Rows {
			return fmt.Errorf("table %s has %d rows in the copy, %d in the original", got[i].Table, got[i].Rows, want[i].Rows)
		}
	}
	return nil
}

// openPlain opens one plain SQLite connection to path (no pragmas of ours,
// no write gate), for checking and writing backup files.
func openPlain(ctx context.Context, path string) (*sql.DB, bun.Conn, error) {
	sqldb, err := sql.Open(sqliteshim.ShimName, "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		return nil, bun.Conn{}, err
	}
	sqldb.SetMaxOpenConns(1)
	conn, err := bun.NewDB(sqldb, sqlitedialect.New()).Conn(ctx)
	if err != nil {
		sqldb.Close()
		return nil, bun.Conn{}, err
	}
	return sqldb, conn, nil
}

// checkIntegrity runs PRAGMA integrity_check.
func checkIntegrity(ctx context.Context, q bun.IConn) error {
	rows, err := q.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "...")
		}
		return fmt.Errorf("integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// syncPath flushes a file or directory to disk.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// removeSQLite removes a database file and its companions.
func removeSQLite(path string) {
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// BackupSQLite writes a consistent copy of the live SQLite database db to
// path and verifies it (PRAGMA integrity_check; every table's rows equal to
// the database's at the moment copied). The copy is a single file (rollback
// journal, no -wal), written under a temporary name and renamed into place
// only once verified. An existing path is refused unless force.
func BackupSQLite(ctx context.Context, db *bun.DB, path string, force bool) (*BackupReport, error) {
	if IsPostgresDB(db) {
		return nil, errors.New("a PostgreSQL database is backed up with pg_dump")
	}
	if _, err := os.Stat(path); err == nil && !force {
		return nil, Errorf(Conflict, "%s exists: give --force to replace it", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var src string
	if err := db.NewRaw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(ctx, &src); err != nil {
		return nil, err
	}
	if sameFile(src, path) {
		return nil, Errorf(Invalid, "%s is the database itself: back up to another file", path)
	}
	b := make([]byte, 4)
	rand.Read(b)
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".partial-"+hex.EncodeToString(b))
	ok := false
	defer func() {
		if !ok {
			removeSQLite(tmp)
		}
	}()

	// One read transaction: the counts and the pages are the same moment.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil { // deferred: a reader, writers carry on
		return nil, err
	}
	want, err := tableCounts(ctx, conn)
	if err == nil {
		err = conn.Raw(func(dc any) error {
			bk, err := driverConn(dc)
			if err != nil {
				return err
			}
			return runBackup(bk.NewBackup(tmp))
		})
	}
	if _, cerr := conn.ExecContext(ctx, "COMMIT"); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("copy the database: %w", err)
	}

	got, err := verifyCopy(ctx, tmp, true)
	if err != nil {
		return nil, fmt.Errorf("verify the copy: %w", err)
	}
	if err := sameCounts(want, got); err != nil {
		return nil, fmt.Errorf("verify the copy: %w", err)
	}
	if err := syncPath(tmp); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	ok = true
	syncPath(filepath.Dir(path)) //nolint:errcheck
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	return &BackupReport{Path: path, Bytes: fi.Size(), Tables: want}, nil
}

// verifyCopy checks the SQLite file at path and returns its table counts;
// selfContained first turns it into a rollback-journal database (one file).
func verifyCopy(ctx context.Context, path string, selfContained bool) ([]TableCount, error) {
	sqldb, conn, err := openPlain(ctx, path)
	if err != nil {
		return nil, err
	}
	defer sqldb.Close()
	defer conn.Close()
	if selfContained {
		if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode=DELETE"); err != nil {
			return nil, err
		}
	}
	if err := checkIntegrity(ctx, conn); err != nil {
		return nil, err
	}
	return tableCounts(ctx, conn)
}

// VerifySQLiteBackup checks that path is a sound Service Academy SQLite
// database (integrity_check ok, migration records present) and returns its
// table counts.
func VerifySQLiteBackup(ctx context.Context, path string) ([]TableCount, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() == 0 {
		return nil, fmt.Errorf("%s is not a database file", path)
	}
	counts, err := verifyCopy(ctx, path, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, c := range counts {
		if c.Table == "bun_migrations" && c.Rows > 0 {
			return counts, nil
		}
	}
	return nil, fmt.Errorf("%s is not a Service Academy database (it has no migration records)", path)
}

// ErrDatabaseInUse is returned by RestoreSQLite when a process has the
// target database open.
var ErrDatabaseInUse = errors.New("the database is in use")

// RestoreSQLite verifies the backup at from and copies it into the SQLite
// database at to, then verifies the result against the backup. A new path
// is created. An existing database is replaced only when force is set and
// no process has it open: restore takes SQLite's exclusive lock on it first
// (which fails while a server has it open, here or in any other process),
// and refuses too while a server's scheduler lease in it is unexpired; it
// keeps the lock until the restore is done. The copy is one write
// transaction of SQLite's: a crash in the middle leaves the old database.
func RestoreSQLite(ctx context.Context, from, to string, force bool) (*BackupReport, error) {
	want, err := VerifySQLiteBackup(ctx, from)
	if err != nil {
		return nil, err
	}
	if sameFile(from, to) {
		return nil, Errorf(Invalid, "%s is the backup itself", to)
	}
	exists := false
	if fi, err := os.Stat(to); err == nil {
		exists = fi.Size() > 0
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if exists && !force {
		return nil, Errorf(Conflict, "%s exists: restore into a new file, or stop the server and give --force to replace it", to)
	}
	sqldb, conn, err := openPlain(ctx, to)
	if err != nil {
		return nil, explainSQLitePath(to, err)
	}
	defer sqldb.Close()
	defer conn.Close()
	if exists {
		if err := lockUnused(ctx, conn, to); err != nil {
			return nil, err
		}
	}
	err = conn.Raw(func(dc any) error {
		bk, err := driverConn(dc)
		if err != nil {
			return err
		}
		return runBackup(bk.NewRestore(from))
	})
	if err != nil {
		return nil, explainSQLitePath(to, fmt.Errorf("restore: %w", err))
	}
	if err := checkIntegrity(ctx, conn); err != nil {
		return nil, fmt.Errorf("verify %s: %w", to, err)
	}
	got, err := tableCounts(ctx, conn)
	if err != nil {
		return nil, err
	}
	if err := sameCounts(want, got); err != nil {
		return nil, fmt.Errorf("verify %s: %w", to, err)
	}
	if err := conn.Close(); err != nil {
		return nil, err
	}
	if err := sqldb.Close(); err != nil {
		return nil, err
	}
	fi, err := os.Stat(to)
	if err != nil {
		return nil, err
	}
	return &BackupReport{Path: to, Bytes: fi.Size(), Tables: got}, nil
}

// lockUnused takes an exclusive lock on the database conn has open, which
// it keeps until conn closes, and fails with ErrDatabaseInUse when another
// connection has the database open or a server's scheduler lease in it has
// not expired. It leaves the database in rollback-journal mode (the server
// turns WAL back on when it opens it).
func lockUnused(ctx context.Context, conn bun.Conn, path string) error {
	inUse := func(why string) error {
		return fmt.Errorf("%w: %s; stop the server first (or restore into a new file)", ErrDatabaseInUse, why)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA locking_mode=EXCLUSIVE"); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		if strings.Contains(err.Error(), "locked") || strings.Contains(err.Error(), "busy") {
			return inUse(path + " is open in another process (a running academy server?)")
		}
		return explainSQLitePath(path, err)
	}
	var lease struct {
		Holder    string
		ExpiresAt time.Time
	}
	err := conn.NewRaw("SELECT holder, expires_at FROM job_leases WHERE name = 'scheduler'").Scan(ctx, &lease)
	conn.ExecContext(ctx, "COMMIT") //nolint:errcheck // the lock stays (exclusive locking mode)
	switch {
	case err == nil && lease.ExpiresAt.After(time.Now()):
		return inUse(fmt.Sprintf("a server (%s) holds its scheduler lease until %s", lease.Holder, lease.ExpiresAt.Local().Format(time.DateTime)))
	case err != nil && !errors.Is(err, sql.ErrNoRows) && !strings.Contains(err.Error(), "no such table"):
		return err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode=DELETE"); err != nil {
		return fmt.Errorf("leave WAL mode: %w", err)
	}
	return nil
}
