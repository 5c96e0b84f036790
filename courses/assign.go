package courses

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// Audience picks employees by department, location, job title and
// reporting line; every criterion set must match (an empty one matches
// everyone, which the callers refuse).
type Audience struct {
	DepartmentID *int64
	LocationID   *int64
	JobTitleID   *int64
	ManagerID    *int64 // the manager's whole reporting line, not the manager
}

// Empty reports whether no criterion is set.
func (a Audience) Empty() bool {
	return a.DepartmentID == nil && a.LocationID == nil && a.JobTitleID == nil && a.ManagerID == nil
}

// member is what audience rules look at of an employee.
type member struct {
	ID                                   int64
	Number                               string
	FirstName, LastName                  string
	DepartmentID, LocationID, JobTitleID *int64
	LinePath                             string
	HireDate                             *string
	Active                               bool
}

func eqPtr(a, b *int64) bool { return a != nil && b != nil && *a == *b }

// matches reports whether m is in the audience; managerPath is the
// manager's line path when ManagerID is set.
func (a Audience) matches(m *member, managerPath string) bool {
	if a.DepartmentID != nil && !eqPtr(a.DepartmentID, m.DepartmentID) {
		return false
	}
	if a.LocationID != nil && !eqPtr(a.LocationID, m.LocationID) {
		return false
	}
	if a.JobTitleID != nil && !eqPtr(a.JobTitleID, m.JobTitleID) {
		return false
	}
	if a.ManagerID != nil && (managerPath == "" || m.LinePath == managerPath || !strings.HasPrefix(m.LinePath, managerPath)) {
		return false
	}
	return true
}

// loadMembers reads every employee (active and not) as rules see them.
func loadMembers(ctx context.Context, db bun.IDB) ([]member, error) {
	var list []member
	err := db.NewSelect().TableExpr("employees").
		Column("id", "number", "first_name", "last_name", "department_id", "location_id", "job_title_id", "line_path", "hire_date", "active").
		OrderExpr("id").Scan(ctx, &list)
	return list, err
}

// EmployeeRef names an employee in previews and results.
type EmployeeRef struct {
	ID     int64
	Number string
	Name   string
}

func refOf(m *member) EmployeeRef {
	return EmployeeRef{ID: m.ID, Number: m.Number, Name: strings.TrimSpace(m.FirstName + " " + m.LastName)}
}

// AssignRequest assigns a programme now to named employees and to everyone
// in an audience (a one-off: a stored rule is SaveRule). Due, when set,
// replaces the programme's due rule for these cycles (a fixed date or days
// after the assignment).
type AssignRequest struct {
	Programme   string
	EmployeeIDs []int64
	Audience    *Audience
	Due         *DueRule
	By          *int64
	Actor       string
}

// AssignResult says what an assignment did (or, in a dry run, would do).
type AssignResult struct {
	Assigned        []EmployeeRef
	AlreadyAssigned []EmployeeRef
}

// Assign assigns the programme to the request's employees; with dryRun it
// writes nothing and says what it would do. Invalid errors name the field:
// programme (archived), employees (none named and no audience, or someone
// inactive), audience (matches nobody), due_date, due_days.
func (s *Store) Assign(ctx context.Context, req AssignRequest, dryRun bool) (*AssignResult, error) {
	var res *AssignResult
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		res, err = s.AssignIn(ctx, tx, req, dryRun)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// AssignIn is Assign in tx, for a workflow that assigns as part of a larger
// transaction (the service-recovery rules). Same errors as Assign.
func (s *Store) AssignIn(ctx context.Context, tx bun.IDB, req AssignRequest, dryRun bool) (*AssignResult, error) {
	loc, err := s.LocationIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if req.Due != nil {
		if err := req.Due.Check(now, loc); err != nil {
			return nil, err
		}
	}
	if len(req.EmployeeIDs) == 0 && (req.Audience == nil || req.Audience.Empty()) {
		return nil, store.FieldError("employees", "Choose who to assign: employees, a reporting line or an audience.")
	}
	res := &AssignResult{}
	err = func() error {
		p, err := findProgramme(ctx, tx, "slug = ?", req.Programme)
		if err != nil {
			return err
		}
		if p.ArchivedAt != nil {
			return store.FieldError("programme", "%s is archived: it can no longer be assigned.", p.Title)
		}
		all, err := loadMembers(ctx, tx)
		if err != nil {
			return err
		}
		byID := make(map[int64]*member, len(all))
		for i := range all {
			byID[all[i].ID] = &all[i]
		}
		var picked []*member
		for _, id := range req.EmployeeIDs {
			m := byID[id]
			if m == nil {
				return store.FieldError("employees", "There is no employee with id %d.", id)
			}
			if !m.Active {
				return store.FieldError("employees", "%s (%s) has left: only current employees can be assigned.", refOf(m).Name, m.Number)
			}
			if !slices.Contains(picked, m) {
				picked = append(picked, m)
			}
		}
		if req.Audience != nil && !req.Audience.Empty() {
			matched := audienceMembers(*req.Audience, all, byID)
			if len(matched) == 0 {
				return store.FieldError("audience", "Nobody matches that audience.")
			}
			for _, m := range matched {
				if !slices.Contains(picked, m) {
					picked = append(picked, m)
				}
			}
		}
		assigned, already, err := s.assign(ctx, tx, p, picked, true, nil, req.Due, req.By, now, loc, dryRun, true)
		if err != nil {
			return err
		}
		for _, m := range assigned {
			res.Assigned = append(res.Assigned, refOf(m))
		}
		for _, m := range already {
			res.AlreadyAssigned = append(res.AlreadyAssigned, refOf(m))
		}
		if dryRun || len(assigned) == 0 {
			return nil
		}
		nums := make([]string, len(assigned))
		for i, m := range assigned {
			nums[i] = m.Number
		}
		return people.Audit(ctx, tx, now, req.By, req.Actor, "assignment.create", p.Slug, fmt.Sprintf("%d assigned: %s", len(nums), joinNumbers(nums)))
	}()
	if err != nil {
		return nil, err
	}
	return res, nil
}

// audienceMembers returns the active employees in the audience, by id.
func audienceMembers(a Audience, all []member, byID map[int64]*member) []*member {
	managerPath := ""
	if a.ManagerID != nil {
		if m := byID[*a.ManagerID]; m != nil {
			managerPath = m.LinePath
		}
	}
	var out []*member
	for i := range all {
		if all[i].Active && a.matches(&all[i], managerPath) {
			out = append(out, &all[i])
		}
	}
	return out
}

// assign opens an assignment of p and its first cycle for each employee
// without an open one; the others are returned as already assigned (a
// manual assignment marks an existing rule one manual, so that it stays
// when the rule stops matching). With dryRun nothing is written. With tell
// the new cycles go to Events.CyclesOpened (the learners are told).
func (s *Store) assign(ctx context.Context, tx bun.IDB, p *Programme, emps []*member, manual bool, ruleID *int64, due *DueRule, by *int64, now time.Time, loc *time.Location, dryRun, tell bool) (assigned, already []*member, err error) {
	open := map[int64]*Assignment{}
	ids := make([]int64, len(emps))
	for i, m := range emps {
		ids[i] = m.ID
	}
	for start := 0; start < len(ids); start += 900 {
		var list []*Assignment
		if err := tx.NewSelect().Model(&list).Where("programme_id = ? AND closed_at IS NULL", p.ID).
			Where("employee_id IN (?)", bun.In(ids[start:min(start+900, len(ids))])).Scan(ctx); err != nil {
			return nil, nil, err
		}
		for _, a := range list {
			open[a.EmployeeID] = a
		}
	}
	var toManual []int64
	for _, m := range emps {
		if a := open[m.ID]; a != nil {
			already = append(already, m)
			if manual && !a.Manual {
				toManual = append(toManual, a.ID)
			}
		} else {
			assigned = append(assigned, m)
		}
	}
	if dryRun {
		return assigned, already, nil
	}
	if len(toManual) > 0 {
		if _, err := tx.NewUpdate().Model((*Assignment)(nil)).Set("manual = ?", true).Where("id IN (?)", bun.In(toManual)).Exec(ctx); err != nil {
			return nil, nil, err
		}
	}
	if len(assigned) == 0 {
		return assigned, already, nil
	}
	rule := p.Due()
	if due != nil {
		rule = *due
	}
	var cycles []*Cycle
	for start := 0; start < len(assigned); start += 500 {
		chunk := assigned[start:min(start+500, len(assigned))]
		rows := make([]*Assignment, len(chunk))
		for i, m := range chunk {
			rows[i] = &Assignment{ProgrammeID: p.ID, EmployeeID: m.ID, Manual: manual, RuleID: ruleID, AssignedAt: now, AssignedByID: by}
		}
		if _, err := tx.NewInsert().Model(&rows).Returning("id").Exec(ctx); err != nil {
			return nil, nil, err
		}
		for i, m := range chunk {
			hire := ""
			if m.HireDate != nil {
				hire = *m.HireDate
			}
			d := rule.DueOn(now, hire, loc)
			cycles = append(cycles, &Cycle{AssignmentID: rows[i].ID, ProgrammeID: p.ID, VersionID: p.VersionID, EmployeeID: m.ID,
				Cycle: 1, AssignedAt: now, CountsFrom: FirstCountsFrom(p.ValidityMonths, now), DueOn: d, OriginalDueOn: d})
		}
	}
	if err := s.insertCycles(ctx, tx, cycles, now, loc); err != nil {
		return nil, nil, err
	}
	if tell {
		if err := s.events.CyclesOpened(ctx, tx, p, cycles, false, now); err != nil {
			return nil, nil, err
		}
	}
	return assigned, already, s.retakeStale(ctx, tx, p, cycles, now)
}

// retakeStale resets the finished enrolments in the required courses that
// a new, incomplete cycle does not count (completed before its CountsFrom),
// so that they can be taken again: a finished enrolment cannot complete a
// second time, and the cycle could otherwise never be completed.
func (s *Store) retakeStale(ctx context.Context, tx bun.IDB, p *Programme, cycles []*Cycle, now time.Time) error {
	var open []*Cycle
	for _, c := range cycles {
		if c.CompletedAt == nil && c.CountsFrom != nil {
			open = append(open, c)
		}
	}
	required := p.Required()
	done, err := qualifyingCompletions(ctx, tx, open, required)
	if err != nil {
		return err
	}
	for _, slug := range required {
		var emps []int64
		for _, c := range open {
			if _, ok := done[c][slug]; !ok {
				emps = append(emps, c.EmployeeID)
			}
		}
		if err := s.retake(ctx, tx, emps, []string{slug}, now); err != nil {
			return err
		}
	}
	return nil
}

// closeAssignments closes open assignments and their open cycles with a
// reason (history kept).
func (s *Store) closeAssignments(ctx context.Context, tx bun.IDB, ids []int64, now time.Time, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	var emps []int64
	for start := 0; start < len(ids); start += 900 {
		chunk := ids[start:min(start+900, len(ids))]
		var e []int64
		if err := tx.NewSelect().Model((*Assignment)(nil)).Column("employee_id").Where("id IN (?)", bun.In(chunk)).Scan(ctx, &e); err != nil {
			return err
		}
		emps = append(emps, e...)
		if _, err := tx.NewUpdate().Model((*Assignment)(nil)).Set("closed_at = ?", now).Set("close_reason = ?", reason).
			Where("id IN (?) AND closed_at IS NULL", bun.In(chunk)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*Cycle)(nil)).Set("closed_at = ?", now).Set("close_reason = ?", reason).
			Set("status_until = NULL").Where("assignment_id IN (?) AND closed_at IS NULL", bun.In(chunk)).Exec(ctx); err != nil {
			return err
		}
	}
	return s.RefreshReadiness(ctx, tx, emps)
}

// CloseAssignment closes the open assignment that the cycle belongs to, and
// its open cycles, with a reason, audited; the history is kept. A rule that
// gave it does not give it again unless the employee leaves its audience
// and comes back. Invalid (field reason) without a reason; Conflict when it
// is closed already.
func (s *Store) CloseAssignment(ctx context.Context, cycleID int64, reason string, by *int64, actor string) error {
	reason, err := checkReason(reason)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c := new(Cycle)
		if err := tx.NewSelect().Model(c).Where("id = ?", cycleID).Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return store.Errorf(store.NotFound, "There is no such programme cycle.")
			}
			return err
		}
		a := new(Assignment)
		if err := tx.NewSelect().Model(a).Where("id = ?", c.AssignmentID).Scan(ctx); err != nil {
			return err
		}
		if a.ClosedAt != nil {
			return store.Errorf(store.Conflict, "This assignment is closed already.")
		}
		if err := s.closeAssignments(ctx, tx, []int64{a.ID}, now, "closed by HR: "+reason); err != nil {
			return err
		}
		return s.auditCycle(ctx, tx, c, now, by, actor, "assignment.close", "closed; reason: "+reason)
	})
}
