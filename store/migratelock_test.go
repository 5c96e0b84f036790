package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/migrations"
	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// logWatch is a log destination a test can wait on.
type logWatch struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func newLogWatch() (*logWatch, *slog.Logger) {
	w := &logWatch{changed: make(chan struct{}, 1)}
	return w, slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case w.changed <- struct{}{}:
	default:
	}
	return w.buf.Write(p)
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the log contains s, or fails the test after a minute
// (a guard against hanging, not a timing assertion).
func (w *logWatch) waitFor(t *testing.T, s string) {
	t.Helper()
	guard := time.After(time.Minute)
	for !strings.Contains(w.String(), s) {
		select {
		case <-w.changed:
		case <-guard:
			t.Fatalf("the log never said %q:\n%s", s, w.String())
		}
	}
}

func mustOpenEmpty(t *testing.T, dsn string) *bun.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// migrationFiles counts the embedded up migrations.
func migrationFiles(t *testing.T) int {
	t.Helper()
	ups, err := fs.Glob(migrations.FS, "*.up.sql")
	if err != nil || len(ups) == 0 {
		t.Fatalf("migration files: %v %v", ups, err)
	}
	return len(ups)
}

// mustBeFullyMigrated checks every migration is recorded exactly once.
func mustBeFullyMigrated(t *testing.T, db *bun.DB) {
	t.Helper()
	var rows, names int
	err := db.NewRaw("SELECT count(*), count(DISTINCT name) FROM bun_migrations").Scan(context.Background(), &rows, &names)
	if err != nil {
		t.Fatal(err)
	}
	if want := migrationFiles(t); rows != want || names != want {
		t.Fatalf("bun_migrations has %d rows (%d names), want %d", rows, names, want)
	}
}

// TestFinding14MigrationLockLeftByCrashIsTakenOver: a crash while migrating
// no longer blocks every later start.
func TestFinding14MigrationLockLeftByCrashIsTakenOver(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			t.Run("LockRowOfAnEarlierVersion", func(t *testing.T) {
				// Versions before this one locked with a row in bun_migration_locks,
				// which a crash left behind for good.
				db := storetest.MustOpen(t, dialect)
				if _, err := db.ExecContext(ctx, "INSERT INTO bun_migration_locks (table_name) VALUES ('bun_migrations')"); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(ctx, 30*time.Second) // the old code waited 60 s, then failed
				defer cancel()
				if _, err := store.Migrate(ctx, db, nil); err != nil {
					t.Fatalf("a stale bun lock row blocks the start: %v", err)
				}
			})
			t.Run("SilentHolder", func(t *testing.T) {
				// Its host vanished: on PostgreSQL its connection stays open
				// (until TCP keepalive notices, hours later), so its session is
				// terminated once it has been silent for longer than the TTL.
				db := mustOpenEmpty(t, storetest.MustDSN(t, dialect))
				silent, err := store.LockMigrations(ctx, db, store.MigrationLockOptions{Holder: "vanished-host/43/abc", TTL: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				silent.StopRenewing()
				w, log := newLogWatch()
				if _, err := store.MigrateWith(ctx, db, store.MigrateOptions{Log: log, Lock: store.MigrationLockOptions{TTL: time.Second}}); err != nil {
					t.Fatalf("migrate after a silent holder: %v\n%s", err, w)
				}
				mustBeFullyMigrated(t, db)
				want := map[string]string{"sqlite": "took over the migration lock", "postgres": "terminating the session of a migration lock holder"}[dialect]
				if !strings.Contains(w.String(), want) || !strings.Contains(w.String(), "vanished-host/43/abc") {
					t.Fatalf("the takeover was not logged:\n%s", w)
				}
			})
			t.Run("CrashedHolder", func(t *testing.T) {
				db := mustOpenEmpty(t, storetest.MustDSN(t, dialect))
				crashed, err := store.LockMigrations(ctx, db, store.MigrationLockOptions{Holder: "crashed-host/41/abc", TTL: time.Second})
				if err != nil {
					t.Fatal(err)
				}
				if err := crashed.Crash(ctx); err != nil {
					t.Fatal(err)
				}
				w, log := newLogWatch()
				applied, err := store.MigrateWith(ctx, db, store.MigrateOptions{Log: log})
				if err != nil {
					t.Fatalf("migrate after a crashed holder: %v\n%s", err, w)
				}
				if len(applied) != migrationFiles(t) {
					t.Fatalf("applied %d migrations, want %d", len(applied), migrationFiles(t))
				}
				mustBeFullyMigrated(t, db)
				if dialect == "sqlite" && !strings.Contains(w.String(), "took over the migration lock") {
					t.Fatalf("the takeover was not logged:\n%s", w)
				}
				// And the lock is free again.
				l, err := store.LockMigrations(ctx, db, store.MigrationLockOptions{Wait: time.Millisecond})
				if err != nil {
					t.Fatalf("the lock was not released after migrating: %v", err)
				}
				l.Release(ctx)
			})
		})
	}
}

// TestFinding14LiveHolderMakesOthersWait: a live holder's lock makes a
// second instance wait (saying who holds it and for how long), which then
// migrates once the holder releases it; a wait that runs out names the
// holder and its age instead of blaming "another instance".
func TestFinding14LiveHolderMakesOthersWait(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			db := mustOpenEmpty(t, storetest.MustDSN(t, dialect))
			live, err := store.LockMigrations(ctx, db, store.MigrationLockOptions{Holder: "live-host/42/def", TTL: 3 * time.Second})
			if err != nil {
				t.Fatal(err)
			}

			_, err = store.MigrateWith(ctx, db, store.MigrateOptions{Lock: store.MigrationLockOptions{Wait: 4 * time.Second}})
			if err == nil {
				t.Fatal("migrated while a live instance held the lock")
			}
			for _, want := range []string{"held by a live instance", "live-host/42/def", "held for"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q: %v", want, err)
				}
			}

			w, log := newLogWatch()
			done := make(chan error, 1)
			go func() {
				_, err := store.MigrateWith(ctx, db, store.MigrateOptions{Log: log})
				done <- err
			}()
			w.waitFor(t, "waiting for the migration lock")
			if !strings.Contains(w.String(), "live-host/42/def") {
				t.Fatalf("the wait does not name the holder:\n%s", w)
			}
			select {
			case err := <-done:
				t.Fatalf("returned (%v) while the holder is alive", err)
			default:
			}
			if err := live.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Fatalf("after the release: %v\n%s", err, w)
			}
			mustBeFullyMigrated(t, db)
		})
	}
}

// TestFinding14ConcurrentStartsOnEmptyDatabase: instances starting together
// on an empty database all come up (each with its own connection pool, as
// separate processes have), and every migration is applied once.
func TestFinding14ConcurrentStartsOnEmptyDatabase(t *testing.T) {
	const instances, rounds = 4, 5
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			for round := range rounds {
				dsn := storetest.MustDSN(t, dialect)
				dbs := make([]*bun.DB, instances)
				for i := range dbs {
					dbs[i] = mustOpenEmpty(t, dsn)
				}
				errs := make([]error, instances)
				var wg sync.WaitGroup
				for i := range dbs {
					wg.Add(1)
					go func(i int) {
						defer wg.Done()
						_, errs[i] = store.Migrate(context.Background(), dbs[i], nil)
					}(i)
				}
				wg.Wait()
				for i, err := range errs {
					if err != nil {
						t.Fatalf("round %d, instance %d: %v", round, i, err)
					}
				}
				mustBeFullyMigrated(t, dbs[0])
			}
		})
	}
}

// TestMigrationLockHolderString is the wait message's description of a holder.
func TestMigrationLockHolderString(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    store.LockHolder
		want string
	}{
		{"Known", store.LockHolder{Holder: "web-1/77/abc", HeldFor: 95 * time.Second, Silent: 4 * time.Second},
			"web-1/77/abc, held for 1m35s, last renewed 4s ago"},
		{"AgeUnknown", store.LockHolder{Holder: "PostgreSQL session 12", Silent: time.Second}, "PostgreSQL session 12, last renewed 1s ago"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fmt.Sprint(tc.h); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
