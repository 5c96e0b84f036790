package courses

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/serviceacademy/academy/store"
)

// ReadinessFilter narrows a readiness report. The zero value is everyone
// active, now.
type ReadinessFilter struct {
	LineOf       int64 // everyone below this manager (their whole line)
	DirectOf     int64 // only this manager's direct reports
	DepartmentID int64
	LocationID   int64
	JobTitleID   int64
	Status       Readiness
	Reason       ReasonKind
	Search       string // in the name or number
	AsOf         string // YYYY-MM-DD: the weekly snapshot in force that day; "" for now
	Limit        int    // 0: all
	After        string // the cursor of the page before (Next)
}

// ReadinessEntry is one employee in a readiness report.
type ReadinessEntry struct {
	EmployeeID int64
	Number     string
	Name       string
	JobTitle   string
	Department string
	Location   string
	Manager    string
	Status     Readiness
	Reasons    []Reason
}

// ReadinessSummary counts a report's people by readiness.
type ReadinessSummary struct {
	Headcount, Ready, AtRisk, NotReady int
}

// Percent is the share of n in the headcount, rounded down.
func (s ReadinessSummary) Percent(n int) int {
	if s.Headcount == 0 {
		return 0
	}
	return n * 100 / s.Headcount
}

func (s *ReadinessSummary) add(st Readiness, n int) {
	s.Headcount += n
	switch st {
	case Ready:
		s.Ready += n
	case AtRisk:
		s.AtRisk += n
	case NotReady:
		s.NotReady += n
	}
}

// source is where a report reads: the readiness of now, or a snapshot
// week; dim is the alias holding the department, location, job title,
// manager and line path then.
type source struct {
	table, dim, week string
	weeks            []string // several snapshot weeks (a trend), instead of week
	counts           bool     // only counting: a snapshot needs the employees only to search
}

// snapshotWeek returns the week of the snapshot in force on day (the latest
// at or before it), or Invalid (field as_of).
func (s *Store) snapshotWeek(ctx context.Context, day string) (string, error) {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return "", store.FieldError("as_of", "Enter the date as YYYY-MM-DD, such as 2026-11-02.")
	}
	var week string
	err := s.DB.NewSelect().TableExpr("readiness_snapshots").ColumnExpr("MAX(week)").Where("week <= ?", day).Scan(ctx, &week)
	if errors.Is(err, sql.ErrNoRows) || week == "" {
		var first string
		s.DB.NewSelect().TableExpr("readiness_snapshots").ColumnExpr("MIN(week)").Scan(ctx, &first)
		if first == "" {
			return "", store.FieldError("as_of", "There are no weekly snapshots yet: the first is taken by the scheduler this week.")
		}
		return "", store.FieldError("as_of", "The first weekly snapshot is of %s: choose that day or later.", first)
	}
	return week, err
}

func (s *Store) sourceFor(ctx context.Context, asOf string) (source, error) {
	if asOf == "" {
		return source{table: "readiness", dim: "e"}, nil
	}
	week, err := s.snapshotWeek(ctx, asOf)
	if err != nil {
		return source{}, err
	}
	return source{table: "readiness_snapshots", dim: "rd", week: week}, nil
}

// readinessQuery selects the report's rows from src with f's filters
// (not the cursor).
func (s *Store) readinessQuery(ctx context.Context, q *bun.SelectQuery, src source, f ReadinessFilter) (*bun.SelectQuery, error) {
	q = q.TableExpr(src.table + " AS rd")
	if !src.counts || src.table == "readiness" || strings.TrimSpace(f.Search) != "" {
		q = q.Join("JOIN employees AS e ON e.id = rd.employee_id")
	}
	if len(src.weeks) > 0 {
		q = q.Where("rd.week IN (?)", bun.In(src.weeks))
	} else if src.week != "" {
		q = q.Where("rd.week = ?", src.week)
	} else {
		q = q.Where("e.active")
	}
	d := src.dim + "."
	if f.LineOf != 0 {
		var path string
		if err := s.DB.NewSelect().TableExpr("employees").Column("line_path").Where("id = ?", f.LineOf).Scan(ctx, &path); err != nil {
			return nil, err
		}
		// The line: paths below the manager's (see people/line.go).
		q = q.Where(d+"line_path > ? AND "+d+"line_path < ?", path, path+":")
	}
	if f.DirectOf != 0 {
		q = q.Where(d+"manager_id = ?", f.DirectOf)
	}
	// Within a line, SQLite without statistics (no ANALYZE) would rather
	// scan everyone of a readiness or a location by its index than the
	// line's few hundred by theirs: a unary + keeps it off those indexes.
	// PostgreSQL's statistics choose well.
	plus := ""
	if (f.LineOf != 0 || f.DirectOf != 0) && !store.IsPostgresDB(s.DB) {
		plus = "+"
	}
	if f.DepartmentID != 0 {
		q = q.Where(plus+d+"department_id = ?", f.DepartmentID)
	}
	if f.LocationID != 0 {
		q = q.Where(plus+d+"location_id = ?", f.LocationID)
	}
	if f.JobTitleID != 0 {
		q = q.Where(plus+d+"job_title_id = ?", f.JobTitleID)
	}
	if f.Status != "" {
		q = q.Where(plus+"rd.status = ?", f.Status)
	}
	if f.Reason != "" {
		q = q.Where("rd.reasons LIKE ?", `%"kind":"`+string(f.Reason)+`"%`)
	}
	if t := strings.ToLower(strings.TrimSpace(f.Search)); t != "" {
		q = q.Where("e.search_key LIKE ?", "%"+strings.NewReplacer(`%`, `\%`, `_`, `\_`).Replace(t)+"%")
	}
	return q, nil
}

// ReadinessSummaryOf counts f's people by readiness.
func (s *Store) ReadinessSummaryOf(ctx context.Context, f ReadinessFilter) (ReadinessSummary, error) {
	var sum ReadinessSummary
	src, err := s.sourceFor(ctx, f.AsOf)
	if err != nil {
		return sum, err
	}
	f.Status = ""
	q, err := s.readinessQuery(ctx, s.DB.NewSelect(), src, f)
	if err != nil {
		return sum, err
	}
	var rows []struct {
		Status Readiness
		N      int
	}
	if err := q.ColumnExpr("rd.status, COUNT(*) AS n").GroupExpr("rd.status").Scan(ctx, &rows); err != nil {
		return sum, err
	}
	for _, r := range rows {
		sum.add(r.Status, r.N)
	}
	return sum, nil
}

// ReadinessList returns f's people by name (a page of f.Limit after
// f.After), with the summary of everyone matching (whatever the status
// filter) and the cursor of the next page ("" at the end).
func (s *Store) ReadinessList(ctx context.Context, f ReadinessFilter) ([]ReadinessEntry, ReadinessSummary, string, error) {
	sum, err := s.ReadinessSummaryOf(ctx, f)
	if err != nil {
		return nil, sum, "", err
	}
	src, err := s.sourceFor(ctx, f.AsOf)
	if err != nil {
		return nil, sum, "", err
	}
	q, err := s.readinessQuery(ctx, s.DB.NewSelect(), src, f)
	if err != nil {
		return nil, sum, "", err
	}
	d := src.dim + "."
	q = q.ColumnExpr("e.id, e.number, e.first_name, e.last_name, rd.status, rd.reasons").
		ColumnExpr("(SELECT name FROM job_titles WHERE id = " + d + "job_title_id) AS job_title").
		ColumnExpr("(SELECT name FROM departments WHERE id = " + d + "department_id) AS department").
		ColumnExpr("(SELECT name FROM locations WHERE id = " + d + "location_id) AS location").
		ColumnExpr("(SELECT m.first_name || ' ' || m.last_name FROM employees AS m WHERE m.id = " + d + "manager_id) AS manager").
		OrderExpr("e.last_name, e.first_name, e.id")
	if f.After != "" {
		last, first, id, err := parseCursor(f.After)
		if err != nil {
			return nil, sum, "", err
		}
		q = q.Where("(e.last_name > ? OR (e.last_name = ? AND (e.first_name > ? OR (e.first_name = ? AND e.id > ?))))", last, last, first, first, id)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit) + 1)
	}
	var rows []struct {
		ID                  int64
		Number              string
		FirstName, LastName string
		Status              Readiness
		Reasons             string
		JobTitle            *string
		Department          *string
		Location            *string
		Manager             *string
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, sum, "", err
	}
	next := ""
	if f.Limit > 0 && len(rows) > f.Limit {
		rows = rows[:f.Limit]
		r := rows[len(rows)-1]
		next = makeCursor(r.LastName, r.FirstName, r.ID)
	}
	out := make([]ReadinessEntry, len(rows))
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for i, r := range rows {
		e := ReadinessEntry{EmployeeID: r.ID, Number: r.Number, Name: strings.TrimSpace(r.FirstName + " " + r.LastName), Status: r.Status,
			JobTitle: str(r.JobTitle), Department: str(r.Department), Location: str(r.Location), Manager: strings.TrimSpace(str(r.Manager))}
		if err := json.Unmarshal([]byte(r.Reasons), &e.Reasons); err != nil {
			return nil, sum, "", fmt.Errorf("readiness reasons of %d: %w", r.ID, err)
		}
		out[i] = e
	}
	return out, sum, next, nil
}

// The cursor is the last row's name and id, readable and opaque enough.
func makeCursor(last, first string, id int64) string {
	return strconv.Quote(last) + "," + strconv.Quote(first) + "," + strconv.FormatInt(id, 10)
}

func parseCursor(c string) (last, first string, id int64, err error) {
	bad := store.FieldError("after", "That page cursor is not one this report gave: start again from the first page.")
	var rest string
	if last, rest, err = unquotePrefix(c); err != nil || !strings.HasPrefix(rest, ",") {
		return "", "", 0, bad
	}
	if first, rest, err = unquotePrefix(rest[1:]); err != nil || !strings.HasPrefix(rest, ",") {
		return "", "", 0, bad
	}
	if id, err = strconv.ParseInt(rest[1:], 10, 64); err != nil {
		return "", "", 0, bad
	}
	return last, first, id, nil
}

func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", err
	}
	v, err := strconv.Unquote(q)
	return v, s[len(q):], err
}

// EmployeeReadiness returns one employee's readiness now, or NotFound.
func (s *Store) EmployeeReadiness(ctx context.Context, employeeID int64) (*ReadinessRow, error) {
	r := new(ReadinessRow)
	err := s.DB.NewSelect().Model(r).Where("employee_id = ?", employeeID).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.NotFound, "No readiness is recorded for this employee yet.")
	}
	return r, err
}

// BreakdownRow is one group of a readiness breakdown.
type BreakdownRow struct {
	ID   int64
	Name string
	ReadinessSummary
}

// Breakdown dimensions.
const (
	ByDepartment = "department"
	ByLocation   = "location"
	ByJobTitle   = "job_title"
	ByManager    = "manager" // by direct manager
)

// ReadinessBreakdown counts f's people by readiness in each group of dim
// (department, location, job_title or manager), worst share first.
func (s *Store) ReadinessBreakdown(ctx context.Context, f ReadinessFilter, dim string) ([]BreakdownRow, error) {
	src, err := s.sourceFor(ctx, f.AsOf)
	if err != nil {
		return nil, err
	}
	col, names := "", ""
	switch dim {
	case ByDepartment:
		col, names = "department_id", "SELECT id, name FROM departments"
	case ByLocation:
		col, names = "location_id", "SELECT id, name FROM locations"
	case ByJobTitle:
		col, names = "job_title_id", "SELECT id, name FROM job_titles"
	case ByManager:
		col, names = "manager_id", ""
	default:
		return nil, store.FieldError("by", "Group by department, location, job_title or manager.")
	}
	q, err := s.readinessQuery(ctx, s.DB.NewSelect(), src, f)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Key    *int64
		Status Readiness
		N      int
	}
	if err := q.ColumnExpr(src.dim+"."+col+" AS key, rd.status, COUNT(*) AS n").GroupExpr(src.dim+"."+col+", rd.status").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	byKey := map[int64]*BreakdownRow{}
	var order []int64
	for _, r := range rows {
		k := int64(0)
		if r.Key != nil {
			k = *r.Key
		}
		b := byKey[k]
		if b == nil {
			b = &BreakdownRow{ID: k}
			byKey[k] = b
			order = append(order, k)
		}
		b.add(r.Status, r.N)
	}
	nameOf := map[int64]string{}
	if names != "" {
		var ns []struct {
			ID   int64
			Name string
		}
		if err := s.DB.NewRaw(names).Scan(ctx, &ns); err != nil {
			return nil, err
		}
		for _, n := range ns {
			nameOf[n.ID] = n.Name
		}
	} else if len(order) > 0 {
		var ns []struct {
			ID                  int64
			FirstName, LastName string
		}
		if err := s.DB.NewSelect().TableExpr("employees").Column("id", "first_name", "last_name").Where("id IN (?)", bun.In(order)).Scan(ctx, &ns); err != nil {
			return nil, err
		}
		for _, n := range ns {
			nameOf[n.ID] = strings.TrimSpace(n.FirstName + " " + n.LastName)
		}
	}
	out := make([]BreakdownRow, 0, len(order))
	for _, k := range order {
		b := byKey[k]
		b.Name = nameOf[k]
		if b.Name == "" {
			b.Name = "(none)"
		}
		out = append(out, *b)
	}
	sortBreakdown(out)
	return out, nil
}

// sortBreakdown puts the worst readiness share first, then the largest
// (then by id: the same order on every database).
func sortBreakdown(rows []BreakdownRow) { slices.SortFunc(rows, compareBreakdown) }

// SnapshotWeek is the Monday (company-local) of now's week, YYYY-MM-DD.
func SnapshotWeek(now time.Time, loc *time.Location) string {
	d := LocalDay(now, loc)
	offset := (int(d.Weekday()) + 6) % 7 // days since Monday
	return d.AddDate(0, 0, -offset).Format(time.DateOnly)
}

// SnapshotRow is an employee's readiness in a week's snapshot (the Monday
// it starts, company-local, SnapshotWeek), with where they were then: what
// TakeSnapshot copies from the readiness and the employees.
type SnapshotRow struct {
	bun.BaseModel `bun:"table:readiness_snapshots"`

	Week         string    `bun:",pk"`
	EmployeeID   int64     `bun:",pk"`
	Status       Readiness `bun:",notnull"`
	Reasons      []Reason  `bun:",type:text,notnull"` // JSON
	DepartmentID *int64    `bun:"department_id"`
	LocationID   *int64    `bun:"location_id"`
	JobTitleID   *int64    `bun:"job_title_id"`
	ManagerID    *int64    `bun:"manager_id"`
	LinePath     string    `bun:",notnull"`
}

// TakeSnapshot records everyone's readiness for now's week unless that
// week is recorded already; it returns the week and the rows written (0
// when it was already taken).
func (s *Store) TakeSnapshot(ctx context.Context) (string, int, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return "", 0, err
	}
	week := SnapshotWeek(s.Now(), loc)
	n := 0
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		exists, err := tx.NewSelect().TableExpr("readiness_snapshots").Where("week = ?", week).Exists(ctx)
		if err != nil || exists {
			return err
		}
		res, err := tx.NewRaw(`INSERT INTO readiness_snapshots (week, employee_id, status, reasons, department_id, location_id, job_title_id, manager_id, line_path)
			SELECT ?, e.id, rd.status, rd.reasons, e.department_id, e.location_id, e.job_title_id, e.manager_id, e.line_path
			FROM readiness AS rd JOIN employees AS e ON e.id = rd.employee_id WHERE e.active`, week).Exec(ctx)
		if err != nil {
			return err
		}
		rows, _ := res.RowsAffected()
		n = int(rows)
		return WriteSnapshotTotals(ctx, tx, week)
	})
	return week, n, err
}

// TrendPoint is one week of a readiness trend.
type TrendPoint struct {
	Week string
	ReadinessSummary
	Completions int // programme cycles completed that week
}

// ReadinessTrend returns the weekly snapshots of f's people, oldest first:
// the latest weeks of them, or those up to the snapshot in force on f.AsOf
// (Invalid, field as_of, before the first), with the programme completions
// of each week. Status is ignored. Without a line, direct reports, reason
// or search it reads the snapshots' totals: one small grouped query
// whatever the headcount.
func (s *Store) ReadinessTrend(ctx context.Context, f ReadinessFilter, weeks int) ([]TrendPoint, error) {
	list, err := s.trendWeeks(ctx, f.AsOf, weeks)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	var rows []struct {
		Week   string
		Status Readiness
		N      int
	}
	if f.LineOf == 0 && f.DirectOf == 0 && f.Reason == "" && strings.TrimSpace(f.Search) == "" {
		q := s.DB.NewSelect().TableExpr("readiness_snapshot_totals AS t").ColumnExpr("t.week, t.status, SUM(t.n) AS n").
			Where("t.week IN (?)", bun.In(list)).GroupExpr("t.week, t.status")
		for col, v := range map[string]int64{"t.department_id": f.DepartmentID, "t.location_id": f.LocationID, "t.job_title_id": f.JobTitleID} {
			if v != 0 {
				q = q.Where(col+" = ?", v)
			}
		}
		err = q.Scan(ctx, &rows)
	} else {
		g := f
		g.Status = ""
		var q *bun.SelectQuery
		if q, err = s.readinessQuery(ctx, s.DB.NewSelect(), source{table: "readiness_snapshots", dim: "rd", weeks: list, counts: true}, g); err == nil {
			err = q.ColumnExpr("rd.week, rd.status, COUNT(*) AS n").GroupExpr("rd.week, rd.status").Scan(ctx, &rows)
		}
	}
	if err != nil {
		return nil, err
	}
	completions, err := s.weeklyCompletions(ctx, f, list)
	if err != nil {
		return nil, err
	}
	out := make([]TrendPoint, len(list))
	at := make(map[string]int, len(list))
	for i, w := range list {
		out[i] = TrendPoint{Week: w, Completions: completions[i]}
		at[w] = i
	}
	for _, r := range rows {
		out[at[r.Week]].add(r.Status, r.N)
	}
	return out, nil
}
