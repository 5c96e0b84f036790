package courses

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// The training matrix of a programme: one row per employee holding an open
// assignment of it (narrowed to a manager's line, a department, a
// location), one column per course of the programme's current version,
// and in each cell where that employee stands in that course for their
// current cycle. Rows come a page at a time by name (keyset), and a page
// costs the same three queries whatever its size: the rows with their
// cycles and readiness, the newest completion of each course, and the
// unfinished enrolments.

// CellState is where an employee stands in one course of their current
// programme cycle; the exports use the values' words.
type CellState string

const (
	CellDone         CellState = "done"        // a completion that counts for the cycle, valid
	CellExpiring     CellState = "expiring"    // that completion expires within ExpiringDays
	CellExpired      CellState = "expired"     // the newest completion's validity has passed
	CellInProgress   CellState = "in_progress" // started (or a lesson done) in this cycle, not finished
	CellNotStarted   CellState = "not_started"
	CellOverdue      CellState = "overdue"        // required, not done, and the cycle is overdue
	CellExempt       CellState = "exempt"         // the employee is exempt from the cycle
	CellNotInVersion CellState = "not_in_version" // the course is not in the version their cycle follows
)

// Label is the state in words, for pages (never colour alone).
func (s CellState) Label() string {
	switch s {
	case CellDone:
		return "Done"
	case CellExpiring:
		return "Expiring"
	case CellExpired:
		return "Expired"
	case CellInProgress:
		return "In progress"
	case CellNotStarted:
		return "Not started"
	case CellOverdue:
		return "Overdue"
	case CellExempt:
		return "Exempt"
	case CellNotInVersion:
		return "Not in their version"
	}
	return string(s)
}

// CellFacts are what a cell depends on, besides the clock.
type CellFacts struct {
	InVersion      bool       // the course is part of the version the cycle follows
	Required       bool       // in that version
	Exempt         bool       // the cycle is exempt
	CycleOverdue   bool       // the cycle's status is overdue
	CountsFrom     *time.Time // the cycle's: completions and activity after it count (nil: any)
	LastCompletion *time.Time // the newest completion of the course, whenever it was
	LastActivity   *time.Time // the newest start or lesson of an unfinished enrolment in it
	ValidityMonths int        // the programme's (0: completions never expire)
}

// MatrixCell is one employee's state in one course.
type MatrixCell struct {
	State     CellState
	DoneAt    *time.Time // the completion shown (done, expiring, expired; an earlier one while in progress)
	ExpiresAt *time.Time // that completion's expiry (nil: none or never)
}

// DecideCell is the one rule for a matrix cell, a pure function of the
// facts and the clock (dates read in loc):
//   - not in their version, or exempt, before anything else;
//   - a completion that counts for the cycle: done, expiring from
//     ExpiringDays before its validity ends, expired from then;
//   - otherwise overdue when the course is required and the cycle overdue;
//   - in progress when an unfinished enrolment moved in this cycle;
//   - an earlier completion still valid (a recertification under way):
//     done or expiring by its validity; one no longer valid: expired;
//   - else not started.
func DecideCell(f CellFacts, now time.Time, loc *time.Location) MatrixCell {
	if !f.InVersion {
		return MatrixCell{State: CellNotInVersion}
	}
	if f.Exempt {
		return MatrixCell{State: CellExempt}
	}
	counts := func(t *time.Time) bool { return t != nil && (f.CountsFrom == nil || t.After(*f.CountsFrom)) }
	byValidity := func(done time.Time) MatrixCell {
		c := MatrixCell{State: CellDone, DoneAt: &done, ExpiresAt: ExpiryOf(done, f.ValidityMonths, loc)}
		if c.ExpiresAt != nil {
			exp := *c.ExpiresAt
			switch {
			case !now.Before(exp):
				c.State = CellExpired
			case !now.Before(exp.In(loc).AddDate(0, 0, -ExpiringDays)):
				c.State = CellExpiring
			}
		}
		return c
	}
	if counts(f.LastCompletion) {
		return byValidity(*f.LastCompletion)
	}
	if f.CycleOverdue && f.Required {
		return MatrixCell{State: CellOverdue}
	}
	var earlier MatrixCell
	if f.LastCompletion != nil {
		earlier = byValidity(*f.LastCompletion)
	}
	if counts(f.LastActivity) {
		return MatrixCell{State: CellInProgress, DoneAt: earlier.DoneAt, ExpiresAt: earlier.ExpiresAt}
	}
	if f.LastCompletion != nil {
		return earlier
	}
	return MatrixCell{State: CellNotStarted}
}

// MatrixCourses returns the columns of the programme's matrix: the courses
// of its current version, the required ones first, each group in the
// programme's order.
func MatrixCourses(p *Programme) []ProgrammeCourse {
	out := make([]ProgrammeCourse, 0, len(p.Courses))
	for _, req := range []bool{true, false} {
		for _, c := range p.Courses {
			if c.Required == req {
				out = append(out, c)
			}
		}
	}
	return out
}

// MatrixFilter narrows a matrix. The zero value is everyone assigned, all
// at once.
type MatrixFilter struct {
	LineOf       int64  // only this manager's reporting line (direct and indirect reports)
	DepartmentID int64  // only this department
	LocationID   int64  // only this location
	Limit        int    // rows per page; 0: all
	After        string // the cursor of the page before (MatrixPage.Next); "" for the first
}

// MatrixRow is one employee of a matrix.
type MatrixRow struct {
	EmployeeID int64
	Number     string
	Name       string
	Department string
	Location   string
	Cycle      int
	DueOn      string    // the current cycle's due date (company-local), "" none
	Status     Status    // the programme's EffectiveStatus
	Readiness  Readiness // the employee's readiness now ("" not decided yet)
	Cells      []MatrixCell
}

// MatrixPage is one page of a matrix: its columns, its rows by name, and
// the cursor of the next page ("" on the last).
type MatrixPage struct {
	Courses []ProgrammeCourse // MatrixCourses
	Rows    []MatrixRow
	Next    string
}

// Matrix returns a page of the programme's matrix (see MatrixFilter): rows
// by last name, first name and number, each cell decided by DecideCell for
// the row's current cycle. It returns an Invalid error (field after) for a
// cursor it did not give, and NotFound when f.LineOf names nobody.
func (s *Store) Matrix(ctx context.Context, p *Programme, f MatrixFilter) (*MatrixPage, error) {
	page := &MatrixPage{Courses: MatrixCourses(p)}
	q, err := s.matrixQuery(ctx, p, f)
	if err != nil {
		return nil, err
	}
	// The keyset as a row value, so that both databases seek in
	// employees_name; on the first page too (after the empty key, which
	// every employee's number is past), or SQLite reads and sorts the whole
	// programme for a page.
	var last, first, number string
	if f.After != "" {
		if last, first, number, err = parseMatrixCursor(f.After); err != nil {
			return nil, err
		}
	}
	q = q.Where("(e.last_name, e.first_name, e.number) > (?, ?, ?)", last, first, number)
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit) + 1)
	}
	var rows []matrixScan
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	if f.Limit > 0 && len(rows) > f.Limit {
		rows = rows[:f.Limit]
		r := rows[len(rows)-1]
		page.Next = makeMatrixCursor(r.LastName, r.FirstName, r.Number)
	}
	page.Rows, err = s.matrixRows(ctx, p, page.Courses, rows)
	return page, err
}

// EachMatrixRows calls fn with every row of the programme's matrix that f
// selects (its Limit and After aside), by name, at most batch rows at a
// time, until fn returns an error. The rows come from one query (the
// database sorts them once, instead of once a page), read by a goroutine a
// batch ahead while fn has the one before; each batch's cells cost two
// more queries. Memory holds three batches at most.
func (s *Store) EachMatrixRows(ctx context.Context, p *Programme, f MatrixFilter, batch int, fn func(courses []ProgrammeCourse, rows []MatrixRow) error) error {
	if batch < 1 {
		batch = 500
	}
	cols := MatrixCourses(p)
	q, err := s.matrixQuery(ctx, p, f)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := q.Rows(ctx)
	if err != nil {
		return err
	}
	batches := make(chan []matrixScan, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		defer rows.Close()
		buf := make([]matrixScan, 0, batch)
		send := func() bool {
			select {
			case batches <- buf:
				buf = make([]matrixScan, 0, batch)
				return true
			case <-ctx.Done():
				return false
			}
		}
		for rows.Next() {
			buf = append(buf, matrixScan{})
			if err := s.DB.ScanRow(ctx, rows, &buf[len(buf)-1]); err != nil {
				readErr <- err
				return
			}
			if len(buf) == batch && !send() {
				return
			}
		}
		if err := rows.Err(); err != nil {
			readErr <- err
			return
		}
		if len(buf) > 0 {
			send()
		}
	}()
	fail := func(err error) error {
		cancel()
		for range batches { // let the reader finish
		}
		return err
	}
	// A whole programme's export reads the facts in one pass each instead
	// of one lookup per employee and batch (random reads through a large
	// table cost more than a scan).
	var pre *matrixPreload
	if f.LineOf == 0 && f.DepartmentID == 0 && f.LocationID == 0 {
		if pre, err = s.preloadMatrixFacts(ctx, p, cols); err != nil {
			return fail(err)
		}
	}
	for scanned := range batches {
		out, err := s.matrixRowsWith(ctx, p, cols, scanned, pre)
		if err != nil {
			return fail(err)
		}
		if err := fn(cols, out); err != nil {
			return fail(err)
		}
	}
	select {
	case err := <-readErr:
		return err
	default:
		return nil
	}
}

// matrixScan is one row as the matrix query reads it.
type matrixScan struct {
	ID                  int64
	Number              string
	FirstName, LastName string
	Department          *string
	Location            *string
	Cycle               int
	VersionID           int64
	DueOn               string
	Status              Status
	CountsFrom          *time.Time
	ExemptAt            *time.Time
	PrevStatus          *Status
	Readiness           *Readiness
}

// matrixQuery selects f's rows (not the cursor or the limit) by name: each
// open assignment of the programme with its current cycle, the status of
// the one before, and the employee's readiness.
func (s *Store) matrixQuery(ctx context.Context, p *Programme, f MatrixFilter) (*bun.SelectQuery, error) {
	q := s.DB.NewSelect().TableExpr("employees AS e").
		ColumnExpr("e.id, e.number, e.first_name, e.last_name, d.name AS department, l.name AS location").
		ColumnExpr("cy.cycle, cy.version_id, cy.due_on, cy.status, cy.counts_from, cy.exempt_at, pv.status AS prev_status, rd.status AS readiness").
		Join("JOIN assignments AS a ON a.employee_id = e.id AND a.programme_id = ? AND a.closed_at IS NULL", p.ID).
		Join("JOIN cycles AS cy ON cy.assignment_id = a.id AND cy.closed_at IS NULL AND cy.cycle = (SELECT MAX(n.cycle) FROM cycles AS n WHERE n.assignment_id = a.id)").
		Join("LEFT JOIN cycles AS pv ON pv.assignment_id = a.id AND pv.cycle = cy.cycle - 1 AND pv.closed_at IS NULL").
		Join("LEFT JOIN readiness AS rd ON rd.employee_id = e.id").
		Join("LEFT JOIN departments AS d ON d.id = e.department_id").
		Join("LEFT JOIN locations AS l ON l.id = e.location_id").
		OrderExpr("e.last_name, e.first_name, e.number")
	if f.LineOf != 0 {
		var path string
		if err := s.DB.NewSelect().TableExpr("employees").Column("line_path").Where("id = ?", f.LineOf).Scan(ctx, &path); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, store.Errorf(store.NotFound, "There is no such manager.")
			}
			return nil, err
		}
		// The line: paths below the manager's (see people/line.go).
		q = q.Where("e.line_path > ? AND e.line_path < ?", path, path+":")
	}
	if f.DepartmentID != 0 {
		q = q.Where("e.department_id = ?", f.DepartmentID)
	}
	if f.LocationID != 0 {
		q = q.Where("e.location_id = ?", f.LocationID)
	}
	return q, nil
}

// matrixPreload is the facts of every employee assigned a programme, by
// employee and column.
type matrixPreload struct {
	done, active map[int64][]int64 // Unix nanoseconds, 0 for none
}

func (m *matrixPreload) facts(ids []int64, slugs []string) (done, active map[matrixKey]time.Time) {
	done, active = map[matrixKey]time.Time{}, map[matrixKey]time.Time{}
	for _, id := range ids {
		for j, slug := range slugs {
			if ts := m.done[id]; ts != nil && ts[j] != 0 {
				done[matrixKey{id, slug}] = time.Unix(0, ts[j]).UTC()
			}
			if ts := m.active[id]; ts != nil && ts[j] != 0 {
				active[matrixKey{id, slug}] = time.Unix(0, ts[j]).UTC()
			}
		}
	}
	return done, active
}

// preloadMatrixFacts reads matrixFacts for everyone holding an open
// assignment of p: one grouped scan of the completions, one of the
// unfinished enrolments.
func (s *Store) preloadMatrixFacts(ctx context.Context, p *Programme, cols []ProgrammeCourse) (*matrixPreload, error) {
	m := &matrixPreload{done: map[int64][]int64{}, active: map[int64][]int64{}}
	col := map[string]int{}
	slugs := make([]string, len(cols))
	for i, c := range cols {
		col[c.CourseSlug], slugs[i] = i, c.CourseSlug
	}
	if len(slugs) == 0 {
		return m, nil
	}
	put := func(into map[int64][]int64, id int64, slug string, t time.Time) {
		ts := into[id]
		if ts == nil {
			ts = make([]int64, len(cols))
			into[id] = ts
		}
		if j, ok := col[slug]; ok && t.UnixNano() > ts[j] {
			ts[j] = t.UnixNano()
		}
	}
	assigned := s.DB.NewSelect().TableExpr("assignments").Column("employee_id").Where("programme_id = ? AND closed_at IS NULL", p.ID)
	err := s.courseFacts(ctx, assigned, slugs,
		func(id int64, slug string, t time.Time) { put(m.done, id, slug, t) },
		func(id int64, slug string, t time.Time) { put(m.active, id, slug, t) })
	if err != nil {
		return nil, err
	}
	return m, nil
}

// matrixRows decides the cells of scanned rows: two queries for all of them.
func (s *Store) matrixRows(ctx context.Context, p *Programme, cols []ProgrammeCourse, rows []matrixScan) ([]MatrixRow, error) {
	return s.matrixRowsWith(ctx, p, cols, rows, nil)
}

// matrixRowsWith is matrixRows reading the facts from pre when it is set.
func (s *Store) matrixRowsWith(ctx context.Context, p *Programme, cols []ProgrammeCourse, rows []matrixScan, pre *matrixPreload) ([]MatrixRow, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	var versions []int64
	for i, r := range rows {
		ids[i] = r.ID
		if !slices.Contains(versions, r.VersionID) {
			versions = append(versions, r.VersionID)
		}
	}
	slugs := make([]string, len(cols))
	for i, c := range cols {
		slugs[i] = c.CourseSlug
	}
	inVersion, err := versionCourses(ctx, s.DB, versions)
	if err != nil {
		return nil, err
	}
	var done, active map[matrixKey]time.Time
	if pre != nil {
		done, active = pre.facts(ids, slugs)
	} else if done, active, err = s.matrixFacts(ctx, ids, slugs); err != nil {
		return nil, err
	}
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := make([]MatrixRow, len(rows))
	for i, r := range rows {
		cycles := []*Cycle{{Status: r.Status}}
		if r.PrevStatus != nil {
			cycles = []*Cycle{{Status: *r.PrevStatus}, cycles[0]}
		}
		row := MatrixRow{EmployeeID: r.ID, Number: r.Number, Name: strings.TrimSpace(r.FirstName + " " + r.LastName),
			Cycle: r.Cycle, DueOn: r.DueOn, Status: EffectiveStatus(cycles), Cells: make([]MatrixCell, len(cols))}
		if r.Department != nil {
			row.Department = *r.Department
		}
		if r.Location != nil {
			row.Location = *r.Location
		}
		if r.Readiness != nil {
			row.Readiness = *r.Readiness
		}
		for j, c := range cols {
			facts := CellFacts{Exempt: r.ExemptAt != nil, CycleOverdue: r.Status == Overdue, CountsFrom: r.CountsFrom,
				ValidityMonths: p.ValidityMonths}
			for _, vc := range inVersion[r.VersionID] {
				if vc.CourseSlug == c.CourseSlug {
					facts.InVersion, facts.Required = true, vc.Required
				}
			}
			k := matrixKey{r.ID, c.CourseSlug}
			if t, ok := done[k]; ok {
				facts.LastCompletion = &t
			}
			if t, ok := active[k]; ok {
				facts.LastActivity = &t
			}
			row.Cells[j] = DecideCell(facts, now, loc)
		}
		out[i] = row
	}
	return out, nil
}

type matrixKey struct {
	employeeID int64
	slug       string
}

// matrixFacts returns, for each employee and course, the newest completion
// and the newest activity (a start or a lesson done) of an unfinished
// enrolment: two queries for the whole page.
func (s *Store) matrixFacts(ctx context.Context, ids []int64, slugs []string) (done, active map[matrixKey]time.Time, err error) {
	done, active = map[matrixKey]time.Time{}, map[matrixKey]time.Time{}
	if len(ids) == 0 || len(slugs) == 0 {
		return done, active, nil
	}
	newest := func(into map[matrixKey]time.Time) func(int64, string, time.Time) {
		return func(id int64, slug string, t time.Time) {
			k := matrixKey{id, slug}
			if prev, ok := into[k]; !ok || t.After(prev) {
				into[k] = t
			}
		}
	}
	if err := s.courseFacts(ctx, bun.In(ids), slugs, newest(done), newest(active)); err != nil {
		return nil, nil, err
	}
	return done, active, nil
}

// courseFacts calls done with each employee's newest completion of each of
// the courses, and active with the newest activity (its start or a lesson
// done) of each unfinished enrolment in them, for the employees the IN
// operand employees names (bun.In of ids, or a subquery of employee_id).
// The completions are streamed: for a whole programme they are many.
func (s *Store) courseFacts(ctx context.Context, employees any, slugs []string, done, active func(id int64, slug string, t time.Time)) error {
	rows, err := s.DB.NewSelect().TableExpr("course_completions").Column("employee_id", "course_slug").
		ColumnExpr("MAX(completed_at) AS completed_at").
		Where("employee_id IN (?) AND course_slug IN (?)", employees, bun.In(slugs)).
		GroupExpr("employee_id, course_slug").Rows(ctx)
	if err != nil {
		return err
	}
	for rows.Next() {
		var c completionFact
		if err := s.DB.ScanRow(ctx, rows, &c); err != nil {
			rows.Close()
			return err
		}
		done(c.EmployeeID, c.CourseSlug, c.CompletedAt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// A course taken again to recertify keeps its enrolment (reset, with its
	// old start): the lessons done since show the new attempt.
	var open []struct {
		EmployeeID int64
		Slug       string
		StartedAt  time.Time
		LessonAt   *time.Time
	}
	if err := s.DB.NewSelect().TableExpr("enrolments AS en").
		ColumnExpr("en.employee_id, c.slug, en.started_at").
		ColumnExpr("(SELECT MAX(lp.completed_at) FROM lesson_progress AS lp JOIN lessons AS ls ON ls.id = lp.lesson_id"+
			" WHERE lp.employee_id = en.employee_id AND ls.version_id = en.version_id) AS lesson_at").
		Join("JOIN courses AS c ON c.id = en.course_id").
		Where("en.employee_id IN (?) AND c.slug IN (?) AND en.completed_at IS NULL", employees, bun.In(slugs)).
		Scan(ctx, &open); err != nil {
		return err
	}
	for _, en := range open {
		t := en.StartedAt
		if en.LessonAt != nil && en.LessonAt.After(t) {
			t = *en.LessonAt
		}
		active(en.EmployeeID, en.Slug, t)
	}
	return nil
}

// The cursor is the last row's names and number, quoted and encoded:
// opaque in a link, checked when it comes back.
func makeMatrixCursor(last, first, number string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Quote(last) + "," + strconv.Quote(first) + "," + strconv.Quote(number)))
}

func parseMatrixCursor(c string) (last, first, number string, err error) {
	bad := store.FieldError("after", "That page link is not one this matrix gave: start again from the first page.")
	b, derr := base64.RawURLEncoding.DecodeString(c)
	if derr != nil {
		return "", "", "", bad
	}
	rest := string(b)
	var parts [3]string
	for i := range parts {
		if parts[i], rest, err = unquotePrefix(rest); err != nil {
			return "", "", "", bad
		}
		if i < 2 {
			if !strings.HasPrefix(rest, ",") {
				return "", "", "", bad
			}
			rest = rest[1:]
		}
	}
	if rest != "" {
		return "", "", "", bad
	}
	return parts[0], parts[1], parts[2], nil
}
