// Package storetest opens real databases for tests: a fresh SQLite file per
// test, and a fresh PostgreSQL schema per test when ACADEMY_TEST_POSTGRES
// names a server (for example postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// Dialects lists the databases tests run against: "sqlite" always,
// "postgres" when ACADEMY_TEST_POSTGRES is set.
func Dialects() []string {
	if os.Getenv("ACADEMY_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

var pgNoticeShown bool

// Each runs fn as a subtest against every dialect in Dialects, each with its
// own migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *bun.DB)) {
	t.Helper()
	if os.Getenv("ACADEMY_TEST_POSTGRES") == "" && !pgNoticeShown {
		pgNoticeShown = true
		t.Log("PostgreSQL store tests not run: set ACADEMY_TEST_POSTGRES (CI sets it)")
	}
	for _, d := range Dialects() {
		t.Run(d, func(t *testing.T) { fn(t, MustOpen(t, d)) })
	}
}

// MustOpen returns a migrated, empty database of the dialect, removed when the test ends.
func MustOpen(tb testing.TB, dialect string) *bun.DB {
	tb.Helper()
	dsn := MustDSN(tb, dialect)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := store.Migrate(ctx, db, nil); err != nil {
		tb.Fatalf("migrate %s: %v", dialect, err)
	}
	return db
}

// MustDSN returns the DSN of a new, empty database of the dialect (a file
// under tb.TempDir, or a new PostgreSQL schema dropped at cleanup).
func MustDSN(tb testing.TB, dialect string) string {
	tb.Helper()
	if dialect == "sqlite" {
		return filepath.Join(tb.TempDir(), "academy.db")
	}
	base := os.Getenv("ACADEMY_TEST_POSTGRES")
	if base == "" {
		tb.Skip("ACADEMY_TEST_POSTGRES is not set: PostgreSQL tests skipped")
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("ACADEMY_TEST_POSTGRES: %v", err)
	}
	admin, err := store.Open(context.Background(), base)
	if err != nil {
		tb.Fatalf("connect to ACADEMY_TEST_POSTGRES: %v", err)
	}
	defer admin.Close()
	// A schema per test is ten times cheaper than a database per test.
	b := make([]byte, 6)
	rand.Read(b)
	name := "academy_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+name); err != nil {
		tb.Fatalf("create test schema: %v", err)
	}
	tb.Cleanup(func() {
		a, err := store.Open(context.Background(), base)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), "DROP SCHEMA IF EXISTS "+name+" CASCADE")
	})
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}
