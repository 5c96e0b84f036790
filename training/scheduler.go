package training

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/courses"
	"github.com/serviceacademy/academy/store"
)

// EvaluateRules re-evaluates every audience rule, in one transaction: call
// it after employees were created, changed, imported, deactivated or
// reactivated, so that joiners and movers are assigned, those who left an
// audience or the company have their assignments closed and everyone
// changed has their readiness decided at once (the scheduler would catch up
// within minutes).
func (s *Service) EvaluateRules(ctx context.Context) (*courses.Evaluation, error) {
	var ev *courses.Evaluation
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		ev, err = s.courses.EvaluateRulesIn(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// Tick applies what the passing of time changes (courses.Store.Tick):
// audience rules, recertification cycles opened, statuses that a date
// changed, readiness, the weekly snapshot. Run it from one instance at a
// time: RunScheduler does, under a lease.
func (s *Service) Tick(ctx context.Context) (*courses.TickReport, error) {
	return s.courses.Tick(ctx)
}

// SchedulerLease names the database lease the scheduler runs under.
const SchedulerLease = "scheduler"

// SchedulerLeaseTTL is how long the scheduler lease lasts unless renewed.
// The holder renews it every third of that, so an instance that died is
// replaced within about SchedulerLeaseTTL; a clean stop releases it at once.
const SchedulerLeaseTTL = 90 * time.Second

// RunScheduler runs Tick at once and then every interval, until ctx ends;
// then it releases the lease and returns (wait for it before closing the
// database). Several instances may run it: a lease in the database lets one
// work at a time, and the work is idempotent. It logs what each run changed.
func (s *Service) RunScheduler(ctx context.Context, interval time.Duration) {
	s.runScheduler(ctx, interval, SchedulerLeaseTTL)
}

// runScheduler is RunScheduler with the lease's TTL.
func (s *Service) runScheduler(ctx context.Context, interval, ttl time.Duration) {
	holder := store.NewHolderID()
	t := time.NewTicker(ttl / 3)
	defer t.Stop()
	held := false
	var lastRun time.Time
	for {
		ok, err := store.TryLease(ctx, s.db, SchedulerLease, holder, time.Now().UTC(), ttl)
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
				if err := store.ReleaseLease(rctx, s.db, SchedulerLease, holder); err != nil {
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
func (s *Service) schedulerRun(ctx context.Context) {
	start := time.Now()
	now := s.clock.Now()
	rep, err := s.Tick(ctx)
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
	if rem, err := s.Remind(ctx, now); err != nil {
		if ctx.Err() == nil {
			s.log.Error("scheduler: reminders", "err", err)
		}
	} else if rem.Total() > 0 {
		s.log.Info("scheduler: reminders queued", "learners", rem.Learners, "managers", rem.Managers, "hr", rem.HR,
			"expiring", rem.Expiring, "reobserve", rem.Reobserve, "digests", rem.Digests)
	}
	s.runRecovery(ctx) // the service-recovery rules, for everyone
}
