package courses

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// The readiness dashboard reads everything it shows in a few queries: one
// pass over the people for the summary and the four breakdowns, the
// snapshots' totals for the trend, and one query for the completions of
// every week.

// WriteSnapshotTotals recomputes the totals of a snapshot week (counts by
// department, location, job title and status) from its rows, in db.
// TakeSnapshot calls it; so must anything else that writes snapshot rows.
func WriteSnapshotTotals(ctx context.Context, db bun.IDB, week string) error {
	if _, err := db.NewDelete().TableExpr("readiness_snapshot_totals").Where("week = ?", week).Exec(ctx); err != nil {
		return err
	}
	_, err := db.NewRaw(`INSERT INTO readiness_snapshot_totals (week, department_id, location_id, job_title_id, status, n)
		SELECT week, department_id, location_id, job_title_id, status, COUNT(*) FROM readiness_snapshots WHERE week = ?
		GROUP BY week, department_id, location_id, job_title_id, status`, week).Exec(ctx)
	return err
}

// SnapshotWeeks returns the weeks with a snapshot, newest first.
func (s *Store) SnapshotWeeks(ctx context.Context) ([]string, error) {
	var list []string
	err := s.DB.NewSelect().TableExpr("readiness_snapshot_totals").ColumnExpr("DISTINCT week").OrderExpr("week DESC").Scan(ctx, &list)
	return list, err
}

// trendWeeks returns the latest n snapshot weeks (all when n <= 0), up to
// the one in force on asOf when it is set, oldest first.
func (s *Store) trendWeeks(ctx context.Context, asOf string, n int) ([]string, error) {
	q := s.DB.NewSelect().TableExpr("readiness_snapshot_totals").ColumnExpr("DISTINCT week").OrderExpr("week DESC")
	if asOf != "" {
		week, err := s.snapshotWeek(ctx, asOf)
		if err != nil {
			return nil, err
		}
		q = q.Where("week <= ?", week)
	}
	if n > 0 {
		q = q.Limit(int64(n))
	}
	var list []string
	if err := q.Scan(ctx, &list); err != nil {
		return nil, err
	}
	slices.Reverse(list)
	return list, nil
}

// weeklyCompletions counts the programme cycles of f's people completed in
// each week (Monday to Monday, company time), in one statement: a range
// count per week on the completion index (one scan comparing every row
// with every week costs ten times more on SQLite).
func (s *Store) weeklyCompletions(ctx context.Context, f ReadinessFilter, weeks []string) ([]int, error) {
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	path := ""
	if f.LineOf != 0 {
		if err := s.DB.NewSelect().TableExpr("employees").Column("line_path").Where("id = ?", f.LineOf).Scan(ctx, &path); err != nil {
			return nil, err
		}
	}
	var union *bun.SelectQuery
	for i, w := range weeks {
		start, err := time.ParseInLocation(time.DateOnly, w, loc)
		if err != nil {
			return nil, fmt.Errorf("snapshot week %q: %w", w, err)
		}
		q := s.DB.NewSelect().TableExpr("cycles AS cy").ColumnExpr("? AS i, COUNT(*) AS n", i).
			Where("cy.completed_at >= ? AND cy.completed_at < ?", start.UTC(), start.AddDate(0, 0, 7).UTC())
		if f.LineOf != 0 || f.DirectOf != 0 || f.DepartmentID != 0 || f.LocationID != 0 || f.JobTitleID != 0 || strings.TrimSpace(f.Search) != "" {
			q = q.Join("JOIN employees AS e ON e.id = cy.employee_id")
			if f.LineOf != 0 {
				q = q.Where("e.line_path > ? AND e.line_path < ?", path, path+":")
			}
			for col, v := range map[string]int64{"e.department_id": f.DepartmentID, "e.location_id": f.LocationID, "e.job_title_id": f.JobTitleID, "e.manager_id": f.DirectOf} {
				if v != 0 {
					q = q.Where(col+" = ?", v)
				}
			}
			if t := strings.ToLower(strings.TrimSpace(f.Search)); t != "" {
				q = q.Where("e.search_key LIKE ?", "%"+strings.NewReplacer(`%`, `\%`, `_`, `\_`).Replace(t)+"%")
			}
		}
		if union == nil {
			union = q
		} else {
			union = union.UnionAll(q)
		}
	}
	var rows []struct{ I, N int }
	if err := union.Scan(ctx, &rows); err != nil {
		return nil, err
	}
	out := make([]int, len(weeks))
	for _, r := range rows {
		if r.I >= 0 && r.I < len(out) {
			out[r.I] = r.N
		}
	}
	return out, nil
}

// Breakdown is a readiness breakdown: its groups, worst share ready first
// (at most the top asked for), and how many groups there are in all.
type Breakdown struct {
	Rows    []BreakdownRow
	Groups  int
	Numbers map[int64]string // by manager: the employee number of each row's manager
}

// ReadinessOverview is a readiness summary with its breakdowns by
// department, location, job title and direct manager.
type ReadinessOverview struct {
	Week string // the snapshot week counted; "" for now
	ReadinessSummary
	ByDepartment, ByLocation, ByJobTitle, ByManager Breakdown
}

// ReadinessOverviewOf counts f's people by readiness in total and in each
// group of the four dimensions, as ReadinessSummaryOf and ReadinessBreakdown
// would (f.Status is ignored), reading the people once. Each breakdown keeps
// its top worst groups (0: all). Invalid (field as_of) for a date before the
// first snapshot.
func (s *Store) ReadinessOverviewOf(ctx context.Context, f ReadinessFilter, top int) (*ReadinessOverview, error) {
	src, err := s.sourceFor(ctx, f.AsOf)
	if err != nil {
		return nil, err
	}
	f.Status = ""
	src.counts = true
	q, err := s.readinessQuery(ctx, s.DB.NewSelect(), src, f)
	if err != nil {
		return nil, err
	}
	d := src.dim + "."
	// Folding the rows here is several times faster on SQLite than a GROUP
	// BY, which sorts them; the status travels as a small number.
	q = q.ColumnExpr(d + "department_id, " + d + "location_id, " + d + "job_title_id, " + d + "manager_id").
		ColumnExpr("CASE rd.status WHEN 'ready' THEN 0 WHEN 'at_risk' THEN 1 WHEN 'not_ready' THEN 2 ELSE 3 END")
	rows, err := q.Rows(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ov := &ReadinessOverview{Week: src.week}
	dims := [4]map[int64]*ReadinessSummary{{}, {}, {}, {}}
	statuses := [4]Readiness{Ready, AtRisk, NotReady, ""} // "" counts in the headcount only, as add does
	var keys [4]sql.NullInt64
	var st int
	for rows.Next() {
		if err := rows.Scan(&keys[0], &keys[1], &keys[2], &keys[3], &st); err != nil {
			return nil, err
		}
		status := statuses[min(max(st, 0), 3)]
		ov.add(status, 1)
		for i, k := range keys {
			g := dims[i][k.Int64]
			if g == nil {
				g = new(ReadinessSummary)
				dims[i][k.Int64] = g
			}
			g.add(status, 1)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	targets := [4]*Breakdown{&ov.ByDepartment, &ov.ByLocation, &ov.ByJobTitle, &ov.ByManager}
	for i, table := range [4]string{"departments", "locations", "job_titles", ""} {
		if *targets[i], err = s.breakdownOf(ctx, dims[i], table, top); err != nil {
			return nil, err
		}
	}
	return ov, nil
}

// breakdownOf sorts the groups of one dimension, keeps the top, and names
// them from table (employees when "").
func (s *Store) breakdownOf(ctx context.Context, groups map[int64]*ReadinessSummary, table string, top int) (Breakdown, error) {
	b := Breakdown{Groups: len(groups), Rows: make([]BreakdownRow, 0, len(groups))}
	for k, g := range groups {
		b.Rows = append(b.Rows, BreakdownRow{ID: k, ReadinessSummary: *g})
	}
	slices.SortFunc(b.Rows, compareBreakdown)
	if top > 0 && len(b.Rows) > top {
		b.Rows = b.Rows[:top]
	}
	ids := make([]int64, 0, len(b.Rows))
	for _, r := range b.Rows {
		if r.ID != 0 {
			ids = append(ids, r.ID)
		}
	}
	var names map[int64]string
	if table == "" {
		names, b.Numbers = make(map[int64]string, len(ids)), make(map[int64]string, len(ids))
		var ns []struct {
			ID                          int64
			Number, FirstName, LastName string
		}
		if len(ids) > 0 {
			if err := s.DB.NewSelect().TableExpr("employees").Column("id", "number", "first_name", "last_name").
				Where("id IN (?)", bun.In(ids)).Scan(ctx, &ns); err != nil {
				return b, err
			}
		}
		for _, n := range ns {
			names[n.ID], b.Numbers[n.ID] = strings.TrimSpace(n.FirstName+" "+n.LastName), n.Number
		}
	} else if len(ids) > 0 {
		var ns []struct {
			ID   int64
			Name string
		}
		if err := s.DB.NewSelect().TableExpr(table).Column("id", "name").Where("id IN (?)", bun.In(ids)).Scan(ctx, &ns); err != nil {
			return b, err
		}
		names = make(map[int64]string, len(ns))
		for _, n := range ns {
			names[n.ID] = n.Name
		}
	}
	for i := range b.Rows {
		if b.Rows[i].Name = names[b.Rows[i].ID]; b.Rows[i].Name == "" {
			b.Rows[i].Name = "(none)"
		}
	}
	return b, nil
}

// compareBreakdown orders groups as sortBreakdown does (the lowest share
// ready first, then the largest), then by id, so the order is total.
func compareBreakdown(a, b BreakdownRow) int {
	// a.Ready/a.Headcount < b.Ready/b.Headcount, without division.
	if c := cmp.Compare(int64(a.Ready)*int64(b.Headcount), int64(b.Ready)*int64(a.Headcount)); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(b.Headcount, a.Headcount), cmp.Compare(a.ID, b.ID))
}

// ReadinessChange is someone whose readiness differs between two snapshots.
type ReadinessChange struct {
	EmployeeID   int64
	Number, Name string
	From, To     Readiness // From is "" for someone not in the earlier snapshot
	Reasons      []Reason  // in the later snapshot
}

// ReadinessChanges returns f's people (line, direct reports, department,
// location, job title, as in the later snapshot) whose readiness in the
// snapshot of week differs from that of prev, by name.
func (s *Store) ReadinessChanges(ctx context.Context, f ReadinessFilter, week, prev string) ([]ReadinessChange, error) {
	g := ReadinessFilter{LineOf: f.LineOf, DirectOf: f.DirectOf, DepartmentID: f.DepartmentID, LocationID: f.LocationID, JobTitleID: f.JobTitleID}
	q, err := s.readinessQuery(ctx, s.DB.NewSelect(), source{table: "readiness_snapshots", dim: "rd", week: week}, g)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		EmployeeID          int64
		Number              string
		FirstName, LastName string
		Status              Readiness
		Reasons             string
		Before              *string
	}
	err = q.ColumnExpr("rd.employee_id, e.number, e.first_name, e.last_name, rd.status, rd.reasons, pr.status AS before").
		Join("LEFT JOIN readiness_snapshots AS pr ON pr.week = ? AND pr.employee_id = rd.employee_id", prev).
		Where("pr.status IS NULL OR pr.status <> rd.status").
		OrderExpr("e.last_name, e.first_name, e.id").Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make([]ReadinessChange, len(rows))
	for i, r := range rows {
		c := ReadinessChange{EmployeeID: r.EmployeeID, Number: r.Number, Name: strings.TrimSpace(r.FirstName + " " + r.LastName), To: r.Status}
		if r.Before != nil {
			c.From = Readiness(*r.Before)
		}
		if err := json.Unmarshal([]byte(r.Reasons), &c.Reasons); err != nil {
			return nil, fmt.Errorf("snapshot reasons of %d: %w", r.EmployeeID, err)
		}
		out[i] = c
	}
	return out, nil
}
