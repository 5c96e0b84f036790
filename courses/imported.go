package courses

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
)

// Historical completions imported from a previous LMS are course
// completions marked imported, with their source and score. They count as
// any completion does: the programme completion rule (SettleCycle) decides
// the cycles they complete, with the expiry and recertification that
// follow. They have no enrolment, so the course's own page still offers
// the course, and the reaction survey is not offered for them.

// ImportedCompletion is one historical course completion to record.
type ImportedCompletion struct {
	EmployeeID  int64
	CourseSlug  string
	CompletedAt time.Time
	Score       *float64 // 0–100, as the previous system recorded it
	Source      string   // the system it came from ("" when the file does not say)
	// Key is what the file's row named: "programme:SLUG" or "course:SLUG".
	// The same employee, course, time and key are recorded once.
	Key string
}

// ImportedRecorded reports, for each of list, whether it is recorded
// already (the same employee, course, time and key), read through db.
func ImportedRecorded(ctx context.Context, db bun.IDB, list []ImportedCompletion) ([]bool, error) {
	out := make([]bool, len(list))
	type key struct {
		emp       int64
		slug, key string
		at        int64
	}
	var emps []int64
	for _, c := range list {
		if !slices.Contains(emps, c.EmployeeID) {
			emps = append(emps, c.EmployeeID)
		}
	}
	have := map[key]bool{}
	for start := 0; start < len(emps); start += 500 {
		var rows []struct {
			EmployeeID  int64
			CourseSlug  string
			ImportKey   string
			CompletedAt time.Time
		}
		if err := db.NewSelect().TableExpr("course_completions").Column("employee_id", "course_slug", "import_key", "completed_at").
			Where("import_key IS NOT NULL AND employee_id IN (?)", bun.In(emps[start:min(start+500, len(emps))])).Scan(ctx, &rows); err != nil {
			return nil, err
		}
		for _, r := range rows {
			have[key{r.EmployeeID, r.CourseSlug, r.ImportKey, r.CompletedAt.UnixMicro()}] = true
		}
	}
	for i, c := range list {
		out[i] = have[key{c.EmployeeID, c.CourseSlug, c.Key, c.CompletedAt.UnixMicro()}]
	}
	return out, nil
}

// OpenAssignmentsIn returns, of employeeIDs, those with an open assignment
// of the programme, read through db.
func OpenAssignmentsIn(ctx context.Context, db bun.IDB, programmeID int64, employeeIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	for start := 0; start < len(employeeIDs); start += 900 {
		var ids []int64
		if err := db.NewSelect().Model((*Assignment)(nil)).Column("employee_id").
			Where("programme_id = ? AND closed_at IS NULL AND employee_id IN (?)", programmeID, bun.In(employeeIDs[start:min(start+900, len(employeeIDs))])).
			Scan(ctx, &ids); err != nil {
			return nil, err
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return out, nil
}

// AssignEmployeesIn assigns the programme by hand, in tx, to those of
// employeeIDs without an open assignment of it (their first cycle, due by
// the programme's rule), through the same rule as Assign, reading only
// those employees; it returns the employees assigned. It writes no audit
// entry: the caller's workflow records one for the whole import; and it
// tells nobody (no Events.CyclesOpened): the historical completions that
// follow in the same transaction usually complete these cycles, and an
// import must not e-mail thousands of people "new training" for what they
// did years ago (the scheduler's reminders still reach a cycle left open).
func (s *Store) AssignEmployeesIn(ctx context.Context, tx bun.IDB, p *Programme, employeeIDs []int64, by *int64) ([]int64, error) {
	if len(employeeIDs) == 0 {
		return nil, nil
	}
	loc, err := s.LocationIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	var ms []member
	for start := 0; start < len(employeeIDs); start += 900 {
		var chunk []member
		if err := tx.NewSelect().TableExpr("employees").
			Column("id", "number", "first_name", "last_name", "department_id", "location_id", "job_title_id", "line_path", "hire_date", "active").
			Where("id IN (?)", bun.In(employeeIDs[start:min(start+900, len(employeeIDs))])).OrderExpr("id").Scan(ctx, &chunk); err != nil {
			return nil, err
		}
		ms = append(ms, chunk...)
	}
	emps := make([]*member, len(ms))
	for i := range ms {
		emps[i] = &ms[i]
	}
	assigned, _, err := s.assign(ctx, tx, p, emps, true, nil, nil, by, s.Now(), loc, false, false)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(assigned))
	for i, m := range assigned {
		ids[i] = m.ID
	}
	return ids, nil
}

// RecordImported writes list (not yet recorded: see ImportedRecorded) as
// imported course completions of import importID, in tx, on each course's
// published version; then it decides the open cycles of the employees that
// contain the courses, as a completion here would, issuing certificates for
// the cycles it completes only when certify. It returns those cycles.
func (s *Store) RecordImported(ctx context.Context, tx bun.IDB, list []ImportedCompletion, importID int64, certify bool) ([]*Cycle, error) {
	if len(list) == 0 {
		return nil, nil
	}
	rows := make([]CourseCompletion, 0, len(list))
	type empCourse struct {
		emp  int64
		slug string
	}
	var touched []empCourse
	for _, c := range list {
		course, err := s.findCourseIn(ctx, tx, c.CourseSlug)
		if err != nil {
			return nil, err
		}
		if course.PublishedVersionID == nil {
			return nil, fmt.Errorf("imported completion: course %q is not published", c.CourseSlug)
		}
		key, id := c.Key, importID
		rows = append(rows, CourseCompletion{EmployeeID: c.EmployeeID, CourseID: course.ID, CourseSlug: c.CourseSlug,
			VersionID: *course.PublishedVersionID, CompletedAt: c.CompletedAt, Imported: true, Source: c.Source, Score: c.Score,
			ImportID: &id, ImportKey: &key})
		if ec := (empCourse{c.EmployeeID, c.CourseSlug}); !slices.Contains(touched, ec) {
			touched = append(touched, ec)
		}
	}
	for start := 0; start < len(rows); start += 500 {
		chunk := rows[start:min(start+500, len(rows))]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return nil, err
		}
	}
	var cycles []*Cycle
	for _, ec := range touched {
		list, err := openCyclesWith(ctx, tx, ec.emp, ec.slug)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if !slices.ContainsFunc(cycles, func(o *Cycle) bool { return o.ID == c.ID }) {
				cycles = append(cycles, c)
			}
		}
	}
	if len(cycles) == 0 {
		return nil, nil
	}
	loc, err := s.LocationIn(ctx, tx)
	if err != nil {
		return nil, err
	}
	return s.decideCyclesWith(ctx, tx, cycles, s.Now(), loc, false, certify)
}

// CurrentCycleIn returns the newest cycle of the employee's open assignment
// of the programme, read through db; nil when there is none.
func CurrentCycleIn(ctx context.Context, db bun.IDB, employeeID, programmeID int64) (*Cycle, error) {
	var list []*Cycle
	err := db.NewSelect().Model(&list).
		Where("cy.employee_id = ? AND cy.programme_id = ?", employeeID, programmeID).
		Where("EXISTS (SELECT 1 FROM assignments AS a WHERE a.id = cy.assignment_id AND a.closed_at IS NULL)").
		OrderExpr("cy.cycle DESC").Limit(1).Scan(ctx)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// ProgrammesIn returns every programme, archived ones included, with its
// current courses, read through db.
func ProgrammesIn(ctx context.Context, db bun.IDB) ([]*Programme, error) {
	var list []*Programme
	if err := db.NewSelect().Model(&list).OrderExpr("title, id").Scan(ctx); err != nil {
		return nil, err
	}
	return list, loadProgrammeCourses(ctx, db, list)
}

// PublishedIn is ListPublished read through db.
func PublishedIn(ctx context.Context, db bun.IDB) ([]Version, error) {
	var list []Version
	err := db.NewSelect().Model(&list).ColumnExpr("v.*").ColumnExpr("c.slug AS slug, c.builtin AS builtin").
		Join("JOIN courses AS c ON c.published_version_id = v.id").OrderExpr("v.title").Scan(ctx)
	return list, err
}
