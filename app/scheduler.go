package app

import (
	"strconv"
	"strings"

	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"time"

	"github.com/serviceacademy/academy/courses"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// SchedulerLease names the database lease the scheduler runs under.
const SchedulerLease = "scheduler"

// RunScheduler applies the date-driven changes (audience rules, overdue,
// expiry, recertification) at once and then every interval, until ctx ends.
// Several instances may run it: a lease in the database lets one work at a
// time, and the work is idempotent. It logs what each run changed.
func RunScheduler(ctx context.Context, db *bun.DB, log *slog.Logger, interval time.Duration) {
	s := newServer(Config{DB: db, Log: log})
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	holder := host + "/" + hex.EncodeToString(b)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.schedulerRun(ctx, holder, interval)
		select {
		case <-ctx.Done():
			store.ReleaseLease(context.Background(), db, SchedulerLease, holder)
			return
		case <-t.C:
		}
	}
}

// schedulerRun is one run under the lease (held for up to two intervals, so
// a crashed holder is replaced soon).
func (s *Server) schedulerRun(ctx context.Context, holder string, interval time.Duration) {
	ok, err := store.TryLease(ctx, s.cfg.DB, SchedulerLease, holder, time.Now().UTC(), 2*interval)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("scheduler lease", "err", err)
		}
		return
	}
	if !ok {
		s.log.Debug("scheduler: another instance holds the lease")
		return
	}
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

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
