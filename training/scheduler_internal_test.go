package training

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
	"github.com/serviceacademy/academy/store/storetest"
)

// TestFinding16SchedulerTakesOverFromDeadHolder: the lease of a scheduler
// that died (it stops renewing) is taken over soon after it expires, not
// after two scheduler intervals, and never before; a stop releases it.
func TestFinding16SchedulerTakesOverFromDeadHolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *bun.DB) {
		ctx := context.Background()
		const ttl = 3 * time.Second
		if ok, err := store.TryLease(ctx, db, SchedulerLease, "dead-host/7/abc", time.Now().UTC(), ttl); err != nil || !ok {
			t.Fatalf("the dead holder's lease: %v %v", ok, err)
		}
		var deadUntil time.Time
		if err := db.NewRaw("SELECT expires_at FROM job_leases WHERE name = ?", SchedulerLease).Scan(ctx, &deadUntil); err != nil {
			t.Fatal(err)
		}

		s, err := New(db, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			// An interval of an hour: the takeover must not wait for it.
			s.runScheduler(runCtx, time.Hour, ttl)
		}()
		var lease struct {
			Holder    string
			ExpiresAt time.Time
		}
		for guard := time.Now().Add(time.Minute); ; {
			if err := db.NewRaw("SELECT holder, expires_at FROM job_leases WHERE name = ?", SchedulerLease).Scan(ctx, &lease); err != nil {
				t.Fatal(err)
			}
			if lease.Holder != "dead-host/7/abc" {
				break
			}
			if time.Now().After(guard) {
				t.Fatal("the dead holder's lease was never taken over")
			}
			time.Sleep(100 * time.Millisecond)
		}
		// Taken over only once the dead holder's lease had expired.
		if takenAt := lease.ExpiresAt.Add(-ttl); takenAt.Before(deadUntil.Add(-time.Millisecond)) {
			t.Fatalf("taken over at %v, before the dead holder's lease expired at %v", takenAt, deadUntil)
		}
		stop()
		<-done
		var n int
		if err := db.NewRaw("SELECT count(*) FROM job_leases WHERE name = ?", SchedulerLease).Scan(ctx, &n); err != nil || n != 0 {
			t.Fatalf("%d leases after the stop (%v)", n, err)
		}
	})
}
