package store_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestFinding15DatabaseFailuresAreUnavailable (issue 11, finding 15): the
// database's own failures that mean "not now" (disk full, read-only, the
// file gone, the server unreachable or shutting down) are store.Unavailable
// (the web layer answers 503), provoked for real; an ordinary failure (a
// constraint, a bad statement) stays Internal (500).
func TestFinding15DatabaseFailuresAreUnavailable(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, err error, want store.Kind, words string) {
		t.Helper()
		if err == nil {
			t.Fatal("no error")
		}
		if k := store.KindOf(err); k != want {
			t.Fatalf("%v: kind %d, want %d", err, k, want)
		}
		if got := store.Unavailability(err); !strings.Contains(got, words) {
			t.Fatalf("%v: unavailability %q, want %q", err, got, words)
		}
		if want == store.Unavailable && !strings.Contains(store.MessageOf(err), "try again") {
			t.Fatalf("message %q does not say to try again", store.MessageOf(err))
		}
	}
	// oneConn gives a SQLite database whose pool is one connection, so that a
	// per-connection pragma holds for every statement.
	oneConn := func(t *testing.T) (*bun.DB, string) {
		path := storetest.MustDSN(t, "sqlite")
		db, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetMaxOpenConns(1)
		if _, err := db.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		return db, path
	}

	t.Run("SQLiteFull", func(t *testing.T) {
		db, _ := oneConn(t)
		var pages int
		if err := db.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "PRAGMA max_page_count = ?", pages); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecContext(ctx, "INSERT INTO t (body) VALUES (?)", strings.Repeat("x", 64<<10))
		check(t, err, store.Unavailable, "disk is full")
	})
	t.Run("SQLiteReadOnly", func(t *testing.T) {
		db, _ := oneConn(t)
		if _, err := db.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecContext(ctx, "INSERT INTO t (body) VALUES ('x')")
		check(t, err, store.Unavailable, "read-only")
	})
	t.Run("SQLiteCannotOpen", func(t *testing.T) {
		_, err := store.Open(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "academy.db"))
		check(t, err, store.Unavailable, "cannot be opened")
	})
	t.Run("SQLiteFileMissing", func(t *testing.T) {
		// SQLite would write on into the deleted file: the write is refused instead.
		db, path := oneConn(t)
		if err := os.Rename(path, path+".moved"); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecContext(ctx, "INSERT INTO t (body) VALUES ('x')")
		check(t, err, store.Unavailable, "file is missing")
		err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return nil })
		check(t, err, store.Unavailable, "file is missing")
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			t.Fatalf("reads stop too: %v", err)
		}
		if err := os.Rename(path+".moved", path); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO t (body) VALUES ('x')"); err != nil {
			t.Fatalf("moved back, the file takes no writes: %v", err)
		}
	})
	t.Run("SQLiteFileReplaced", func(t *testing.T) {
		db, path := oneConn(t)
		if _, err := db.ExecContext(ctx, "VACUUM INTO ?", path+".copy"); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".copy", path); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecContext(ctx, "INSERT INTO t (body) VALUES ('x')")
		check(t, err, store.Unavailable, "file was replaced")
	})
	t.Run("SQLiteOrdinaryErrors", func(t *testing.T) {
		db, _ := oneConn(t)
		if _, err := db.ExecContext(ctx, "INSERT INTO t (id, body) VALUES (1, 'x')"); err != nil {
			t.Fatal(err)
		}
		_, err := db.ExecContext(ctx, "INSERT INTO t (id, body) VALUES (1, 'y')")
		check(t, err, store.Internal, "")
		_, err = db.ExecContext(ctx, "SELEKT 1")
		check(t, err, store.Internal, "")
	})
	t.Run("PostgresRefused", func(t *testing.T) {
		// A port nobody listens on: the connection is refused.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = store.Open(ctx, "postgres://postgres@"+addr+"/postgres?sslmode=disable")
		check(t, err, store.Unavailable, "cannot be reached")
	})
	t.Run("PostgresConnectionClosed", func(t *testing.T) {
		// The server (or something between) closes the connection: the
		// statement on it fails with EOF; the next connection is refused.
		base := storetest.MustDSN(t, "postgres")
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		conns, target := make(chan net.Conn, 16), u.Host
		go func() {
			for {
				in, err := ln.Accept()
				if err != nil {
					return
				}
				out, err := net.Dial("tcp", target)
				if err != nil {
					in.Close()
					return
				}
				conns <- in
				go func() { io.Copy(out, in); out.Close() }()
				go func() { io.Copy(in, out); in.Close() }()
			}
		}()
		u.Host = ln.Addr().String()
		db, err := store.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ln.Close()
		close(conns)
		for c := range conns {
			c.Close() // closed in order (FIN), not reset
		}
		_, err = db.ExecContext(ctx, "SELECT 1")
		check(t, err, store.Unavailable, "cannot be reached")
		_, err = db.ExecContext(ctx, "SELECT 1")
		check(t, err, store.Unavailable, "cannot be reached")
	})
	t.Run("PostgresServerSide", func(t *testing.T) {
		db := storetest.MustOpen(t, "postgres")
		// A transaction that may not write: 25006.
		err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO health (id, checked_at) VALUES (1, now())")
			return err
		})
		check(t, err, store.Unavailable, "read-only")
		// The server ends the session (as it does shutting down): 57P01.
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.ExecContext(ctx, "SELECT pg_terminate_backend(pg_backend_pid())")
		conn.Close()
		check(t, err, store.Unavailable, "")
		if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
			t.Fatalf("a new connection after the old one ended: %v", err)
		}
		_, err = db.ExecContext(ctx, "INSERT INTO health (id, checked_at) VALUES (1, now()), (1, now())")
		check(t, err, store.Internal, "")
	})
	t.Run("Wrapped", func(t *testing.T) {
		// Wrapping keeps the kind; an Unavailable *Error says its own reason.
		err := &store.Error{Kind: store.Unavailable, Message: "the database is busy", Err: errors.New("gate")}
		check(t, errors.Join(errors.New("context"), err), store.Unavailable, "busy")
	})
}
