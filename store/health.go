package store

import (
	"context"
	"path/filepath"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// fsReadOnly says why the database takes no writes.
const fsReadOnly = "the database's file system is read-only"

// DefaultMinFree is the free space below which a SQLite database's disk
// counts as full (see Health).
const DefaultMinFree = 4 << 20

// HealthReport is the outcome of one write check.
type HealthReport struct {
	OK      bool
	Problem string    // when not OK: why, in a few words (Unavailability's)
	Err     error     // when not OK: the cause, for the log
	Free    int64     // SQLite: bytes free on the database's file system; -1 unknown
	At      time.Time // when the check ran
}

// Health checks that a database takes writes, and remembers the answer for a
// short while so that a busy /healthz costs one check per interval.
//
// A tiny write alone does not prove a SQLite database can be written: in
// WAL mode a commit appends to the -wal file, and once a checkpoint has run
// the next commits reuse the file's space from the start, so small writes
// keep succeeding on a full disk while any that need new space (a larger
// transaction, a WAL that cannot be reset, the checkpoint growing the
// database file) fail with SQLITE_FULL. So the check is both: a write of one
// row (which finds a read-only file or file system, I/O errors, a missing
// database file, an unreachable or read-only server) and, for SQLite, the
// free space on the database's file system, below MinFree counting as full.
type Health struct {
	DB      *bun.DB
	MinFree int64         // SQLite: 0 means DefaultMinFree
	Every   time.Duration // how long a report is reused; 0 means 2 s

	mu   sync.Mutex
	last HealthReport
}

// Check returns the last report when it is recent enough (a good one only
// while the database still answers a ping), else checks again (one caller
// at a time; the others wait for its answer). fresh is true for the caller
// whose call ran the check.
func (h *Health) Check(ctx context.Context) (r HealthReport, fresh bool) {
	every := h.Every
	if every == 0 {
		every = 2 * time.Second
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.last.At.IsZero() && time.Since(h.last.At) < every {
		if !h.last.OK {
			return h.last, false
		}
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if err := h.DB.PingContext(ctx); err != nil {
			h.last = failed(HealthReport{Free: h.last.Free}, err)
			return h.last, true
		}
		return h.last, false
	}
	h.last = h.check(ctx)
	return h.last, true
}

// failed is r turned into the report of a failed check.
func failed(r HealthReport, err error) HealthReport {
	r.OK, r.Err, r.Problem, r.At = false, err, Unavailability(err), time.Now()
	if r.Problem == "" {
		r.Problem = "the database does not take writes"
	}
	return r
}

func (h *Health) check(ctx context.Context) HealthReport {
	r := HealthReport{OK: true, Free: -1}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	fail := func(err error) HealthReport { return failed(r, err) }
	if c, ok := sqliteFiles.Load(h.DB.DB); ok {
		conn := c.(*gatedConnector)
		if conn.path != "" {
			if err := conn.checkFile(); err != nil {
				return fail(err)
			}
			if free, readOnly, err := fileSystem(filepath.Dir(conn.path)); err == nil {
				r.Free = free
				if readOnly {
					return fail(&Error{Kind: Unavailable, Message: fsReadOnly})
				}
				minFree := h.MinFree
				if minFree == 0 {
					minFree = DefaultMinFree
				}
				if free < minFree {
					return fail(&Error{Kind: Unavailable, Message: "the disk is full"})
				}
			}
		}
	}
	err := h.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewRaw("INSERT INTO health (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = EXCLUDED.checked_at",
			time.Now().UTC()).Exec(ctx)
		return err
	})
	if err != nil {
		if ctx.Err() != nil && Unavailability(err) == "" {
			err = &Error{Kind: Unavailable, Message: "the database did not take a write within 3 s", Err: err}
		}
		return fail(err)
	}
	r.At = time.Now()
	return r
}
