package courses

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
)

// TickReport is what one run of the date-driven work changed.
type TickReport struct {
	Rules            *Evaluation
	Recertified      int            // new cycles opened because the window opened
	StatusChanges    map[Status]int // cycles whose status the clock changed, by new status
	StatusesLooked   int
	ReadinessChanges int    // employees whose readiness the clock changed
	SnapshotWeek     string // the week of the weekly snapshot
	SnapshotRows     int    // rows written by this run's snapshot (0: the week was recorded already)
}

// Changed reports whether the run changed anything.
func (r *TickReport) Changed() bool {
	return r.Rules.Assigned+r.Rules.Closed+r.Rules.Leavers+r.Recertified+r.ReadinessChanges+r.SnapshotRows > 0 || len(r.StatusChanges) > 0
}

// String is the report for the log.
func (r *TickReport) String() string {
	return fmt.Sprintf("assigned %d, closed %d, leavers %d, recertifications %d, status changes %v, readiness changes %d",
		r.Rules.Assigned, r.Rules.Closed, r.Rules.Leavers, r.Recertified, r.StatusChanges, r.ReadinessChanges)
}

// Tick applies what the passing of time changes: audience rules
// re-evaluated (joiners, movers, leavers), recertification cycles opened
// when their window opens, and the status of every cycle whose status has
// a date that has passed (due soon, overdue, expiring, expired). It is
// idempotent: a second run at the same moment changes nothing. Run it from
// one instance at a time (store.TryLease).
func (s *Store) Tick(ctx context.Context) (*TickReport, error) {
	rep := &TickReport{StatusChanges: map[Status]int{}}
	var err error
	if rep.Rules, err = s.EvaluateRules(ctx); err != nil {
		return nil, fmt.Errorf("audience rules: %w", err)
	}
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if rep.Recertified, err = s.recertify(ctx, now, loc); err != nil {
		return nil, fmt.Errorf("recertification: %w", err)
	}
	if err := s.refreshStatuses(ctx, now, loc, rep); err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	if rep.ReadinessChanges, err = s.refreshDueReadiness(ctx, now); err != nil {
		return nil, fmt.Errorf("readiness: %w", err)
	}
	if err := s.refreshMissingReadiness(ctx); err != nil {
		return nil, fmt.Errorf("readiness: %w", err)
	}
	if rep.SnapshotWeek, rep.SnapshotRows, err = s.TakeSnapshot(ctx); err != nil {
		return nil, fmt.Errorf("readiness snapshot: %w", err)
	}
	return rep, nil
}

// refreshMissingReadiness decides the readiness of employees who have none
// stored yet (new employees without any programme).
func (s *Store) refreshMissingReadiness(ctx context.Context) error {
	var ids []int64
	if err := s.DB.NewSelect().TableExpr("employees AS e").Column("e.id").
		Where("NOT EXISTS (SELECT 1 FROM readiness AS rd WHERE rd.employee_id = e.id)").Scan(ctx, &ids); err != nil || len(ids) == 0 {
		return err
	}
	for start := 0; start < len(ids); start += 2000 {
		chunk := ids[start:min(start+2000, len(ids))]
		if err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error { return s.RefreshReadiness(ctx, tx, chunk) }); err != nil {
			return err
		}
	}
	return nil
}

// recertify opens the next cycle of each completed, newest cycle of an open
// assignment whose recertification window has opened (RecertOpens: RecertDays
// before the expiry), due as RecertDueOn says: on the last day the old
// completion is valid, or for a programme without a window by its own rule.
func (s *Store) recertify(ctx context.Context, now time.Time, loc *time.Location) (int, error) {
	var progs []*Programme
	if err := s.DB.NewSelect().Model(&progs).Where("validity_months > 0 AND archived_at IS NULL").Scan(ctx); err != nil {
		return 0, err
	}
	total := 0
	for _, p := range progs {
		horizon := RecertHorizon(now, p.RecertDays) // the windows open by now
		err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			var due []*Cycle
			if err := tx.NewSelect().Model(&due).
				Where("cy.programme_id = ? AND cy.closed_at IS NULL AND cy.completed_at IS NOT NULL AND cy.exempt_at IS NULL", p.ID).
				Where("cy.expires_at IS NOT NULL AND cy.expires_at <= ?", horizon).
				Where("NOT EXISTS (SELECT 1 FROM cycles AS n WHERE n.assignment_id = cy.assignment_id AND n.cycle > cy.cycle)").
				Where("EXISTS (SELECT 1 FROM assignments AS a WHERE a.id = cy.assignment_id AND a.closed_at IS NULL)").
				OrderExpr("cy.id").Scan(ctx); err != nil {
				return err
			}
			if len(due) == 0 {
				return nil
			}
			cur, err := findProgramme(ctx, tx, "id = ?", p.ID)
			if err != nil {
				return err
			}
			if err := s.openNextCycles(ctx, tx, cur, due, now, loc, true); err != nil {
				return err
			}
			nums, err := employeeNumbers(ctx, tx, cycleEmployees(due))
			if err != nil {
				return err
			}
			list := make([]string, 0, len(due))
			for _, c := range due {
				list = append(list, nums[c.EmployeeID])
			}
			total += len(due)
			return people.Audit(ctx, tx, now, nil, "scheduler", "assignment.recertify", p.Slug,
				fmt.Sprintf("%d new cycles: %s", len(due), joinNumbers(list)))
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// refreshStatuses recomputes the status of every open cycle whose status
// could have changed by now (StatusUntil passed), in batches.
func (s *Store) refreshStatuses(ctx context.Context, now time.Time, loc *time.Location, rep *TickReport) error {
	for {
		var list []*Cycle
		if err := s.DB.NewSelect().Model(&list).Where("cy.status_until IS NOT NULL AND cy.status_until <= ?", now).
			OrderExpr("cy.status_until, cy.id").Limit(1000).Scan(ctx); err != nil {
			return err
		}
		if len(list) == 0 {
			return nil
		}
		rep.StatusesLooked += len(list)
		err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for _, c := range list {
				before := c.Status
				c.setStatus(now, loc)
				if c.Status != before {
					rep.StatusChanges[c.Status]++
				}
				if _, err := tx.NewUpdate().Model(c).Column("status", "status_until").WherePK().Exec(ctx); err != nil {
					return err
				}
			}
			return s.RefreshReadiness(ctx, tx, cycleEmployees(list))
		})
		if err != nil {
			return err
		}
		if len(list) < 1000 {
			return nil
		}
	}
}
