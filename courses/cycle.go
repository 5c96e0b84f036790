package courses

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
)

// Assignment is a programme assigned to one employee, by hand or by an
// audience rule. It stays open until the employee leaves, stops matching
// the rule that assigned it, or HR closes it; each recertification is a new
// cycle of the same assignment.
type Assignment struct {
	bun.BaseModel `bun:"table:assignments,alias:asg"`

	ID           int64      `bun:",pk,autoincrement"`
	ProgrammeID  int64      `bun:",notnull"`
	EmployeeID   int64      `bun:",notnull"`
	Manual       bool       `bun:",notnull"` // assigned by hand: kept when rules stop matching
	RuleID       *int64     `bun:"rule_id"`
	AssignedAt   time.Time  `bun:",notnull"`
	AssignedByID *int64     `bun:"assigned_by_id"`
	ClosedAt     *time.Time `bun:",nullzero"`
	CloseReason  string     `bun:",notnull"`
}

// Cycle is one round of an assignment: the first, then one per
// recertification. Its status is kept current by the events that change it
// and, for the clock, by the scheduler (StatusUntil).
type Cycle struct {
	bun.BaseModel `bun:"table:cycles,alias:cy"`

	ID            int64      `bun:",pk,autoincrement"`
	AssignmentID  int64      `bun:",notnull"`
	ProgrammeID   int64      `bun:",notnull"`
	VersionID     int64      `bun:",notnull"`
	EmployeeID    int64      `bun:",notnull"`
	Cycle         int        `bun:",notnull"`
	AssignedAt    time.Time  `bun:",notnull"`
	CountsFrom    *time.Time `bun:",nullzero"` // course completions from then count; nil: any
	DueOn         string     `bun:",notnull"`  // company-local date, "" none
	OriginalDueOn string     `bun:",notnull"`
	StartedAt     *time.Time `bun:",nullzero"`
	CompletedAt   *time.Time `bun:",nullzero"`
	ExpiresAt     *time.Time `bun:",nullzero"`
	Score         *float64   `bun:"score"`
	ExemptReason  string     `bun:",notnull"`
	ExemptByID    *int64     `bun:"exempt_by_id"`
	ExemptAt      *time.Time `bun:",nullzero"`
	ClosedAt      *time.Time `bun:",nullzero"`
	CloseReason   string     `bun:",notnull"`
	Status        Status     `bun:",notnull"`
	StatusUntil   *time.Time `bun:",nullzero"`
}

// Facts are what the cycle's status depends on.
func (c *Cycle) Facts() CycleFacts {
	return CycleFacts{DueOn: c.DueOn, Started: c.StartedAt != nil, CompletedAt: c.CompletedAt, ExpiresAt: c.ExpiresAt, Exempt: c.ExemptAt != nil}
}

// setStatus recomputes Status and StatusUntil at now; it reports a change.
func (c *Cycle) setStatus(now time.Time, loc *time.Location) bool {
	st, until := CycleStatus(c.Facts(), now, loc)
	var u *time.Time
	if !until.IsZero() {
		u = &until
	}
	changed := st != c.Status || !sameTime(u, c.StatusUntil)
	c.Status, c.StatusUntil = st, u
	return changed
}

func sameTime(a, b *time.Time) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && a.Equal(*b))
}

// currentCycles returns the newest cycle of each open assignment of the
// programme (closed cycles excluded).
func currentCycles(ctx context.Context, db bun.IDB, programmeID int64) ([]*Cycle, error) {
	var list []*Cycle
	err := db.NewSelect().Model(&list).
		Where("cy.programme_id = ? AND cy.closed_at IS NULL", programmeID).
		Where("cy.cycle = (SELECT MAX(n.cycle) FROM cycles AS n WHERE n.assignment_id = cy.assignment_id)").
		Where("EXISTS (SELECT 1 FROM assignments AS a WHERE a.id = cy.assignment_id AND a.closed_at IS NULL)").
		OrderExpr("cy.id").Scan(ctx)
	return list, err
}

// completionFact is the newest completion of a course by an employee.
type completionFact struct {
	EmployeeID  int64
	CourseSlug  string
	CompletedAt time.Time
}

// qualifyingCompletions returns, for each cycle (new ones have no id yet),
// the newest completion of each of slugs that counts for it (after its
// CountsFrom).
func qualifyingCompletions(ctx context.Context, db bun.IDB, cycles []*Cycle, slugs []string) (map[*Cycle]map[string]time.Time, error) {
	out := make(map[*Cycle]map[string]time.Time, len(cycles))
	if len(cycles) == 0 || len(slugs) == 0 {
		return out, nil
	}
	byEmp := map[int64][]*Cycle{}
	for _, c := range cycles {
		byEmp[c.EmployeeID] = append(byEmp[c.EmployeeID], c)
	}
	emps := make([]int64, 0, len(byEmp))
	for id := range byEmp {
		emps = append(emps, id)
	}
	slices.Sort(emps)
	for start := 0; start < len(emps); start += 500 {
		chunk := emps[start:min(start+500, len(emps))]
		var rows []completionFact
		err := db.NewSelect().TableExpr("course_completions").Column("employee_id", "course_slug").
			ColumnExpr("MAX(completed_at) AS completed_at").
			Where("employee_id IN (?) AND course_slug IN (?)", bun.In(chunk), bun.In(slugs)).
			GroupExpr("employee_id, course_slug").Scan(ctx, &rows)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			for _, c := range byEmp[r.EmployeeID] {
				if !Counts(r.CompletedAt, c.CountsFrom) {
					continue
				}
				m := out[c]
				if m == nil {
					m = map[string]time.Time{}
					out[c] = m
				}
				m[r.CourseSlug] = r.CompletedAt
			}
		}
	}
	return out, nil
}

// programmeFacts caches programmes and their versions' required courses
// while cycles are decided.
type programmeFacts struct {
	programmes map[int64]*Programme
	required   map[int64][]string // by version id
}

func loadProgrammeFacts(ctx context.Context, db bun.IDB, cycles []*Cycle) (*programmeFacts, error) {
	f := &programmeFacts{programmes: map[int64]*Programme{}, required: map[int64][]string{}}
	var pids, vids []int64
	for _, c := range cycles {
		if !slices.Contains(pids, c.ProgrammeID) {
			pids = append(pids, c.ProgrammeID)
		}
		if !slices.Contains(vids, c.VersionID) {
			vids = append(vids, c.VersionID)
		}
	}
	if len(pids) == 0 {
		return f, nil
	}
	var list []*Programme
	if err := db.NewSelect().Model(&list).Where("id IN (?)", bun.In(pids)).Scan(ctx); err != nil {
		return nil, err
	}
	for _, p := range list {
		f.programmes[p.ID] = p
	}
	courses, err := versionCourses(ctx, db, vids)
	if err != nil {
		return nil, err
	}
	for vid, list := range courses {
		for _, c := range list {
			if c.Required {
				f.required[vid] = append(f.required[vid], c.CourseSlug)
			}
		}
	}
	return f, nil
}

func (f *programmeFacts) allRequired() []string {
	var out []string
	for _, list := range f.required {
		for _, s := range list {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// settle applies the programme completion rule (SettleCycle) to cycles at now,
// with the completions read through db: each cycle is decided with the
// completions of the required courses of every cycle given. It returns the
// cycles whose fields changed and those that became complete.
func settle(ctx context.Context, db bun.IDB, cycles []*Cycle, now time.Time, loc *time.Location, reopen bool) (changed, completed []*Cycle, err error) {
	facts, err := loadProgrammeFacts(ctx, db, cycles)
	if err != nil {
		return nil, nil, err
	}
	done, err := qualifyingCompletions(ctx, db, cycles, facts.allRequired())
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cycles {
		before := *c
		if p := facts.programmes[c.ProgrammeID]; p != nil {
			d := SettleCycle(SettleFacts{Closed: c.ClosedAt != nil, Exempt: c.ExemptAt != nil, StartedAt: c.StartedAt,
				CompletedAt: c.CompletedAt, ExpiresAt: c.ExpiresAt, Required: facts.required[c.VersionID], Counted: done[c],
				ValidityMonths: p.ValidityMonths}, now, loc, reopen)
			c.StartedAt, c.CompletedAt, c.ExpiresAt = d.StartedAt, d.CompletedAt, d.ExpiresAt
			if d.Completed {
				completed = append(completed, c)
			}
		}
		c.setStatus(now, loc)
		if !sameTime(before.StartedAt, c.StartedAt) || !sameTime(before.CompletedAt, c.CompletedAt) ||
			!sameTime(before.ExpiresAt, c.ExpiresAt) || before.Status != c.Status || !sameTime(before.StatusUntil, c.StatusUntil) {
			changed = append(changed, c)
		}
	}
	return changed, completed, nil
}

var cycleStateColumns = []string{"started_at", "completed_at", "expires_at", "status", "status_until"}

// decideCycles settles stored cycles in tx and writes what changed; the
// newly completed go through cycleCompleted.
func (s *Store) decideCycles(ctx context.Context, tx bun.IDB, cycles []*Cycle, now time.Time, loc *time.Location, reopen bool) error {
	_, err := s.decideCyclesWith(ctx, tx, cycles, now, loc, reopen, true)
	return err
}

// decideCyclesWith is decideCycles issuing certificates for the cycles it
// completes only when certify (an import of historical completions asks);
// it returns those cycles.
func (s *Store) decideCyclesWith(ctx context.Context, tx bun.IDB, cycles []*Cycle, now time.Time, loc *time.Location, reopen, certify bool) ([]*Cycle, error) {
	changed, completed, err := settle(ctx, tx, cycles, now, loc, reopen)
	if err != nil {
		return nil, err
	}
	for _, c := range changed {
		if _, err := tx.NewUpdate().Model(c).Column(cycleStateColumns...).WherePK().Exec(ctx); err != nil {
			return nil, err
		}
	}
	if err := s.cyclesCompletedWith(ctx, tx, completed, now, certify); err != nil {
		return nil, err
	}
	return completed, s.RefreshReadiness(ctx, tx, cycleEmployees(changed))
}

// cyclesCompleted records what follows a programme cycle's completion, in
// the transaction of the event that completed it.
func (s *Store) cyclesCompleted(ctx context.Context, tx bun.IDB, cycles []*Cycle, now time.Time) error {
	return s.cyclesCompletedWith(ctx, tx, cycles, now, true)
}

// cyclesCompletedWith is cyclesCompleted issuing the certificates only when certify.
func (s *Store) cyclesCompletedWith(ctx context.Context, tx bun.IDB, cycles []*Cycle, now time.Time, certify bool) error {
	if len(cycles) == 0 {
		return nil
	}
	var titles []struct {
		ID    int64
		Title string
	}
	if err := tx.NewSelect().TableExpr("programmes").Column("id", "title").Scan(ctx, &titles); err != nil {
		return err
	}
	emps, err := employeeNumbers(ctx, tx, cycleEmployees(cycles))
	if err != nil {
		return err
	}
	if certify {
		if err := s.issueCertificates(ctx, tx, cycles, now); err != nil {
			return err
		}
	}
	for _, c := range cycles {
		title := ""
		for _, t := range titles {
			if t.ID == c.ProgrammeID {
				title = t.Title
			}
		}
		detail := fmt.Sprintf("%s, cycle %d", title, c.Cycle)
		if c.ExpiresAt != nil {
			detail += ", valid until " + c.ExpiresAt.Format(time.DateOnly)
		}
		if err := people.Audit(ctx, tx, now, nil, "system", "programme.complete", emps[c.EmployeeID], detail); err != nil {
			return err
		}
	}
	return nil
}

func cycleEmployees(cycles []*Cycle) []int64 {
	var ids []int64
	for _, c := range cycles {
		if !slices.Contains(ids, c.EmployeeID) {
			ids = append(ids, c.EmployeeID)
		}
	}
	return ids
}

// employeeNumbers maps employee ids to their numbers.
func employeeNumbers(ctx context.Context, db bun.IDB, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for start := 0; start < len(ids); start += 900 {
		var rows []struct {
			ID     int64
			Number string
		}
		if err := db.NewSelect().TableExpr("employees").Column("id", "number").
			Where("id IN (?)", bun.In(ids[start:min(start+900, len(ids))])).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = r.Number
		}
	}
	return out, nil
}

// closeCycle closes one cycle (a new cycle for everyone, or its assignment closed).
func closeCycle(ctx context.Context, tx bun.IDB, c *Cycle, now time.Time, reason string) error {
	c.ClosedAt, c.CloseReason = &now, reason
	c.StatusUntil = nil
	_, err := tx.NewUpdate().Model(c).Column("closed_at", "close_reason", "status_until").WherePK().Exec(ctx)
	return err
}

// insertCycles settles new cycles and stores them (filling their ids); the
// complete ones go through cycleCompleted.
func (s *Store) insertCycles(ctx context.Context, tx bun.IDB, cycles []*Cycle, now time.Time, loc *time.Location) error {
	if len(cycles) == 0 {
		return nil
	}
	_, completed, err := settle(ctx, tx, cycles, now, loc, false)
	if err != nil {
		return err
	}
	for start := 0; start < len(cycles); start += 500 {
		chunk := cycles[start:min(start+500, len(cycles))]
		if _, err := tx.NewInsert().Model(&chunk).Returning("id").Exec(ctx); err != nil {
			return err
		}
	}
	if err := s.cyclesCompleted(ctx, tx, completed, now); err != nil {
		return err
	}
	return s.RefreshReadiness(ctx, tx, cycleEmployees(cycles))
}

// openNextCycles opens the cycle after each of prev for its employee, on the
// programme's current version, counting only completions from now: the
// courses are taken again (their progress reset, history kept). A
// recertification's cycle is due as RecertDueOn says; otherwise (a new
// cycle for everyone) the programme's rule gives the due date.
func (s *Store) openNextCycles(ctx context.Context, tx bun.IDB, p *Programme, prev []*Cycle, now time.Time, loc *time.Location, recert bool) error {
	if len(prev) == 0 {
		return nil
	}
	hires, err := hireDates(ctx, tx, cycleEmployees(prev))
	if err != nil {
		return err
	}
	var next []*Cycle
	for _, c := range prev {
		d := p.Due().DueOn(now, hires[c.EmployeeID], loc)
		if recert {
			d = RecertDueOn(p.Due(), p.RecertDays, *c.ExpiresAt, now, hires[c.EmployeeID], loc)
		}
		from := now
		next = append(next, &Cycle{AssignmentID: c.AssignmentID, ProgrammeID: p.ID, VersionID: p.VersionID, EmployeeID: c.EmployeeID,
			Cycle: c.Cycle + 1, AssignedAt: now, CountsFrom: &from, DueOn: d, OriginalDueOn: d})
	}
	required := p.Required()
	if len(p.Courses) == 0 {
		courses, err := versionCourses(ctx, tx, []int64{p.VersionID})
		if err != nil {
			return err
		}
		for _, c := range courses[p.VersionID] {
			if c.Required {
				required = append(required, c.CourseSlug)
			}
		}
	}
	if err := s.retake(ctx, tx, cycleEmployees(prev), required, now); err != nil {
		return err
	}
	if err := s.insertCycles(ctx, tx, next, now, loc); err != nil {
		return err
	}
	return s.events.CyclesOpened(ctx, tx, p, next, recert, now)
}

// hireDates maps employee ids to their hire dates (YYYY-MM-DD or "").
func hireDates(ctx context.Context, db bun.IDB, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for start := 0; start < len(ids); start += 900 {
		var rows []struct {
			ID       int64
			HireDate *string
		}
		if err := db.NewSelect().TableExpr("employees").Column("id", "hire_date").
			Where("id IN (?)", bun.In(ids[start:min(start+900, len(ids))])).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			if r.HireDate != nil {
				out[r.ID] = *r.HireDate
			}
		}
	}
	return out, nil
}

// retake resets the employees' finished enrolments in the courses so they
// take them again (recertification): the lessons are to be read again and
// the assessments passed again from now. The completions stay in the
// history (course_completions).
func (s *Store) retake(ctx context.Context, tx bun.IDB, employeeIDs []int64, slugs []string, now time.Time) error {
	if len(employeeIDs) == 0 || len(slugs) == 0 {
		return nil
	}
	for start := 0; start < len(employeeIDs); start += 500 {
		chunk := employeeIDs[start:min(start+500, len(employeeIDs))]
		var ens []Enrolment
		err := tx.NewSelect().Model(&ens).
			Where("en.employee_id IN (?) AND en.completed_at IS NOT NULL", bun.In(chunk)).
			Where("en.course_id IN (SELECT id FROM courses WHERE slug IN (?))", bun.In(slugs)).
			Where("NOT EXISTS (SELECT 1 FROM enrolments AS n WHERE n.employee_id = en.employee_id AND n.course_id = en.course_id AND n.id > en.id)").
			Scan(ctx)
		if err != nil {
			return err
		}
		if len(ens) == 0 {
			continue
		}
		ids := make([]int64, len(ens))
		for i, en := range ens {
			ids[i] = en.ID
			if _, err := tx.NewDelete().TableExpr("lesson_progress").
				Where("employee_id = ? AND lesson_id IN (SELECT id FROM lessons WHERE version_id = ?)", en.EmployeeID, en.VersionID).Exec(ctx); err != nil {
				return err
			}
			s.forgetLearner(en.EmployeeID, en.CourseID, en.VersionID)
		}
		if _, err := tx.NewUpdate().Model((*Enrolment)(nil)).Set("completed_at = NULL").Set("assessments_from = ?", now).
			Set("last_lesson_id = NULL").Where("id IN (?)", bun.In(ids)).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// courseCompleted records a course completion in the history and decides
// the open cycles of every programme that contains the course, in the
// completion's transaction.
func (s *Store) courseCompleted(ctx context.Context, tx bun.IDB, en *Enrolment, slug, title string, at time.Time) error {
	if _, err := tx.NewInsert().Model(&CourseCompletion{EmployeeID: en.EmployeeID, CourseID: en.CourseID, CourseSlug: slug,
		VersionID: en.VersionID, EnrolmentID: &en.ID, CompletedAt: at}).Exec(ctx); err != nil {
		return err
	}
	if err := s.issueCourseCertificate(ctx, tx, en, slug, title, at); err != nil {
		return err
	}
	cycles, err := openCyclesWith(ctx, tx, en.EmployeeID, slug)
	if err != nil || len(cycles) == 0 {
		return err
	}
	loc, err := s.LocationIn(ctx, tx)
	if err != nil {
		return err
	}
	return s.decideCycles(ctx, tx, cycles, at, loc, false)
}

// CourseCompletion is one completion of a course, kept for good: the
// transcript's course history, and what programme cycles count.
type CourseCompletion struct {
	bun.BaseModel `bun:"table:course_completions,alias:cc"`

	ID          int64     `bun:",pk,autoincrement"`
	EmployeeID  int64     `bun:",notnull"`
	CourseID    int64     `bun:",notnull"`
	CourseSlug  string    `bun:",notnull"`
	VersionID   int64     `bun:",notnull"`
	EnrolmentID *int64    `bun:"enrolment_id"`
	CompletedAt time.Time `bun:",notnull"`
	// An imported historical completion (imported.go): where it came from,
	// the score recorded there, its import and what the file's row named.
	Imported  bool     `bun:",notnull"`
	Source    string   `bun:",notnull"`
	Score     *float64 `bun:"score"`
	ImportID  *int64   `bun:"import_id"`
	ImportKey *string  `bun:"import_key"`
}

// openCyclesWith returns the employee's open, unfinished cycles whose
// version contains the course.
func openCyclesWith(ctx context.Context, db bun.IDB, employeeID int64, slug string) ([]*Cycle, error) {
	var list []*Cycle
	err := db.NewSelect().Model(&list).
		Where("cy.employee_id = ? AND cy.closed_at IS NULL AND cy.completed_at IS NULL AND cy.exempt_at IS NULL", employeeID).
		Where("cy.version_id IN (SELECT version_id FROM programme_courses WHERE course_slug = ?)", slug).
		OrderExpr("cy.id").Scan(ctx)
	return list, err
}

// markStarted marks the employee's open, unstarted cycles that contain the
// course as started, in db (the transaction that started the course or
// completed a lesson).
func (s *Store) markStarted(ctx context.Context, db bun.IDB, employeeID int64, slug string, now time.Time) error {
	var list []*Cycle
	err := db.NewSelect().Model(&list).
		Where("cy.employee_id = ? AND cy.closed_at IS NULL AND cy.completed_at IS NULL AND cy.started_at IS NULL", employeeID).
		Where("cy.version_id IN (SELECT version_id FROM programme_courses WHERE course_slug = ?)", slug).Scan(ctx)
	if err != nil || len(list) == 0 {
		return err
	}
	loc, err := s.LocationIn(ctx, db)
	if err != nil {
		return err
	}
	for _, c := range list {
		c.StartedAt = &now
		c.setStatus(now, loc)
		if _, err := db.NewUpdate().Model(c).Column(cycleStateColumns...).WherePK().Exec(ctx); err != nil {
			return err
		}
	}
	return s.RefreshReadiness(ctx, db, cycleEmployees(list))
}

// cycleLabel names a cycle for the audit log.
func cycleLabel(title string, c *Cycle) string {
	return title + ", cycle " + strconv.Itoa(c.Cycle)
}

// joinNumbers lists employee numbers for an audit entry, the first twenty.
func joinNumbers(nums []string) string {
	if len(nums) > 20 {
		return strings.Join(nums[:20], ", ") + fmt.Sprintf(" and %d more", len(nums)-20)
	}
	return strings.Join(nums, ", ")
}
