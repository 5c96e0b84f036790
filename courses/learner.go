package courses

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/people"
	"github.com/serviceacademy/academy/store"
)

// EffectiveStatus is an assignment's status from its cycles (oldest
// first): the newest cycle's, except while a recertification cycle is open
// and the previous completion is still valid, when it is that completion's
// (completed or expiring): the employee is still certified.
func EffectiveStatus(cycles []*Cycle) Status {
	if len(cycles) == 0 {
		return NotStarted
	}
	last := cycles[len(cycles)-1]
	if len(cycles) > 1 && last.Status.Open() {
		prev := cycles[len(cycles)-2]
		if prev.Status == Completed || prev.Status == Expiring {
			return prev.Status
		}
	}
	return last.Status
}

// CourseState is one course of a programme cycle as the learner sees it.
type CourseState struct {
	Slug, Title string
	Required    bool
	Done        bool
	DoneAt      *time.Time
}

// ProgrammeProgress is one assigned programme of an employee: its current
// cycle with the courses, and the status that counts.
type ProgrammeProgress struct {
	Programme   *Programme
	Assignment  *Assignment
	Cycle       *Cycle   // the newest
	Cycles      []*Cycle // oldest first
	Status      Status   // EffectiveStatus
	Courses     []CourseState
	Done, Total int // required courses done in the current cycle
	Extensions  []Extension
}

// Percent is the share of required courses done.
func (p *ProgrammeProgress) Percent() int {
	if p.Total == 0 {
		return 0
	}
	return p.Done * 100 / p.Total
}

// Recertifying reports whether the current cycle is a recertification.
func (p *ProgrammeProgress) Recertifying() bool { return p.Cycle != nil && p.Cycle.Cycle > 1 }

// Extension is a due date moved, with its reason.
type Extension struct {
	bun.BaseModel `bun:"table:extensions,alias:ex"`

	ID      int64     `bun:",pk,autoincrement"`
	CycleID int64     `bun:",notnull"`
	FromDue string    `bun:",notnull"`
	ToDue   string    `bun:",notnull"`
	Reason  string    `bun:",notnull"`
	ByID    *int64    `bun:"by_id"`
	At      time.Time `bun:",notnull"`

	ByName string `bun:"-"`
}

// AssignedProgrammes returns the employee's open assignments, each with its
// cycles and the current cycle's courses: the ones needing action first,
// then by due date.
func (s *Store) AssignedProgrammes(ctx context.Context, employeeID int64) ([]*ProgrammeProgress, error) {
	list, err := s.programmeHistory(ctx, employeeID, true)
	if err != nil {
		return nil, err
	}
	rank := func(st Status) int {
		switch st {
		case Overdue:
			return 0
		case DueSoon, Expired:
			return 1
		case InProgress, NotStarted:
			return 2
		case Expiring:
			return 3
		}
		return 4
	}
	slices.SortStableFunc(list, func(a, b *ProgrammeProgress) int {
		if d := rank(a.Status) - rank(b.Status); d != 0 {
			return d
		}
		da, db := a.Cycle.DueOn, b.Cycle.DueOn
		switch {
		case da == db:
			return strings.Compare(a.Programme.Title, b.Programme.Title)
		case da == "":
			return 1
		case db == "":
			return -1
		}
		return strings.Compare(da, db)
	})
	return list, nil
}

// programmeHistory returns every assignment of the employee (only the open
// ones when openOnly) with its cycles, oldest assignment first.
func (s *Store) programmeHistory(ctx context.Context, employeeID int64, openOnly bool) ([]*ProgrammeProgress, error) {
	var asgs []*Assignment
	q := s.DB.NewSelect().Model(&asgs).Where("employee_id = ?", employeeID).OrderExpr("id")
	if openOnly {
		q = q.Where("closed_at IS NULL")
	}
	if err := q.Scan(ctx); err != nil || len(asgs) == 0 {
		return nil, err
	}
	ids := make([]int64, len(asgs))
	for i, a := range asgs {
		ids[i] = a.ID
	}
	var cycles []*Cycle
	if err := s.DB.NewSelect().Model(&cycles).Where("assignment_id IN (?)", bun.In(ids)).OrderExpr("assignment_id, cycle").Scan(ctx); err != nil {
		return nil, err
	}
	var progs []*Programme
	if err := s.DB.NewSelect().Model(&progs).Where("id IN (SELECT programme_id FROM assignments WHERE employee_id = ?)", employeeID).Scan(ctx); err != nil {
		return nil, err
	}
	var vids, cycleIDs []int64
	for _, c := range cycles {
		if !slices.Contains(vids, c.VersionID) {
			vids = append(vids, c.VersionID)
		}
		cycleIDs = append(cycleIDs, c.ID)
	}
	courses, err := versionCourses(ctx, s.DB, vids)
	if err != nil {
		return nil, err
	}
	var slugs []string
	for _, list := range courses {
		for _, c := range list {
			if !slices.Contains(slugs, c.CourseSlug) {
				slugs = append(slugs, c.CourseSlug)
			}
		}
	}
	done, err := qualifyingCompletions(ctx, s.DB, cycles, slugs)
	if err != nil {
		return nil, err
	}
	var exts []Extension
	if len(cycleIDs) > 0 {
		if err := s.DB.NewSelect().Model(&exts).Where("cycle_id IN (?)", bun.In(cycleIDs)).OrderExpr("id").Scan(ctx); err != nil {
			return nil, err
		}
	}
	var out []*ProgrammeProgress
	for _, a := range asgs {
		pp := &ProgrammeProgress{Assignment: a}
		for _, p := range progs {
			if p.ID == a.ProgrammeID {
				pp.Programme = p
			}
		}
		for _, c := range cycles {
			if c.AssignmentID == a.ID {
				pp.Cycles = append(pp.Cycles, c)
			}
		}
		if pp.Programme == nil || len(pp.Cycles) == 0 {
			continue
		}
		pp.Cycle = pp.Cycles[len(pp.Cycles)-1]
		pp.Status = EffectiveStatus(pp.Cycles)
		for _, pc := range courses[pp.Cycle.VersionID] {
			st := CourseState{Slug: pc.CourseSlug, Title: pc.Title, Required: pc.Required}
			if t, ok := done[pp.Cycle][pc.CourseSlug]; ok {
				st.Done, st.DoneAt = true, &t
			}
			if pc.Required {
				pp.Total++
				if st.Done {
					pp.Done++
				}
			}
			pp.Courses = append(pp.Courses, st)
		}
		for _, e := range exts {
			for _, c := range pp.Cycles {
				if e.CycleID == c.ID {
					pp.Extensions = append(pp.Extensions, e)
				}
			}
		}
		out = append(out, pp)
	}
	return out, nil
}

// Transcript is an employee's whole learning record.
type Transcript struct {
	Programmes  []*ProgrammeProgress // every assignment, open and closed, oldest first
	Completions []TranscriptCourse   // every course completion, newest first
}

// TranscriptCourse is one completion of a course.
type TranscriptCourse struct {
	Slug, Title string
	Version     int
	CompletedAt time.Time
	Imported    bool     // a historical completion imported from another system
	Source      string   // that system, when the import named it
	Score       *float64 // the score it recorded (imported completions only)
}

// Transcript returns every programme cycle and course completion of the
// employee.
func (s *Store) Transcript(ctx context.Context, employeeID int64) (*Transcript, error) {
	t := &Transcript{}
	var err error
	if t.Programmes, err = s.programmeHistory(ctx, employeeID, false); err != nil {
		return nil, err
	}
	var rows []struct {
		CourseSlug  string
		Title       string
		Version     int
		CompletedAt time.Time
		Imported    bool
		Source      string
		Score       *float64
	}
	if err := s.DB.NewSelect().TableExpr("course_completions AS cc").
		ColumnExpr("cc.course_slug, v.title, v.version, cc.completed_at, cc.imported, cc.source, cc.score").
		Join("JOIN course_versions AS v ON v.id = cc.version_id").
		Where("cc.employee_id = ?", employeeID).OrderExpr("cc.completed_at DESC, cc.id DESC").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	for _, r := range rows {
		t.Completions = append(t.Completions, TranscriptCourse{Slug: r.CourseSlug, Title: r.Title, Version: r.Version, CompletedAt: r.CompletedAt,
			Imported: r.Imported, Source: r.Source, Score: r.Score})
	}
	return t, nil
}

// FindCycle returns a cycle by id, or NotFound.
func (s *Store) FindCycle(ctx context.Context, id int64) (*Cycle, error) {
	c := new(Cycle)
	err := s.DB.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "There is no such programme cycle.")
	}
	return c, err
}

// MaxReasonRunes is the longest reason for an extension or exemption.
const MaxReasonRunes = 500

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return "", store.FieldError("reason", "Say why: it is kept in the audit log.")
	case n > MaxReasonRunes:
		return "", store.FieldError("reason", "The reason is %d characters long; the limit is %d.", n, MaxReasonRunes)
	}
	return reason, nil
}

// ExtendDue moves an open cycle's due date to newDue (YYYY-MM-DD, today or
// later, and later than the current due date) with a reason, audited.
// Invalid errors name due_on or reason; Conflict for a closed, completed or
// exempt cycle. Who may extend is the caller's check.
func (s *Store) ExtendDue(ctx context.Context, cycleID int64, newDue, reason string, by *int64, actor string) (*Cycle, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	newDue = strings.TrimSpace(newDue)
	d, perr := time.ParseInLocation(time.DateOnly, newDue, loc)
	if perr != nil {
		return nil, store.FieldError("due_on", "Enter the new due date as a date, such as 2027-01-31.")
	}
	if d.Before(LocalDay(now, loc)) {
		return nil, store.FieldError("due_on", "The new due date %s is in the past.", newDue)
	}
	if reason, err = checkReason(reason); err != nil {
		return nil, err
	}
	var c *Cycle
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c = new(Cycle)
		if err := tx.NewSelect().Model(c).Where("id = ?", cycleID).Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return store.Errorf(store.NotFound, "There is no such programme cycle.")
			}
			return err
		}
		switch {
		case c.ClosedAt != nil:
			return store.Errorf(store.Conflict, "This cycle is closed: there is nothing to extend.")
		case c.CompletedAt != nil:
			return store.Errorf(store.Conflict, "This cycle is completed: there is nothing to extend.")
		case c.ExemptAt != nil:
			return store.Errorf(store.Conflict, "The employee is exempt from this programme.")
		case c.DueOn != "" && newDue <= c.DueOn:
			return store.FieldError("due_on", "Choose a date after the current due date, %s.", c.DueOn)
		}
		if _, err := tx.NewInsert().Model(&Extension{CycleID: c.ID, FromDue: c.DueOn, ToDue: newDue, Reason: reason, ByID: by, At: now}).Exec(ctx); err != nil {
			return err
		}
		from := c.DueOn
		c.DueOn = newDue
		c.setStatus(now, loc)
		if _, err := tx.NewUpdate().Model(c).Column("due_on", "status", "status_until").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := s.RefreshReadiness(ctx, tx, []int64{c.EmployeeID}); err != nil {
			return err
		}
		return s.auditCycle(ctx, tx, c, now, by, actor, "assignment.extend", fmt.Sprintf("due %s → %s; reason: %s", orNone(from), newDue, reason))
	})
	return c, err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// SetExempt exempts the employee from a cycle (exempt) with a reason, or
// lifts the exemption (reason may then be empty), audited. Conflict for a
// closed cycle.
func (s *Store) SetExempt(ctx context.Context, cycleID int64, exempt bool, reason string, by *int64, actor string) (*Cycle, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if exempt {
		if reason, err = checkReason(reason); err != nil {
			return nil, err
		}
	}
	var c *Cycle
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		c = new(Cycle)
		if err := tx.NewSelect().Model(c).Where("id = ?", cycleID).Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return store.Errorf(store.NotFound, "There is no such programme cycle.")
			}
			return err
		}
		if c.ClosedAt != nil {
			return store.Errorf(store.Conflict, "This cycle is closed.")
		}
		action, detail := "assignment.exempt", "exempt; reason: "+reason
		if exempt {
			c.ExemptAt, c.ExemptByID, c.ExemptReason = &now, by, reason
		} else {
			if c.ExemptAt == nil {
				return nil
			}
			action, detail = "assignment.unexempt", "exemption lifted (was: "+c.ExemptReason+")"
			c.ExemptAt, c.ExemptByID, c.ExemptReason = nil, nil, ""
		}
		if _, err := tx.NewUpdate().Model(c).Column("exempt_at", "exempt_by_id", "exempt_reason").WherePK().Exec(ctx); err != nil {
			return err
		}
		if err := s.decideCycles(ctx, tx, []*Cycle{c}, now, loc, false); err != nil {
			return err
		}
		if err := s.RefreshReadiness(ctx, tx, []int64{c.EmployeeID}); err != nil {
			return err
		}
		return s.auditCycle(ctx, tx, c, now, by, actor, action, detail)
	})
	return c, err
}

func (s *Store) auditCycle(ctx context.Context, tx bun.IDB, c *Cycle, now time.Time, by *int64, actor, action, detail string) error {
	var title string
	if err := tx.NewSelect().TableExpr("programmes").Column("title").Where("id = ?", c.ProgrammeID).Scan(ctx, &title); err != nil {
		return err
	}
	nums, err := employeeNumbers(ctx, tx, []int64{c.EmployeeID})
	if err != nil {
		return err
	}
	return people.Audit(ctx, tx, now, by, actor, action, nums[c.EmployeeID], cycleLabel(title, c)+": "+detail)
}
