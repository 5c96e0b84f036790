package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"
)

// TryLease takes the named lease for holder until now+ttl, or renews it when
// holder has it already, and reports whether holder holds it now. Another
// holder's lease is taken over only once it has expired, so of several
// instances running the same job only one does it at a time. Each step is
// one statement, safe under concurrency on SQLite and PostgreSQL.
func TryLease(ctx context.Context, db bun.IDB, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	until := now.Add(ttl)
	if _, err := db.NewRaw("INSERT INTO job_leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
		name, holder, until).Exec(ctx); err != nil {
		return false, err
	}
	res, err := db.NewRaw("UPDATE job_leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)",
		holder, until, name, holder, now).Exec(ctx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease gives the lease up if holder has it, so another instance may
// take it at once.
func ReleaseLease(ctx context.Context, db bun.IDB, name, holder string) error {
	_, err := db.NewRaw("DELETE FROM job_leases WHERE name = ? AND holder = ?", name, holder).Exec(ctx)
	return err
}
