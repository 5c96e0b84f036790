package store_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

func TestOpenSQLiteAppliesPragmas(t *testing.T) {
	db := storetest.MustOpen(t, "sqlite")
	p, err := store.CheckSQLitePragmas(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if p.JournalMode != "wal" || p.ForeignKeys != 1 || p.BusyTimeout != 10000 || p.Synchronous != 1 {
		t.Fatalf("pragmas: %+v", p)
	}
	if !strings.Contains(store.SQLiteDSN("x.db"), "_txlock=immediate") {
		t.Fatal("DSN lacks _txlock=immediate")
	}
}

func TestMigrations(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			t.Run("IdempotentAndNothingPending", func(t *testing.T) {
				db := storetest.MustOpen(t, dialect)
				applied, err := store.Migrate(ctx, db, nil)
				if err != nil || len(applied) != 0 {
					t.Fatalf("second run applied %v, err %v", applied, err)
				}
				pending, err := store.Pending(ctx, db)
				if err != nil || len(pending) != 0 {
					t.Fatalf("pending %v err %v", pending, err)
				}
			})
			t.Run("FailedMigrationIsNotRecorded", func(t *testing.T) {
				db, err := store.Open(ctx, storetest.MustDSN(t, dialect))
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				fsys := fstest.MapFS{
					"20260101000001_good.tx.up.sql": {Data: []byte("CREATE TABLE good_one (id INTEGER PRIMARY KEY);")},
					"20260101000002_bad.tx.up.sql":  {Data: []byte("CREATE TABLE half (id INTEGER PRIMARY KEY);\n--bun:split\nTHIS IS NOT SQL;")},
				}
				_, err = store.MigrateFS(ctx, db, fsys, nil)
				if err == nil || !strings.Contains(err.Error(), "migration failed") || !strings.Contains(err.Error(), "20260101000002") {
					t.Fatalf("want a clear failure, got %v", err)
				}
				var names []string
				if err := db.NewSelect().TableExpr("bun_migrations").Column("name").Scan(ctx, &names); err != nil {
					t.Fatal(err)
				}
				if len(names) != 1 || names[0] != "20260101000001" {
					t.Fatalf("recorded %v, want only the good migration", names)
				}
				// The failed transactional migration left nothing behind.
				if _, err := db.ExecContext(ctx, "SELECT * FROM half"); err == nil {
					t.Fatal("the failed migration's first statement was kept")
				}
				// Fixed, it applies on the next start.
				fsys["20260101000002_bad.tx.up.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE half (id INTEGER PRIMARY KEY);")}
				if applied, err := store.MigrateFS(ctx, db, fsys, nil); err != nil || len(applied) != 1 {
					t.Fatalf("after the fix: applied %v err %v", applied, err)
				}
			})
		})
	}
}
