package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/uptrace/bun"
)

// sqlitePerm is SQLITE_PERM; the other result codes are in unavailable.go.
const sqlitePerm = 3

// isSQLiteAccessError reports whether err is SQLite failing to write or open
// the database file (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM).
func isSQLiteAccessError(err error) bool {
	var ce interface{ Code() int }
	if errors.As(err, &ce) {
		switch ce.Code() & 0xff {
		case sqlitePerm, sqliteReadOnly, sqliteCantOpen:
			return true
		}
		return false
	}
	s := err.Error()
	return strings.Contains(s, "readonly database") || strings.Contains(s, "unable to open database file")
}

// explainSQLite adds the cause to an error writing db when the cause is the
// file system: a read-only database file, -wal or -shm file, or directory.
func explainSQLite(ctx context.Context, db *bun.DB, err error) error {
	if err == nil || IsPostgresDB(db) || !isSQLiteAccessError(err) {
		return err
	}
	var file string
	db.NewRaw("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(ctx, &file) //nolint:errcheck
	return explainSQLitePath(file, err)
}

// explainSQLitePath is explainSQLite for the database file at path.
func explainSQLitePath(path string, err error) error {
	if err == nil || !isSQLiteAccessError(err) {
		return err
	}
	if why := SQLiteWriteProblem(path); why != "" {
		return fmt.Errorf("%s (%w)", why, err)
	}
	return err
}

// SQLiteWriteProblem says why this process cannot write the SQLite database
// at path (and the -wal and -shm files SQLite keeps next to it), or "" when it
// finds no reason. It tries the accesses for real rather than reading mode
// bits, so ownership, ACLs and read-only mounts all count.
func SQLiteWriteProblem(path string) string {
	if path == "" {
		return ""
	}
	who := fmt.Sprintf("this process (uid %d)", os.Geteuid())
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err == nil {
			f.Close()
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return fmt.Sprintf("the database file %s is read-only for %s: %v; academy must be able to write the database and its -wal and -shm files",
			p, who, errors.Unwrap(err))
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".academy-write-check-*")
	if err != nil {
		return fmt.Sprintf("the directory %s is not writable for %s: %v; SQLite creates %s-wal and %s-shm there while the database is open",
			dir, who, errors.Unwrap(err), filepath.Base(path), filepath.Base(path))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return ""
}
