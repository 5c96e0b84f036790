package app

import (
	"strings"

	"context"
	"log/slog"
	"time"

	"github.com/serviceacademy/academy/courses"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// SchedulerLease names the database lease the scheduler runs under.
const SchedulerLease = "scheduler"

// SchedulerLeaseTTL is how long the scheduler lease lasts unless renewed.
// The holder renews it every third of that, so an instance that died is
// replaced within about SchedulerLeaseTTL; a clean stop releases it at once.
const SchedulerLeaseTTL = 90 * time.Second

// RunScheduler applies the date-driven changes (audience rules, overdue,
// expiry, recertification) at once and then every interval, until ctx ends;
// then it releases the lease and returns (wait for it before closing db).
// Several instances may run it: a lease in the database lets one work at a
// time, and the work is idempotent. It logs what each run changed.
func RunScheduler(ctx context.Context, db *bun.DB, log *slog.Logger, interval time.Duration) {
	runScheduler(ctx, db, log, interval, SchedulerLeaseTTL)
}

// runScheduler is RunScheduler with the lease's TTL.
func runScheduler(ctx context.Context, db *bun.DB, log *slog.Logger, interval, ttl time.Duration) {
	s := newServer(Config{DB: db, Log: log})
	holder := store.NewHolderID()
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	held := false
	var lastRun time.Time
	for {
		ok, err := store.TryLease(ctx, db, SchedulerLease, holder, time.Now().UTC(), ttl)
		if err != nil && ctx.Err() == nil {
			s.log.Warn("scheduler lease", "err", err)
		}
		switch {
		case ok && !held:
			s.log.Info("scheduler: this instance runs the scheduled jobs", "holder", holder)
		case !ok && held && ctx.Err() == nil:
			s.log.Warn("scheduler: another instance took the lease over", "holder", holder)
		case !ok && err == nil:
			s.log.Debug("scheduler: another instance holds the lease")
		}
		// A new holder runs at once: the one before may have died before its run.
		if ok && (!held || time.Since(lastRun) >= interval) {
			s.schedulerRun(ctx)
			lastRun = time.Now()
		}
		held = ok
		select {
		case <-ctx.Done():
			if held {
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				if err := store.ReleaseLease(rctx, db, SchedulerLease, holder); err != nil {
					s.log.Warn("scheduler: release the lease", "err", err)
				}
				cancel()
			}
			return
		case <-t.C:
		}
	}
}

// schedulerRun is one run of the scheduled jobs (under the lease).
func (s *Server) schedulerRun(ctx context.Context) {
	start := time.Now()
	rep, err := s.courses.Tick(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("scheduler run failed", "err", err)
		}
		return
	}
	if rep.Changed() {
		s.log.Info("scheduler", "assigned", rep.Rules.Assigned, "closed", rep.Rules.Closed, "leavers", rep.Rules.Leavers,
			"recertifications", rep.Recertified, "status_changes", rep.StatusChanges, "ms", time.Since(start).Milliseconds())
	} else {
		s.log.Debug("scheduler: nothing to change", "ms", time.Since(start).Milliseconds())
	}
}

// peopleChanged re-evaluates the audience rules after employees were
// created, changed, imported or deactivated, so that joiners, movers and
// leavers are assigned or closed at once (the scheduler would catch up
// within minutes; a failure here is logged, the people are saved). It
// returns the message for the page, or "".
func (s *Server) peopleChanged(ctx context.Context) string {
	ev, err := s.courses.EvaluateRules(ctx)
	if err != nil {
		s.log.Warn("audience rules after a people change", "err", err)
		return ""
	}
	var parts []string
	if ev.Assigned > 0 {
		parts = append(parts, plural(ev.Assigned, "programme assignment", "programme assignments")+" made by audience rules")
	}
	if n := ev.Closed + ev.Leavers; n > 0 {
		parts = append(parts, plural(n, "assignment", "assignments")+" closed")
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

// EvaluateRules re-evaluates the audience rules with the server's hooks
// (for the command line's import).
func EvaluateRules(ctx context.Context, db *bun.DB, log *slog.Logger) (*courses.Evaluation, error) {
	return newServer(Config{DB: db, Log: log}).courses.EvaluateRules(ctx)
}
